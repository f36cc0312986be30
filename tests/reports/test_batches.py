"""A school year's report counts every municipality of a term in one grouped query per
indicator (portal/reports/scope.py, `Batch`): each municipality gets from it exactly what it
gets alone, and the number of queries does not grow with the municipalities (a country has
290, each with both terms and the year)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import event

from portal.extensions import db as _db
from portal.reports import snapshots
from portal.reports.registry import INDICATORS
from portal.reports.scope import Batch, year_batches
from portal.reports.tables import Scope, Term

# The demo's spring: the autumn's prao is over and evaluated, the spring's under way.
WEDNESDAY = datetime(2027, 5, 5, 9, 30)
YEAR = 2026


def _seed(app) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output


def test_each_municipality_gets_from_the_batch_what_it_gets_alone(app, db, set_clock):
    set_clock(WEDNESDAY)
    _seed(app)
    scopes = snapshots.school_year_scopes(YEAR)
    municipalities = {s.municipality_id for s in scopes if s.municipality_id is not None}
    assert len(municipalities) >= 2
    batches = year_batches(scopes)
    # The region and the municipalities, for the year and each term.
    assert len(batches) == 6 and sum(len(b.scopes) for b in batches) == len(scopes)
    for batch in batches:
        for key, function, _section in INDICATORS:
            together = function.each(batch)
            assert list(together) == batch.scopes, key
            for scope in batch.scopes:
                assert together[scope] == function(scope), (key, scope)


def test_the_municipalities_figures_differ_so_a_mixup_would_show(app, db, set_clock):
    """The comparison above could not fail if every municipality's tables were alike."""
    set_clock(WEDNESDAY)
    _seed(app)
    ids = sorted(s.municipality_id for s in snapshots.school_year_scopes(YEAR)
                 if s.municipality_id is not None and s.term is None)
    coverage = next(f for key, f, _s in INDICATORS if key == "coverage")
    found = coverage.each(Batch(YEAR, None, tuple(ids)))
    rows = [found[Scope(YEAR, m)].rows for m in ids]
    assert all(rows) and len({r for found_rows in rows for r in found_rows}) == sum(
        len(r) for r in rows)  # each municipality its own schools


def _queries(batch: Batch) -> int:
    count = [0]

    def counted(*_args: object) -> None:
        count[0] += 1

    event.listen(_db.engine, "before_cursor_execute", counted)
    try:
        for _key, function, _section in INDICATORS:
            function.each(batch)
    finally:
        event.remove(_db.engine, "before_cursor_execute", counted)
    return count[0]


def test_a_batch_of_every_municipality_takes_as_many_queries_as_one(app, db, set_clock):
    set_clock(WEDNESDAY)
    _seed(app)
    ids = tuple(sorted({s.municipality_id for s in snapshots.school_year_scopes(YEAR)
                        if s.municipality_id is not None}))
    one = _queries(Batch(YEAR, Term.AUTUMN, ids[:1]))
    every = _queries(Batch(YEAR, Term.AUTUMN, ids))
    assert one == every
    # Two dozen indicators, a few queries each: not one set per municipality.
    assert every < 3 * len(INDICATORS)
