"""The pupil's page on a phone in real Chromium: choose and reorder with buttons big enough
to tap, search, register and correct an own placement; no axe violation."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.schools.models import PraoPeriod, School
from portal.schools.pupils.services import make_link_token
from tests import factories
from tests.browser.support import PHONE, assert_accessible, assert_fits_width, pupil_path

pytestmark = pytest.mark.browser


def test_pupil_chooses_and_reorders_on_a_phone(new_page: Callable[..., Page],
                                               live_app: Flask) -> None:
    page = new_page(**PHONE)
    page.goto(pupil_path(live_app, "D-1004"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hej Fatima!")
    assert_accessible(page, "pupil page, no wishes (phone)")

    # Each answer scrolls to #mina-val once its stylesheets are in; a tap before that lands
    # where the button was, as a finger would, so the test waits for the page as a pupil does.
    page.get_by_role("button", name="Lägg till som val 1: Snickare på bygget").click()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Lägg till som val 2: Undersköterska i hemtjänsten").click()
    page.wait_for_load_state("load")
    choices = page.locator("#mina-val ol > li")
    expect(choices).to_have_count(2)
    expect(choices.first).to_contain_text("Snickare på bygget")

    page.get_by_role("button", name="Upp: Undersköterska i hemtjänsten").click()
    page.wait_for_load_state("load")
    expect(page.locator("#mina-val ol > li").first).to_contain_text(
        "Undersköterska i hemtjänsten")
    expect(page.get_by_role("heading", name="Mina val (2 av 5)")).to_be_visible()
    assert_accessible(page, "pupil page with wishes (phone)")


def test_own_placement_form_is_accessible(new_page: Callable[..., Page],
                                          live_app: Flask) -> None:
    page = new_page(**PHONE)
    page.goto(pupil_path(live_app, "D-1005") + "/egen-plats")
    page.get_by_role("button", name="Skicka").click()
    expect(page.get_by_role("alert")).to_contain_text("Formuläret behöver rättas")
    assert_accessible(page, "own placement form with errors (phone)")


def _new_pupil(app: Flask, first_name: str) -> str:
    """A pupil of their own in the demo period, so the demo pupils keep their state."""
    with app.test_request_context():
        period = db.session.scalars(select(PraoPeriod).join(School).where(
            School.unit_code == "12345678", PraoPeriod.name.startswith("Prao vt"))).one()
        enrolment = factories.EnrolmentFactory(period=period, student__school=period.school,
                                               student__first_name=first_name)
        db.session.commit()
        path = "/elev/" + make_link_token(enrolment)
        db.session.remove()
    return path


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_wish_buttons_are_big_enough_to_tap_on_a_phone(new_page: Callable[..., Page],
                                                       live_app: Flask, lang: str) -> None:
    page = new_page(**PHONE)
    path = _new_pupil(live_app, f"Tapp{lang}")
    page.goto(f"/sprak/{lang}?next={path}")
    add = page.locator("form button[value='add']")
    add.first.click()
    page.wait_for_load_state("load")
    page.locator("form button[value='add']").first.click()
    buttons = page.locator("#mina-val form button")
    expect(buttons).to_have_count(4)  # down and remove, then up and remove
    page.wait_for_load_state("load")  # measured with the stylesheets, not before them
    for n in range(4):
        box = buttons.nth(n).bounding_box()
        assert box and box["width"] >= 44 and box["height"] >= 44, (n, box)
    for n in range(page.locator("form button[value='add']").count()):
        box = page.locator("form button[value='add']").nth(n).bounding_box()
        assert box and box["height"] >= 44, box
    assert_fits_width(page)
    assert_accessible(page, f"pupil wishes ({lang}, phone)")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_search_without_hits_says_so_on_a_phone(new_page: Callable[..., Page],
                                                  live_app: Flask, lang: str) -> None:
    page = new_page(**PHONE)
    path = _new_pupil(live_app, f"Sök{lang}")
    page.goto(f"/sprak/{lang}?next={path}")
    field = page.get_by_label("Sökord" if lang == "sv" else "Search words")
    field.fill("astronaut")
    field.press("Enter")
    expected = ("Ingen praoplats matchar ”astronaut”." if lang == "sv"
                else "No work placement matches “astronaut”.")
    expect(page.get_by_role("status").filter(has_text="astronaut")).to_contain_text(expected)
    assert_accessible(page, f"pupil search without hits ({lang}, phone)")
    # One long compound word, or an address edited to 300 letters, wraps on the phone: the
    # page does not grow sideways, and the word is cut to the box's 200 characters.
    word = "sjuksköterskeundersköterskeassistentutbildning"
    page.goto(f"{path}?q={word * 7}")
    expect(page.get_by_role("status").filter(has_text=word)).to_be_visible()
    assert_fits_width(page, f"pupil search of one long word ({lang}, phone)")
    assert page.get_by_label("Sökord" if lang == "sv" else "Search words").input_value() == (
        word * 7)[:200]


def test_pupil_registers_sees_and_corrects_an_own_placement_on_a_phone(
        new_page: Callable[..., Page], live_app: Flask) -> None:
    page = new_page(**PHONE)
    path = _new_pupil(live_app, "Egon")
    page.goto(path)
    expect(page).to_have_title(re.compile("^Välj praoplats"))
    page.get_by_role("link", name="Jag har redan ordnat en egen praoplats").click()
    for label, value in (("Arbetsplatsens namn", "Farfars verkstad"),
                         ("Organisationsnummer", factories.valid_org_number(4711)),
                         ("Adress", "Verkstadsgatan 3"), ("Postnummer", "972 33"),
                         ("Ort", "Luleå"), ("Kontaktperson på arbetsplatsen", "Farfar Egon"),
                         ("Kontaktpersonens e-post", "farfar@verkstad.se"),
                         ("Kontaktpersonens telefon", "070-222 33 44"),
                         ("Vad ska du göra där?", "Laga cyklar")):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Skicka").click()

    expect(page).to_have_title(re.compile("^Din prao"))
    own = page.locator("#din-egna-plats")
    expect(own).to_contain_text("Farfars verkstad")
    expect(own).to_contain_text("070-222 33 44")
    expect(own).to_contain_text("Laga cyklar")
    expect(page.get_by_role("heading", name="Praoplatser som passar dig")).to_have_count(0)
    assert_accessible(page, "pupil page with an own placement (phone)")

    own.get_by_role("link", name="Ändra uppgifterna").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ändra din egen praoplats")
    expect(page.get_by_label("Kontaktpersonens telefon", exact=True)).to_have_value(
        "070-222 33 44")
    assert_accessible(page, "own placement correction form (phone)")
    page.get_by_label("Kontaktpersonens telefon", exact=True).fill("070-222 33 55")
    page.get_by_role("button", name="Spara ändringarna").click()
    expect(page.get_by_text("Uppgifterna om din praoplats är ändrade.")).to_be_visible()
    expect(page.locator("#din-egna-plats")).to_contain_text("070-222 33 55")
    assert_fits_width(page)
