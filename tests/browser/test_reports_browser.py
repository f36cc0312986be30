"""The council's report in real Chromium, on a desktop and on a 390 px phone, from the
demo's two school years: charts and tables there, no axe-core violation, no sideways
scrolling, no Nu Html Checker error, and the printed page keeps the charts and drops the
navigation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import DESKTOP, PHONE, assert_accessible, assert_fits_width, vnu_errors

pytestmark = pytest.mark.browser



@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_council_reads_the_report(page_as: Callable[..., Page], viewport: dict,
                                  tmp_path: Path) -> None:
    page = page_as("council", **viewport)
    start = page.goto("/rad")
    assert start is not None
    expect(page.get_by_role("heading", name="Läget mot målen", exact=False)).to_be_visible()
    page.get_by_role("link", name="Hela rapporten med diagram och tabeller").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kvalitetsrapport")
    coverage = page.locator("#coverage")
    expect(coverage.get_by_role("img", name="Elever med minst tio praodagar")).to_be_visible()
    expect(coverage.get_by_role("table")).to_contain_text("Bergsskolan")
    expect(coverage).to_contain_text("Mål")
    expect(page.locator("#placement_source")).to_contain_text("<5")
    hint = coverage.get_by_text("Dra diagrammet i sidled för att se hela.")
    if viewport is PHONE:
        assert_fits_width(page)
        expect(hint).to_be_visible()  # the chart is wider than its box: a swipe shows it
        box = coverage.locator(".chart-box")
        assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    else:
        expect(hint).to_be_hidden()
    assert_accessible(page, f"report ({'phone' if viewport is PHONE else 'desktop'})")

    page.get_by_label("Kommun", exact=True).select_option(label="Piteå")
    page.get_by_role("button", name="Visa rapporten").click()
    expect(page.locator(".lead")).to_contain_text("Gäller Piteå.")
    expect(page.locator("#coverage table")).not_to_contain_text("Bergsskolan")

    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator(".report-filters")).to_be_hidden()
    expect(page.locator("#coverage svg")).to_be_visible()

    documents = {}
    for path in ("/rad", "/rapporter", "/rapporter?termin=spring&lasar=2025"):
        response = page.request.get(path)
        documents[response.text()] = path
    assert vnu_errors(documents, tmp_path) == []


def test_coordinator_sets_a_target(page_as: Callable[..., Page], tmp_path: Path) -> None:
    page = page_as("coordinator", **PHONE)
    page.goto("/rapporter")
    page.get_by_role("link", name="Samverkansrådets mål").click()
    page.get_by_label("Indikator").select_option("needs_met")
    page.get_by_label("Läsår", exact=True).select_option(index=1)
    page.get_by_label("Mål (önskat läge)").fill("abc")
    page.get_by_role("button", name="Spara målet").click()
    expect(page.locator("#value-error")).to_contain_text("mellan 0 och 100")
    assert_accessible(page, "targets with an error (phone)")
    assert_fits_width(page)
    page.get_by_label("Mål (önskat läge)").fill("97,5")
    page.get_by_role("button", name="Spara målet").click()
    expect(page.get_by_role("status")).to_contain_text("Målet är sparat.")
    expect(page.get_by_role("table")).to_contain_text("97,5")
    response = page.request.get("/rapporter/mal")
    assert vnu_errors({response.text(): "/rapporter/mal"}, tmp_path) == []
