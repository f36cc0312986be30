"""Coverage: how many pupils really did their prao (at least ten days at a workplace over
the school year), and how pupils got their placement (through the portal or through their
own network)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select

from portal.extensions import db
from portal.prao.models import (
    ACTIVE_STATES,
    Assignment,
    AssignmentSource,
    AttendanceDay,
    AttendanceStatus,
)
from portal.reports.scope import Batch, per_scope
from portal.reports.sql import count_if, counted
from portal.reports.tables import (
    OWN,
    PLACED,
    PORTAL,
    SCHOOL,
    SCHOOL_PUPILS,
    Cell,
    Chart,
    Column,
    Counts,
    Row,
    Scope,
    Table,
    Unit,
)
from portal.schools.models import Enrolment, School, Student
from portal.texts import mark as _l

# Ten days: two prao weeks, the regional guideline for a complete prao.
ENOUGH_DAYS = 10
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


@per_scope
def coverage(batch: Batch) -> dict[Scope, Table]:
    """Per school: pupils, and the share with at least ten days attended, counted across
    every period of the school year in the scope (a pupil may do two one-week periods)."""
    # The days are joined to the batch's assignments, not counted per assignment for the
    # whole region first: one municipality alone then reads only its own pupils' days
    # (through the index on assignment and status) instead of every day of the country.
    periods = batch.periods()
    days = (select(periods.c.place, Student.id.label("student_id"),
                   Student.school_id.label("school_id"),
                   func.count(AttendanceDay.id).label("days"))
            .select_from(Enrolment)
            .join(periods, periods.c.id == Enrolment.period_id)
            .join(Student, Student.id == Enrolment.student_id)
            .outerjoin(Assignment, Assignment.enrolment_id == Enrolment.id)
            .outerjoin(AttendanceDay, and_(AttendanceDay.assignment_id == Assignment.id,
                                           AttendanceDay.status.in_(ATTENDED)))
            .where(counted())
            .group_by(periods.c.place, Student.id, Student.school_id)
            .subquery())
    found = batch.split(db.session.execute(
        select(days.c.place, School.id, School.name, func.count(),
               count_if(days.c.days >= ENOUGH_DAYS))
        .select_from(School)
        .join(days, days.c.school_id == School.id)
        .group_by(days.c.place, School.id, School.name)
        .order_by(School.name, School.id)))
    return {scope: _coverage(rows) for scope, rows in found.items()}


def _coverage(rows: list[tuple[Any, ...]]) -> Table:
    pupils = sum(r[2] for r in rows)
    covered = sum(r[3] for r in rows)
    return Table(
        key="coverage",
        title=_l("Elever med minst tio praodagar"),
        description=_l("Andelen elever som har varit närvarande (eller kommit sent) minst tio "
                       "dagar på en arbetsplats under läsåret, per skola."),
        row_header=_l("Skola"),
        # The school's pupils, as the equity table counts them (one pupil in two periods
        # of the year counts once here): taken as the same, which hides as much as they
        # are. The pupils with ten days are counted nowhere else.
        columns=(Column("pupils", _l("Elever"), Unit.PUPILS,
                        counts=Counts(SCHOOL, SCHOOL_PUPILS)),
                 Column("covered", _l("Minst tio dagar"), Unit.SHARE, of=("pupils",),
                        counts=Counts(SCHOOL, ("covered",), SCHOOL_PUPILS))),
        rows=tuple(Row(name, (Cell.pupils(n), Cell.share(done, n)), key=str(school_id))
                   for school_id, name, n, done in rows),
        total=Row(_l("Totalt"), (Cell.pupils(pupils), Cell.share(covered, pupils)),
                  key="total", translate=True),
        headline=Cell.share(covered, pupils),
        headline_column="covered",
    )


SOURCE_COLUMNS = (
    Column("portal", _l("Genom portalen"), Unit.SHARE, counts=Counts(SCHOOL, (PORTAL,), PLACED)),
    Column("own", _l("Eget nätverk"), Unit.SHARE, counts=Counts(SCHOOL, (OWN,), PLACED)),
)


@per_scope
def placement_source(batch: Batch) -> dict[Scope, Table]:
    """Per school, of the pupils placed: through the portal (matching or placed by hand by
    the counsellor) or through their own network."""
    own = Assignment.source == AssignmentSource.OWN
    periods = batch.periods()
    found = batch.split(db.session.execute(
        select(periods.c.place, School.id, School.name, count_if(~own), count_if(own))
        .select_from(Assignment)
        .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(periods, periods.c.id == Enrolment.period_id)
        .join(Student, Student.id == Enrolment.student_id)
        .join(School, School.id == Student.school_id)
        .where(counted(), Assignment.state.in_(ACTIVE_STATES))
        .group_by(periods.c.place, School.id, School.name)
        .order_by(School.name, School.id)))
    return {scope: _placement_source(rows) for scope, rows in found.items()}


def _placement_source(rows: list[tuple[Any, ...]]) -> Table:
    portal = sum(r[2] for r in rows)
    own_total = sum(r[3] for r in rows)
    return Table(
        key="placement_source",
        title=_l("Placerade genom portalen eller eget nätverk"),
        description=_l("Av de placerade eleverna: andelen som fick sin plats genom portalen "
                       "(matchning eller placering av SYV) och andelen som ordnade den genom "
                       "sitt eget nätverk, per skola."),
        row_header=_l("Skola"),
        columns=SOURCE_COLUMNS,
        rows=tuple(Row(name, (Cell.share(p, p + o), Cell.share(o, p + o)), key=str(school_id))
                   for school_id, name, p, o in rows),
        total=Row(_l("Totalt"), (Cell.share(portal, portal + own_total),
                                 Cell.share(own_total, portal + own_total)),
                  key="total", translate=True),
        chart=Chart.STACKED,
        headline=Cell.share(own_total, portal + own_total),
        # Own networks follow the parents' networks: the fewer, the more equal.
        higher_is_better=False,
        headline_label=_l("Placerade genom eget nätverk"),
    )
