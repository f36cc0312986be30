"""The browser tests' live server sends each answer whole: nothing the portal opened for an
answer (a static file) is left open when the browser hangs up half-way. (Werkzeug's server
left it open then, now and again, and its ResourceWarning failed an unrelated test.)"""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser

from tests.browser.support import HtmlPages, PageOpener, WholeAnswers


def test_a_static_file_is_read_and_closed_before_it_is_sent(live_app: Flask) -> None:
    closed = []
    real = live_app.wsgi_app

    def watched(environ, start_response):  # type: ignore[no-untyped-def]
        answer = real(environ, start_response)
        close = answer.close
        answer.close = lambda: (closed.append(environ["PATH_INFO"]), close())
        return answer

    live_app.wsgi_app = watched  # type: ignore[method-assign]
    try:
        headers: list[tuple[str, str]] = []
        body = WholeAnswers(live_app)({"REQUEST_METHOD": "GET", "PATH_INFO": "/static/favicon.svg",
                                 "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
                                 "wsgi.url_scheme": "http"},
                                lambda status, found, *rest: headers.extend(found))
    finally:
        live_app.wsgi_app = real  # type: ignore[method-assign]
    assert closed == ["/static/favicon.svg"]
    assert isinstance(body, list) and b"<svg" in body[0]
    assert ("Content-Length", str(len(body[0]))) in headers


@pytest.mark.browser
def test_the_page_opener_keeps_a_script_error(browser: Browser, live_server: str) -> None:
    """What fails a browser test (and the journey) when a page's script breaks."""
    opener = PageOpener(browser, live_server, HtmlPages())
    try:
        page = opener()
        page.goto("/kontakt")
        page.evaluate("setTimeout(() => { throw new Error('trasig') }, 0)")
        page.wait_for_timeout(200)
    finally:
        opener.close()
    assert any("trasig" in problem for problem in opener.problems)
