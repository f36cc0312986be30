"""The coordinator reads an email in the outbox as it was sent: its paragraphs apart, on a
phone too."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.support import PHONE, assert_fits_width

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("options", [{}, PHONE], ids=["desktop", "phone"])
def test_an_email_in_the_outbox_keeps_its_paragraphs(page_as: Callable[..., Page],
                                                     options: dict[str, object]) -> None:
    page = page_as("coordinator", **options)
    page.goto("/utkorg")
    page.locator("main table a").first.click()
    page.wait_for_load_state("load")  # read as styled: unstyled, a <pre> keeps them anyway
    text = page.locator("pre").inner_text()
    # The stored text has its paragraphs; the page shows them apart, not run together.
    assert "\n\n" in text.strip(), text[:300]
    assert_fits_width(page, "an email in the outbox")
