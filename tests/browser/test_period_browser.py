"""The counsellor's period table and the coordinator's placement review on a phone in real
Chromium: nothing wider than the screen, every column still there, no axe violation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.schools.models import PraoPeriod, School
from tests import factories
from tests.browser.support import PHONE, assert_accessible, assert_fits_width

pytestmark = pytest.mark.browser

PHONE_WIDTH = PHONE["viewport"]["width"]


def _period_id(app: Flask, first_name: str) -> int:
    """The demo period, with a pupil of a long name of its own."""
    with app.test_request_context():
        period = db.session.scalars(select(PraoPeriod).join(School).where(
            School.unit_code == "12345678", PraoPeriod.name.startswith("Prao vt"))).one()
        factories.EnrolmentFactory(period=period, student__school=period.school,
                                   student__first_name=first_name,
                                   student__last_name="Lindqvist-Bäckström")
        db.session.commit()
        period_id = period.id
        db.session.remove()
    return period_id


def _fits(page: Page) -> None:
    assert_fits_width(page)
    box = page.locator("table").first.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, box


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_period_table_fits_a_phone_with_every_column(page_as: Callable[..., Page],
                                                     live_app: Flask, lang: str) -> None:
    name = f"Maximiliana-Josefina-{lang}"
    period_id = _period_id(live_app, name)
    page = page_as("counsellor", **PHONE)
    page.goto(f"/sprak/{lang}?next=/perioder/{period_id}")
    row = page.get_by_role("row", name=f"{name} Lindqvist-Bäckström")
    expect(row).to_be_visible()
    _fits(page)
    # The link and days columns, cut off before, are on screen with what they are.
    for label in ("Länk", "Praodagar hittills") if lang == "sv" else (
            "Link", "Work experience days so far"):
        cell = row.locator(f"td[data-label='{label}']")
        box = cell.bounding_box()
        assert box and box["x"] + box["width"] <= PHONE_WIDTH, (label, box)
        shown = cell.evaluate("c => getComputedStyle(c, '::before').content")
        assert label in shown, shown
    assert_accessible(page, f"period table ({lang}, phone)")


def test_period_table_stays_a_table_on_a_desktop(page_as: Callable[..., Page],
                                                 live_app: Flask) -> None:
    period_id = _period_id(live_app, "Desktop")
    page = page_as("counsellor")
    page.goto(f"/perioder/{period_id}")
    expect(page.get_by_role("columnheader", name="Praodagar hittills")).to_be_visible()
    header = page.get_by_role("columnheader", name="Elev", exact=True).bounding_box()
    days = page.get_by_role("columnheader", name="Praodagar hittills").bounding_box()
    assert header and days and header["y"] == days["y"]  # one row of headers


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_review_page_shows_weeks_and_seats_on_a_phone(page_as: Callable[..., Page],
                                                      live_app: Flask, lang: str) -> None:
    with live_app.test_request_context():
        placement = factories.PlacementFactory(status="pending", published_at=None,
                                               title=f"Lager {lang}", supervisor_email="")
        factories.PlacementOfferFactory(placement=placement, seats=3)
        db.session.commit()
        path = f"/samordnare/praoplatser/{placement.id}/granska"
        db.session.remove()
    page = page_as("coordinator", **PHONE)
    page.goto(f"/sprak/{lang}?next={path}")
    weeks = page.locator("#veckor + ul")
    expect(weeks).to_contain_text("11–12 2027")
    expect(weeks).to_contain_text("3 platser" if lang == "sv" else "3 places")
    supervisor = page.locator("dd").filter(has_text="070-123 45 67")
    expect(supervisor).to_have_text("Hanna Handledare, 070-123 45 67")
    assert_fits_width(page)
    assert_accessible(page, f"placement review ({lang}, phone)")
