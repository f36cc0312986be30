"""Hand-made report data: a period, pupils and what happened to them, written directly."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from portal.extensions import db
from portal.prao.days import prao_days
from portal.prao.models import (
    Assignment,
    AssignmentSource,
    AssignmentState,
    AttendanceDay,
    AttendanceStatus,
)
from portal.schools.models import EnrolmentState
from tests import factories

SPRING = (date(2027, 3, 15), date(2027, 3, 26))  # school year 2026/27, spring term
AUTUMN = (date(2026, 10, 5), date(2026, 10, 16))


def period(school: Any, days: tuple[date, date] = SPRING, grade: int = 8) -> Any:
    return factories.PraoPeriodFactory(school=school, first_day=days[0], last_day=days[1],
                                       grade=grade)


def pupil(period: Any, student: Any = None, **student_fields: Any) -> Any:
    """An enrolment (and its student, unless given)."""
    if student is None:
        student = factories.StudentFactory(school=period.school, **student_fields)
    return factories.EnrolmentFactory(period=period, student=student)


def place(enrolment: Any, offer: Any = None, *,
          source: AssignmentSource = AssignmentSource.MATCHING,
          state: AssignmentState = AssignmentState.CONFIRMED, run_id: int | None = None) -> Any:
    offer = offer or factories.PlacementOfferFactory()
    enrolment.state = (EnrolmentState.OWN_PLACEMENT if source is AssignmentSource.OWN
                       else EnrolmentState.ASSIGNED)
    assignment = Assignment(enrolment=enrolment, placement=offer.placement,
                            offer=None if source is AssignmentSource.OWN else offer,
                            source=source, state=state, run_id=run_id)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def attend(assignment: Any, statuses: str, first: date | None = None) -> list[date]:
    """One report per prao day from the period's first day: P present, L late, A absent."""
    start = first or assignment.enrolment.period.first_day
    days = prao_days(start, start + timedelta(days=30))[:len(statuses)]
    codes = {"P": AttendanceStatus.PRESENT, "L": AttendanceStatus.LATE,
             "A": AttendanceStatus.ABSENT}
    for day, code in zip(days, statuses, strict=True):
        db.session.add(AttendanceDay(assignment_id=assignment.id, day=day, status=codes[code],
                                     reported_by_label="test"))
    db.session.flush()
    return days


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)
