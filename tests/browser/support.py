"""What the browser tests share besides fixtures: where Chromium is, the viewports, the
demo users of each role, signing in through the form, axe-core and the Nu Html Checker."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, make_server

from portal.accounts.models import Role
from portal.demo import DEMO_PASSWORD, USERS
from portal.extensions import db
from portal.schools.models import Enrolment, Student
from portal.schools.pupils.services import make_link_token

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
# WCAG 2.1 A and AA, and 2.2's AA rule axe-core checks (target-size, 2.5.8: a target at least
# 24 × 24 px or that far from the next): fingers on a phone, a tremor on a mouse.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                         "has_touch": True}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@dataclass(frozen=True)
class DemoRole:
    role: str
    email: str
    start_path: str
    heading: str


def _demo_email(role: Role) -> str:
    return next(email for email, _name, user_role, _scope in USERS if user_role == role)


# The first demo user of each role, its start page and that page's h1.
ROLES = {
    "coordinator": DemoRole("coordinator", _demo_email(Role.COORDINATOR), "/samordnare",
                            "Samordnarens startsida"),
    "counsellor": DemoRole("counsellor", _demo_email(Role.COUNSELLOR), "/syv",
                           "Studie- och yrkesvägledarens startsida"),
    "employer": DemoRole("employer", _demo_email(Role.EMPLOYER), "/arbetsgivare",
                         "Arbetsgivarens startsida"),
    "council": DemoRole("council", _demo_email(Role.COUNCIL), "/rad",
                        "Samverkansrådets startsida"),
}


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form, as a person would: by the labels and the button."""
    page.goto("/logga-in")
    page.get_by_label("E-postadress", exact=True).fill(email)
    page.get_by_label("Lösenord", exact=True).fill(password)
    page.get_by_role("button", name="Logga in", exact=True).click()


def pupil_path(app: Flask, external_id: str) -> str:
    """The personal link of the pupil with this id from the school's system, as a path."""
    with app.test_request_context():
        enrolment = db.session.scalars(select(Enrolment).join(Student).where(
            Student.external_id == external_id)).one()
        path = "/elev/" + make_link_token(enrolment)
        db.session.remove()
    return path


# --- axe-core ------------------------------------------------------------------------

_AXE = Axe()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now, against WCAG 2.0 and 2.1, levels A and AA."""
    # After a click that navigates, the new document's elements can be there before all its
    # stylesheets are: colours would then be measured without the portal's own CSS.
    page.wait_for_load_state("load")
    results = _AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                      "resultTypes": ["violations"]})
    return list(results.response["violations"])


def describe_violations(violations: list[dict[str, Any]], where: str) -> str:
    """A report to fix from: rule, impact, what is wrong and the offending HTML."""
    lines = [f"{len(violations)} axe-core violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}"
                     f" <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"      html: {node['html']}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n        ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page, where: str = "") -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(violations, where or page.url)


# --- the Nu Html Checker --------------------------------------------------------------

BROWSER_TESTS = Path(__file__).resolve().parent
VNU_JAR = Path(os.environ.get(
    "PORTAL_VNU_JAR", BROWSER_TESTS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"))
JAVA = os.environ.get("PORTAL_JAVA") or shutil.which("java") or "/usr/bin/java"


@dataclass
class HtmlPages:
    """The HTML of every page the browser received from the portal, as the server sent it
    (before any script ran), one copy of each distinct document, checked in one batch."""

    documents: dict[str, str] = field(default_factory=dict)  # html -> first URL seen

    def watch(self, page: Page) -> None:
        page.on("response", self._keep)

    def _keep(self, response: Response) -> None:
        if response.request.resource_type != "document" or 300 <= response.status < 400:
            return  # a redirect has no page of its own
        if "text/html" not in response.headers.get("content-type", ""):
            return
        try:
            html = response.text()
        except PlaywrightError:
            return  # the browser left the page before its body arrived
        self.documents.setdefault(html, response.url)


def assert_fits_width(page: Page, where: str = "") -> None:
    """The page scrolls only downwards: nothing makes it wider than the screen.

    Measured once the stylesheets have loaded: a layout read before them is the unstyled
    page, where a long word does not wrap yet."""
    page.wait_for_load_state("load")
    viewport = page.viewport_size
    assert viewport is not None
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], (
        f"{where}: the page is {width} px wide on a {viewport['width']} px screen")


def vnu_errors(documents: dict[str, str], workdir: Path) -> list[str]:
    """Run vnu.jar once over every document; one line per error, naming the page's URL."""
    if not VNU_JAR.is_file():
        raise AssertionError(
            f"Nu Html Checker saknas: {VNU_JAR}. Installera den med `cd tests/browser && "
            "npm ci --ignore-scripts` (./dev.sh test gör det).")
    urls: dict[str, str] = {}  # file name -> the page's address
    for number, (html, url) in enumerate(documents.items()):
        path = workdir / f"page-{number:04d}.html"
        path.write_text(html, encoding="utf-8")
        urls[path.name] = url
    if not urls:
        return []
    result = subprocess.run(  # noqa: S603 - our own jar on our own files
        [JAVA, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--exit-zero-always",
         *(str(workdir / name) for name in sorted(urls))],
        capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0 or not result.stderr.strip():
        raise AssertionError(f"vnu.jar kunde inte köras: {result.stderr or result.stdout}")
    messages = json.loads(result.stderr)["messages"]  # vnu writes its report to stderr
    errors = [f"{urls.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}:"
              f"{m.get('lastLine', '?')}: {m.get('message')}\n"
              f"      {m.get('extract', '').strip()}"
              for m in messages if m.get("type") == "error"]
    return list(dict.fromkeys(errors))  # a page opened twice reports its error once


# --- the live servers ------------------------------------------------------------------------

class WholeAnswers:
    """The tests' live servers send each answer whole, the application's iterable closed
    first. Werkzeug's development server leaves a static file open when the browser drops
    the connection half-way through it (Chromium does, moving on to the next page), and the
    file's ResourceWarning then fails whichever test runs when it is collected."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        answer = self.app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()


def serve(app: Flask) -> BaseWSGIServer:
    """The portal on 127.0.0.1 at a free port (the caller runs serve_forever)."""
    return make_server("127.0.0.1", 0, WholeAnswers(app), threaded=True)


class PageOpener:
    """Opens pages in new, isolated browser contexts on one server: `opener(**options)`.
    A script error, or anything the Content-Security-Policy blocked, is kept in `problems`
    (the portal must work with its CSP); the HTML of every page goes to the Nu Html
    Checker. `close()` closes every context opened."""

    def __init__(self, browser: Browser, base_url: str, html_pages: HtmlPages,
                 timeout_ms: int = TIMEOUT_MS) -> None:
        self.browser, self.base_url, self.html_pages = browser, base_url, html_pages
        self.timeout_ms = timeout_ms
        self.contexts: list[BrowserContext] = []
        self.problems: list[str] = []

    def __call__(self, **options: Any) -> Page:
        # Reduced motion: Bootstrap then draws a button's new colours at once. axe reads the
        # colours of the instant it runs, and a choice just clicked, 0.15 s into its
        # transition, measured 4.21:1 between the old and the new blue.
        context = self.browser.new_context(base_url=self.base_url, locale="sv-SE",
                                           reduced_motion="reduce", **{**DESKTOP, **options})
        context.set_default_timeout(self.timeout_ms)
        self.contexts.append(context)
        page = context.new_page()
        self.html_pages.watch(page)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("console", self._on_console)
        return page

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"CSP: {message.text}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()
