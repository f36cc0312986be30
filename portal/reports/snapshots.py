"""The council report's snapshot: every indicator's Table of a scope, computed once and
stored (JSON), so a reader waits for one row instead of two dozen country-wide aggregates.

The Tables are stored before suppression: an export suppresses the table it gives out. The
page is stored beside them as it is shown (`Page`): each indicator suppressed by the same
rules (portal/reports/suppression.py), cut to its first PAGE_ROWS rows, and its chart drawn
in every language, so a reader's request neither suppresses nor runs matplotlib.

A reader is given the stored snapshot whatever its age (the page says when it was computed):
computing the whole country's takes half a minute, longer than a request may run, and every
reader of an old one would start the same half minute again. The jobs command keeps them
fresh: the region and each municipality, the current year once an hour, a closed year once
after it ended. Only a scope never computed (or stored before the page's shape changed) is
computed on the spot, and the coordinator can refresh a scope by hand.
REPORT_SNAPSHOT_MAX_AGE 0 computes on every read instead (the tests: fresh data each time)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import case, delete, or_, select, update

from portal import clock
from portal.concurrency import dialect_insert, rows_changed
from portal.extensions import db
from portal.kept import Recent
from portal.reports import charts
from portal.reports.models import ReportRefresh, ReportSnapshot
from portal.reports.registry import INDICATORS
from portal.reports.suppression import Shown, suppress
from portal.reports.tables import (
    Chart,
    Scope,
    Table,
    Term,
    school_year_of,
    table_from_json,
    table_to_json,
)
from portal.schools.models import Municipality

JOB_EVERY = timedelta(hours=1)  # the jobs command refreshes the current year this often
CLAIM_FOR = timedelta(minutes=10)  # a queued refresh's runner, before another takes over

# Rows of one table the page shows; the export has them all (a country has thousands of
# employers, and a page of 11,000 rows helps nobody).
PAGE_ROWS = 50


@dataclass(frozen=True)
class PageView:
    """One indicator as the page shows it: suppressed as a whole, then cut to its first
    rows and its total; how many rows the whole table has; its chart (drawn from the whole
    suppressed table) by language, none for a table without a chart."""

    shown: Shown
    row_count: int
    charts: dict[str, str]


@dataclass(frozen=True)
class Page:
    views: dict[str, PageView]  # by the indicator's key, in the registry's order
    computed_at: datetime


@dataclass(frozen=True)
class Snapshot:
    """The whole Tables, for the exports (the page reads `Page`)."""

    tables: dict[str, Table]  # by the indicator's key
    computed_at: datetime
    _shown: dict[str, Shown] = field(default_factory=dict, compare=False, repr=False)

    def shown(self, key: str) -> Shown:
        """The indicator as it may be shown, suppressed once per snapshot and process (the
        rules are portal/reports/suppression.py's; only their result is kept)."""
        found = self._shown.get(key)
        if found is None:
            found = self._shown[key] = suppress(self.tables[key])
        return found


# Snapshots already read back from JSON, by scope and computed_at: an export of an unchanged
# snapshot pays one small query, not the parsing (some tables have a row per employer).
_PARSED: Recent[tuple[str, datetime], Snapshot] = Recent(size=32)
# The report page's sections as rendered for readers, per scope, snapshots, targets and
# language (reports/services.py, rendered_sections): cleared with _PARSED. A country's
# page is thousands of cells, each rendering at most a few hundred KiB (charts included).
RENDERED: Recent[tuple[Any, ...], Markup] = Recent(size=16)


def scope_key(scope: Scope) -> str:
    """"2026-region-year", "2026-12-spring": one snapshot per scope."""
    return "-".join((str(scope.school_year),
                     "region" if scope.municipality_id is None else str(scope.municipality_id),
                     scope.term.value if scope.term is not None else "year"))


def _first_rows(shown: Shown, limit: int) -> Shown:
    """The suppressed table's first `limit` rows and its total (whose position moves up)."""
    table = shown.table
    last = len(table.rows)
    if last <= limit:
        return shown
    def kept(positions: frozenset[tuple[int, int]]) -> frozenset[tuple[int, int]]:
        return frozenset((limit if i == last else i, j) for i, j in positions
                         if i < limit or i == last)

    return Shown(replace(table, rows=table.rows[:limit]), kept(shown.hidden),
                 shown.headline_hidden, kept(shown.protecting), shown.headline_protecting)


def _languages() -> tuple[str, ...]:
    return tuple(current_app.config["PORTAL_LANGUAGES"])


def _drawings(table: Table, languages: tuple[str, ...]) -> dict[str, str]:
    """The suppressed table's chart in each of the languages."""
    if table.chart is Chart.NONE:
        return {}
    found = {}
    for language in languages:
        with force_locale(language):
            found[language] = charts.drawn(table)
    return found


def _page_view(table: Table, languages: tuple[str, ...]) -> PageView:
    shown = suppress(table)
    return PageView(_first_rows(shown, PAGE_ROWS), len(table.rows),
                    _drawings(shown.table, languages))


def _page_to_json(page: Page, languages: tuple[str, ...]) -> dict[str, Any]:
    return {"page_rows": PAGE_ROWS, "languages": list(languages), "views": [
        {"table": table_to_json(view.shown.table), "hidden": sorted(view.shown.hidden),
         "protecting": sorted(view.shown.protecting),
         "headline_hidden": view.shown.headline_hidden,
         "headline_protecting": view.shown.headline_protecting, "row_count": view.row_count,
         "charts": view.charts} for view in page.views.values()]}


def _page_from_json(found: dict[str, Any], computed_at: datetime) -> Page:
    views = {}
    for view in found["views"]:
        table = table_from_json(view["table"])
        shown = Shown(table, frozenset((i, j) for i, j in view["hidden"]),
                      view["headline_hidden"], frozenset((i, j) for i, j in view["protecting"]),
                      view["headline_protecting"])
        views[table.key] = PageView(shown, view["row_count"], view["charts"])
    return Page(views, computed_at)


def _usable(page: dict[str, Any] | None, drawn: bool = True) -> bool:
    """Its page is kept (snapshots before migration 0026 have none) for every indicator the
    registry has now, with as many rows as the page shows now and, when `drawn`, with the
    charts in every language."""
    if page is None or page.get("page_rows") != PAGE_ROWS:
        return False
    if drawn and not set(_languages()) <= set(page.get("languages", ())):
        return False
    if any("protecting" not in v for v in page["views"]):
        return False  # kept before ".." told protecting cells from small ones
    return [v["table"]["key"] for v in page["views"]] == [key for key, _f, _s in INDICATORS]


def _fresh(page: dict[str, Any] | None, computed_at: datetime, scope: Scope,
           max_age: timedelta, drawn: bool = True) -> bool:
    """Usable, and computed after its scope ended (a closed year changes no more) or within
    max_age: what the jobs command leaves alone."""
    return _usable(page, drawn) and _recent(computed_at, scope, max_age)


def _recent(computed_at: datetime, scope: Scope, max_age: timedelta) -> bool:
    if clock.local(computed_at).date() > scope.last_day:
        return True
    return clock.now() - computed_at < max_age


def compute(scope: Scope, drawn: bool = True) -> tuple[Snapshot, Page]:
    """Every indicator of the scope and its page, stored in one statement (ON CONFLICT …
    DO UPDATE: two readers computing the same miss at once both succeed, the later one
    stays). Without `drawn` the page has no charts (last year's, read for its headlines
    only: a reader of that year computes it again with them).

    The indicators are read in one transaction, which ends before their charts are drawn:
    SQLite's write lock is never held while matplotlib draws, and the write opens a
    transaction of its own (nothing read in it first, so it waits its turn behind another
    writer instead of failing with "database is locked")."""
    started = time.perf_counter()
    tables = {key: function(scope) for key, function, _section in INDICATORS}
    computed_at = clock.now()
    db.session.commit()
    languages = _languages() if drawn else ()
    page = Page({key: _page_view(table, languages) for key, table in tables.items()},
                computed_at)
    table = ReportSnapshot.__table__
    stmt = dialect_insert(table).values(
        scope_key=scope_key(scope), school_year=scope.school_year,
        tables=[table_to_json(t) for t in tables.values()], page=_page_to_json(page, languages),
        computed_at=computed_at, compute_seconds=time.perf_counter() - started)
    stmt = stmt.on_conflict_do_update(
        index_elements=["scope_key"],
        set_={"tables": stmt.excluded.tables, "page": stmt.excluded.page,
              "computed_at": stmt.excluded.computed_at,
              "compute_seconds": stmt.excluded.compute_seconds})
    db.session.execute(stmt)
    db.session.commit()
    # What this process parsed before may share a scope and a moment with what it just
    # wrote (a frozen clock in tests): never read it back from the cache.
    _PARSED.clear()
    RENDERED.clear()
    return Snapshot(tables, computed_at), page


def _every_read() -> bool:
    return current_app.config["REPORT_SNAPSHOT_MAX_AGE"] <= 0


def _state(scope: Scope) -> tuple[datetime, dict[str, Any] | None] | None:
    """When the scope's snapshot was computed and its page; None when there is none. The
    Tables stay in the database (a country's are megabytes)."""
    found = db.session.execute(select(ReportSnapshot.computed_at, ReportSnapshot.page).where(
        ReportSnapshot.scope_key == scope_key(scope))).first()
    return None if found is None else (found[0], found[1])


def stamps(scopes: list[Scope]) -> tuple[datetime, ...] | None:
    """When each scope's snapshot was computed, in one small query; None when any is
    missing or every read computes (REPORT_SNAPSHOT_MAX_AGE 0)."""
    if _every_read():
        return None
    keys = [scope_key(scope) for scope in scopes]
    found = dict(db.session.execute(select(ReportSnapshot.scope_key, ReportSnapshot.computed_at)
                                    .where(ReportSnapshot.scope_key.in_(keys))).all())
    return tuple(found[key] for key in keys) if set(keys) <= set(found) else None


def _stored(scope: Scope) -> ReportSnapshot | None:
    return db.session.scalars(select(ReportSnapshot).where(
        ReportSnapshot.scope_key == scope_key(scope))).first()


def read_page(scope: Scope, drawn: bool = True) -> Page:
    """The report page of the scope: the stored one, however old, else computed now. One
    row read and a page's worth of JSON parsed; nothing suppressed, nothing drawn. Without
    `drawn` a page without charts will do (for last year's headlines)."""
    if _every_read():
        return compute(scope, drawn)[1]
    found = _state(scope)
    if found is None or not _usable(found[1], drawn):
        return compute(scope, drawn)[1]
    computed_at, page = found
    assert page is not None  # _usable
    return _page_from_json(page, computed_at)


def read(scope: Scope) -> Snapshot:
    """The scope's whole Tables (for an export): the stored snapshot, however old, else
    computed now."""
    if _every_read():
        return compute(scope)[0]
    key = scope_key(scope)
    computed_at = db.session.scalar(select(ReportSnapshot.computed_at).where(
        ReportSnapshot.scope_key == key))
    parsed = _PARSED.get((key, computed_at)) if computed_at is not None else None
    if parsed is not None:
        return parsed
    found = _stored(scope)
    if found is None or not _usable(found.page):
        return compute(scope)[0]
    parsed = Snapshot({t["key"]: table_from_json(t) for t in found.tables}, found.computed_at)
    _PARSED.put((key, found.computed_at), parsed)
    return parsed


def job_scopes() -> list[Scope]:
    """The scopes the jobs command keeps: the region and each municipality, this school
    year and the one before (last year's column of the report)."""
    current = school_year_of(clock.today())
    ids: list[int | None] = [None, *db.session.scalars(select(Municipality.id)
                                                       .order_by(Municipality.id))]
    return [Scope(year, municipality_id) for year in (current, current - 1)
            for municipality_id in ids]


def refresh_due() -> int:
    """The jobs command's step: compute the snapshots that are missing, of the current year
    older than an hour, of a closed year computed before it ended. Idempotent: a second run
    finds them fresh and does nothing (two runs at the very same moment may both compute a
    scope; both succeed, the later stays). Returns how many it computed."""
    done = 0
    for scope in job_scopes():
        found = _state(scope)
        if found is None or not _fresh(found[1], found[0], scope, JOB_EVERY):
            compute(scope)
            done += 1
        else:
            db.session.rollback()
    return done


def compute_seconds(scope: Scope) -> float | None:
    """How long the scope's stored snapshot took to compute; None without one."""
    return db.session.scalar(select(ReportSnapshot.compute_seconds).where(
        ReportSnapshot.scope_key == scope_key(scope)))


def request_refresh(scope: Scope) -> None:
    """Queue the scope for the jobs command, whose next round computes it. Asked twice,
    even at the same moment, it is queued once; asked again while it waits, the later
    moment counts (see refresh_requested), never an earlier one (servers' clocks differ)."""
    table = ReportRefresh.__table__
    stmt = dialect_insert(table).values(
        scope_key=scope_key(scope), school_year=scope.school_year,
        municipality_id=scope.municipality_id,
        term=scope.term.value if scope.term is not None else None, requested_at=clock.now())
    later = case((stmt.excluded.requested_at > table.c.requested_at,
                  stmt.excluded.requested_at), else_=table.c.requested_at)
    db.session.execute(stmt.on_conflict_do_update(index_elements=["scope_key"],
                                                  set_={"requested_at": later}))
    db.session.commit()


def refresh_requested_at(scope: Scope) -> datetime | None:
    """When the scope's queued refresh was asked for; None when none waits."""
    return db.session.scalar(select(ReportRefresh.requested_at).where(
        ReportRefresh.scope_key == scope_key(scope)))


def refresh_requested() -> int:
    """The jobs command's step before refresh_due: each queued scope computed, oldest
    request first, by the one runner that claims it (several servers run the jobs; a claim
    older than CLAIM_FOR is taken over), and its request removed, unless it was asked for
    again while being computed (the figures may predate that request): the next round
    computes it again. Returns how many it computed."""
    queued = db.session.execute(select(
        ReportRefresh.scope_key, ReportRefresh.requested_at, ReportRefresh.school_year,
        ReportRefresh.municipality_id, ReportRefresh.term)
        .order_by(ReportRefresh.requested_at)).all()
    db.session.rollback()
    return sum(_computed(row) for row in queued if _claimed(row.scope_key))


def _claimed(key: str) -> bool:
    now = clock.now()
    won = rows_changed(db.session.execute(update(ReportRefresh).where(
        ReportRefresh.scope_key == key,
        or_(ReportRefresh.claimed_at.is_(None), ReportRefresh.claimed_at < now - CLAIM_FOR))
        .values(claimed_at=now))) == 1
    db.session.commit()
    return won


def _computed(row: Any) -> bool:
    done = True
    try:
        compute(Scope(row.school_year, row.municipality_id,
                      Term(row.term) if row.term is not None else None))
    except Exception:  # noqa: BLE001 - one failing scope must not block the rest
        # Given up, not retried every minute: refresh_due recomputes it within the hour
        # and says so if it fails again; the page stops saying it is on its way.
        db.session.rollback()
        current_app.logger.exception("report refresh of %s failed", row.scope_key)
        done = False
    db.session.execute(delete(ReportRefresh).where(
        ReportRefresh.scope_key == row.scope_key,
        ReportRefresh.requested_at <= row.requested_at))
    db.session.execute(update(ReportRefresh).where(ReportRefresh.scope_key == row.scope_key)
                       .values(claimed_at=None))  # asked again meanwhile: the next round
    db.session.commit()
    return done
