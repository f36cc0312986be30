"""Insert-if-absent and upsert on both engines the portal runs on. A unique key decides
whether a thing was already done: a row that exists is "done", never an error, so a job or a
report can run again, or twice at once, and each thing still happens once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, false
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db


def dialect_insert(table: Any) -> Any:
    """INSERT for the session's engine, with ON CONFLICT support (PostgreSQL and SQLite)."""
    name = db.session.get_bind().dialect.name
    return postgresql.insert(table) if name == "postgresql" else sqlite.insert(table)


def insert_if_absent(table: Any, values: dict[str, Any], keys: list[str]) -> int | None:
    """Insert one row unless its unique key exists; the new id, or None when it existed.
    On PostgreSQL a concurrent insert of the same key waits for the other transaction and
    then does nothing: exactly one of them gets an id."""
    stmt = (dialect_insert(table).values(**values)
            .on_conflict_do_nothing(index_elements=keys).returning(table.c.id))
    return db.session.execute(stmt).scalar_one_or_none()


def write_first(table: Any) -> None:
    """Begin the transaction with a write that changes nothing. SQLite then holds its one
    write lock from the start, so a transaction that reads and then writes waits for
    another writer (busy_timeout) instead of failing with "database is locked";
    PostgreSQL locks rows as it goes and is not affected. On SQLite the session is rolled
    back first (its objects are expired), so that the write opens the transaction."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.rollback()
        db.session.execute(delete(table).where(false()))
