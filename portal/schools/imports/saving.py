"""Saving a previewed pupil import: compare the rows with the school's pupils and save them
all or none, in bulk: one SELECT of the school's pupils, one COPY (PostgreSQL; an executemany
INSERT elsewhere) and one executemany UPDATE, whatever the number of pupils.

A file speaks for the grades it lists: a file of grade 8 flags no pupil of grade 9 as
missing. Pupils of a grade whose prao period still takes wishes join that period on save."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.audit import audit
from portal.clock import today as today_in_sweden
from portal.db import bulk_insert, utcnow
from portal.extensions import db
from portal.schools.imports.columns import CHANGEABLE, COLUMN_BY_FIELD
from portal.schools.imports.reading import (
    PupilRow,
    ReadResult,
    RowWarning,
    StoredFile,
    decode,
    encode,
    grade_warnings,
)
from portal.schools.models import Enrolment, Gender, PraoPeriod, PupilImport, School, Student
from portal.schools.services import enrol_open_periods, open_periods, period_week_label

STALE_PREVIEW = timedelta(days=1)


# --- comparing with the school's pupils ------------------------------------------------

@dataclass(frozen=True)
class Existing:
    id: int
    external_id: str
    first_name: str
    last_name: str
    class_name: str
    grade: int | None
    gender: Gender
    needs: int
    email: str
    missing_since: datetime | None

    def values(self) -> tuple[object, ...]:
        return (self.first_name, self.last_name, self.class_name, self.grade, self.gender,
                self.needs, self.email)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str  # the column's label (a msgid), for the preview
    old: object
    new: object


@dataclass(frozen=True)
class Change:
    student_id: int
    row: PupilRow  # as it will be stored: a column the file lacks keeps the stored value
    changes: tuple[FieldChange, ...]
    returning: bool  # was flagged missing, is back in the file

    @property
    def fields(self) -> tuple[str, ...]:
        """The labels (msgids) of what changes."""
        return tuple(change.label for change in self.changes)


@dataclass(frozen=True)
class PeriodJoin:
    """Pupils of the file who join (or joined) a period still taking wishes."""

    period: PraoPeriod
    pupils: int

    @property
    def weeks(self) -> str:
        return period_week_label(self.period)


@dataclass(frozen=True)
class Counts:
    new: int
    updated: int
    unchanged: int
    missing: int
    joined: tuple[PeriodJoin, ...] = ()  # after saving: who joined which open period


@dataclass
class Plan:
    # The file's rows as they will be stored, in file order (absent columns filled in).
    rows: list[PupilRow] = field(default_factory=list)
    new: list[PupilRow] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    unchanged: int = 0
    missing: list[Existing] = field(default_factory=list)
    grades: frozenset[int] = frozenset()  # the grades the file lists; none: the whole school

    @property
    def counts(self) -> Counts:
        return Counts(len(self.new), len(self.updated), self.unchanged, len(self.missing))


FIELDS = tuple(column.field for column in CHANGEABLE)  # in the order of PupilRow.values()


def existing_pupils(school_id: int) -> dict[str, Existing]:
    """The school's pupils by external id, in one query."""
    stmt = select(Student.id, Student.external_id, Student.first_name, Student.last_name,
                  Student.class_name, Student.grade, Student.gender, Student.needs,
                  Student.email, Student.missing_since).where(Student.school_id == school_id)
    # By name: SQLAlchemy types a select of ten columns with an open tail of more.
    return {row.external_id: Existing(**row._asdict()) for row in db.session.execute(stmt)}


def kept(row: PupilRow, current: Existing, columns: frozenset[str]) -> PupilRow:
    """The row as it will be stored: a column the file lacks leaves the stored value as it
    is. Without an Årskurs column the grade is read from the class, as the upload page
    says; only a class without one ("Lila") keeps the stored grade."""
    values = {}
    for column in CHANGEABLE:
        if column.required or column.field in columns:
            continue
        if column.field == "grade" and row.grade is not None:
            continue
        values[column.field] = getattr(current, column.field)
    return replace(row, **values) if values else row


def _change(current: Existing, row: PupilRow) -> Change | None:
    changed = tuple(FieldChange(name, COLUMN_BY_FIELD[name].label, old, new)
                    for name, old, new in zip(FIELDS, current.values(), row.values(),
                                              strict=True) if old != new)
    returning = current.missing_since is not None
    if not changed and not returning:
        return None
    return Change(current.id, row, changed, returning)


def file_grades(rows: Sequence[PupilRow]) -> frozenset[int]:
    return frozenset(row.grade for row in rows if row.grade is not None)


def _in_file_scope(pupil: Existing, grades: frozenset[int]) -> bool:
    """A file without any grade is the whole school's; otherwise it says nothing about
    pupils of other grades (or of no known grade)."""
    return not grades or pupil.grade in grades


def plan(school_id: int, rows: Sequence[PupilRow], columns: frozenset[str]) -> Plan:
    """What saving these rows would do to the school's pupils; `columns` are the fields
    the file has a column for."""
    existing = existing_pupils(school_id)
    result = Plan()
    for row in rows:
        current = existing.pop(row.external_id, None)
        if current is None:
            result.rows.append(row)
            result.new.append(row)
            continue
        row = kept(row, current, columns)
        result.rows.append(row)
        change = _change(current, row)
        if change is None:
            result.unchanged += 1
        else:
            result.updated.append(change)
    result.grades = file_grades(result.rows)
    # Whoever is left of the file's grades is in the portal but not in the file: flagged,
    # never deleted.
    result.missing = sorted((p for p in existing.values() if _in_file_scope(p, result.grades)),
                            key=lambda p: (p.class_name, p.last_name, p.first_name))
    return result


# --- services ----------------------------------------------------------------------------

class ImportRefused(Exception):
    """The rows have problems: nothing is stored or saved."""

    def __init__(self, rows: list[int]) -> None:
        super().__init__(rows)
        self.rows = rows


class AlreadySaved(Exception):
    """This preview was saved before (a second click, another tab)."""


class NewerSaved(Exception):
    """Another file for the school was saved after this preview was made: saving this one
    would undo it (its pupils marked missing, its changes reverted)."""

    def __init__(self, saved_at: datetime) -> None:
        super().__init__(saved_at)
        self.saved_at = saved_at


class SaveConflict(Exception):
    """Someone else changed the school's pupils at the same moment; nothing was saved."""


@dataclass(frozen=True)
class Preview:
    pupil_import: PupilImport
    stored: StoredFile
    plan: Plan
    joining: list[PeriodJoin]  # who would join which open period on save
    warnings: list[RowWarning]  # rows saved as they are but worth a look first


def _purge_stale_previews(school_id: int) -> None:
    """Unsaved previews hold pupils' data; a day later nobody will save them."""
    db.session.execute(delete(PupilImport).where(
        PupilImport.school_id == school_id, PupilImport.saved_at.is_(None),
        PupilImport.created_at < utcnow() - STALE_PREVIEW))


def store_preview(school: School, user: User, filename: str,
                  result: ReadResult) -> PupilImport:
    """Keep a file without problems until the counsellor saves it."""
    if not result.ok:
        raise ImportRefused([problem.row for problem in result.problem_rows])
    _purge_stale_previews(school.id)
    pupil_import = PupilImport(school_id=school.id, uploaded_by_id=user.id,
                               filename=filename[:255], content=encode(result))
    db.session.add(pupil_import)
    db.session.flush()
    audit(user, "pupils_import_previewed", pupil_import,
          detail=f"school={school.id} rows={len(result.rows)}")
    db.session.commit()
    return pupil_import


def preview(pupil_import: PupilImport, today: date | None = None) -> Preview:
    stored = decode(pupil_import.content)
    changes = plan(pupil_import.school_id, stored.rows, stored.columns)
    return Preview(pupil_import, stored, changes,
                   joining(pupil_import.school_id, changes.rows, changes.grades,
                           today or today_in_sweden()),
                   grade_warnings(changes.rows))


def joining(school_id: int, rows: Sequence[PupilRow], grades: frozenset[int],
            today: date) -> list[PeriodJoin]:
    """Per open period of a grade in the file: the file's pupils of that grade not in the
    period yet, exactly whom saving will enrol. Two queries."""
    periods = open_periods(school_id, grades, today)
    if not periods:
        return []
    enrolled = {(period_id, external_id) for period_id, external_id in db.session.execute(
        select(Enrolment.period_id, Student.external_id).join(Student)
        .where(Enrolment.period_id.in_([p.id for p in periods])))}
    return [PeriodJoin(p, sum(1 for row in rows if row.grade == p.grade
                              and (p.id, row.external_id) not in enrolled)) for p in periods]


def _insert_values(row: PupilRow, school_id: int, now: datetime) -> dict[str, object]:
    return {"school_id": school_id, "external_id": row.external_id,
            "first_name": row.first_name, "last_name": row.last_name,
            "class_name": row.class_name, "grade": row.grade, "gender": row.gender.value,
            "needs": row.needs, "email": row.email, "missing_since": None,
            "created_at": now, "updated_at": now}


def _update_values(change: Change, now: datetime) -> dict[str, object]:
    row = change.row
    return {"id": change.student_id, "first_name": row.first_name,
            "last_name": row.last_name, "class_name": row.class_name, "grade": row.grade,
            "gender": row.gender, "needs": row.needs, "email": row.email,
            "missing_since": None, "updated_at": now}


def write_plan(school_id: int, changes: Plan, now: datetime) -> None:
    """Bulk statements only: COPY (PostgreSQL) or one executemany INSERT for the new pupils,
    executemany UPDATEs by primary key for the rest."""
    bulk_insert(db.session, Student.__table__,
                [_insert_values(row, school_id, now) for row in changes.new])
    if changes.updated:
        db.session.execute(update(Student),
                           [_update_values(change, now) for change in changes.updated])
    # A pupil already flagged keeps the day they first went missing.
    newly_missing = [{"id": p.id, "missing_since": now, "updated_at": now}
                     for p in changes.missing if p.missing_since is None]
    if newly_missing:
        db.session.execute(update(Student), newly_missing)


def _lock_school(school_id: int) -> None:
    # Imports into one school wait for each other (PostgreSQL; SQLite writes one at a time).
    db.session.execute(select(School.id).where(School.id == school_id).with_for_update())


def _integrity_errors() -> tuple[type[Exception], ...]:
    # COPY runs on the driver's own connection, so its errors arrive without SQLAlchemy's
    # wrapping; catch the driver's IntegrityError as well as SQLAlchemy's.
    dbapi = db.session.get_bind().dialect.loaded_dbapi
    return (IntegrityError, dbapi.IntegrityError)


def save(pupil_import: PupilImport, user: User, today: date | None = None) -> Counts:
    """Save a previewed file, all or nothing, compared afresh with the school's pupils; its
    pupils join the open periods of their grade."""
    _lock_school(pupil_import.school_id)
    db.session.refresh(pupil_import)
    if pupil_import.saved_at is not None:
        raise AlreadySaved
    newer = db.session.scalar(select(func.max(PupilImport.saved_at)).where(
        PupilImport.school_id == pupil_import.school_id,
        PupilImport.saved_at > pupil_import.created_at))
    if newer is not None:
        db.session.rollback()
        raise NewerSaved(newer)
    stored = decode(pupil_import.content)
    changes = plan(pupil_import.school_id, stored.rows, stored.columns)
    now = utcnow()
    try:
        write_plan(pupil_import.school_id, changes, now)
        db.session.flush()
        joined = enrol_open_periods(pupil_import.school_id, changes.grades, user,
                                    today or today_in_sweden())
        db.session.flush()
    except _integrity_errors() as error:
        db.session.rollback()
        raise SaveConflict from error
    pupil_import.saved_at = now
    pupil_import.content = b""  # saved pupils live in Student; the copy is not kept
    counts = replace(changes.counts, joined=tuple(PeriodJoin(p, n) for p, n in joined))
    audit(user, "pupils_imported", pupil_import,
          detail=f"school={pupil_import.school_id} new={counts.new} "
                          f"updated={counts.updated} unchanged={counts.unchanged} "
                          f"missing={counts.missing}")
    db.session.commit()
    return counts


def missing_pupils(school_id: int) -> list[Student]:
    """Pupils the latest import did not list, for the counsellor to follow up."""
    return list(db.session.scalars(
        select(Student).where(Student.school_id == school_id, Student.missing_since.is_not(None))
        .order_by(Student.class_name, Student.last_name, Student.first_name)))


def pupil_count(school_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Student)
                             .where(Student.school_id == school_id)) or 0
