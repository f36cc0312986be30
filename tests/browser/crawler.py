"""A breadth-first crawl of the portal in a real browser, as one user at several widths at
once: it follows the same-origin links of every page it reaches (GET only, never a form),
runs axe-core on every HTML page at every width and notes every link that answers with an
error. The pages' HTML reaches the Nu Html Checker through the html_pages fixture, which
watches every page that new_page opens.

Each width has a page of its own (a phone context is not a narrow desktop one), and axe
runs in one while the next width's page loads: two browser processes, two cores. axe-core
comes with every document (an init script, compiled once), not evaluated page by page.

To stay fast it visits one URL of each Flask endpoint unless told more (query strings count
as the same endpoint; a second URL is checked at the first width only), one of a few heavy
pages: the same template with other data rarely shows a new problem."""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urlsplit

from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter, RequestRedirect

from tests.browser.support import WCAG_TAGS

# Never followed: the language switch stores the choice (on the account too), and static
# files are no pages.
SKIPPED_ENDPOINTS = frozenset({"main.set_language", "static", "bootstrap.static"})
NO_ROUTE = "<no route>"
PER_ENDPOINT = 1
# Pages whose check takes seconds (the council report: hundreds of table cells, each
# measured for contrast): one URL each.
HEAVY = frozenset({"reports.report"})
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
_AXE_SCRIPT = Axe().axe_script


# The tables that scroll sideways with no visible hint before them (templates/_swipe_hint.html,
# shown on a phone only): a column out of sight is a column a busy reader never sees.
_UNSAID_WIDE_TABLES = """() => [...document.querySelectorAll('.table-responsive')]
  .filter(box => box.scrollWidth > box.clientWidth + 1)
  .filter(box => {
    const hint = box.previousElementSibling;
    return !(hint && hint.classList.contains('swipe-hint') && hint.checkVisibility(
      {opacityProperty: true, visibilityProperty: true}) && hint.textContent.trim());
  })
  .map(box => (box.querySelector('caption') || box).textContent.trim().slice(0, 60))"""


@dataclass(frozen=True)
class Problem:
    """One thing wrong on one page: an axe-core rule broken, a link that failed, or on a
    phone a table wider than the screen with no hint that it scrolls."""

    kind: str  # an axe rule id, "http" or "swipe-hint"
    url: str
    who: str  # the visitor and the width
    detail: str


@dataclass
class Crawl:
    """What one crawl saw."""

    who: str
    endpoints: Counter[str] = field(default_factory=Counter)  # endpoint -> pages checked
    pages: list[str] = field(default_factory=list)
    seconds_per_page: dict[str, float] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        slowest = sorted(self.seconds_per_page.items(), key=lambda item: -item[1])[:3]
        return (f"{self.who}: {len(self.pages)} pages, {len(self.downloads)} downloads, "
                f"{len(self.endpoints)} endpoints in {self.seconds:.1f} s (slowest: "
                + ", ".join(f"{urlsplit(url).path[:40]} {s:.1f} s" for url, s in slowest)
                + "): " + ", ".join(sorted(self.endpoints)))


class Crawler:
    def __init__(self, app: Flask, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._routes: MapAdapter = app.url_map.bind(urlsplit(base_url).netloc)

    def endpoint(self, url: str) -> str:
        """The Flask endpoint a GET of this address reaches (NO_ROUTE if none does)."""
        parts = urlsplit(url)
        try:
            endpoint, _ = self._routes.match(parts.path, method="GET",
                                             query_args=parts.query)
        except RequestRedirect as redirect:
            return self.endpoint(redirect.new_url)
        except HTTPException:
            return NO_ROUTE
        return str(endpoint)

    def crawl(self, pages: dict[str, Page], starts: Iterable[str], who: str,
              per_endpoint: int = PER_ENDPOINT, skip: frozenset[str] = frozenset()) -> Crawl:
        """Visit the start addresses in every page (width -> page), then every same-origin
        link breadth first, at most `per_endpoint` addresses per endpoint (a start address
        is always visited) and none of the endpoints in `skip` (another crawl has those)."""
        began = time.monotonic()
        seen = Crawl(who)
        for page in pages.values():
            page.context.add_init_script(script=_AXE_SCRIPT)
        queued: Counter[str] = Counter()
        todo: deque[tuple[str, dict[str, Page]]] = deque()  # address, the widths to check
        known: set[str] = set()
        for start in starts:
            url = self._absolute(start)
            known.add(url)
            queued[self.endpoint(url)] += 1
            todo.append((url, pages))
        while todo:
            url, widths = todo.popleft()
            for link in self._visit(widths, url, seen):
                endpoint = self.endpoint(link)
                if link in known or endpoint in SKIPPED_ENDPOINTS or endpoint in skip:
                    continue
                known.add(link)
                if queued[endpoint] < (1 if endpoint in HEAVY else per_endpoint):
                    queued[endpoint] += 1
                    todo.append((link, pages if queued[endpoint] == 1
                                 else dict(list(pages.items())[:1])))
        seen.seconds = time.monotonic() - began
        return seen

    def _absolute(self, url: str) -> str:
        parts = urlsplit(url)
        return self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")

    def _visit(self, pages: dict[str, Page], url: str, seen: Crawl) -> list[str]:
        """Open one address at every width, check it if it is an HTML page and return its
        links (as the first width shows them)."""
        began = time.monotonic()
        running: list[tuple[str, Page]] = []
        for width, page in pages.items():
            if not self._open(page, url, seen, width):
                break
            page.evaluate("options => { window.crawlAxe = axe.run(document, options); }",
                          AXE_OPTIONS)
            running.append((width, page))
        if not running:
            return []
        first = running[0][1]
        seen.pages.append(first.url)
        seen.endpoints[self.endpoint(first.url)] += 1
        for width, page in running:
            violations = page.evaluate("() => window.crawlAxe.then(found => found.violations)")
            seen.problems += [Problem(v["id"], page.url, f"{seen.who}, {width}", _describe(v))
                              for v in violations]
            if width == "phone":
                seen.problems += [Problem("swipe-hint", page.url, f"{seen.who}, {width}",
                                          f"a table wider than the screen, unsaid: {caption}")
                                  for caption in page.evaluate(_UNSAID_WIDE_TABLES)]
        seen.seconds_per_page[first.url] = time.monotonic() - began
        return self._links(first)

    def _open(self, page: Page, url: str, seen: Crawl, width: str) -> bool:
        """Go to the address; True if an HTML page is there to check."""
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):  # an attachment: a file, no page
                seen.downloads.append(url)
            else:
                seen.problems.append(Problem("http", url, f"{seen.who}, {width}",
                                             f"could not open: {error}"))
            return False
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            seen.downloads.append(url)
            return False
        if response.status >= 400:
            seen.problems.append(Problem("http", url, f"{seen.who}, {width}",
                                         f"answered {response.status} (a link led here)"))
        # The new document's elements can be there before all its stylesheets are: colours
        # would then be measured without the portal's own CSS.
        page.wait_for_load_state("load")
        return True

    def _links(self, page: Page) -> list[str]:
        hrefs: list[str] = page.eval_on_selector_all(
            "a[href]", "links => links.map(link => link.href)")
        found = [urldefrag(href).url for href in hrefs]
        return list(dict.fromkeys(link for link in found
                                  if link == self.base_url
                                  or link.startswith(self.base_url + "/")))


def _describe(violation: dict[str, Any]) -> str:
    nodes = violation["nodes"]
    where = "; ".join(f"{', '.join(map(str, n['target']))}: {n['html'][:160]}"
                      for n in nodes[:3])
    more = f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else ""
    return f"({violation['impact']}) {violation['help']}: {where}{more}"


def report(problems: list[Problem]) -> str:
    """Every problem at once, grouped by kind, each with its page, visitor and width."""
    by_kind: dict[str, list[Problem]] = {}
    for problem in problems:
        by_kind.setdefault(problem.kind, []).append(problem)
    lines = [f"{len(problems)} problem(s) on the crawled pages:"]
    for kind, found in sorted(by_kind.items()):
        lines.append(f"== {kind} ({len(found)})")
        lines += [f"  {p.url} [{p.who}]\n      {p.detail}" for p in found]
    return "\n".join(lines)
