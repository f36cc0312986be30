"""A pupil with a name beyond Latin-1 placed at a workplace, attendance reports, and
reading PDFs back: shared by the document tests and the authorization matrix."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, time
from io import BytesIO
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from portal.extensions import db
from portal.prao.days import prao_days
from portal.prao.models import Assignment, AssignmentState, AttendanceDay, AttendanceStatus
from portal.schools.models import PraoPeriod
from tests import factories
from tests.conftest import World

FIRST_DAY, LAST_DAY = date(2027, 3, 15), date(2027, 3, 26)  # Good Friday 26 March: a holiday
PRAO_DAYS = prao_days(FIRST_DAY, LAST_DAY)


def repeated_ids(html: str) -> list[str]:
    """The ids a page gives more than one element: invalid HTML, and a label or a link to
    such an id finds only the first."""
    counts = Counter(re.findall(r'\sid="([^"]*)"', html))
    return sorted(found for found, count in counts.items() if count > 1)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def make_assignment(world: World, state: AssignmentState = AssignmentState.CONFIRMED,
                    school: Any = None, guardian_email: str | None = "mamma@hem.example.se",
                    first_name: str = "Nguyễn", last_name: str = "Văn Åsa") -> Assignment:
    school = school or world.school_a
    # One period per school, grade and first day: several pupils share it.
    period = db.session.scalar(select(PraoPeriod).filter_by(
        school_id=school.id, grade=8, first_day=FIRST_DAY)) or factories.PraoPeriodFactory(
        school=school, grade=8, first_day=FIRST_DAY, last_day=LAST_DAY)
    student = factories.StudentFactory(school=school, first_name=first_name,
                                       last_name=last_name, class_name="8B",
                                       guardian_email=guardian_email)
    enrolment = factories.EnrolmentFactory(period=period, student=student, state="assigned")
    organisation = factories.OrganisationFactory(name="Kafé Ørjan & Łukasz AB")
    placement = factories.PlacementFactory(
        organisation=organisation, title="Kock i köket", address="Storgatan 7",
        postal_code="972 31", city="Luleå", supervisor_name="Hanna Handledare",
        supervisor_phone="070-123 45 67", tasks="Skära grönsaker, diska, ta emot gäster.",
        risk_hazards="Varma ytor och vassa knivar.", first_day_start=time(8, 30),
        first_day_ask_for="Hanna i receptionen", bring_and_wear="Bekväma skor.")
    offer = factories.PlacementOfferFactory(placement=placement, seats_taken=1)
    return factories.AssignmentFactory(enrolment=enrolment, offer=offer, placement=placement,
                                       state=state)


def report(assignment: Assignment, day: date, status: AttendanceStatus = AttendanceStatus.PRESENT,
           start: time | None = time(8, 0), end: time | None = time(14, 30),
           break_minutes: int = 30) -> AttendanceDay:
    from portal.extensions import db

    row = AttendanceDay(assignment_id=assignment.id, day=day, status=status, start_time=start,
                        end_time=end, break_minutes=break_minutes, reported_by_label="test")
    db.session.add(row)
    db.session.flush()
    return row
