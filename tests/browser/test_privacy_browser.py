"""The privacy notice as a pupil meets it: from their personal link on a 390 px phone, in
Swedish and in English, readable without sideways scrolling, its contents jumping to each
question, and no axe violation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.support import PHONE, assert_accessible, assert_fits_width, pupil_path

pytestmark = pytest.mark.browser


def _fits_the_phone(page: Page) -> None:
    assert_fits_width(page)


def test_a_pupil_follows_the_link_to_the_notice_on_a_phone(new_page: Callable[..., Page],
                                                           live_app: Flask) -> None:
    page = new_page(**PHONE)
    page.goto(pupil_path(live_app, "D-1004"))
    link = page.get_by_role("main").get_by_role("link", name="Läs hur vi använder dem")
    link.scroll_into_view_if_needed()
    link.click()
    expect(page).to_have_url("/integritet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Så använder vi dina uppgifter")
    months = live_app.config["RETENTION_MONTHS"]
    expect(page.get_by_role("main")).to_contain_text(
        f"När det har gått {months} månader sedan din sista praoperiod slutade")
    _fits_the_phone(page)
    assert_accessible(page, "privacy notice (phone, Swedish)")

    page.get_by_role("navigation", name="På den här sidan").get_by_role(
        "link", name="Vad får du göra?").click()
    expect(page).to_have_url("/integritet#dina-rattigheter")
    expect(page.get_by_role("heading", name="Vad får du göra?")).to_be_in_viewport()


def test_the_notice_in_english_on_a_phone(new_page: Callable[..., Page],
                                          live_app: Flask) -> None:
    page = new_page(**PHONE)
    page.goto("/sprak/en?next=/integritet")
    expect(page.get_by_role("heading", level=1)).to_have_text("How we use your data")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for question in ("What information do we have about you?", "Who sees your information?",
                     "How long is it kept?", "What are you allowed to do?",
                     "For parents and guardians"):
        expect(page.get_by_role("heading", name=question)).to_be_visible()
    months = live_app.config["RETENTION_MONTHS"]
    expect(page.get_by_role("main")).to_contain_text(f"When {months} months have passed")
    _fits_the_phone(page)
    assert_accessible(page, "privacy notice (phone, English)")


def test_every_page_footer_leads_to_the_notice(page: Page) -> None:
    page.goto("/kontakt")
    page.get_by_role("contentinfo").get_by_role(
        "link", name="Så använder vi dina uppgifter").click()
    expect(page).to_have_url("/integritet")
    assert_accessible(page, "privacy notice (desktop)")
