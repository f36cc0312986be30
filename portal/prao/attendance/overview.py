"""What the attendance pages show: the pupils a link or an employer may report, the
counsellor's alerts, a period's attendance and follow-up overview with the ten-day count,
and one assignment's record. Read only; a bounded number of queries per page, whatever
the number of pupils."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import contains_eager, defaultload, joinedload

from portal import clock
from portal.employers.models import Organisation, Placement, PlacementOffer
from portal.extensions import db
from portal.prao.attendance.daily import supervisor_email
from portal.prao.attendance.dayrows import Pupil
from portal.prao.attendance.links import SupervisorLink
from portal.prao.attendance.services import (
    REPORTABLE,
    WORKED,
    Placed,
    placed,
    placed_by,
    placed_statement,
)
from portal.prao.attendance.workdays import Span, second_day, work_span
from portal.prao.models import (
    ACTIVE_STATES,
    AlertKind,
    Assignment,
    AssignmentState,
    AttendanceAlert,
    AttendanceDay,
    AttendanceReport,
    AttendanceStatus,
    FollowUp,
    Incident,
)
from portal.schools.models import Enrolment, EnrolmentState, PraoPeriod, School, Student
from portal.schools.periods import MIN_PRAO_DAYS
from portal.weeks import monday_of

ALERT_DAYS = timedelta(days=14)  # how far back the start page looks for alerts to handle
FALLEN_THROUGH = (AssignmentState.DECLINED, AssignmentState.CANCELLED)
PLANNED = (AssignmentState.PROPOSED, AssignmentState.CONFIRMED, AssignmentState.IN_PROGRESS)


# --- who may be reported -------------------------------------------------------------------

def link_pupils(link: SupervisorLink) -> list[Placed]:
    """The link's pupils who are still this supervisor's on the link's day: a pupil moved
    to another workplace, or no longer confirmed, drops out. One query."""
    found = placed_by(_link_placed_statement(), {"ids": list(link.assignment_ids),
                                                  "email": link.email})
    return _sorted([p for p in found.values() if p.span is not None and
                    p.span.covers(link.day)])


def link_rows(link: SupervisorLink) -> list[Pupil]:
    """`link_pupils` as the link's page shows them, read as plain rows: the same joins and
    conditions (`_link_conditions`), the same order. One statement, built once."""
    found = []
    for row in db.session.execute(_link_rows_statement(), {
            "ids": list(link.assignment_ids), "email": link.email}):
        span = work_span(row.first_day, row.last_day, row.first_week, row.last_week)
        if span is not None and span.covers(link.day):
            found.append(row)
    found.sort(key=lambda r: (r.title, r.last_name, r.first_name, r.id))
    return [Pupil(r.id, f"{r.first_name} {r.last_name}", r.school, r.title, r.day_start,
                  r.day_end, r.break_minutes) for r in found]


@cache
def _link_placed_statement() -> Select:
    """Built once: composing it was a third of a report's Python."""
    return placed_statement(Assignment.id.in_(bindparam("ids", expanding=True)),
                            *_link_conditions(bindparam("email"))).options(
        defaultload(Assignment.placement).load_only(
            Placement.title, Placement.day_start, Placement.day_end, Placement.break_minutes,
            Placement.organisation_id),
        defaultload(Assignment.enrolment).defaultload(Enrolment.student).load_only(
            Student.first_name, Student.last_name),
        defaultload(Assignment.enrolment).defaultload(Enrolment.period)
        .defaultload(PraoPeriod.school).load_only(School.name, School.municipality_id))


@cache
def _link_rows_statement() -> Select:
    """Built once: composing it was most of the query's Python."""
    return (select(Assignment.id, Student.first_name, Student.last_name,
                   School.name.label("school"), Placement.title, Placement.day_start,
                   Placement.day_end, Placement.break_minutes, PraoPeriod.first_day,
                   PraoPeriod.last_day, PlacementOffer.first_week, PlacementOffer.last_week)
            .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .join(Student, Student.id == Enrolment.student_id)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .join(School, School.id == PraoPeriod.school_id)
            .join(Placement, Placement.id == Assignment.placement_id)
            .join(Organisation, Organisation.id == Placement.organisation_id)
            .outerjoin(PlacementOffer, PlacementOffer.id == Assignment.offer_id)
            .where(Assignment.id.in_(bindparam("ids", expanding=True)),
                   *_link_conditions(bindparam("email"))))


def _link_conditions(email: object) -> list[ColumnElement[bool]]:
    """Who a link may still report: confirmed (or later) pupils of the supervisor's."""
    return [Assignment.state.in_(REPORTABLE), supervisor_email() == email]


def employer_pupils(organisation_id: int, day: date) -> list[Placed]:
    """The organisation's confirmed pupils whose time at the workplace covers `day`."""
    ids = db.session.scalars(
        select(Assignment.id)
        .join(Placement, Placement.id == Assignment.placement_id)
        .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
        .outerjoin(PlacementOffer, PlacementOffer.id == Assignment.offer_id)
        .where(Placement.organisation_id == organisation_id,
               Assignment.state.in_(REPORTABLE), PraoPeriod.first_day <= day,
               PraoPeriod.last_day >= day,
               or_(Assignment.offer_id.is_(None),
                   and_(PlacementOffer.first_week <= day,
                        PlacementOffer.last_week >= monday_of(day))))).all()
    return _sorted(list(placed(ids).values()))


def _sorted(found: list[Placed]) -> list[Placed]:
    return sorted(found, key=lambda p: (p.assignment.placement.title,
                                        p.assignment.enrolment.student.last_name,
                                        p.assignment.enrolment.student.first_name,
                                        p.assignment.id))


class Reported(NamedTuple):
    """The day as last reported, as the day's form shows it."""

    assignment_id: int
    status: AttendanceStatus
    start_time: time | None
    end_time: time | None
    break_minutes: int
    reported_at: datetime
    reported_by_label: str


def reported(assignment_ids: Iterable[int], day: date) -> dict[int, Reported]:
    return {row.assignment_id: Reported._make(row) for row in db.session.execute(
        _reported_statement(), {"ids": list(assignment_ids), "day": day})}


@cache
def _reported_statement() -> Select:
    return select(*(getattr(AttendanceDay, name) for name in Reported._fields)).where(
        AttendanceDay.assignment_id.in_(bindparam("ids", expanding=True)),
        AttendanceDay.day == bindparam("day"))


def reported_days(assignment_id: int) -> list[AttendanceDay]:
    return list(db.session.scalars(select(AttendanceDay).where(
        AttendanceDay.assignment_id == assignment_id).order_by(AttendanceDay.day)))


# --- the counsellor's alerts ----------------------------------------------------------------

@dataclass(frozen=True)
class OpenAlert:
    alert: AttendanceAlert
    student: Student
    workplace: str
    status: AttendanceStatus | None  # the day as reported now


def _open(stmt: Select) -> Select:
    """Alerts of the last two weeks still to handle: an absence nobody has judged yet, a
    day still unreported, and hours that broke the rules (for a week)."""
    today, day = clock.today(), AttendanceDay
    return (stmt.outerjoin(day, and_(day.assignment_id == AttendanceAlert.assignment_id,
                                     day.day == AttendanceAlert.day))
            .where(AttendanceAlert.day >= today - ALERT_DAYS,
                   or_(and_(AttendanceAlert.kind.in_([AlertKind.ABSENT,
                                                      AlertKind.NOT_REPORTED]),
                            or_(day.id.is_(None),
                                and_(day.status == AttendanceStatus.ABSENT,
                                     day.excused.is_(None)))),
                       and_(AttendanceAlert.kind == AlertKind.HOURS,
                            AttendanceAlert.day >= today - timedelta(days=7)))))


def open_alerts(school_ids: list[int], limit: int = 50) -> list[OpenAlert]:
    """The alerts still to handle at these schools, newest first."""
    stmt = (
        _open(select(AttendanceAlert, Student, Placement.title, AttendanceDay.status)
              .join(Assignment, Assignment.id == AttendanceAlert.assignment_id)
              .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
              .join(Student, Student.id == Enrolment.student_id)
              .join(Placement, Placement.id == Assignment.placement_id))
        .where(Student.school_id.in_(school_ids))
        .order_by(AttendanceAlert.day.desc(), Student.last_name, Student.first_name)
        .limit(limit))
    return [OpenAlert(*row) for row in db.session.execute(stmt)]


# --- the ten-day guarantee ------------------------------------------------------------------

@dataclass(frozen=True)
class TenDays:
    attended: int  # days reported present or late, every period, years 8 and 9
    planned: int  # prao days still to come at live placements

    @property
    def missing(self) -> int:
        """Days still missing for ten, counting what is planned."""
        return max(MIN_PRAO_DAYS - self.attended - self.planned, 0)

    @property
    def below(self) -> bool:
        return self.missing > 0


def ten_days(students: Sequence[int] | Select, today: date | None = None) -> dict[int, TenDays]:
    """Each pupil's prao days counted from reported attendance across every period (years
    8 and 9), and the days still planned: three queries for any number of pupils, given
    as ids or as a query of ids (no long IN lists)."""
    today = today or clock.today()
    chosen = Enrolment.student_id.in_(students if isinstance(students, Select)
                                      else list(students))
    attended = dict(db.session.execute(
        select(Enrolment.student_id, func.count(func.distinct(AttendanceDay.day)))
        .join(Assignment, Assignment.enrolment_id == Enrolment.id)
        .join(AttendanceDay, AttendanceDay.assignment_id == Assignment.id)
        .where(chosen, AttendanceDay.status.in_(WORKED))
        .group_by(Enrolment.student_id)).all())
    planned = _planned(chosen, today)
    ids = (list(db.session.scalars(students)) if isinstance(students, Select)
           else list(students))
    return {sid: TenDays(attended.get(sid, 0), planned.get(sid, 0)) for sid in ids}


def _planned(chosen: ColumnElement[bool], today: date) -> Counter[int]:
    """Prao days from today on at live placements, less the days already reported."""
    live = (select(Enrolment.student_id, Assignment.id)
            .join(Assignment, Assignment.enrolment_id == Enrolment.id)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .where(chosen, Assignment.state.in_(PLANNED), PraoPeriod.last_day >= today))
    rows = db.session.execute(
        live.add_columns(PraoPeriod.first_day, PraoPeriod.last_day, PlacementOffer.first_week,
                         PlacementOffer.last_week)
        .outerjoin(PlacementOffer, PlacementOffer.id == Assignment.offer_id)).all()
    done: dict[int, set[date]] = defaultdict(set)
    for assignment_id, day in db.session.execute(
            live.with_only_columns(AttendanceDay.assignment_id, AttendanceDay.day)
            .join(AttendanceDay, AttendanceDay.assignment_id == Assignment.id)
            .where(AttendanceDay.day >= today)):
        done[assignment_id].add(day)
    planned: Counter[int] = Counter()
    for student_id, assignment_id, *dates in rows:
        span = work_span(*dates)
        if span is not None:
            planned[student_id] += sum(1 for d in span.days()
                                       if d >= today and d not in done[assignment_id])
    return planned


# --- a period's overview ----------------------------------------------------------------------

@dataclass
class PupilRow:
    enrolment: Enrolment
    ten: TenDays
    assignment: Assignment | None = None  # the live one, else the latest that fell through
    span: Span | None = None
    today: AttendanceStatus | None = None
    reported: int = 0
    absent: int = 0
    open_alerts: int = 0
    follow_ups: int = 0
    incidents: int = 0

    @property
    def short_of_ten(self) -> bool:
        """Short of ten prao days even with the days still planned, and not exempt."""
        return self.ten.below and self.enrolment.state is not EnrolmentState.EXEMPT

    @property
    def fell_through(self) -> bool:
        return self.assignment is not None and self.assignment.state in FALLEN_THROUGH

    @property
    def started(self) -> bool:
        return self.span is not None and self.span.first <= clock.today()

    @property
    def no_show(self) -> bool:
        """Reported, but never present or late: the pupil has not come to the workplace."""
        return not self.fell_through and self.reported > 0 and self.absent == self.reported

    @property
    def follow_up_due(self) -> bool:
        """Not yet contacted by the second prao day."""
        if self.fell_through or self.span is None or self.follow_ups:
            return False
        due = second_day(self.span)
        return due is not None and clock.today() >= due


@dataclass(frozen=True)
class PeriodOverview:
    period: PraoPeriod
    rows: list[PupilRow]
    counts: dict[str, int] = field(default_factory=dict)

    def live(self) -> dict[int, Assignment]:
        """Enrolment id -> its live assignment (placement and organisation loaded)."""
        return {row.enrolment.id: row.assignment for row in self.rows
                if row.assignment is not None and row.assignment.state in ACTIVE_STATES}


def period_overview(period: PraoPeriod) -> PeriodOverview:
    enrolments = list(db.session.scalars(
        select(Enrolment).where(Enrolment.period_id == period.id).join(Student)
        .order_by(Student.class_name, Student.last_name, Student.first_name)
        .options(contains_eager(Enrolment.student))))
    tens = ten_days(select(Enrolment.student_id).where(Enrolment.period_id == period.id))
    rows = {e.id: PupilRow(e, tens.get(e.student_id, TenDays(0, 0))) for e in enrolments}
    in_period = select(Assignment.id).join(Enrolment).where(Enrolment.period_id == period.id)
    _add_assignments(rows, period)
    _add_counts(rows, in_period)
    listed = list(rows.values())
    return PeriodOverview(period, listed, _summary(listed))


def _add_assignments(rows: dict[int, PupilRow], period: PraoPeriod) -> None:
    """The live assignment of each pupil, or the latest one that fell through."""
    found = db.session.scalars(
        select(Assignment).join(Enrolment).where(Enrolment.period_id == period.id)
        .order_by(Assignment.created_at, Assignment.id)
        .options(joinedload(Assignment.placement).joinedload(Placement.organisation),
                 joinedload(Assignment.offer)))
    for assignment in found:
        row = rows[assignment.enrolment_id]
        if row.assignment is None or assignment.state in ACTIVE_STATES or \
                row.assignment.state not in ACTIVE_STATES:
            row.assignment = assignment
    for row in rows.values():
        if row.assignment is not None:
            offer = row.assignment.offer
            row.span = work_span(period.first_day, period.last_day,
                                 offer.first_week if offer else None,
                                 offer.last_week if offer else None)


def _add_counts(rows: dict[int, PupilRow], in_period: Select) -> None:
    """Days reported, today's status, follow-ups, incidents and open alerts: four grouped
    queries over the period's assignments (a replaced assignment's are skipped)."""
    by_assignment = {r.assignment.id: r for r in rows.values() if r.assignment is not None}
    today = clock.today()
    for aid, day, status in db.session.execute(
            select(AttendanceDay.assignment_id, AttendanceDay.day, AttendanceDay.status)
            .where(AttendanceDay.assignment_id.in_(in_period))):
        if (row := by_assignment.get(aid)) is not None:
            row.reported += 1
            row.absent += status is AttendanceStatus.ABSENT
            row.today = status if day == today else row.today
    counts = (("follow_ups", select(FollowUp.assignment_id, func.count())),
              ("incidents", select(Incident.assignment_id, func.count())),
              ("open_alerts", _open(select(AttendanceAlert.assignment_id, func.count()))))
    for name, stmt in counts:
        column = stmt.selected_columns[0]
        for aid, n in db.session.execute(stmt.where(column.in_(in_period)).group_by(column)):
            if aid in by_assignment:
                setattr(by_assignment[aid], name, n)


def _summary(rows: list[PupilRow]) -> dict[str, int]:
    return {
        "below_ten": sum(1 for r in rows if r.short_of_ten),
        "fell_through": sum(1 for r in rows if r.fell_through),
        "no_show": sum(1 for r in rows if r.no_show),
        "follow_up_due": sum(1 for r in rows if r.follow_up_due),
        "alerts": sum(r.open_alerts for r in rows),
        "incidents": sum(r.incidents for r in rows),
    }


# --- one assignment's record -----------------------------------------------------------------

@dataclass(frozen=True)
class DayLine:
    day: date
    reported: AttendanceDay | None


@dataclass(frozen=True)
class Record:
    where: Placed
    days: list[DayLine]  # every prao day so far, and any other reported day
    reports: list[AttendanceReport]
    alerts: list[AttendanceAlert]
    follow_ups: list[FollowUp]
    incidents: list[Incident]
    ten: TenDays


def record(where: Placed) -> Record:
    aid = where.assignment.id
    by_day = {d.day: d for d in reported_days(aid)}
    days = set(by_day)
    if where.span is not None:
        days |= {d for d in where.span.days() if d <= clock.today()}
    student_id = where.assignment.enrolment.student_id
    return Record(
        where=where, days=[DayLine(d, by_day.get(d)) for d in sorted(days)],
        reports=list(db.session.scalars(select(AttendanceReport).where(
            AttendanceReport.assignment_id == aid).order_by(AttendanceReport.id.desc()))),
        alerts=list(db.session.scalars(select(AttendanceAlert).where(
            AttendanceAlert.assignment_id == aid).order_by(AttendanceAlert.day.desc()))),
        follow_ups=list(db.session.scalars(select(FollowUp).where(
            FollowUp.assignment_id == aid).order_by(FollowUp.at.desc()))),
        incidents=incidents_of(aid),
        ten=ten_days([student_id])[student_id])


def incidents_of(assignment_id: int) -> list[Incident]:
    """The pupil's incidents, the latest first."""
    return list(db.session.scalars(select(Incident).where(
        Incident.assignment_id == assignment_id).order_by(Incident.occurred_at.desc())))
