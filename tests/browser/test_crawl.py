"""Every page a demo user can reach is accessible and valid: a crawl as each demo role and
as each kind of link user (pupil, supervisor, guardian, anyone), at desktop and phone width,
runs axe-core (WCAG 2.1 A and AA, and 2.2's target size) on every HTML page it reaches; the
Nu Html Checker reads the same pages at the end of the session (html_pages). A link that
answers with an error fails too, a table wider than a phone's screen with no hint before
it that it scrolls, and no page opened by a GET may change what the database holds."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.demo import USERS, demo_links
from portal.extensions import db
from portal.schools.models import Enrolment, EnrolmentState, PraoPeriod, School
from tests.browser.crawler import Crawler, report
from tests.browser.support import VIEWPORTS, log_in

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Visitor:
    """Who crawls: a demo login (by email), or someone with the demo's links for `links`
    (for a login: more places to start)."""

    email: str | None
    links: str | None
    # The crawl must reach at least these endpoints, or it proves nothing.
    reaches: frozenset[str]
    # Pages no link leads to (a form's answer), visited as well.
    also: tuple[str, ...] = ()
    # Endpoints another visitor checks, not followed (besides the public site).
    skip: frozenset[str] = frozenset()


def _email(name: str) -> str:
    return next(email for email, full_name, _role, _scope in USERS if full_name == name)


VISITORS = {
    "anyone": Visitor(None, "anyone", frozenset({
        "main.index", "accounts.login", "accounts.forgot_password", "employers.register",
        "employers.catalogue_search", "employers.catalogue_placement", "certificates.verify",
        "main.accessibility", "main.contact", "privacy.notice"})),
    # Stina Ström's schools have a prao in progress and one finished: every kind of page a
    # counsellor has (Bo Berg's period is still choosing). The first employer: the others
    # show the same kinds of page with other data.
    "counsellor": Visitor(_email("Stina Ström"), "counsellor", frozenset({
        "main.start_counsellor", "schools.school", "schools.period", "schools.enrolment",
        "prao.period_checklist", "prao.place", "attendance.period_overview", "attendance.record",
        "certificates.period_overview", "guardians.period_overview", "guardians.letter",
        "matching.rounds", "matching.run", "feedback.rates"})),
    # The coordinator sees every school's pages too, as the counsellor does (checked there),
    # and the council's report with a refresh button.
    "coordinator": Visitor(_email("Sara Samordnare"), None, frozenset({
        "main.start_coordinator", "accounts.users", "accounts.invite", "schools.schools",
        "schools.edit_school", "schools.municipalities", "schools.municipality",
        "reports.targets", "employers.review_queue", "employers.review_organisation",
        "employers.settings", "notifications.outbox", "notifications.outbox_email",
        "prao.region_checklist", "feedback.questions", "feedback.edit_questions",
        "feedback.texts", "feedback.thanks", "privacy.audit_log"}),
        # The targets are linked from the report.
        also=("/rapporter/mal",), skip=frozenset({
            "schools.school", "schools.period", "schools.enrolment", "schools.class_list",
            "schools.import_upload", "schools.new_period", "prao.period_checklist",
            "prao.place", "attendance.period_overview", "attendance.record",
            "attendance.incident", "certificates.period_overview", "certificates.assignment",
            "guardians.period_overview", "guardians.letter", "matching.rounds",
            "matching.run", "feedback.rates", "reports.report"})),
    "employer": Visitor(_email("Anders Byggare"), None, frozenset({
        "main.start_employer", "prao.employer_pupils", "attendance.employer_day",
        "attendance.employer_pupil", "employers.placement_detail", "employers.placement_edit",
        "prao.first_day", "feedback.employer", "feedback.employer_pupil",
        "employers.calendar"}), ("/arbetsgivare/elever",)),
    "council": Visitor(_email("Rune Rådsledamot"), None, frozenset({
        "main.start_council", "reports.report"})),
    "pupil": Visitor(None, "pupil", frozenset({
        "schools.pupil_home", "schools.own_placement", "feedback.pupil"})),
    "supervisor": Visitor(None, "supervisor", frozenset({
        "prao.supervisor", "attendance.link_report", "attendance.link_incident",
        "feedback.supervisor", "prao.own_risk"})),
    "guardian": Visitor(None, "guardian", frozenset({"guardians.acknowledge"})),
}
# The public site: crawled by "anyone", not again by each visitor (only the menu differs).
PUBLIC = frozenset({
    "main.index", "accounts.login", "accounts.forgot_password", "employers.register",
    "employers.catalogue_search", "employers.catalogue_placement", "main.accessibility",
    "main.contact", "certificates.verify_form", "privacy.notice"})
# Tables a GET may write to by design: who read a pupil's personal data is logged, and the
# council report computes a missing snapshot on the spot (a cache).
WRITTEN_BY_READING = frozenset({"audit_event", "report_snapshot"})


@pytest.fixture(scope="module", autouse=True)
def _reports_cached_as_in_production(live_app: Flask) -> Iterator[None]:
    """The council report is read from its snapshot, as in production (the tests compute
    it on every read): the crawl opens it at two widths."""
    before = live_app.config["REPORT_SNAPSHOT_MAX_AGE"]
    live_app.config["REPORT_SNAPSHOT_MAX_AGE"] = 3600
    yield
    live_app.config["REPORT_SNAPSHOT_MAX_AGE"] = before


@pytest.fixture(scope="module")
def crawler(live_app: Flask, live_server: str) -> Crawler:
    return Crawler(live_app, live_server)


@pytest.fixture(scope="module")
def links(live_app: Flask) -> dict[str, list[str]]:
    """The demo's links by who receives them, as paths on the live server."""
    with live_app.test_request_context():
        found = demo_links()
        db.session.remove()
    found["anyone"].insert(0, "/")
    found["counsellor"] = [_waiting_pupil(live_app)]
    return {who: [urlsplit(url).path for url in urls] for who, urls in found.items()}


def _waiting_pupil(app: Flask) -> str:
    """The page of a pupil at Stina Ström's schools who still needs a placement: it links
    to the form that places by hand."""
    unit_codes = next(scope["schools"] for _e, name, _r, scope in USERS if name == "Stina Ström")
    with app.app_context():
        enrolment = db.session.scalars(
            select(Enrolment).join(PraoPeriod).join(School)
            .where(School.unit_code.in_(unit_codes),
                   Enrolment.state == EnrolmentState.NEEDS_PLACEMENT)
            .order_by(Enrolment.id).limit(1)).one()
        path = f"/perioder/{enrolment.period_id}/elever/{enrolment.id}"
        db.session.remove()
    return path


@pytest.fixture(scope="module")
def _states() -> dict[str, Any]:
    return {}


@pytest.fixture
def visit_as(new_page: Callable[..., Page], _states: dict[str, Any],
             links: dict[str, list[str]]) -> Callable[..., tuple[dict[str, Page], list[str]]]:
    """A page at each width for a visitor, and where the crawl starts: a login's start
    page (signed in through the form once per module), or the visitor's links."""

    def open_as(visitor: Visitor,
                widths: tuple[str, ...] = tuple(VIEWPORTS)) -> tuple[dict[str, Page], list[str]]:
        if visitor.email is None:
            return ({width: new_page(**VIEWPORTS[width]) for width in widths},
                    [*links[visitor.links or ""], *visitor.also])
        if visitor.email not in _states:
            first = new_page()
            log_in(first, visitor.email)
            expect(first.get_by_role("heading", level=1)).to_have_count(1)
            _states[visitor.email] = (first.context.storage_state(), first.url)
        state, start = _states[visitor.email]
        return ({width: new_page(storage_state=state, **VIEWPORTS[width]) for width in widths},
                [start, *links.get(visitor.links or "", []), *visitor.also])

    return open_as


def _fingerprint(app: Flask) -> dict[str, str]:
    """A digest of every table's rows, to tell whether a crawl changed anything."""
    digests = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name not in WRITTEN_BY_READING:
                rows = db.session.execute(select(table).order_by(*table.primary_key)).all()
                digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
        db.session.remove()
    return digests


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


def _crawl(crawler: Crawler, pages: dict[str, Page], starts: list[str], who: str,
           visitor: Visitor, app: Flask) -> None:
    """Crawl, then fail with everything found at once: endpoints never reached, pages
    with problems, tables a GET changed."""
    before = _fingerprint(app)
    seen = crawler.crawl(pages, starts, who, skip=visitor.skip if visitor.links == "anyone"
                         else visitor.skip | PUBLIC)
    after = _fingerprint(app)
    print(seen.summary())  # noqa: T201 - what was reached, for the run's log
    failures = []
    missing = sorted(visitor.reaches - set(seen.endpoints))
    if missing:
        failures.append(f"{who} never reached {', '.join(missing)}: {seen.summary()}")
    if seen.problems:
        failures.append(report(seen.problems))
    changed = _changed(before, after)
    if changed:
        failures.append(f"pages opened by GET changed these tables: {', '.join(changed)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", list(VISITORS))
def test_every_page_reached_is_accessible_and_changes_nothing(
        name: str, crawler: Crawler, live_app: Flask,
        visit_as: Callable[..., tuple[dict[str, Page], list[str]]]) -> None:
    """At desktop and phone width."""
    visitor = VISITORS[name]
    pages, starts = visit_as(visitor)
    _crawl(crawler, pages, starts, name, visitor, live_app)


def test_every_page_reached_in_english_is_accessible(
        crawler: Crawler, live_app: Flask,
        visit_as: Callable[..., tuple[dict[str, Page], list[str]]]) -> None:
    """The counsellor's pages, where most text is, in English (the switch is a GET that
    stores the choice: made before the crawl)."""
    visitor = VISITORS["counsellor"]
    pages, starts = visit_as(visitor, ("desktop",))
    pages["desktop"].goto(f"/sprak/en?next={urlsplit(starts[0]).path}")
    expect(pages["desktop"].locator("html")).to_have_attribute("lang", "en")
    _crawl(crawler, pages, starts, "counsellor in English", visitor, live_app)


PLANTED = """<!doctype html><html lang="sv"><head><meta charset="utf-8">
<title>Planterad</title></head><body><main><h1>Planterad</h1>
<p style="color: #aaa">För blek text.</p>
<a href="/praoplatser/1">1</a> <a href="/praoplatser/2#karta">2</a> <a href="/praoplatser/3">3</a>
<a href="/sprak/en?next=/">English</a> <a href="https://example.invalid/">Ute</a>
<a href="/finns-inte-alls">Trasig</a>
<div class="table-responsive" style="overflow-x: auto" tabindex="0" role="region" aria-label="Bred">
<table style="width: 2000px"><caption>Bred utan ord om det</caption><tr><td>1</td></tr>
</table></div>
<p class="swipe-hint">Dra tabellen i sidled.</p>
<div class="table-responsive" style="overflow-x: auto" tabindex="0" role="region" aria-label="Sagd">
<table style="width: 2000px"><caption>Bred och sagd</caption><tr><td>2</td></tr></table></div>
</main></body></html>"""


def test_the_crawl_finds_what_is_wrong_and_keeps_to_its_bounds(
        crawler: Crawler, new_page: Callable[..., Page]) -> None:
    """A crawl that reached nothing, or saw nothing wrong, would pass: a planted page's pale
    text must fail at both widths, its broken link too (at the first width: the second page
    of an endpoint, here of no route, is checked at one), its links "1", "2" and "3" as
    targets too small and too close (WCAG 2.2's 24 px), and on a phone its wide table with
    no hint before it (the one with a hint passes). Only two of three pages of one
    endpoint are opened, the language switch and another site never."""
    pages = {width: new_page(**options) for width, options in VIEWPORTS.items()}
    for page in pages.values():
        page.route("**/planterad", lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=PLANTED))
    seen = crawler.crawl(pages, ["/planterad"], "planted", per_endpoint=2,
                         skip=PUBLIC - {"employers.catalogue_placement"})
    found = sorted((p.kind, urlsplit(p.url).path, p.who) for p in seen.problems)
    assert found == [("color-contrast", "/planterad", "planted, desktop"),
                     ("color-contrast", "/planterad", "planted, phone"),
                     ("http", "/finns-inte-alls", "planted, desktop"),
                     ("swipe-hint", "/planterad", "planted, phone"),
                     ("target-size", "/planterad", "planted, desktop"),
                     ("target-size", "/planterad", "planted, phone")]
    assert [p.detail for p in seen.problems if p.kind == "swipe-hint"] == [
        "a table wider than the screen, unsaid: Bred utan ord om det"]
    assert [urlsplit(url).path for url in seen.pages] == [
        "/planterad", "/praoplatser/1", "/praoplatser/2", "/finns-inte-alls"]


def test_a_get_that_changes_the_database_is_caught(
        crawler: Crawler, live_app: Flask,
        visit_as: Callable[..., tuple[dict[str, Page], list[str]]]) -> None:
    """The one GET link that stores something by design, the language switch (on the
    account), is why the crawl never follows it: opened, it shows in the fingerprint."""
    pages, starts = visit_as(VISITORS["coordinator"], ("desktop",))
    before = _fingerprint(live_app)
    crawler.crawl(pages, [f"/sprak/en?next={urlsplit(starts[0]).path}"], "coordinator",
                  per_endpoint=0)
    assert _changed(before, _fingerprint(live_app)) == ["user_account"]
