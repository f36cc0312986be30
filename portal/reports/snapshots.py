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
from sqlalchemy import ColumnElement, case, delete, or_, select, update

from portal import clock
from portal.concurrency import dialect_insert, rows_changed
from portal.extensions import db
from portal.kept import Recent
from portal.reports import charts
from portal.reports.bounds import Bound, headline_bound
from portal.reports.models import ReportRefresh, ReportSnapshot, ReportYearClaim
from portal.reports.registry import INDICATORS, settled
from portal.reports.suppression import Positions, Shown, Sum, shown_as, suppress_report
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
from portal.texts import language as reader_language

JOB_EVERY = timedelta(hours=1)  # the jobs command refreshes the current year this often
CLAIM_FOR = timedelta(minutes=10)  # a queued refresh's runner, before another takes over
# A runner computing a school year for the job, before another takes over (it may have died):
# six times a country's year on a quiet machine (283 s). A runner that died holds the year
# up for at most half an hour; a slow one taken over only costs the work twice (both writes
# succeed, the later stays).
YEAR_CLAIM_FOR = timedelta(minutes=30)

# Rows of one table the page shows; the export has them all (a country has thousands of
# employers, and a page of 11,000 rows helps nobody).
PAGE_ROWS = 50
# What a stored page means, raised when that changes: a page of another shape is computed
# again (2: a share hidden for the few outside it reads "..", not "<5"; headlines may
# carry a label of their own; 3: a share is hidden with the counts of its row it is
# computed from, and the stored columns say which those are; 4: the spread between schools
# is taken over the rates shown after the school year's joint suppression, its table in
# whole percentage points; 5: a hidden headline carries the range its table's shown cells
# leave for it, and the incidents of a scope where no prao has begun count nobody; 6: figures
# of the same pupils are hidden together across the indicators, and an average wherever its
# distribution has a hidden count).
PAGE_SHAPE = 6


@dataclass(frozen=True)
class PageView:
    """One indicator as the page shows it: suppressed as a whole, then cut to its first
    rows and its total; how many rows the whole table has; its chart (drawn from the whole
    suppressed table) by language, none for a table without a chart."""

    shown: Shown
    row_count: int
    charts: dict[str, str]
    # A hidden headline's range, from the whole suppressed table's shown cells (the page's
    # first rows are not enough): bounds.headline_bound.
    bound: Bound | None = None


@dataclass(frozen=True)
class Page:
    views: dict[str, PageView]  # by the indicator's key, in the registry's order
    computed_at: datetime


@dataclass(frozen=True)
class Snapshot:
    """The whole Tables, for the exports (the page reads `Page`), and which of their cells
    are hidden: decided with the school year's other scopes (see compute)."""

    tables: dict[str, Table]  # by the indicator's key
    computed_at: datetime
    hidden: dict[str, Positions] = field(compare=False, repr=False)  # by the indicator's key
    _shown: dict[str, Shown] = field(default_factory=dict, compare=False, repr=False)

    def shown(self, key: str) -> Shown:
        """The indicator as it may be shown, scrubbed once per snapshot and process."""
        found = self._shown.get(key)
        if found is None:
            found = self._shown[key] = shown_as(self.tables[key], *self.hidden[key])
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
    """The suppressed table's chart in each of the languages; none where it would show
    nothing (every cell hidden)."""
    if table.chart is Chart.NONE or not charts.has_values(table):
        return {}
    found = {}
    for language in languages:
        with force_locale(language):
            found[language] = charts.drawn(table)
    return found


def _page_view(shown: Shown, languages: tuple[str, ...]) -> PageView:
    return PageView(_first_rows(shown, PAGE_ROWS), len(shown.table.rows),
                    _drawings(shown.table, languages), headline_bound(shown))


def _page_to_json(page: Page, languages: tuple[str, ...],
                  whole: dict[str, Shown]) -> dict[str, Any]:
    """The page, and for each indicator the hidden cells of its whole table (`whole`), which
    the export scrubs by."""
    return {"page_rows": PAGE_ROWS, "shape": PAGE_SHAPE, "languages": list(languages),
            "views": [
        {"table": table_to_json(view.shown.table), "hidden": sorted(view.shown.hidden),
         "protecting": sorted(view.shown.protecting),
         "headline_hidden": view.shown.headline_hidden,
         "headline_protecting": view.shown.headline_protecting, "row_count": view.row_count,
         "charts": view.charts, "whole_hidden": sorted(whole[key].hidden),
         "bound": None if view.bound is None else [view.bound.low, view.bound.high],
         "whole_protecting": sorted(whole[key].protecting)}
        for key, view in page.views.items()]}


def _page_from_json(found: dict[str, Any], computed_at: datetime) -> Page:
    views = {}
    for view in found["views"]:
        table = table_from_json(view["table"])
        shown = Shown(table, frozenset((i, j) for i, j in view["hidden"]),
                      view["headline_hidden"], frozenset((i, j) for i, j in view["protecting"]),
                      view["headline_protecting"])
        bound = view.get("bound")
        views[table.key] = PageView(shown, view["row_count"], view["charts"],
                                    None if bound is None else Bound(*bound))
    return Page(views, computed_at)


def _whole_hidden(found: dict[str, Any]) -> dict[str, Positions]:
    """Each indicator's hidden and protecting cells of its whole table, from a stored page."""
    return {view["table"]["key"]: (frozenset((i, j) for i, j in view["whole_hidden"]),
                                   frozenset((i, j) for i, j in view["whole_protecting"]))
            for view in found["views"]}


def _usable(page: dict[str, Any] | None, drawn: bool = True) -> bool:
    """Its page is kept (snapshots before migration 0026 have none) for every indicator the
    registry has now, with as many rows as the page shows now and, when `drawn`, with the
    charts in every language."""
    if page is None or page.get("page_rows") != PAGE_ROWS:
        return False
    if page.get("shape") != PAGE_SHAPE:
        return False  # its marks (or headlines) read as they no longer do
    if drawn and not _drawn(page):
        return False
    if any("protecting" not in v for v in page["views"]):
        return False  # kept before ".." told protecting cells from small ones
    if any("whole_hidden" not in v for v in page["views"]):
        return False  # suppressed on its own, before the school year's scopes were together
    return [v["table"]["key"] for v in page["views"]] == [key for key, _f, _s in INDICATORS]


def _drawn(page: dict[str, Any]) -> bool:
    return set(_languages()) <= set(page.get("languages", ()))


def _fresh(page: dict[str, Any] | None, computed_at: datetime, scope: Scope,
           max_age: timedelta, drawn: bool = True) -> bool:
    """Usable, and computed after its scope ended (a closed year changes no more) or within
    max_age: what the jobs command leaves alone."""
    return _usable(page, drawn) and _recent(computed_at, scope, max_age)


def _recent(computed_at: datetime, scope: Scope, max_age: timedelta) -> bool:
    if clock.local(computed_at).date() > scope.last_day:
        return True
    return clock.now() - computed_at < max_age


def kept_fresh(scope: Scope) -> bool:
    """The scope's snapshot is stored, drawn and as fresh as the jobs command keeps it (an
    hour for the current school year): what a reader would be shown without a computation."""
    found = _state(scope)
    return found is not None and _fresh(found[1], found[0], scope, JOB_EVERY)


def school_year_scopes(school_year: int, also: Scope | None = None) -> list[Scope]:
    """Every scope of a school year a reader may put side by side: the region and each
    municipality, each for the whole year and for either term (and `also`, a scope of a
    municipality no longer in the list)."""
    ids: list[int | None] = [None, *db.session.scalars(select(Municipality.id)
                                                       .order_by(Municipality.id))]
    scopes = [Scope(school_year, m, t) for m in ids for t in (None, *Term)]
    return scopes if also is None or also in scopes else [*scopes, also]


def _sums(scopes: list[Scope]) -> list[Sum]:
    """How the scopes' tables add up: each term's (and the year's) region is the sum of the
    municipalities, each place's year the sum of its terms."""
    index = {scope: k for k, scope in enumerate(scopes)}
    sums = []
    for term in (None, *Term):
        region = index.get(Scope(scopes[0].school_year, None, term))
        parts = tuple(k for scope, k in index.items()
                      if scope.term is term and scope.municipality_id is not None)
        if region is not None and parts:
            sums.append(Sum(region, parts))
    for scope, k in index.items():
        if scope.term is None:
            terms = tuple(index.get(replace(scope, term=term)) for term in Term)
            if None not in terms:
                sums.append(Sum(k, tuple(t for t in terms if t is not None)))
    return sums


def compute(scope: Scope, drawn: bool = True,
            languages: tuple[str, ...] | None = None) -> tuple[Snapshot, Page]:
    """The scope's snapshot and page, computed with every other scope of its school year
    (compute_year): the scope's charts drawn unless not `drawn`, in `languages` (every
    language by default)."""
    return compute_year(scope.school_year, {scope} if drawn else set(), also=scope,
                        languages=languages)[scope]


def compute_year(school_year: int, drawn: set[Scope], also: Scope | None = None,
                 languages: tuple[str, ...] | None = None,
                 ) -> dict[Scope, tuple[Snapshot, Page]]:
    """Every indicator of every scope of the school year (school_year_scopes), suppressed
    together: the region's cells are its municipalities' added up and a year's are its
    terms', so a cell hidden in one scope would otherwise be worked out from the others
    (the region's count minus Piteå's is Luleå's); and the indicators of a scope together,
    where one's figures give another's hidden count back (suppression.suppress_report).
    Stored in one statement (ON CONFLICT … DO UPDATE: two readers computing the same
    miss at once both succeed, the later one stays), all at the same moment, so that no
    reader puts side by side scopes suppressed apart. The pages of the scopes in `drawn`
    have their charts in every language; the others' are drawn by their first reader
    (read_page).

    The indicators are read in one transaction, which ends before their charts are drawn:
    SQLite's write lock is never held while matplotlib draws, and the write opens a
    transaction of its own (nothing read in it first, so it waits its turn behind another
    writer instead of failing with "database is locked")."""
    started = time.perf_counter()
    scopes = school_year_scopes(school_year, also)
    tables: dict[Scope, dict[str, Table]] = {scope: {} for scope in scopes}
    for key, function, _section in INDICATORS:
        for scope, found in function.of_year(scopes).items():
            tables[scope][key] = found
    computed_at = clock.now()
    db.session.commit()
    sums = _sums(scopes)
    shown = dict(zip(scopes, suppress_report([tables[scope] for scope in scopes], sums),
                     strict=True))
    for scope in scopes:
        # Joint suppression may hide more than an indicator alone did: what is taken from
        # another table's cells (the spread between schools) is taken again from them as
        # shown, with the hidden cells decided above.
        for key, again in settled(tables[scope], shown[scope]).items():
            tables[scope][key] = again
            shown[scope][key] = shown_as(again, shown[scope][key].hidden,
                                         shown[scope][key].protecting)
    done, rows = {}, []
    for scope in scopes:
        every = _languages() if languages is None else languages
        drawn_in = every if scope in drawn else ()
        page = Page({key: _page_view(one, drawn_in) for key, one in shown[scope].items()},
                    computed_at)
        hidden = {key: (one.hidden, one.protecting) for key, one in shown[scope].items()}
        done[scope] = (Snapshot(tables[scope], computed_at, hidden), page)
        rows.append({"scope_key": scope_key(scope), "school_year": scope.school_year,
                     "tables": [table_to_json(t) for t in tables[scope].values()],
                     "page": _page_to_json(page, drawn_in, shown[scope]),
                     "computed_at": computed_at})
    took = time.perf_counter() - started
    table = ReportSnapshot.__table__
    stmt = dialect_insert(table).values([{**row, "compute_seconds": took} for row in rows])
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
    return done


def _draw(scope: Scope, computed_at: datetime) -> dict[str, Any] | None:
    """The charts of a scope stored without them (computed with another scope of its
    year), drawn from its stored Tables and hidden cells and kept with its page; None when
    it was computed again meanwhile (the caller computes)."""
    found = _stored(scope)
    if found is None or found.computed_at != computed_at or not _usable(found.page, False):
        return None
    assert found.page is not None  # _usable
    stored, tables = found.page, found.tables
    db.session.rollback()  # no transaction held open while matplotlib draws
    hidden = _whole_hidden(stored)
    languages = _languages()
    charts_of = {t["key"]: _drawings(shown_as(table_from_json(t), *hidden[t["key"]]).table,
                                     languages) for t in tables}
    page = {**stored, "languages": list(languages),
            "views": [{**view, "charts": charts_of[view["table"]["key"]]}
                      for view in stored["views"]]}
    db.session.execute(update(ReportSnapshot).where(
        ReportSnapshot.scope_key == scope_key(scope),
        ReportSnapshot.computed_at == computed_at).values(page=page))
    db.session.commit()
    return page


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
    """The report page of the scope: the stored one, however old, else computed now (with
    its school year's other scopes). One row read and a page's worth of JSON parsed;
    nothing suppressed, and nothing drawn but the charts of a scope computed with another
    and not read since. Without `drawn` a page without charts will do (for last year's
    headlines)."""
    if _every_read():
        # Nobody reads the stored page again: its charts are drawn for this reader only.
        return compute(scope, drawn, (reader_language(),))[1]
    found = _state(scope)
    if found is None or not _usable(found[1], False):
        return compute(scope, drawn)[1]
    computed_at, page = found
    assert page is not None  # _usable
    if drawn and not _drawn(page):
        page = _draw(scope, computed_at)
        if page is None:
            return compute(scope, drawn)[1]
    return _page_from_json(page, computed_at)


def read(scope: Scope) -> Snapshot:
    """The scope's whole Tables (for an export): the stored snapshot, however old, else
    computed now (with its school year's other scopes)."""
    if _every_read():
        return compute(scope, drawn=False)[0]  # an export has no charts
    key = scope_key(scope)
    computed_at = db.session.scalar(select(ReportSnapshot.computed_at).where(
        ReportSnapshot.scope_key == key))
    parsed = _PARSED.get((key, computed_at)) if computed_at is not None else None
    if parsed is not None:
        return parsed
    found = _stored(scope)
    if found is None or not _usable(found.page, False):
        return compute(scope)[0]
    assert found.page is not None  # _usable
    parsed = Snapshot({t["key"]: table_from_json(t) for t in found.tables}, found.computed_at,
                      _whole_hidden(found.page))
    _PARSED.put((key, found.computed_at), parsed)
    return parsed


def job_scopes() -> list[Scope]:
    """The scopes the jobs command keeps: the region and each municipality, this school
    year and the one before (last year's column of the report). Their terms are computed
    with them (compute_year), their charts drawn by their first reader."""
    current = school_year_of(clock.today())
    ids: list[int | None] = [None, *db.session.scalars(select(Municipality.id)
                                                       .order_by(Municipality.id))]
    return [Scope(year, municipality_id) for year in (current, current - 1)
            for municipality_id in ids]


def refresh_due() -> int:
    """The jobs command's step: compute the school years of which a snapshot is missing,
    of the current year older than an hour, of a closed year computed before it ended
    (every scope of a year at once, see compute_year). Idempotent: a second run finds them
    fresh and does nothing (two runs at the very same moment may both compute a year;
    both succeed, the later stays). The charts of a fresh one computed with another scope
    (a reader's miss, a coordinator's refresh) are drawn. Returns how many of job_scopes it
    computed."""
    due: dict[int, list[Scope]] = {}
    undrawn = []
    for scope in job_scopes():
        found = _state(scope)
        if found is None or not _fresh(found[1], found[0], scope, JOB_EVERY, drawn=False):
            due.setdefault(scope.school_year, []).append(scope)
        elif not _drawn(found[1] or {}):
            undrawn.append((scope, found[0]))  # computed with another scope: charts only
        db.session.rollback()
    for year in list(due):
        claimed_at = _claim_year(year)
        if claimed_at is None:
            del due[year]  # another runner is computing it
            continue
        try:
            compute_year(year, {scope for scope in job_scopes() if scope.school_year == year})
        finally:
            db.session.rollback()
            _release_year(year, claimed_at)
    for scope, computed_at in undrawn:
        if scope.school_year not in due:
            _draw(scope, computed_at)
    return sum(len(scopes) for scopes in due.values())


def _claim_year(year: int) -> datetime | None:
    """This runner's claim on computing the year (its row made the first time): the moment
    it claimed, None when another runner holds the year."""
    db.session.execute(dialect_insert(ReportYearClaim.__table__).values(school_year=year)
                       .on_conflict_do_nothing(index_elements=["school_year"]))
    return _lease(ReportYearClaim, ReportYearClaim.school_year == year, YEAR_CLAIM_FOR)


def _release_year(year: int, claimed_at: datetime) -> None:
    """Give the claim back, unless another runner took it over meanwhile (this one was
    slower than YEAR_CLAIM_FOR): its claim stays until it is done."""
    db.session.execute(update(ReportYearClaim).where(ReportYearClaim.school_year == year,
                                                     ReportYearClaim.claimed_at == claimed_at)
                       .values(claimed_at=None).execution_options(synchronize_session=False))
    db.session.commit()


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
    return _lease(ReportRefresh, ReportRefresh.scope_key == key, CLAIM_FOR) is not None


def _lease(model: type[ReportRefresh] | type[ReportYearClaim], row: ColumnElement[bool],
           lasts: timedelta) -> datetime | None:
    """Claim the row for this runner (committed at once), unless another runner holds a
    claim younger than `lasts`: of two runners at once, PostgreSQL makes the second wait
    for the first's commit and then finds the claim taken. The claim's moment, or None."""
    now = clock.now()
    won = rows_changed(db.session.execute(
        update(model).where(row, or_(model.claimed_at.is_(None),
                                     model.claimed_at < now - lasts))
        .values(claimed_at=now).execution_options(synchronize_session=False))) == 1
    db.session.commit()
    return now if won else None


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
