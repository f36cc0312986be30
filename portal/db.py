"""Declarative base with a naming convention, so Alembic can name and drop constraints."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import DateTime, Engine, Enum, MetaData, event, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from portal import clock

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult, Result
    from sqlalchemy.orm import Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now from the portal's one clock, so a test that sets the time sets it everywhere."""
    return clock.now()


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware UTC datetimes; SQLite forgets the zone, so it is put back on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime stored; use portal.db.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def str_enum(cls: type[enum.Enum]) -> Enum:
    """A Python enum stored by its value in a short string column (no native enum type), so
    a new member needs no ALTER TYPE on PostgreSQL."""
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.now()
    )


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Alembic autogenerate: write our column types as plain SQLAlchemy types."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Made by hand in migrations 0004 and 0007 for the catalogue's search, out of the models'
# reach: SQLite's FTS5 tables placement_fts and placement_fts_trigram (and the shadow tables
# FTS5 keeps beside them); PostgreSQL's stored tsvector column placement.search_vector, its
# GIN index and the GIN trigram index over search_text. Autogenerate and the migration test
# leave them alone.
SEARCH_TABLE_PREFIX = "placement_fts"
SEARCH_INDEXES = frozenset({"ix_placement_search", "ix_placement_search_trigram"})
SEARCH_COLUMNS = frozenset({"search_vector"})


def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """Alembic's include_name hook: which reflected database objects to compare."""
    if type_ == "table" and name is not None and name.startswith(SEARCH_TABLE_PREFIX):
        return False
    if type_ == "column" and name in SEARCH_COLUMNS:
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)


# Requests that only read; every other method is a write (a form post, a delete).
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITING: ContextVar[bool] = ContextVar("portal_writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Mark work outside a request that writes (a CLI command, a job), so that on SQLite
    each of its transactions takes the write lock at BEGIN, as a form post does."""
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)


def begin_statement() -> str:
    """SQLite takes its write lock at BEGIN IMMEDIATE, so two writers queue up behind
    busy_timeout instead of both reading first and one failing with "database is locked"
    when it tries to write. Reading requests, and other work not marked as writing, stay
    deferred: in WAL mode readers never wait."""
    from flask import has_request_context, request

    if _WRITING.get():
        return "BEGIN IMMEDIATE"
    if has_request_context() and request.method not in READING_METHODS:
        return "BEGIN IMMEDIATE"
    return "BEGIN"


def configure_sqlite(engine: Engine) -> None:
    """SQLite needs foreign keys switched on, WAL (readers and one writer side by side),
    a busy timeout, and pysqlite's own transaction handling switched off so that SAVEPOINT
    (nested transactions) works as documented by SQLAlchemy and BEGIN is ours to choose."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin_statement())


# Connection.info key: True while the connection's transaction has only read (SELECTs).
# psycopg forgets a connection's prepared statements at every ROLLBACK (and sends DEALLOCATE
# ALL), so when a page's transaction ended in one, its queries were planned afresh on every
# request: a third of PostgreSQL's CPU under load. A transaction that only read ends in a
# COMMIT instead, which leaves the database just as a ROLLBACK would.
ONLY_READ = "portal_only_read"


def _only_reads(context: Any) -> bool:
    """A compiled SELECT reads; anything else (DML, DDL, text, SET) may change something."""
    statement = getattr(getattr(context, "compiled", None), "statement", None)
    return bool(getattr(statement, "is_select", False)) and not getattr(
        statement, "is_text", False)


def track_reading_transactions(engine: Engine) -> None:
    """Note whether a connection's transaction has only read, for end_reading_transaction().
    Registered after configure_sqlite(), so its BEGIN is not counted as a write."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.info[ONLY_READ] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection: Any, _cursor: Any, _statement: str, _parameters: Any,
                    context: Any, _executemany: bool) -> None:
        if connection.info.get(ONLY_READ) and not _only_reads(context):
            connection.info[ONLY_READ] = False

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        if context.connection is not None:  # a failed statement: the transaction rolls back
            context.connection.info[ONLY_READ] = False


def end_reading_transaction(session: Session) -> None:
    """End a transaction that has only read with COMMIT (see ONLY_READ). One that wrote,
    failed, or holds objects not yet flushed is left to roll back."""
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    if session.connection().info.get(ONLY_READ) is not True:
        return
    session.expunge_all()  # nothing to expire on commit: the page is done with its rows
    session.commit()


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed. Session.execute() is typed to return a
    Result, but for these statements it is a CursorResult, the one that counts rows."""
    return cast("CursorResult[Any]", result).rowcount


def bulk_insert(session: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in the session's transaction: COPY on PostgreSQL (many times faster
    than INSERT for a whole region's rows), one executemany elsewhere. Every row has the same
    keys; values are plain (enum members as their string values, JSON as dicts or lists)."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(table.insert(), rows)
        return
    connection.info[ONLY_READ] = False  # COPY goes past SQLAlchemy's statement events
    columns = list(rows[0])
    quoted = ", ".join(f'"{c}"' for c in columns)
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(
            f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:  # names from our own tables
        for row in rows:
            # A JSON column's value goes in as its JSON text, which COPY parses.
            copy.write_row([json.dumps(v) if isinstance(v, dict | list) else v
                            for v in (row[c] for c in columns)])
