"""The public catalogue in real Chromium, on a desktop and on a 390 px phone: searching by
the labels a visitor sees, opening a placement, and no axe-core violation on the way."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import VIEWPORTS, assert_accessible, assert_fits_width

pytestmark = pytest.mark.browser


def _search(page: Page, words: str) -> None:
    page.get_by_label("Sökord", exact=True).fill(words)
    page.get_by_role("button", name="Sök", exact=True).click()



@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_catalogue_search_and_filters(new_page: Callable[..., Page], viewport: str) -> None:
    page = new_page(**VIEWPORTS[viewport])
    response = page.goto("/praoplatser")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Sök praoplatser")
    # The demo's two and any a test before this one published on the shared live server:
    # the heading counts the cards listed.
    expect(page.locator("article.card-body").first).to_be_visible()
    listed = page.locator("article.card-body").count()
    assert listed >= 2
    expect(page.get_by_role("heading", name=f"{listed} praoplatser", exact=True)).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page, f"/praoplatser ({viewport})")

    _search(page, "snickaren")  # stemmed: finds "Snickare på bygget"
    expect(page.get_by_role("heading", name="1 praoplats", exact=True)).to_be_visible()
    expect(page).to_have_title("1 praoplats – Sök praoplatser – Praoportalen")
    expect(page.get_by_role("link", name="Snickare på bygget")).to_be_visible()

    page.get_by_text("Fler val").click()
    page.get_by_label("Årskurs", exact=True).select_option(label="Årskurs 8")
    page.get_by_label("Nära kollektivtrafik").check()
    page.get_by_label("Bara platser som har lediga platser kvar").check()
    page.get_by_role("button", name="Sök", exact=True).click()
    expect(page.get_by_role("link", name="Snickare på bygget")).to_be_visible()
    expect(page.get_by_label("Nära kollektivtrafik")).to_be_checked()
    assert_fits_width(page)
    assert_accessible(page, f"/praoplatser with filters ({viewport})")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_catalogue_explains_a_wrong_week(new_page: Callable[..., Page], viewport: str) -> None:
    page = new_page(**VIEWPORTS[viewport])
    page.goto("/praoplatser")
    page.get_by_text("Fler val").click()
    page.get_by_label("Vecka", exact=True).fill("vecka elva")
    page.get_by_role("button", name="Sök", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Skriv veckan som ett veckonummer")
    expect(page.get_by_label("Vecka", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, f"/praoplatser with an error ({viewport})")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_public_placement_page(new_page: Callable[..., Page], viewport: str) -> None:
    page = new_page(**VIEWPORTS[viewport])
    page.goto("/praoplatser")
    page.get_by_role("link", name="Undersköterska i hemtjänsten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Undersköterska i hemtjänsten")
    expect(page.get_by_role("table")).to_contain_text("vecka 11–12")
    expect(page.locator("main")).not_to_contain_text("070-000 00 00")
    expect(page.locator("main")).not_to_contain_text("vard@demo.praoportalen.se")
    assert_fits_width(page)
    assert_accessible(page, f"{page.url} ({viewport})")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_compound_is_found_and_the_way_back_keeps_the_search(
        new_page: Callable[..., Page], viewport: str) -> None:
    page = new_page(**VIEWPORTS[viewport])
    page.goto("/praoplatser")
    page.get_by_text("Fler val").click()
    page.get_by_label("Årskurs", exact=True).select_option(label="Årskurs 8")
    _search(page, "sköterska")  # inside the compound "Undersköterska"
    page.get_by_role("link", name="Undersköterska i hemtjänsten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Undersköterska i hemtjänsten")
    page.get_by_role("link", name="Tillbaka till sökresultatet").click()
    expect(page.get_by_label("Sökord", exact=True)).to_have_value("sköterska")
    expect(page.get_by_label("Årskurs", exact=True)).to_have_value("8")
    expect(page.get_by_role("link", name="Undersköterska i hemtjänsten")).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page, f"/praoplatser back from a placement ({viewport})")
