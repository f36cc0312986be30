"""A matching round in real Chromium, on a desktop and a phone: the counsellor reviews the
draft, reads the summary, publishes, and withdraws the round; no axe violation anywhere."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.matching.engine import Step
from portal.matching.services import start_round
from portal.schools.models import School, Wish
from tests import factories
from tests.browser.support import ROLES, VIEWPORTS, assert_accessible

pytestmark = pytest.mark.browser


def _draft(app: Flask, label: str) -> int:
    """A draft round over a period of its own at the demo counsellor's school: two pupils
    wish for one seat, so one is placed and one is not."""
    with app.test_request_context():
        counsellor = db.session.scalars(select(User).filter_by(
            email=ROLES["counsellor"].email)).one()
        school = db.session.scalars(select(School).where(
            School.unit_code == "12345678")).one()
        period = factories.PraoPeriodFactory(school=school, name=f"Matchning {label}")
        offer = factories.PlacementOfferFactory(
            seats=1, placement__title=f"Verkstaden {label}",
            first_week=period.first_day, last_week=period.last_day)
        for name in ("Alva", "Bo"):
            pupil = factories.EnrolmentFactory(period=period, student__school=school,
                                               student__first_name=f"{name} {label}")
            db.session.add(Wish(enrolment=pupil, offer=offer, rank=1))
        db.session.commit()
        run_id = start_round(counsellor, [period], "none", Step.FIRST, seed=1).id
        db.session.remove()
    return run_id


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_review_publish_and_withdraw(page_as: Callable[..., Page], live_app: Flask,
                                     viewport: str) -> None:
    run_id = _draft(live_app, viewport)
    page = page_as("counsellor", **VIEWPORTS[viewport])
    page.goto(f"/matchning/{run_id}")
    expect(page.get_by_text("Du fick ditt förstahandsval.")).to_be_visible()
    assert_accessible(page, f"draft round ({viewport})")

    page.get_by_role("link", name="Publicera rundan …").click()
    expect(page.get_by_text("1 elev får en föreslagen plats.")).to_be_visible()
    assert_accessible(page, f"publish summary ({viewport})")
    page.get_by_role("button", name="Publicera och skicka e-post").click()
    expect(page.get_by_text("Rundan är publicerad: 1 elev har fått en föreslagen plats."))\
        .to_be_visible()
    assert_accessible(page, f"published round ({viewport})")

    page.get_by_role("link", name="Dra tillbaka rundan …").click()
    expect(page.get_by_text("1 föreslagen plats tas bort och blir ledig igen.")).to_be_visible()
    assert_accessible(page, f"withdraw summary ({viewport})")
    page.get_by_role("button", name="Dra tillbaka rundan").click()
    expect(page.get_by_text("Rundan är tillbakadragen")).to_be_visible()
    expect(page.get_by_role("link", name="Publicera rundan …")).to_be_visible()
