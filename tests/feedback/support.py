"""A prao that is over: the factories' period (15–26 March 2027), a placement with a named
supervisor, confirmed pupils, and the clock on the Monday after."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from portal import clock
from portal.extensions import db
from portal.feedback.models import Audience
from portal.feedback.services import current_form
from portal.prao.models import AssignmentState
from tests import factories

LAST_DAY = date(2027, 3, 26)
AFTER = datetime(2027, 3, 29, 9, 0, tzinfo=clock.STOCKHOLM)
PUPIL_ANSWERS = {"real_tasks": "5", "learnt_job": "4", "safe_welcome": "5", "prepared": "3",
                 "recommend": "4", "imagine_sector": "2", "comment": "Roligt i köket!"}
EMPLOYER_ANSWERS = {"punctuality": "5", "interest": "4", "initiative": "4", "cooperation": "5",
                    "school_preparation": "3", "school_contact": "4",
                    "statement": "Alva var nyfiken och hjälpsam.", "again_next_term": "yes"}


def finished(placement: Any, school: Any, period: Any = None, **student: Any) -> Any:
    """A confirmed pupil of `school` at `placement` in the factories' period."""
    period = period or factories.PraoPeriodFactory(school=school)
    offer = factories.PlacementOfferFactory(placement=placement, seats_taken=1)
    return factories.AssignmentFactory(
        enrolment=factories.EnrolmentFactory(period=period, state="assigned",
                                             student=factories.StudentFactory(school=school,
                                                                              **student)),
        offer=offer, placement=placement, state=AssignmentState.CONFIRMED)


def form_data(audience: Audience, answers: dict[str, str], csrf: str) -> dict[str, str]:
    """The evaluation form as a browser posts it for the current version's questions."""
    version = current_form(audience)
    data = {"csrf_token": csrf, "form_id": str(version.id)}
    for index, question in enumerate(version.questions):
        field = {"likert": "score", "yesno": "choice"}.get(question["kind"], "text")
        value = answers.get(question["key"])
        if value is not None:
            data[f"answers-{index}-{field}"] = value
    db.session.commit()
    return data
