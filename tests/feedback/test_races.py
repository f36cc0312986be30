"""The same evaluation posted four times at once (a double click, two tabs): one response,
one set of answers, one checklist record, never an error page."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.feedback.models import Audience, FeedbackAnswer, FeedbackResponse
from portal.prao.models import StepRecord
from portal.schools.pupils.services import make_link_token
from tests import factories
from tests.feedback.support import AFTER, PUPIL_ANSWERS, finished, form_data
from tests.races import browser, needs_concurrent_writers, post_at_once


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_four_submits_at_once_store_one_evaluation(separate_app, set_clock):
    needs_concurrent_writers(separate_app)
    set_clock(AFTER)
    with separate_app.test_request_context():
        school = factories.SchoolFactory()
        assignment = finished(factories.PlacementFactory(), school)
        db.session.commit()
        url = f"/elev/{make_link_token(assignment.enrolment)}/utvardering"
        db.session.remove()
    tab = browser(separate_app, page=url)
    with separate_app.test_request_context():
        data = form_data(Audience.PUPIL, PUPIL_ANSWERS, tab.csrf)
        db.session.remove()
    answers = post_at_once(tab, url, data)
    assert all(a.status == 302 for a in answers), [a.status for a in answers]
    assert sum("Tack! Utvärderingen är sparad." in a.page for a in answers) == 1
    assert sum("Utvärderingen var redan inskickad" in a.page for a in answers) == 3
    with separate_app.app_context():
        assert _count(FeedbackResponse) == 1
        assert _count(FeedbackAnswer) == len(PUPIL_ANSWERS)
        assert db.session.scalar(select(func.count()).select_from(StepRecord).where(
            StepRecord.step == "pupil_evaluation")) == 1
        db.session.remove()
