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
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Row,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy.orm import defaultload

from portal import clock
from portal.employers.models import Organisation, Placement, PlacementOffer
from portal.extensions import db
from portal.matching.models import MatchingRun, RunStatus, matching_run_period
from portal.prao.attendance import dayrows
from portal.prao.attendance.daily import supervisor_email
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
from portal.prao.days import count_prao_days
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


def link_rows(link: SupervisorLink) -> list[dayrows.Pupil]:
    """`link_pupils` as the link's page shows them, read as plain rows: the same joins and
    conditions (`_link_conditions`), the same order. One statement, built once."""
    found = []
    for row in db.session.execute(_link_rows_statement(), {
            "ids": list(link.assignment_ids), "email": link.email}):
        span = work_span(row.first_day, row.last_day, row.first_week, row.last_week)
        if span is not None and span.covers(link.day):
            found.append(row)
    found.sort(key=lambda r: (r.title, r.last_name, r.first_name, r.id))
    return [dayrows.Pupil(r.id, f"{r.first_name} {r.last_name}", r.school, r.title, r.day_start,
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

class OpenAlert(NamedTuple):
    """An alert on the counsellor's start page, as plain values."""

    assignment_id: int
    day: date
    kind: AlertKind
    first_name: str  # the pupil's
    last_name: str
    workplace: str  # the placement's title
    status: AttendanceStatus | None  # the day as reported now


def _open(stmt: Select, alerts_from: Any, hours_from: Any) -> Select:
    """Alerts from `alerts_from` on (the last two weeks) still to handle: an absence nobody
    has judged yet, a day still unreported, and hours that broke the rules (from
    `hours_from`, a week). The two days are dates (`_open_since`), or bindparams in a
    statement built once: never the day it was built."""
    day = AttendanceDay
    return (stmt.outerjoin(day, and_(day.assignment_id == AttendanceAlert.assignment_id,
                                     day.day == AttendanceAlert.day))
            .where(AttendanceAlert.day >= alerts_from,
                   or_(and_(AttendanceAlert.kind.in_([AlertKind.ABSENT,
                                                      AlertKind.NOT_REPORTED]),
                            or_(day.id.is_(None),
                                and_(day.status == AttendanceStatus.ABSENT,
                                     day.excused.is_(None)))),
                       and_(AttendanceAlert.kind == AlertKind.HOURS,
                            AttendanceAlert.day >= hours_from))))


def _open_since(today: date) -> dict[str, date]:
    """`_open`'s two days for `today`, by the names of its bindparams."""
    return {"alerts_from": today - ALERT_DAYS, "hours_from": today - timedelta(days=7)}


def open_alerts(school_ids: list[int], limit: int = 50) -> list[OpenAlert]:
    """The alerts still to handle at these schools, newest first."""
    stmt = (
        _open(select(AttendanceAlert.assignment_id, AttendanceAlert.day, AttendanceAlert.kind,
                     Student.first_name, Student.last_name, Placement.title,
                     AttendanceDay.status)
              .join(Assignment, Assignment.id == AttendanceAlert.assignment_id)
              .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
              .join(Student, Student.id == Enrolment.student_id)
              .join(Placement, Placement.id == Assignment.placement_id),
              **_open_since(clock.today()))
        .where(Student.school_id.in_(school_ids))
        .order_by(AttendanceAlert.day.desc(), Student.last_name, Student.first_name)
        .limit(limit))
    return [OpenAlert._make(row) for row in db.session.execute(stmt)]


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
    chosen = Enrolment.student_id.in_(students if isinstance(students, Select)
                                      else list(students))
    day = today or clock.today()
    attended, planned = _ten_counts(_ten_statements(chosen, day), day)
    ids = (list(db.session.scalars(students)) if isinstance(students, Select)
           else list(students))
    return {sid: TenDays(attended.get(sid, 0), planned.get(sid, 0)) for sid in ids}


class _TenStatements(NamedTuple):
    """The ten-day count's queries for some chosen pupils: days attended per pupil, the
    live placements with days still to come, and the days already reported at them."""

    attended: Select[*tuple[Any, ...]]
    live: Select[*tuple[Any, ...]]
    done: Select[*tuple[Any, ...]]


def _ten_statements(chosen: ColumnElement[bool], today: Any) -> _TenStatements:
    """`today`: a date, or a bindparam when the statements are built once."""
    live = (select(Enrolment.student_id, Assignment.id)
            .join(Assignment, Assignment.enrolment_id == Enrolment.id)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .where(chosen, Assignment.state.in_(PLANNED), PraoPeriod.last_day >= today))
    return _TenStatements(
        select(Enrolment.student_id, func.count(func.distinct(AttendanceDay.day)))
        .join(Assignment, Assignment.enrolment_id == Enrolment.id)
        .join(AttendanceDay, AttendanceDay.assignment_id == Assignment.id)
        .where(chosen, AttendanceDay.status.in_(WORKED))
        .group_by(Enrolment.student_id),
        live.add_columns(PraoPeriod.first_day, PraoPeriod.last_day, PlacementOffer.first_week,
                         PlacementOffer.last_week)
        .outerjoin(PlacementOffer, PlacementOffer.id == Assignment.offer_id),
        live.with_only_columns(AttendanceDay.assignment_id, AttendanceDay.day)
        .join(AttendanceDay, AttendanceDay.assignment_id == Assignment.id)
        .where(AttendanceDay.day >= today))


def _ten_counts(statements: _TenStatements, today: date, params: dict[str, Any] | None = None
                ) -> tuple[dict[int, int], Counter[int]]:
    """Days attended and days still planned per chosen pupil (pupils with none left out)."""
    attended = {student_id: n for student_id, n in db.session.execute(
        statements.attended, params)}
    return attended, _planned(statements, today, params)


def _planned(statements: _TenStatements, today: date, params: dict[str, Any] | None
             ) -> Counter[int]:
    """Prao days from today on at live placements, less the days already reported."""
    rows = db.session.execute(statements.live, params).all()
    planned: Counter[int] = Counter()
    if not rows:  # nothing still to come (a period that is over): no days to look for
        return planned
    done: dict[int, set[date]] = defaultdict(set)
    for assignment_id, day in db.session.execute(statements.done, params):
        done[assignment_id].add(day)
    for student_id, assignment_id, *dates in rows:
        span = work_span(*dates)
        if span is not None:
            planned[student_id] += sum(1 for d in span.days()
                                       if d >= today and d not in done[assignment_id])
    return planned


# --- a period's overview ----------------------------------------------------------------------

class Pupil(NamedTuple):
    """An enrolment and its pupil as the period's pages show them: plain values, read as
    one row each (a class of some 170 pupils is no set of ORM objects worth loading)."""

    id: int  # the enrolment's
    student_id: int
    state: EnrolmentState
    link_revoked: bool
    first_name: str
    last_name: str
    class_name: str
    missing_since: datetime | None


class Placing(NamedTuple):
    """An assignment as the period's pages show it, its placement's and offer's values."""

    id: int
    enrolment_id: int
    state: AssignmentState
    title: str  # the placement's
    organisation: str  # the organisation's name
    first_week: date | None  # the offer's weeks (no offer: the whole period)
    last_week: date | None


@dataclass(slots=True)
class PupilRow:
    """One pupil's line; the verdicts at the end are worked out once (`_judge`), since
    both pages and the counts read each of them several times per pupil."""

    enrolment: Pupil
    ten: TenDays
    assignment: Placing | None = None  # the live one, else the latest that fell through
    span: Span | None = None
    today: AttendanceStatus | None = None
    reported: int = 0
    absent: int = 0
    open_alerts: int = 0
    follow_ups: int = 0
    incidents: int = 0
    # Short of ten prao days even with those planned, by more than the period can give
    # (PeriodOverview.short_by); not exempt.
    short_of_ten: bool = False
    not_placed_yet: bool = False  # no placement, before the period begins: not yet short
    ten_elsewhere: bool = False  # short only by what the period cannot give: another period's
    fell_through: bool = False
    no_show: bool = False  # reported, but never present or late
    follow_up_due: bool = False  # not yet contacted by the second prao day


@dataclass(frozen=True)
class PeriodOverview:
    period: PraoPeriod
    rows: list[PupilRow]
    counts: dict[str, int] = field(default_factory=dict)
    prao_days: int = MIN_PRAO_DAYS

    @property
    def short_by(self) -> int:
        """Days short of ten that no pupil can get in this period (a period around Easter,
        or half of a split prao): 0 for a period of ten prao days or more."""
        return max(MIN_PRAO_DAYS - self.prao_days, 0)

    def live(self) -> dict[int, Placing]:
        """Enrolment id -> its live assignment."""
        return {row.enrolment.id: row.assignment for row in self.rows
                if row.assignment is not None and row.assignment.state in ACTIVE_STATES}

    def fallen(self) -> list[PupilRow]:
        """The placements that fell through, then the pupils who never came."""
        return ([row for row in self.rows if row.fell_through]
                + [row for row in self.rows if row.no_show])


def period_overview(period: PraoPeriod) -> PeriodOverview:
    today = clock.today()
    built = _period_statements()
    params = {"period_id": period.id, "today": today, **_open_since(today)}
    pupils = db.session.execute(built.pupils, params).all()
    attended, planned = _ten_counts(built.ten, today, params)
    rows = {p.id: PupilRow(Pupil._make(p), TenDays(attended.get(p.student_id, 0),
                                              planned.get(p.student_id, 0))) for p in pupils}
    _add_assignments(rows, period, db.session.execute(built.assignments, params))
    listed = list(rows.values())
    days = count_prao_days(period.first_day, period.last_day)
    _judge(listed, today, max(MIN_PRAO_DAYS - days, 0), _before_matching(period, today))
    return PeriodOverview(period, listed, _summary(listed), days)


class _PeriodStatements(NamedTuple):
    pupils: Select[*tuple[Any, ...]]
    ten: _TenStatements
    assignments: Select[*tuple[Any, ...]]


@cache
def _period_statements() -> _PeriodStatements:
    """The period overview's queries, built once with the period and the day as parameters:
    building them took about a tenth of the counsellor's period page."""
    period_id, today = bindparam("period_id", type_=Integer()), bindparam("today", type_=Date())
    chosen = Enrolment.student_id.in_(select(Enrolment.student_id)
                                      .where(Enrolment.period_id == period_id))
    return _PeriodStatements(
        select(Enrolment.id, Enrolment.student_id, Enrolment.state, Enrolment.link_revoked,
               Student.first_name, Student.last_name, Student.class_name,
               Student.missing_since)
        .join(Student, Student.id == Enrolment.student_id)
        .where(Enrolment.period_id == period_id)
        .order_by(Student.class_name, Student.last_name, Student.first_name),
        _ten_statements(chosen, today),
        select(Assignment.id, Assignment.enrolment_id, Assignment.state, Placement.title,
               Organisation.name, PlacementOffer.first_week, PlacementOffer.last_week,
               *_counts(today))
        .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(Placement, Placement.id == Assignment.placement_id)
        .join(Organisation, Organisation.id == Placement.organisation_id)
        .outerjoin(PlacementOffer, PlacementOffer.id == Assignment.offer_id)
        .where(Enrolment.period_id == period_id)
        .order_by(Assignment.created_at, Assignment.id))


def _add_assignments(rows: dict[int, PupilRow], period: PraoPeriod,
                     found: Iterable[Row[*tuple[Any, ...]]]) -> None:
    """The live assignment of each pupil, or the latest one that fell through, with its
    attendance, follow-ups, incidents and open alerts counted: one query, however many
    pupils (a replaced assignment's counts are read and dropped)."""
    for *placing, status, reported, absent, follow_ups, incidents, alerts in found:
        assignment = Placing._make(placing)
        row = rows[assignment.enrolment_id]
        if row.assignment is None or assignment.state in ACTIVE_STATES or \
                row.assignment.state not in ACTIVE_STATES:
            row.assignment, row.today, row.reported, row.absent = (assignment, status,
                                                                   reported, absent)
            row.follow_ups, row.incidents, row.open_alerts = follow_ups, incidents, alerts
    for row in rows.values():
        if (a := row.assignment) is not None:
            row.span = work_span(period.first_day, period.last_day, a.first_week, a.last_week)


def _counts(today: Any) -> tuple[ScalarSelect[Any], ...]:
    """Per assignment: today's status as reported, the days reported and those absent,
    the follow-ups, the incidents and the alerts still to handle. `today`: a bindparam."""
    day, aid = AttendanceDay, Assignment.id

    def count(stmt: Select[Any], *where: ColumnElement[bool]) -> ScalarSelect[Any]:
        return stmt.where(*where).scalar_subquery()

    return (select(day.status).where(day.assignment_id == aid, day.day == today)
            .scalar_subquery(),
            count(select(func.count(day.id)), day.assignment_id == aid),
            count(select(func.count(day.id)), day.assignment_id == aid,
                  day.status == AttendanceStatus.ABSENT),
            count(select(func.count(FollowUp.id)), FollowUp.assignment_id == aid),
            count(select(func.count(Incident.id)), Incident.assignment_id == aid),
            count(_open(select(func.count(AttendanceAlert.id)),
                        bindparam("alerts_from", type_=Date()),
                        bindparam("hours_from", type_=Date())),
                  AttendanceAlert.assignment_id == aid))


def _before_matching(period: PraoPeriod, today: date) -> bool:
    """No matching round for the period published yet, and the period not begun: a pupil
    without a place is still to be matched, not short of days."""
    if today >= period.first_day:
        return False
    published = (select(MatchingRun.id)
                 .join(matching_run_period, matching_run_period.c.run_id == MatchingRun.id)
                 .where(matching_run_period.c.period_id == period.id,
                        MatchingRun.status == RunStatus.PUBLISHED))
    return not db.session.scalar(select(published.exists()))


def _judge(rows: list[PupilRow], today: date, short_by: int, before: bool) -> None:
    """Each row's verdicts; the second prao day worked out once per span (pupils at the
    same offer share it). A pupil short of ten only by the days the period lacks
    (`short_by`) is not flagged: nothing in this period can change it. Nor, `before`
    matching is published, is a pupil not placed yet."""
    second: dict[Span, date | None] = {}
    for row in rows:
        counted = row.enrolment.state is not EnrolmentState.EXEMPT
        short = counted and row.ten.missing > short_by
        row.not_placed_yet = short and before and row.assignment is None
        row.short_of_ten = short and not row.not_placed_yet
        row.ten_elsewhere = counted and 0 < row.ten.missing <= short_by
        row.fell_through = (row.assignment is not None
                            and row.assignment.state in FALLEN_THROUGH)
        row.no_show = not row.fell_through and row.reported > 0 and row.absent == row.reported
        if row.fell_through or row.span is None or row.follow_ups:
            continue
        if row.span not in second:
            second[row.span] = second_day(row.span)
        due = second[row.span]
        row.follow_up_due = due is not None and today >= due


def _summary(rows: list[PupilRow]) -> dict[str, int]:
    return {
        "below_ten": sum(1 for r in rows if r.short_of_ten),
        "not_placed_yet": sum(1 for r in rows if r.not_placed_yet),
        "ten_elsewhere": sum(1 for r in rows if r.ten_elsewhere),
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
    prao_days: int  # the period's
    short_by: int  # days short of ten that no pupil can get in the period (PeriodOverview's)

    @property
    def attended_here(self) -> int:
        """Days present or late in the table of this assignment's days; `ten.attended`
        counts every period and workplace, so the page says when the two differ."""
        return sum(1 for line in self.days
                   if line.reported is not None and line.reported.status in WORKED)


def record(where: Placed) -> Record:
    aid = where.assignment.id
    by_day = {d.day: d for d in reported_days(aid)}
    days = set(by_day)
    if where.span is not None:
        days |= {d for d in where.span.days() if d <= clock.today()}
    student_id = where.assignment.enrolment.student_id
    period = where.assignment.enrolment.period
    prao_days = count_prao_days(period.first_day, period.last_day)
    return Record(
        where=where, days=[DayLine(d, by_day.get(d)) for d in sorted(days)],
        reports=list(db.session.scalars(select(AttendanceReport).where(
            AttendanceReport.assignment_id == aid).order_by(AttendanceReport.id.desc()))),
        alerts=list(db.session.scalars(select(AttendanceAlert).where(
            AttendanceAlert.assignment_id == aid).order_by(AttendanceAlert.day.desc()))),
        follow_ups=list(db.session.scalars(select(FollowUp).where(
            FollowUp.assignment_id == aid).order_by(FollowUp.at.desc()))),
        incidents=incidents_of(aid),
        ten=ten_days([student_id])[student_id], prao_days=prao_days,
        short_by=max(MIN_PRAO_DAYS - prao_days, 0))


def incidents_of(assignment_id: int) -> list[Incident]:
    """The pupil's incidents, the latest first."""
    return list(db.session.scalars(select(Incident).where(
        Incident.assignment_id == assignment_id).order_by(Incident.occurred_at.desc())))
