"""What the attendance pages show: the pupils a link or an employer may report, the
counsellor's alerts, a period's attendance and follow-up overview with the ten-day count,
and one assignment's record. Read only; a bounded number of queries per page, whatever
the number of pupils."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal import clock
from portal.employers.models import Placement, PlacementOffer
from portal.extensions import db
from portal.prao.attendance.daily import supervisor_email
from portal.prao.attendance.links import SupervisorLink
from portal.prao.attendance.services import REPORTABLE, WORKED, Placed, placed
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
from portal.schools.models import Enrolment, PraoPeriod, Student
from portal.schools.periods import MIN_PRAO_DAYS
from portal.weeks import monday_of

ALERT_DAYS = timedelta(days=14)  # how far back the start page looks for alerts to handle
FALLEN_THROUGH = (AssignmentState.DECLINED, AssignmentState.CANCELLED)
PLANNED = (AssignmentState.PROPOSED, AssignmentState.CONFIRMED, AssignmentState.IN_PROGRESS)


# --- who may be reported -------------------------------------------------------------------

def link_pupils(link: SupervisorLink) -> list[Placed]:
    """The link's pupils who are still this supervisor's on the link's day: a pupil moved
    to another workplace, or no longer confirmed, drops out. One query."""
    found = placed(link.assignment_ids, Assignment.state.in_(REPORTABLE),
                   supervisor_email() == link.email)
    return _sorted([p for p in found.values() if p.span is not None and
                    p.span.covers(link.day)])


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


def reported(assignment_ids: Iterable[int], day: date) -> dict[int, AttendanceDay]:
    stmt = select(AttendanceDay).where(AttendanceDay.assignment_id.in_(list(assignment_ids)),
                                       AttendanceDay.day == day)
    return {d.assignment_id: d for d in db.session.scalars(stmt)}


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


def open_alerts(school_ids: list[int], limit: int = 50) -> list[OpenAlert]:
    """Alerts of the last two weeks still to handle: an absence nobody has judged yet, a
    day still unreported, and hours that broke the rules (for a week)."""
    today = clock.today()
    day = AttendanceDay
    stmt = (
        select(AttendanceAlert, Student, Placement.title, day.status)
        .join(Assignment, Assignment.id == AttendanceAlert.assignment_id)
        .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(Student, Student.id == Enrolment.student_id)
        .join(Placement, Placement.id == Assignment.placement_id)
        .outerjoin(day, and_(day.assignment_id == AttendanceAlert.assignment_id,
                             day.day == AttendanceAlert.day))
        .where(Student.school_id.in_(school_ids), AttendanceAlert.day >= today - ALERT_DAYS,
               or_(and_(AttendanceAlert.kind.in_([AlertKind.ABSENT, AlertKind.NOT_REPORTED]),
                        or_(day.id.is_(None),
                            and_(day.status == AttendanceStatus.ABSENT,
                                 day.excused.is_(None)))),
                   and_(AttendanceAlert.kind == AlertKind.HOURS,
                        AttendanceAlert.day >= today - timedelta(days=7))))
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


def ten_days(student_ids: Sequence[int], today: date | None = None) -> dict[int, TenDays]:
    """Each pupil's prao days counted from reported attendance across every period (years
    8 and 9), and the days still planned: two queries for any number of pupils."""
    today = today or clock.today()
    ids = list(student_ids)
    attended = dict(db.session.execute(
        select(Enrolment.student_id, func.count(func.distinct(AttendanceDay.day)))
        .join(Assignment, Assignment.enrolment_id == Enrolment.id)
        .join(AttendanceDay, AttendanceDay.assignment_id == Assignment.id)
        .where(Enrolment.student_id.in_(ids), AttendanceDay.status.in_(WORKED))
        .group_by(Enrolment.student_id)).all())
    planned = _planned(ids, today)
    return {sid: TenDays(attended.get(sid, 0), planned.get(sid, 0)) for sid in ids}


def _planned(student_ids: list[int], today: date) -> Counter[int]:
    """Prao days from today on at live placements, less the days already reported."""
    rows = db.session.execute(
        select(Enrolment.student_id, Assignment.id, PraoPeriod.first_day, PraoPeriod.last_day,
               PlacementOffer.first_week, PlacementOffer.last_week)
        .join(Assignment, Assignment.enrolment_id == Enrolment.id)
        .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
        .outerjoin(PlacementOffer, PlacementOffer.id == Assignment.offer_id)
        .where(Enrolment.student_id.in_(student_ids), Assignment.state.in_(PLANNED),
               PraoPeriod.last_day >= today)).all()
    done: dict[int, set[date]] = defaultdict(set)
    for assignment_id, day in db.session.execute(
            select(AttendanceDay.assignment_id, AttendanceDay.day).where(
                AttendanceDay.assignment_id.in_([r[1] for r in rows]),
                AttendanceDay.day >= today)):
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


def period_overview(period: PraoPeriod) -> PeriodOverview:
    enrolments = list(db.session.scalars(
        select(Enrolment).where(Enrolment.period_id == period.id).join(Student)
        .order_by(Student.class_name, Student.last_name, Student.first_name)
        .options(selectinload(Enrolment.student))))
    tens = ten_days([e.student_id for e in enrolments])
    rows = {e.id: PupilRow(e, tens[e.student_id]) for e in enrolments}
    _add_assignments(rows)
    _add_counts(rows)
    listed = list(rows.values())
    return PeriodOverview(period, listed, _summary(listed))


def _add_assignments(rows: dict[int, PupilRow]) -> None:
    """The live assignment of each pupil, or the latest one that fell through."""
    found = db.session.scalars(
        select(Assignment).where(Assignment.enrolment_id.in_(list(rows)))
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
            offer, period = row.assignment.offer, row.enrolment.period
            row.span = work_span(period.first_day, period.last_day,
                                 offer.first_week if offer else None,
                                 offer.last_week if offer else None)


def _add_counts(rows: dict[int, PupilRow]) -> None:
    by_assignment = {r.assignment.id: r for r in rows.values() if r.assignment is not None}
    ids, today = list(by_assignment), clock.today()
    for aid, day, status in db.session.execute(
            select(AttendanceDay.assignment_id, AttendanceDay.day, AttendanceDay.status)
            .where(AttendanceDay.assignment_id.in_(ids))):
        row = by_assignment[aid]
        row.reported += 1
        row.absent += status is AttendanceStatus.ABSENT
        if day == today:
            row.today = status
    for model, name in ((FollowUp, "follow_ups"), (Incident, "incidents")):
        for aid, n in db.session.execute(select(model.assignment_id, func.count())
                                         .where(model.assignment_id.in_(ids))
                                         .group_by(model.assignment_id)):
            setattr(by_assignment[aid], name, n)
    for alert in open_alerts_for(ids):
        by_assignment[alert.assignment_id].open_alerts += 1


def open_alerts_for(assignment_ids: list[int]) -> list[AttendanceAlert]:
    return list(db.session.scalars(select(AttendanceAlert).where(
        AttendanceAlert.assignment_id.in_(assignment_ids),
        AttendanceAlert.day >= clock.today() - ALERT_DAYS)))


def _summary(rows: list[PupilRow]) -> dict[str, int]:
    return {
        "below_ten": sum(1 for r in rows if r.ten.below and r.enrolment.state.value != "exempt"),
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

    def rows(model: type, order: object) -> list:
        return list(db.session.scalars(select(model).where(model.assignment_id == aid)
                                       .order_by(order)))

    return Record(
        where=where, days=[DayLine(d, by_day.get(d)) for d in sorted(days)],
        reports=rows(AttendanceReport, AttendanceReport.id.desc()),
        alerts=rows(AttendanceAlert, AttendanceAlert.day.desc()),
        follow_ups=rows(FollowUp, FollowUp.at.desc()),
        incidents=rows(Incident, Incident.occurred_at.desc()),
        ten=ten_days([student_id])[student_id])
