"""axe-core in real Chromium: no WCAG 2.1 A or AA violation on the public pages (desktop
and phone), on a form showing its errors, or on each role's pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    ROLES,
    VIEWPORTS,
    assert_accessible,
    assert_fits_width,
    axe_violations,
    describe_violations,
)

pytestmark = pytest.mark.browser

PUBLIC_PAGES = ["/", "/logga-in", "/losenord/glomt", "/tillganglighet", "/kontakt"]
COORDINATOR_PAGES = ["/anvandare", "/anvandare/bjud-in", "/utkorg", "/samordnare/logg"]


def _open(page: Page, path: str, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == status, f"{path} answered {response.status}"
    expect(page).to_have_url(path)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page(new_page: Callable[..., Page], path: str, viewport: str) -> None:
    page = new_page(**VIEWPORTS[viewport])
    _open(page, path)
    assert_accessible(page, f"{path} ({viewport})")


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_fits_the_narrowest_phone(new_page: Callable[..., Page], path: str) -> None:
    """WCAG 1.4.10 (reflow) asks for 320 CSS px: the accessibility statement's heading,
    one long Swedish word, made the page 366 px wide there."""
    page = new_page(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    _open(page, path)
    assert_fits_width(page, f"{path} at 320 px")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_page_not_found(new_page: Callable[..., Page], viewport: str) -> None:
    page = new_page(**VIEWPORTS[viewport])
    _open(page, "/finns-inte-alls", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
    assert_accessible(page, f"404 page ({viewport})")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_login_form_with_errors(new_page: Callable[..., Page], viewport: str) -> None:
    page = new_page(**VIEWPORTS[viewport])
    _open(page, "/logga-in")
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Formuläret behöver rättas")
    expect(page.get_by_label("E-postadress", exact=True)).to_have_attribute(
        "aria-invalid", "true")
    expect(page.get_by_label("Lösenord", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, f"/logga-in with errors ({viewport})")


@pytest.mark.parametrize("role", list(ROLES))
def test_role_start_page(page_as: Callable[..., Page], role: str) -> None:
    page = page_as(role)
    _open(page, ROLES[role].start_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(ROLES[role].heading)
    assert_accessible(page, f"{ROLES[role].start_path} as {role}")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", COORDINATOR_PAGES)
def test_coordinator_page(page_as: Callable[..., Page], path: str, viewport: str) -> None:
    page = page_as("coordinator", **VIEWPORTS[viewport])
    _open(page, path)
    assert_accessible(page, f"{path} as coordinator ({viewport})")


def test_axe_finds_a_planted_violation(page: Page) -> None:
    """The checks above mean something only if axe really runs on our pages (the CSP
    must not stop it): a picture without a text alternative must be caught."""
    _open(page, "/")
    page.evaluate("""() => {
        const img = document.createElement("img");
        img.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
        document.querySelector("main").append(img);
    }""")
    violations = axe_violations(page)
    assert [v["id"] for v in violations] == ["image-alt"]
    assert "<img" in describe_violations(violations, "/")
