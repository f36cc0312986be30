"""A school year's report counts every municipality of a term in one grouped query per
indicator (portal/reports/scope.py, `Batch`): each municipality gets from it exactly what it
gets alone, and the number of queries does not grow with the municipalities (a country has
290, each with both terms and the year). An indicator that does not read its batch's dates
counts the whole year (the region and the municipalities, the year and both terms) in one
batch (`YearBatch`), again exactly what each scope gets alone."""

from __future__ import annotations

from collections.abc import Callable

from portal.extensions import db as _db
from portal.reports import snapshots
from portal.reports.registry import INDICATORS
from portal.reports.scope import Batch, YearBatch, year_batches
from portal.reports.tables import Scope, Term
from tests.conftest import DEMO_MOMENT, statements_sent

# The demo's spring, when demo_db's region was seeded: the autumn's prao is over and
# evaluated, the spring's under way.
WEDNESDAY = DEMO_MOMENT
YEAR = 2026


def test_each_municipality_gets_from_the_batch_what_it_gets_alone(demo_db, set_clock):
    set_clock(WEDNESDAY)
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


def test_each_scope_gets_from_the_years_batch_what_it_gets_alone(demo_db, set_clock):
    set_clock(WEDNESDAY)
    scopes = snapshots.school_year_scopes(YEAR)
    assert {s.term for s in scopes} == {None, *Term} and len(scopes) >= 9
    dated = {key for key, function, _section in INDICATORS if function.dated}
    assert dated == {"seats_per_sector", "seats_per_week", "employers"}
    for key, function, _section in INDICATORS:
        together = function.of_year(scopes)
        assert sorted(together, key=scopes.index) == scopes, key
        for scope in scopes:
            assert together[scope] == function(scope), (key, scope)


def test_a_years_batch_differs_by_term_so_a_mixup_would_show(demo_db, set_clock):
    """The autumn's, the spring's and the year's coverage are each their own."""
    set_clock(WEDNESDAY)
    scopes = snapshots.school_year_scopes(YEAR)
    coverage = next(f for key, f, _s in INDICATORS if key == "coverage")
    found = coverage.each(YearBatch.of_year(scopes))
    region = [found[Scope(YEAR, None, term)] for term in (None, *Term)]
    assert len({table.rows for table in region}) == 3
    with_pupils = [t for t in region if t.total is not None and t.total.cells[0].value]
    assert len(with_pupils) == 3


def test_the_municipalities_figures_differ_so_a_mixup_would_show(demo_db, set_clock):
    """The comparison above could not fail if every municipality's tables were alike."""
    set_clock(WEDNESDAY)
    ids = sorted(s.municipality_id for s in snapshots.school_year_scopes(YEAR)
                 if s.municipality_id is not None and s.term is None)
    coverage = next(f for key, f, _s in INDICATORS if key == "coverage")
    found = coverage.each(Batch(YEAR, None, tuple(ids)))
    rows = [found[Scope(YEAR, m)].rows for m in ids]
    assert all(rows) and len({r for found_rows in rows for r in found_rows}) == sum(
        len(r) for r in rows)  # each municipality its own schools


def _statements(run: Callable[[], object]) -> int:
    """How many statements `run` sends to the database."""
    with statements_sent(_db.engine) as sent:
        run()
    return len(sent)


def _queries(batch: Batch) -> int:
    return _statements(lambda: [function.each(batch) for _key, function, _s in INDICATORS])


def test_a_batch_of_every_municipality_takes_as_many_queries_as_one(demo_db, set_clock):
    set_clock(WEDNESDAY)
    ids = tuple(sorted({s.municipality_id for s in snapshots.school_year_scopes(YEAR)
                        if s.municipality_id is not None}))
    one = _queries(Batch(YEAR, Term.AUTUMN, ids[:1]))
    every = _queries(Batch(YEAR, Term.AUTUMN, ids))
    assert one == every
    # Two dozen indicators, a few queries each: not one set per municipality.
    assert every < 3 * len(INDICATORS)


def test_a_years_report_takes_less_than_half_the_queries_of_its_six_batches(demo_db,
                                                                           set_clock):
    """One batch for the whole year (the dated indicators term by term), where each term's
    region and municipalities took a batch each."""
    set_clock(WEDNESDAY)
    scopes = snapshots.school_year_scopes(YEAR)
    whole_year = _statements(
        lambda: [function.of_year(scopes) for _key, function, _s in INDICATORS])
    term_by_term = sum(_queries(batch) for batch in year_batches(scopes))
    assert 0 < whole_year * 2 < term_by_term, (whole_year, term_by_term)
