"""The supervisor's attendance page on a 390 px phone in real Chromium, opened from the
morning email's signed link: report a day, see a breach of the rules for minors, correct
bad input, report a near miss, with no axe-core violation on the way. The pupils belong to
a school and an organisation of their own, and the placement is not published, so the
demo's figures stay as they were."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.prao.attendance import links
from tests import factories
from tests.browser.support import PHONE, assert_accessible, assert_fits_width
from tests.prao.attendance.support import TUESDAY, at, pupil_at

pytestmark = pytest.mark.browser


@pytest.fixture
def link_path(live_app: Flask, set_clock: Callable) -> str:
    """Tuesday 16 March 2027, 08:20: two pupils at one supervisor's workplace."""
    set_clock(at(TUESDAY, 8, 20))
    with live_app.test_request_context():
        school = factories.SchoolFactory(name="Telefonskolan")
        organisation = factories.OrganisationFactory(name="Telefonbolaget AB")
        place = factories.PlacementFactory(organisation=organisation, status="archived",
                                           title="Lagerarbete", supervisor_email="lager@tele.se")
        pupils = [pupil_at(place, school, first_name=name, last_name="Lund")
                  for name in ("Ines", "Omar")]
        path = "/narvaro/" + links.make_token("lager@tele.se", [p.id for p in pupils],
                                              date(2027, 3, 16))
        db.session.commit()
        db.session.remove()  # no transaction left open: SQLite would block the server's writes
    return path



def test_supervisor_reports_the_day_on_a_phone(new_page: Callable[..., Page],
                                               link_path: str) -> None:
    page = new_page(**PHONE)
    page.goto(link_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Närvaro tisdag 16 mars")
    assert_fits_width(page)
    assert_accessible(page, "attendance link (phone)")

    ines = page.get_by_role("group", name="Närvaro för Ines Lund")
    omar = page.get_by_role("group", name="Närvaro för Omar Lund")
    ines.get_by_text("Närvarande", exact=True).click()
    omar.get_by_text("Närvarande", exact=True).click()
    page.get_by_label("Slutade").nth(1).fill("07:00")  # Omar: before he started
    page.get_by_role("button", name="Spara närvaron").click()
    expect(page.get_by_role("alert")).to_contain_text("Ingenting har sparats")
    expect(page.locator("#pupils-1-end")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#pupils-1-end-error")).to_contain_text(
        "Arbetsdagen måste sluta senare än den börjar.")
    assert_accessible(page, "attendance link with an error (phone)")

    page.get_by_label("Slutade").nth(0).fill("16:00")  # Ines: 7 h 30 min, too long
    page.get_by_label("Slutade").nth(1).fill("14:30")
    page.get_by_role("button", name="Spara närvaron").click()
    expect(page.get_by_text("Närvaron är sparad för 2 elever.")).to_be_visible()
    expect(page.get_by_text("Ines Lund: 7 h 30 min arbete en dag")).to_be_visible()
    expect(page.get_by_text("Rapporterat kl. 08:20").first).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page, "attendance link, saved with a warning (phone)")

    page.get_by_role("link", name="Rapportera en olycka eller ett tillbud").click()
    assert_accessible(page, "incident form (phone)")
    page.get_by_label("Elev").select_option(label="Omar Lund")
    page.get_by_text("Tillbud (nära att hända)").click()
    page.get_by_text("Lindrig", exact=True).click()
    page.get_by_label("Vad hände?", exact=True).fill("En pall föll nästan ner från hyllan.")
    page.get_by_role("button", name="Skicka rapporten").click()
    expect(page.get_by_text("Händelsen är rapporterad.")).to_be_visible()
    assert_accessible(page, "incident reported (phone)")
