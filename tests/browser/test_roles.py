"""Signing in, the language switch, the keyboard and the phone menu, in real Chromium."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.support import Translations
from playwright.sync_api import Page, expect

from portal.demo import DEMO_PASSWORD
from tests.browser.support import PHONE, ROLES, assert_fits_width, log_in

pytestmark = pytest.mark.browser

TRANSLATIONS = Path(__file__).resolve().parents[2] / "portal" / "translations"


def english(text: str) -> str:
    """The English catalogue's text for a Swedish message (the message itself while the
    catalogue is not compiled or lacks it)."""
    return Translations.load(str(TRANSLATIONS), ["en"]).gettext(text)


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_signs_in_and_lands_on_its_start_page(page: Page, role: str) -> None:
    demo = ROLES[role]
    log_in(page, demo.email)

    expect(page).to_have_url(demo.start_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.heading)
    expect(page).to_have_title(f"{demo.heading} – Praoportalen")
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()


def test_wrong_password_is_explained_beside_the_field(page: Page) -> None:
    log_in(page, ROLES["coordinator"].email, DEMO_PASSWORD + "-fel")

    expect(page).to_have_url("/logga-in")
    password = page.get_by_label("Lösenord", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    # The message sits right beside the field and is read out with it.
    error = page.locator("#password-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Fel e-postadress eller lösenord.")
    expect(password).to_have_accessible_description(
        re.compile(r"Fel e-postadress eller lösenord\."))
    expect(page.locator("div.mb-3", has=password).locator("#password-error")).to_have_count(1)
    # The summary at the top links to the field.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Fel e-postadress eller lösenord.")
    summary.get_by_role("link").click()
    expect(password).to_be_focused()
    # The typed address is kept; still signed out.
    expect(page.get_by_label("E-postadress", exact=True)).to_have_value(
        ROLES["coordinator"].email)
    expect(page.get_by_role("button", name="Logga ut")).to_have_count(0)


def test_language_switch_turns_the_page_english_and_back(page: Page) -> None:
    page.goto("/logga-in")
    expect(page.locator("html")).to_have_attribute("lang", "sv")

    page.get_by_role("link", name="English", exact=True).click()

    expect(page).to_have_url("/logga-in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # Until the English catalogue translates the page, only the language is asserted.
    if english("Logga in") != "Logga in":
        expect(page.get_by_role("heading", level=1)).to_have_text(english("Logga in"))

    page.get_by_role("link", name="Svenska", exact=True).click()
    expect(page).to_have_url("/logga-in")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")


def _tab_to_skip_link(page: Page) -> None:
    skip = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip).not_to_be_in_viewport()  # hidden off-screen until focused

    page.keyboard.press("Tab")

    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport(ratio=1)
    page.keyboard.press("Enter")
    expect(page.locator("main#innehall")).to_be_focused()


def test_first_tab_on_the_start_page_shows_the_skip_link(page: Page) -> None:
    page.goto("/")
    _tab_to_skip_link(page)


def test_first_tab_on_a_role_start_page_shows_the_skip_link(
        page_as: Callable[..., Page]) -> None:
    page = page_as("coordinator")
    page.goto(ROLES["coordinator"].start_path)
    _tab_to_skip_link(page)


def test_phone_shows_the_menu_button_and_it_opens_the_menu(
        new_page: Callable[..., Page]) -> None:
    page = new_page(**PHONE)
    page.goto("/")
    toggle = page.get_by_role("button", name="Visa menyn")
    menu_link = page.locator("#huvudmeny").get_by_role("link", name="Logga in")

    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu_link).to_be_hidden()

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu_link).to_be_visible()


def test_desktop_shows_the_menu_without_a_button(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("button", name="Visa menyn")).to_be_hidden()
    expect(page.locator("#huvudmeny").get_by_role("link", name="Logga in")).to_be_visible()


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("width", [992, 1199, 1200])  # lg up to xl, where it expands
def test_the_coordinators_long_menu_fits_a_tablet_and_a_laptop(
        page_as: Callable[..., Page], width: int, lang: str) -> None:
    """The coordinator's menu has the most entries. From a landscape tablet up to a narrow
    laptop the page must not grow wider than the screen, and "Log out" must be within
    reach: in the menu bar where it fits, behind the menu button where it does not."""
    page = page_as("coordinator", viewport={"width": width, "height": 800})
    page.goto(f"/sprak/{lang}?next=/samordnare")
    assert_fits_width(page, f"coordinator's start page at {width} px ({lang})")
    toggle = page.get_by_role("button", name=_in(lang, "Visa menyn"))
    if toggle.is_visible():
        toggle.click()
    log_out = page.get_by_role("button", name=_in(lang, "Logga ut"), exact=True)
    expect(log_out).to_be_visible()
    box = log_out.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width, box


def _in(lang: str, swedish: str) -> str:
    return english(swedish) if lang == "en" else swedish
