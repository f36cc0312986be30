"""A pupil at work: the period of the factories (15–26 March 2027, weeks 11–12; Friday 26
March is Good Friday), a placement with a named supervisor, a confirmed assignment."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.notifications.models import OutboxEmail
from portal.prao.attendance import links
from portal.prao.models import AssignmentState
from portal.schools.models import PraoPeriod
from tests import factories

MONDAY = date(2027, 3, 15)
TUESDAY = date(2027, 3, 16)
SATURDAY = date(2027, 3, 20)
GOOD_FRIDAY = date(2027, 3, 26)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment in Swedish local time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.STOCKHOLM)


def placement(organisation: Any, supervisor: str = "handledare@bygg.se", **extra: Any) -> Any:
    return factories.PlacementFactory(organisation=organisation, supervisor_email=supervisor,
                                      **extra)


def _period_of(school: Any) -> Any:
    """The factories' period at this school: one per school, grade and first day."""
    defaults = factories.PraoPeriodFactory
    return db.session.scalar(select(PraoPeriod).filter_by(
        school_id=school.id, grade=defaults.grade, first_day=defaults.first_day)) or \
        factories.PraoPeriodFactory(school=school)


def pupil_at(place: Any, school: Any, state: AssignmentState = AssignmentState.CONFIRMED,
             period: Any = None, guardian_email: str | None = None, **student: Any) -> Any:
    """A confirmed assignment of a new pupil of `school` at `place` (weeks 11–12)."""
    period = period or _period_of(school)
    enrolment = factories.EnrolmentFactory(
        period=period, state="assigned",
        student=factories.StudentFactory(school=school, guardian_email=guardian_email,
                                         **student))
    offer = factories.PlacementOfferFactory(placement=place, seats_taken=1)
    return factories.AssignmentFactory(enrolment=enrolment, offer=offer, placement=place,
                                       state=state)


def emails(kind: str | None = None, to: str | None = None) -> list[OutboxEmail]:
    stmt = select(OutboxEmail).order_by(OutboxEmail.id)
    if kind:
        stmt = stmt.where(OutboxEmail.kind == kind)
    if to:
        stmt = stmt.where(OutboxEmail.recipient == to)
    return list(db.session.scalars(stmt))


def link_url(email: str, assignments: list[Any], day: date) -> str:
    return "/narvaro/" + links.make_token(email, [a.id for a in assignments], day)


def day_form(rows: list[dict[str, Any]], **extra: str) -> dict[str, str]:
    """The attendance form's fields for these rows: assignment, status, start, end, break."""
    data: dict[str, str] = dict(extra)
    for index, row in enumerate(rows):
        prefix = f"pupils-{index}-"
        data[prefix + "assignment"] = str(row["assignment"])
        for name in ("status", "start", "end", "break_minutes"):
            if name in row:
                data[prefix + name] = str(row[name])
    return data
