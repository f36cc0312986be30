"""Two requests writing the same thing at once (a double click, two people at one queue).
The database decides who was first: a unique constraint, or a conditional UPDATE that only
changes a row still in the state the request expects. These helpers turn the loser's side
into the existing row or a message, never an error page and never a second email.

One row at a time: `first_wins` (a savepoint around an insert) and `claim` (a conditional
UPDATE). Many rows at once, where a job or a day's attendance must stay one statement:
`dialect_insert` (INSERT … ON CONFLICT on both engines) and `write_first` (SQLite takes its
write lock before the reads)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import delete, false, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute

from portal.db import rows_changed
from portal.extensions import db

T = TypeVar("T")


class AlreadyDecided(Exception):  # noqa: N818 - a situation the user is told about, not a bug
    """Someone else (or the same person in another tab) decided first; nothing was changed."""


def first_wins(work: Callable[[], T]) -> T:
    """Run `work` in a savepoint. When a unique constraint says that another transaction
    wrote the same row a moment ago, roll back to the savepoint and run `work` once more: it
    now sees the winner's row and answers as it does for any repeat (the existing row, or a
    message). Whatever `work` queued (emails, audit rows) is undone with the savepoint."""
    try:
        with db.session.begin_nested():
            return work()
    except IntegrityError:
        pass  # PostgreSQL let us wait for the winner's commit: the second run sees its row
    with db.session.begin_nested():
        return work()


def claim(column: InstrumentedAttribute[Any], row_id: int, expected: object,
          **values: object) -> bool:
    """UPDATE the row `row_id` of `column`'s table with `values`, but only while `column`
    still equals `expected`; True when this request made the change. Of two requests at
    once, PostgreSQL makes the second wait for the first to commit and then finds the
    condition false; SQLite writes one transaction at a time."""
    model = column.class_
    result = db.session.execute(
        update(model).where(model.id == row_id, column == expected).values(**values)
        .execution_options(synchronize_session=False))
    return rows_changed(result) == 1


def dialect_insert(table: Any) -> Any:
    """INSERT for the session's engine, with ON CONFLICT support (PostgreSQL and SQLite), for
    set-based writes that are idempotent by a unique key: a row that exists is "done"."""
    name = db.session.get_bind().dialect.name
    return postgresql.insert(table) if name == "postgresql" else sqlite.insert(table)


def write_first(table: Any) -> None:
    """Begin the transaction with a write that changes nothing. SQLite then holds its one
    write lock from the start, so a transaction that reads and then writes waits for
    another writer (busy_timeout) instead of failing with "database is locked";
    PostgreSQL locks rows as it goes and is not affected. On SQLite the session is rolled
    back first (its objects are expired), so that the write opens the transaction."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.rollback()
        db.session.execute(delete(table).where(false()))
