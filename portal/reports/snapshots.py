"""The council report's snapshot: every indicator's Table of a scope, computed once and
stored (JSON), so a reader waits for one row instead of two dozen country-wide aggregates.

Stored before suppression: the page and the exports suppress what they show, so the privacy
rules stay in portal/reports/suppression.py alone. A snapshot of the current school year
is read while younger than REPORT_SNAPSHOT_MAX_AGE (0: computed on every read, as in the
tests); one of a closed year once computed after the year ended, for good. A miss is
computed on the spot; the jobs command refreshes the region and each municipality (at most
once an hour for the current year, once for a closed one), and the coordinator can refresh
a scope by hand."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from portal import clock
from portal.concurrency import dialect_insert, write_first
from portal.extensions import db
from portal.reports.models import ReportSnapshot
from portal.reports.registry import INDICATORS
from portal.reports.suppression import Shown, suppress
from portal.reports.tables import Scope, Table, school_year_of, table_from_json, table_to_json
from portal.schools.models import Municipality

JOB_EVERY = timedelta(hours=1)  # the jobs command refreshes the current year this often


@dataclass(frozen=True)
class Snapshot:
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


# Snapshots already read back from JSON, by scope and computed_at: a reader of an unchanged
# snapshot pays one small query, not the parsing (some tables have a row per employer).
_PARSED: OrderedDict[tuple[str, datetime], Snapshot] = OrderedDict()
_PARSED_MAX = 32


def scope_key(scope: Scope) -> str:
    """"2026-region-year", "2026-12-spring": one snapshot per scope."""
    return "-".join((str(scope.school_year),
                     "region" if scope.municipality_id is None else str(scope.municipality_id),
                     scope.term.value if scope.term is not None else "year"))


def _fresh(found: ReportSnapshot, scope: Scope, max_age: timedelta) -> bool:
    """Usable as it is: it holds every indicator the registry has now, and it was computed
    after its scope ended (a closed year changes no more) or within max_age."""
    if [t.get("key") for t in found.tables] != [key for key, _f, _s in INDICATORS]:
        return False
    return _recent(found.computed_at, scope, max_age)


def _recent(computed_at: datetime, scope: Scope, max_age: timedelta) -> bool:
    if clock.local(computed_at).date() > scope.last_day:
        return True
    return clock.now() - computed_at < max_age


def compute(scope: Scope) -> Snapshot:
    """Every indicator of the scope, stored in one statement (ON CONFLICT … DO UPDATE: two
    readers computing the same miss at once both succeed, the later one stays)."""
    write_first(ReportSnapshot.__table__)
    return _compute(scope)


def _compute(scope: Scope) -> Snapshot:
    """compute() inside a transaction that already holds SQLite's write lock: reading two
    dozen aggregates and then writing would otherwise fail there beside another writer."""
    tables = {key: function(scope) for key, function, _section in INDICATORS}
    computed_at = clock.now()
    table = ReportSnapshot.__table__
    stmt = dialect_insert(table).values(
        scope_key=scope_key(scope), school_year=scope.school_year,
        tables=[table_to_json(t) for t in tables.values()], computed_at=computed_at)
    stmt = stmt.on_conflict_do_update(
        index_elements=["scope_key"],
        set_={"tables": stmt.excluded.tables, "computed_at": stmt.excluded.computed_at})
    db.session.execute(stmt)
    db.session.commit()
    # What this process parsed before may share a scope and a moment with what it just
    # wrote (a frozen clock in tests): never read it back from the cache.
    _PARSED.clear()
    return Snapshot(tables, computed_at)


def _stored(scope: Scope) -> ReportSnapshot | None:
    return db.session.scalars(select(ReportSnapshot).where(
        ReportSnapshot.scope_key == scope_key(scope))).first()


def read(scope: Scope) -> Snapshot:
    """The scope's Tables: the stored snapshot while fresh, else computed now."""
    max_age = timedelta(seconds=current_app.config["REPORT_SNAPSHOT_MAX_AGE"])
    if max_age <= timedelta(0):
        return compute(scope)
    key = scope_key(scope)
    computed_at = db.session.scalar(select(ReportSnapshot.computed_at).where(
        ReportSnapshot.scope_key == key))
    parsed = _PARSED.get((key, computed_at)) if computed_at is not None else None
    if parsed is not None and _recent(parsed.computed_at, scope, max_age):
        return parsed
    found = _stored(scope)
    if found is None or not _fresh(found, scope, max_age):
        return compute(scope)
    parsed = Snapshot({t["key"]: table_from_json(t) for t in found.tables}, found.computed_at)
    _PARSED[key, found.computed_at] = parsed
    while len(_PARSED) > _PARSED_MAX:
        _PARSED.popitem(last=False)
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
    finds them fresh and does nothing. Returns how many it computed."""
    done = 0
    for scope in job_scopes():
        write_first(ReportSnapshot.__table__)  # two runs at once: the second finds it fresh
        found = _stored(scope)
        if found is None or not _fresh(found, scope, JOB_EVERY):
            _compute(scope)
            done += 1
        else:
            db.session.rollback()
    return done
