"""Real-browser fixtures: the portal served over HTTP from its own database (migrated and
seeded with the demo region), one Chromium for the whole session and a fresh browser
context for every test.

Chromium is Debian's (/usr/bin/chromium); nothing is downloaded. If it is missing the
tests fail: CI must never skip them silently."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import (
    Browser,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from sqlalchemy import update

from portal.accounts.models import User
from portal.demo import seed_demo
from portal.extensions import db
from portal.reports.snapshots import refresh_due
from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROLES,
    TIMEOUT_MS,
    HtmlPages,
    PageOpener,
    log_in,
    serve,
    vnu_errors,
)
from tests.conftest import SMTPServer, make_app
from tests.databases import create_database

# --- the portal over real HTTP -------------------------------------------------------

@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory,
             smtp_server: SMTPServer) -> Iterator[Flask]:
    """The app behind the live server, on its own database with the demo region. As in
    production, the jobs command has computed the council report's snapshots (with their
    charts) and a reader gets them for an hour; the tests' default computes every read."""
    url, drop = create_database("browser", tmp_path_factory.mktemp("browser-db"))
    app = make_app(url, smtp_server.port, REPORT_SNAPSHOT_MAX_AGE=3600)
    try:
        with app.app_context():
            upgrade()
            seed_demo()
            refresh_due()
            db.session.remove()
            db.engine.dispose()
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        drop()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The portal on 127.0.0.1 at a free port. Yields the base URL without a trailing slash."""
    server = serve(live_app)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# --- one Chromium for the session, a fresh context per test -------------------------

@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium saknas: {CHROMIUM} finns inte. Installera den med "
                    "`apt-get install -y chromium` (webbläsartesterna hoppas aldrig över).",
                    pytrace=False)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=CHROMIUM_ARGS)
    expect.set_options(timeout=TIMEOUT_MS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def html_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HtmlPages]:
    """Every page the browser tests open is kept; after the last test the Nu Html Checker
    reads them all in one start of Java, and any error fails the run (at that teardown)."""
    pages = HtmlPages()
    yield pages
    errors = vnu_errors(pages.documents, tmp_path_factory.mktemp("vnu"))
    assert not errors, (f"{len(errors)} Nu Html Checker error(s) on the pages the browser "
                        "tests visited:\n" + "\n".join(errors))


@pytest.fixture
def new_page(browser: Browser, live_server: str,
             html_pages: HtmlPages) -> Iterator[Callable[..., Page]]:
    """Open a page in a new, isolated context: `new_page(**context_options)`. Every
    context made this way is closed after the test. A script error, or anything the
    Content-Security-Policy blocked, fails the test: the portal must work with its CSP.
    The HTML of every page opened is kept for the Nu Html Checker."""
    opener = PageOpener(browser, live_server, html_pages)
    yield opener
    opener.close()
    assert not opener.problems, "\n".join(opener.problems)


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A desktop-sized page in its own context (no cookies shared between tests)."""
    return new_page()


# --- signing in ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def _signed_in_states() -> dict[str, Any]:
    return {}


@pytest.fixture
def page_as(new_page: Callable[..., Page],
            _signed_in_states: dict[str, Any]) -> Callable[..., Page]:
    """A page signed in as the demo user of a role: `page_as("coordinator")`. Each role
    signs in through the form once per session; later tests reuse its cookies in a new
    context of their own."""

    def open_as(role: str, **options: Any) -> Page:
        demo = ROLES[role]
        if role not in _signed_in_states:
            first = new_page()
            log_in(first, demo.email)
            expect(first).to_have_url(demo.start_path)
            _signed_in_states[role] = first.context.storage_state()
        return new_page(storage_state=_signed_in_states[role], **options)

    return open_as


@pytest.fixture(autouse=True)
def _users_read_swedish_again(live_app: Flask) -> Iterator[None]:
    """A test that switches a signed-in user to English stores that choice on the account
    (emails follow it); the next test starts from the demo's Swedish again."""
    yield
    with live_app.app_context():
        db.session.execute(update(User).values(language="sv"))
        db.session.commit()
        db.session.remove()
