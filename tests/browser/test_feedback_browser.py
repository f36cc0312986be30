"""The pupil's evaluation on a 390 px phone in real Chromium: a fieldset per statement, big
radio targets, messages beside what is missing, no axe violation and valid HTML."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal import clock
from portal.extensions import db
from portal.schools.pupils.services import make_link_token
from portal.weeks import monday_of
from tests import factories
from tests.browser.support import PHONE, assert_accessible, assert_fits_width
from tests.feedback.support import finished

pytestmark = pytest.mark.browser


def _finished_pupil(app: Flask) -> str:
    """A pupil whose prao ended last Friday: the personal link's path."""
    with app.test_request_context():
        last = monday_of(clock.today()) - timedelta(days=3)
        school = factories.SchoolFactory(name="Utvärderingsskolan")
        period = factories.PraoPeriodFactory(school=school, first_day=last - timedelta(days=4),
                                             last_day=last)
        assignment = finished(factories.PlacementFactory(title="Kocken på Kajen"), school,
                              period=period, first_name="Maja")
        db.session.commit()
        path = "/elev/" + make_link_token(assignment.enrolment)
        db.session.remove()
    return path


def test_the_pupil_evaluates_on_a_phone(new_page: Callable[..., Page],
                                        live_app: Flask) -> None:
    path = _finished_pupil(live_app)
    page = new_page(**PHONE)
    page.goto(path)
    page.get_by_role("link", name="Utvärdera din prao").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hur var din prao?")
    statements = page.get_by_role("group")
    expect(statements.first).to_contain_text("Jag fick göra riktiga arbetsuppgifter")
    assert_accessible(page, "pupil evaluation (phone)")
    # Each answer is a target at least 44 px high, five side by side within 390 px.
    box = page.locator("label.likert-option").first.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    assert_fits_width(page)

    first = page.get_by_role("group", name="Jag fick göra riktiga arbetsuppgifter")
    first.get_by_text("4", exact=True).click()
    page.get_by_role("button", name="Skicka mina svar").click()
    expect(page.get_by_text("Något behöver rättas. Ingenting har sparats.")).to_be_visible()
    assert_accessible(page, "pupil evaluation with missing answers (phone)")
    expect(page.get_by_role("group", name="Jag fick göra riktiga arbetsuppgifter")
           .get_by_label("4")).to_be_checked()

    for index in range(6):
        page.get_by_role("group").nth(index).locator("label.likert-option").nth(4).click()
    # A pasted address or one long word: it wraps instead of widening the phone's page.
    page.get_by_label("Vill du berätta något mer?").fill("Jag fick laga mat! " + "mat" * 600)
    page.get_by_role("button", name="Skicka mina svar").click()
    expect(page.get_by_text("Tack! Utvärderingen är sparad.")).to_be_visible()
    expect(page.get_by_text("Jag fick laga mat!")).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page, "pupil evaluation answered (phone)")
