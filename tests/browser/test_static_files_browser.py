"""On a phone, the stylesheets and scripts are fetched with the first page only: the next
pages of the visit take them from the browser's cache, without asking the portal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page

from tests.browser.support import PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def asked(live_app: Flask) -> Iterator[list[str]]:
    """The static files the live server is asked for while the test runs."""
    paths: list[str] = []
    real = live_app.wsgi_app

    def watched(environ: dict[str, Any], start_response: Any) -> Any:
        if "/static/" in environ["PATH_INFO"]:
            paths.append(environ["PATH_INFO"])
        return real(environ, start_response)

    live_app.wsgi_app = watched  # type: ignore[method-assign]
    try:
        yield paths
    finally:
        live_app.wsgi_app = real  # type: ignore[method-assign]


def test_the_next_page_asks_for_no_stylesheet_or_script(new_page: Callable[..., Page],
                                                        asked: list[str]) -> None:
    page = new_page(**PHONE)
    page.goto("/kontakt")
    page.wait_for_load_state("load")
    assert {"/bootstrap/static/css/bootstrap.min.css", "/static/css/portal.css",
            "/bootstrap/static/js/bootstrap.min.js"} <= set(asked)
    asked.clear()
    page.goto("/tillganglighet")
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Kontakt").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/kontakt")
    # Chromium asks for a page's icon on every page whatever the cache says: its icon
    # loader is not the page's. Stylesheets and scripts are the page's, and its weight.
    assert [path for path in asked if not path.endswith("favicon.svg")] == []
