"""The audit trail: who read or changed personal data, and when.

`audit()` adds a row to the caller's transaction, so the row and the change it records commit
together or not at all. `audit_read()` notes that a page or a file showed pupils' personal
data; the notes of one request are written after the response is ready, as one INSERT and
a commit that carries nothing else, and only when the response showed something (status
below 400).
A list page notes its scope and how many pupils it showed ("period 12, 300 pupils"), not
one row per pupil: a read costs one row whatever the list's length."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, cast

from sqlalchemy import (
    ForeignKey,
    Index,
    Insert,
    String,
    Table,
    Text,
    bindparam,
    func,
    insert,
    select,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from flask import Flask, Response

    from portal.accounts.models import User


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        # The coordinator's log filters by pupil or user and pages newest first by id.
        Index("ix_audit_event_student_id_id", "student_id", "id"),
        Index("ix_audit_event_user_id_id", "user_id", "id"),
        Index("ix_audit_event_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60), default="")
    object_id: Mapped[str] = mapped_column(String(60), default="")
    # The one pupil the event is about, when it is about one (a pupil page, a change of an
    # enrolment or an assignment); None for a list (the scope is the object).
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id"))
    ip: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


def student_id_of(obj: object | None) -> int | None:
    """The pupil an object is about: a Student, an Enrolment, or anything with an
    `enrolment` relationship (Assignment, MatchResult, OwnPlacementRequest)."""
    if obj is None:
        return None
    name = type(obj).__name__
    if name == "Student":
        return getattr(obj, "id", None)
    if name == "Enrolment":
        return getattr(obj, "student_id", None)
    enrolment = getattr(obj, "enrolment", None)
    if enrolment is not None and type(enrolment).__name__ == "Enrolment":
        return getattr(enrolment, "student_id", None)
    return None


def _unproxied(obj: object | None) -> object | None:
    """current_user is a proxy: a row names what it stands for (a User), not the proxy."""
    unwrap = getattr(obj, "_get_current_object", None)
    return unwrap() if callable(unwrap) else obj


def audit(user: User | None, action: str, obj: object | None = None, *,
          ip: str = "", detail: str = "", student_id: int | None = None) -> None:
    """Add an audit row to the current transaction (the caller commits)."""
    obj = _unproxied(obj)
    db.session.add(AuditEvent(
        user_id=user.id if user else None,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "id", "")) if obj is not None else "",
        student_id=student_id if student_id is not None else student_id_of(obj),
        ip=ip[:64],
        detail=detail[:2000],
    ))


_READS_KEY = "_audit_reads"


def audit_read(action: str, obj: object | None = None, *, pupils: int | None = None,
               student_id: int | None = None, detail: str = "") -> None:
    """Note that this request shows pupils' personal data: `obj` is the pupil's row (or
    what holds it), or the list's scope with `pupils` rows. Written after the response."""
    from flask import g, request
    from flask_login import current_user

    user_id = current_user.id if current_user.is_authenticated else None
    obj = _unproxied(obj)
    if pupils is not None:
        detail = f"{pupils} pupils" + (f"; {detail}" if detail else "")
    if user_id is None and not detail:
        detail = "link"  # a pupil, guardian or supervisor through a signed link
    row = {
        "at": utcnow(), "user_id": user_id, "action": action[:60],
        "object_type": type(obj).__name__ if obj is not None else "",
        "object_id": str(getattr(obj, "id", "")) if obj is not None else "",
        "student_id": student_id if student_id is not None else student_id_of(obj),
        "ip": (request.remote_addr or "")[:64], "detail": detail[:2000],
    }
    g.setdefault(_READS_KEY, []).append(row)


def _write_reads(response: Response) -> Response:
    from flask import g

    rows = g.pop(_READS_KEY, None)
    if rows and response.status_code < 400:
        postgresql = db.session.get_bind().dialect.name == "postgresql"
        if not postgresql or db.session.new or db.session.dirty or db.session.deleted:
            # Only the read rows may commit here, never a view's unfinished work. SQLite
            # also needs a fresh transaction: a read one that turns into a writer after
            # another connection wrote fails at once (SQLITE_BUSY_SNAPSHOT) instead of
            # waiting for the lock.
            db.session.rollback()
        # The page is rendered: let its rows go rather than have the commit below expire
        # each of them (thousands on a class list, a tenth of such a page's CPU).
        db.session.expunge_all()
        # Into the table (Core), not through the ORM's bulk insert: nothing reads the rows'
        # ids back, and the ORM's path was a third of this step's Python.
        db.session.execute(_read_rows_insert() if postgresql
                           else insert(cast(Table, AuditEvent.__table__)), rows)
        db.session.commit()
    return response


@cache
def _read_rows_insert() -> Insert:
    """PostgreSQL's INSERT of read rows, which also switches off synchronous_commit for
    the transaction (set_config(..., true) is SET LOCAL): a read row need not wait for its
    WAL flush, the one slow step of a read-only page's commit. A server crash may lose the
    last fraction of a second of read rows, never a change's row (that commits with the
    change it records). One statement, not SET LOCAL and then the INSERT: a round trip
    less on every page that shows a pupil (0.58 -> 0.38 ms of Python with the commit)."""
    table = cast(Table, AuditEvent.__table__)
    columns = ["at", "user_id", "action", "object_type", "object_id", "student_id", "ip",
               "detail"]
    values = select(*(bindparam(name, type_=table.c[name].type) for name in columns))
    return insert(table).from_select(columns, values.where(
        func.set_config("synchronous_commit", "off", true()) == "off"))


def init_app(app: Flask) -> None:
    app.after_request(_write_reads)
