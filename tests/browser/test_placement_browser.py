"""The employer's placement pages in real Chromium, on a desktop and on a 390 px phone: a
new placement with hours outside the rules for minors, weeks and seats, the regional
calendar and next term, with no axe-core violation on the way. Nothing is published, so the
catalogue's figures stay as the demo made them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from portal import clock
from portal.accounts.models import User
from portal.employers.models import Placement, PlacementStatus
from portal.extensions import db
from tests.browser.support import (
    PHONE,
    ROLES,
    VIEWPORTS,
    assert_accessible,
    assert_fits_width,
)

pytestmark = pytest.mark.browser



@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_employer_prepares_a_placement(page_as: Callable[..., Page], viewport: str) -> None:
    page = page_as("employer", **VIEWPORTS[viewport])
    page.goto("/arbetsgivare")
    page.get_by_role("link", name="Ny praoplats").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny praoplats")
    assert_fits_width(page)
    assert_accessible(page, f"new placement ({viewport})")

    page.get_by_label("Rubrik", exact=True).fill(f"Lärling på verkstaden ({viewport})")
    page.get_by_label("Dagen börjar").fill("05:30")
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Formuläret behöver rättas")
    expect(page.get_by_label("Dagen börjar")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#day_start-error")).to_contain_text("tidigast 06:00")
    assert_accessible(page, f"new placement with errors ({viewport})")

    page.get_by_label("Dagen börjar").fill("08:00")
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Lärling på verkstaden ({viewport})")
    expect(page.get_by_text("Praoplatsen är sparad som utkast.")).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page, f"placement page ({viewport})")

    page.get_by_label("Veckor", exact=True).fill(f"11–12 {clock.today().year + 1}")
    page.get_by_label("Antal platser").fill("0")
    page.get_by_role("button", name="Lägg till", exact=True).click()
    expect(page.locator("#seats-error")).to_contain_text("Antalet platser måste vara minst 1.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lägg till veckor och platser")
    assert_accessible(page, f"offer with errors ({viewport})")
    page.get_by_label("Antal platser").fill("2")
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.get_by_role("row", name=f"vecka 11–12 {clock.today().year + 1}")).to_be_visible()


@pytest.mark.parametrize(("role", "path"), [
    ("employer", "/kalender"),
    ("employer", "/arbetsgivare/nasta-termin"),
    ("coordinator", "/kalender"),
])
def test_calendar_and_next_term_pages(page_as: Callable[..., Page], role: str,
                                      path: str) -> None:
    for viewport in VIEWPORTS.values():
        page = page_as(role, **viewport)
        response = page.goto(path)
        assert response is not None and response.status == 200
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        assert_accessible(page, f"{path} as {role}")


def test_coordinator_calendar_form_with_errors(page_as: Callable[..., Page]) -> None:
    page = page_as("coordinator")
    page.goto("/kalender/ny")
    page.get_by_role("button", name="Lägg in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Formuläret behöver rättas")
    expect(page.get_by_label("Skola")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "/kalender/ny with errors")


def test_a_title_of_one_long_word_wraps_on_the_employers_start_page(
        live_app: Flask, page_as: Callable[..., Page]) -> None:
    """A draft placement titled with one 200-letter word is listed under "Det här väntar på
    dig" (its risk assessment is missing): on a 390 px phone it wraps, the page does not
    grow sideways."""
    title = ("Lärlingsplats" * 16)[:200]
    with live_app.app_context():
        employer = db.session.scalars(select(User).where(
            User.email == ROLES["employer"].email)).one()
        placement = Placement(organisation_id=employer.organisation_id, title=title,
                              status=PlacementStatus.DRAFT,
                              sector=employer.organisation.sector)
        db.session.add(placement)
        db.session.commit()
        placement_id = placement.id
        db.session.remove()
    try:
        page = page_as("employer", **PHONE)
        page.goto("/arbetsgivare")
        expect(page.get_by_role("link", name=title).first).to_be_visible()
        assert_fits_width(page, "employer start page, a title of one long word")
    finally:
        with live_app.app_context():
            db.session.execute(delete(Placement).where(Placement.id == placement_id))
            db.session.commit()
            db.session.remove()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_employers_table_of_placements_says_on_a_phone_that_it_scrolls(
        page_as: Callable[..., Page], viewport: str) -> None:
    """On a 390 px phone the table of placements is wider than the screen (booked and free
    seats are off to the right): a hint says to swipe, and a swipe reaches them. On a
    desktop the whole table shows and the hint does not."""
    page = page_as("employer", **VIEWPORTS[viewport])
    page.goto("/arbetsgivare")
    hint = page.get_by_text("Dra tabellen i sidled för att se bokade och lediga platser.")
    region = page.get_by_role("region", name="Mina praoplatser med kommande veckor och platser")
    overflows = region.evaluate("r => r.scrollWidth > r.clientWidth")
    if VIEWPORTS[viewport] is PHONE:
        expect(hint).to_be_visible()
        assert overflows
        assert_fits_width(page, "employer start page")
        free = region.get_by_role("columnheader", name="Lediga")
        outside = "(th, r) => th.getBoundingClientRect().right > r.getBoundingClientRect().right"
        assert free.evaluate(f"th => ({outside})(th, th.closest('[role=region]'))")
        region.evaluate("r => { r.scrollLeft = r.scrollWidth; }")  # the swipe
        assert not free.evaluate(f"th => ({outside})(th, th.closest('[role=region]'))")
    else:
        expect(hint).to_be_hidden()
        assert not overflows


def test_the_swipe_hint_goes_where_the_table_fits_and_comes_back_where_it_does_not(
        page_as: Callable[..., Page]) -> None:
    """A phone held sideways (560 px, still a phone's layout): the counsellor's table of
    rounds fits, and no hint says to swipe it. Turned back to 390 px it no longer fits, and
    the hint is there again."""
    page = page_as("counsellor", **{**PHONE, "viewport": {"width": 560, "height": 390}})
    page.goto("/matchning")
    hint = page.get_by_text("Dra tabellen i sidled för att se alla kolumner.")
    region = page.locator(".table-responsive").first
    assert not region.evaluate("r => r.scrollWidth > r.clientWidth")
    expect(hint).to_be_hidden()
    page.set_viewport_size(PHONE["viewport"])
    expect(hint).to_be_visible()
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")
