"""The quality-assured process: checklist steps done and done on time, attendance,
absences alerted the same day, and incidents."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Subquery, and_, case, func, literal, select

from portal.clock import today
from portal.extensions import db
from portal.prao.checklist import GUARDIAN_ACK, STEPS, Anchor
from portal.prao.models import (
    ACTIVE_STATES,
    AlertKind,
    Assignment,
    AssignmentState,
    AttendanceAlert,
    AttendanceDay,
    AttendanceStatus,
    Incident,
    IncidentKind,
    IncidentSeverity,
    StepRecord,
)
from portal.reports.scope import Batch, per_scope
from portal.reports.sql import count_if, counted, local_day, plus_days
from portal.reports.tables import Cell, Column, Row, Scope, Table, Unit
from portal.schools.models import Enrolment, Municipality, PraoPeriod, School, Student
from portal.texts import mark as _l

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
# A proposal the employer has not yet confirmed has no checklist to follow yet.
CHECKLIST_STATES = tuple(s for s in ACTIVE_STATES if s is not AssignmentState.PROPOSED)


def _due(step_key: Any) -> Any:
    """The due day of whichever step a row names, from its period's first or last day: one
    CASE over the checklist's twelve steps, so all steps are counted in one query."""
    return case(*((step_key == s.key,
                   plus_days(PraoPeriod.first_day if s.anchor is Anchor.FIRST_DAY
                             else PraoPeriod.last_day, literal(s.due_days)))
                  for s in STEPS))


@per_scope
def steps_done(batch: Batch) -> dict[Scope, Table]:
    """Per checklist step, of the placed pupils whose step was due by today: done at all,
    and done by its due day. Two grouped queries: the assignments per period (the due days
    depend only on the period) and the step records per period and step."""
    periods = batch.periods()
    per_period = batch.split(db.session.execute(
        select(periods.c.place, PraoPeriod.first_day, PraoPeriod.last_day,
               Municipality.guardian_ack_required, func.count(Assignment.id))
        .select_from(Assignment)
        .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(periods, periods.c.id == Enrolment.period_id)
        .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
        .join(School, School.id == PraoPeriod.school_id)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(counted(), Assignment.state.in_(CHECKLIST_STATES))
        .group_by(periods.c.place, PraoPeriod.first_day, PraoPeriod.last_day,
                  Municipality.guardian_ack_required)))
    records = batch.split(db.session.execute(
        select(periods.c.place, PraoPeriod.first_day, PraoPeriod.last_day, StepRecord.step,
               func.count(), count_if(local_day(StepRecord.done_at) <= _due(StepRecord.step)))
        .select_from(StepRecord)
        .join(Assignment, Assignment.id == StepRecord.assignment_id)
        .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(periods, periods.c.id == Enrolment.period_id)
        .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
        .where(counted(), Assignment.state.in_(CHECKLIST_STATES))
        .group_by(periods.c.place, PraoPeriod.first_day, PraoPeriod.last_day,
                  StepRecord.step)))
    return {scope: _steps_done(per_period[scope], records[scope]) for scope in batch.scopes}


def _steps_done(per_period: list[tuple[Any, ...]], records: list[tuple[Any, ...]]) -> Table:
    now = today()
    done: dict[str, list[int]] = {s.key: [0, 0, 0] for s in STEPS}
    for first, last, ack, assignments in per_period:  # one row per period's dates, not pupils
        for s in STEPS:
            if s.due(first, last) <= now and (s.only_if != GUARDIAN_ACK or ack):
                done[s.key][0] += assignments
    for first, last, key, n, on_time in records:
        step = next((s for s in STEPS if s.key == key), None)
        if step is not None and step.due(first, last) <= now:
            done[key][1] += n
            done[key][2] += on_time
    rows = tuple(Row(s.label, (Cell.pupils(done[s.key][0]),
                               Cell.share(done[s.key][1], done[s.key][0]),
                               Cell.share(done[s.key][2], done[s.key][0])),
                     key=s.key, translate=True)
                 for s in STEPS if done[s.key][0])
    due, did, in_time = (sum(done[k][i] for k in done) for i in range(3))
    return Table(
        key="steps_done",
        title=_l("Checklistans steg"),
        description=_l("För varje steg i den kvalitetssäkrade praon: hur många placerade elever "
                       "steget gällde fram till i dag, andelen där det gjordes och andelen där "
                       "det gjordes senast på sitt datum."),
        row_header=_l("Steg"),
        # Per step of the checklist, not per school: no other indicator counts by step.
        columns=(Column("due", _l("Elever"), Unit.PUPILS, counts=None),
                 Column("done", _l("Gjort"), Unit.SHARE, of=("due",), counts=None),
                 Column("on_time", _l("Gjort i tid"), Unit.SHARE, of=("due",),
                        counts=None)),
        rows=rows,
        total=Row(_l("Alla steg"), (Cell.pupils(due), Cell.share(did, due),
                                    Cell.share(in_time, due)), key="total", translate=True),
        headline=Cell.share(in_time, due),
    )


@per_scope
def attendance_rate(batch: Batch) -> dict[Scope, Table]:
    """Per school, of the days employers reported: the share the pupil came (present or
    late). The figure is suppressed by the number of pupils behind it, not of days: a
    school with three pupils and thirty days still names those three pupils' attendance.
    The days are reached from the batch's assignments, not summed per assignment for the
    whole region first: one municipality alone then reads only its own pupils' days."""
    periods = batch.periods()
    found = batch.split(db.session.execute(
        _days_per_school(periods, func.count(func.distinct(Student.id)), func.count(),
                         count_if(AttendanceDay.status.in_(ATTENDED)))
        .group_by(periods.c.place, School.id, School.name)
        .order_by(School.name, School.id)))
    return {scope: _attendance_rate(rows) for scope, rows in found.items()}


def _days_per_school(periods: Subquery, *columns: Any) -> Select[Any]:
    """The counted pupils' reported days of the batch's `periods`, with their place and
    school before `columns`, to be grouped by those."""
    return (select(periods.c.place, School.id, School.name, *columns)
            .select_from(AttendanceDay)
            .join(Assignment, Assignment.id == AttendanceDay.assignment_id)
            .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .join(periods, periods.c.id == Enrolment.period_id)
            .join(Student, Student.id == Enrolment.student_id)
            .join(School, School.id == Student.school_id)
            .where(counted()))


def _attendance_rate(rows: list[tuple[Any, ...]]) -> Table:
    def rate(pupils: int, days: int, came: int) -> Cell:
        return Cell(100.0 * came / days if days else None, n=pupils, base=pupils)

    pupils, days, came = (sum(r[2] for r in rows), sum(r[3] for r in rows),
                          sum(r[4] for r in rows))
    return Table(
        key="attendance_rate",
        title=_l("Närvaro"),
        description=_l("Andelen rapporterade praodagar då eleven var på plats (i tid eller "
                       "sent), per skola."),
        row_header=_l("Skola"),
        # The school's pupils with reported days, counted by no other indicator.
        columns=(Column("pupils", _l("Elever"), Unit.PUPILS, counts=None),
                 # Of days, which no cell counts: a hidden number of pupils beside it
                 # does not follow from it (suppressed by the pupils, not computed from them).
                 Column("rate", _l("Närvaro"), Unit.SHARE, counts=None)),
        rows=tuple(Row(name, (Cell.pupils(p), rate(p, d, c)), key=str(school_id))
                   for school_id, name, p, d, c in rows),
        total=Row(_l("Totalt"), (Cell.pupils(pupils), rate(pupils, days, came)),
                  key="total", translate=True),
        headline=rate(pupils, days, came),
    )


@per_scope
def absences_alerted(batch: Batch) -> dict[Scope, Table]:
    """Per school, of the days a pupil was reported absent: the share alerted to the
    counsellor the same day (the 10:00 job's alert)."""
    absent = AttendanceDay.status == AttendanceStatus.ABSENT
    periods = batch.periods()
    found = batch.split(db.session.execute(
        _days_per_school(periods, func.count(), count_if(AttendanceAlert.id.is_not(None)))
        .outerjoin(AttendanceAlert, and_(AttendanceAlert.assignment_id == Assignment.id,
                                         AttendanceAlert.day == AttendanceDay.day,
                                         AttendanceAlert.kind == AlertKind.ABSENT))
        .where(absent)
        .group_by(periods.c.place, School.id, School.name)
        .order_by(School.name, School.id)))
    return {scope: _absences_alerted(rows) for scope, rows in found.items()}


def _absences_alerted(rows: list[tuple[Any, ...]]) -> Table:
    days, alerted = sum(r[2] for r in rows), sum(r[3] for r in rows)
    return Table(
        key="absences_alerted",
        title=_l("Frånvaro som larmades"),
        description=_l("Av de dagar en elev rapporterades frånvarande: andelen som larmades "
                       "till SYV samma dag, per skola."),
        row_header=_l("Skola"),
        # Days of absence, which no other indicator counts.
        columns=(Column("absent", _l("Frånvarodagar"), Unit.PUPILS, counts=None),
                 Column("alerted", _l("Larmade samma dag"), Unit.SHARE, of=("absent",),
                        counts=None)),
        rows=tuple(Row(name, (Cell.pupils(d), Cell.share(a, d)), key=str(school_id))
                   for school_id, name, d, a in rows),
        total=Row(_l("Totalt"), (Cell.pupils(days), Cell.share(alerted, days)),
                  key="total", translate=True),
        headline=Cell.share(alerted, days),
        headline_column="alerted",
    )


INCIDENT_ROWS = (
    (IncidentKind.ACCIDENT, IncidentSeverity.SERIOUS, _l("Olycka, allvarlig")),
    (IncidentKind.ACCIDENT, IncidentSeverity.MINOR, _l("Olycka, lindrig")),
    (IncidentKind.NEAR_MISS, IncidentSeverity.SERIOUS, _l("Tillbud, allvarligt")),
    (IncidentKind.NEAR_MISS, IncidentSeverity.MINOR, _l("Tillbud, lindrigt")),
)


def _prao_begun(batch: Batch) -> set[Scope]:
    """The batch's scopes where a placed pupil has had a prao day yet (a period begun by
    today): before that, no incident can have happened."""
    periods = batch.periods()
    return {batch.scope_of(place) for place in db.session.scalars(
        select(periods.c.place).distinct()
        .select_from(Assignment)
        .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(periods, periods.c.id == Enrolment.period_id)
        .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
        .where(counted(), PraoPeriod.first_day <= today()))}


@per_scope
def incidents(batch: Batch) -> dict[Scope, Table]:
    """Incidents reported during prao, by kind and severity. Each concerns a pupil, so
    small numbers are suppressed like any count of pupils. In a scope where no placed
    pupil's prao has begun (a spring term not yet come) there is nobody to count: its
    cells are a known nothing ("–"), as a share of nobody is, not a "<5" that the
    suppression must protect. A hidden 0 there hid the whole year's figures, which equal
    the autumn's the page shows, though the empty term protects nobody."""
    begun = _prao_begun(batch)
    periods = batch.periods()
    found = batch.split(db.session.execute(
        select(periods.c.place, Incident.kind, Incident.severity, func.count())
        .select_from(Incident)
        .join(Assignment, Assignment.id == Incident.assignment_id)
        .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(periods, periods.c.id == Enrolment.period_id)
        .where(counted())
        .group_by(periods.c.place, Incident.kind, Incident.severity)))
    return {scope: _incidents({(kind, severity): n for kind, severity, n in rows},
                              scope in begun)
            for scope, rows in found.items()}


def _incidents(counts: dict[tuple[Any, Any], int], begun: bool) -> Table:
    def cell(count: int) -> Cell:
        return Cell.pupils(count) if begun or count else Cell(None, 0)

    return Table(
        key="incidents",
        title=_l("Olyckor och tillbud"),
        description=_l("Rapporterade olyckor och tillbud under praon, efter slag och "
                       "allvarlighet.") if begun else
        _l("Rapporterade olyckor och tillbud under praon, efter slag och allvarlighet. "
           "Ingen elevs prao har börjat ännu under den här tiden, så det finns inget att "
           "räkna (–)."),
        row_header=_l("Slag"),
        columns=(Column("incidents", _l("Rapporterade"), Unit.PUPILS, counts=None),),
        rows=tuple(Row(label, (cell(counts.get((kind, severity), 0)),),
                       key=f"{kind}_{severity}", translate=True)
                   for kind, severity, label in INCIDENT_ROWS),
        total=Row(_l("Totalt"), (cell(sum(counts.values())),), key="total",
                  translate=True),
    )
