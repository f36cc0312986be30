"""Equity between schools on a hand-made region: school A1 (six pupils and an exempt one),
school A2 (five pupils, all placed on their first wish) in municipality A, school B1 (two
pupils) in municipality B, and last year's unplaced pupils at A1 that no 2026/27 report
counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from portal.prao.models import AssignmentSource, AssignmentState
from portal.reports.indicators import equity
from portal.reports.suppression import suppress
from portal.reports.tables import Cell, Scope, Term, Unit
from portal.schools.gender import Gender
from portal.schools.models import EnrolmentState
from tests import factories
from tests.reports.market_data import (
    LAST_YEAR,
    SPRING,
    counted_queries,
    figures,
    offer,
    period,
    place,
    pupil,
    shares,
)

W11, W12 = date(2027, 3, 15), date(2027, 3, 22)
GIRL = Gender.GIRL
OWN = AssignmentSource.OWN


@dataclass
class Region:
    municipality_a: Any
    municipality_b: Any
    schools: dict[str, Any]
    spring: dict[str, Any]


def _own_placement() -> Any:
    return factories.PlacementFactory(sector="sales")


@pytest.fixture
def region(db) -> Region:
    mun_a = factories.MunicipalityFactory(name="Luleå", code="2580")
    mun_b = factories.MunicipalityFactory(name="Piteå", code="2581")
    schools = {"A1": factories.SchoolFactory(name="Skola A1", municipality=mun_a),
               "A2": factories.SchoolFactory(name="Skola A2", municipality=mun_a),
               "B1": factories.SchoolFactory(name="Skola B1", municipality=mun_b)}
    spring = {name: period(school, SPRING) for name, school in schools.items()}
    o1, o2 = offer("hospitality", W11, W12, seats=9), offer("health", W11, W12, seats=9)

    a1 = spring["A1"]
    place(pupil(a1, GIRL, o1), o1)  # on the first wish
    place(pupil(a1, GIRL, o1), o1)  # on the first wish
    place(pupil(a1, GIRL, o1, o2), o2)  # on the second wish
    place(pupil(a1, GIRL, o2), placement=_own_placement(), source=OWN)  # own network
    place(pupil(a1, GIRL, o2), o2, state=AssignmentState.DECLINED)  # declined: unplaced
    pupil(a1, GIRL)  # no wish, unplaced
    pupil(a1, GIRL, state=EnrolmentState.EXEMPT)  # not counted at all
    for _ in range(5):
        place(pupil(spring["A2"], GIRL, o2, o1), o2)
    place(pupil(spring["B1"], GIRL), placement=_own_placement(), source=OWN)
    pupil(spring["B1"], GIRL, o1)
    last_year = period(schools["A1"], LAST_YEAR)
    for _ in range(3):
        pupil(last_year, GIRL)
    db.session.commit()
    return Region(mun_a, mun_b, schools, spring)


def key(region: Region, name: str) -> str:
    return str(region.schools[name].id)


def test_rates_per_school_and_their_spread(region):
    table = equity.per_school(Scope(2026))

    assert [row.label for row in table.rows] == ["Skola A1", "Skola A2", "Skola B1"]
    # (pupils, % placed, % on first wish, % own network)
    assert figures(table, key(region, "A1")) == (6, 66.67, 40.0, 25.0)
    a1 = next(r for r in table.rows if r.key == key(region, "A1"))
    assert [shares(c) for c in a1.cells[1:]] == [(4, 6), (2, 5), (1, 4)]
    assert figures(table, key(region, "A2")) == (5, 100.0, 100.0, 0.0)
    assert figures(table, key(region, "B1")) == (2, 50.0, 0.0, 100.0)
    assert [shares(c) for c in table.total.cells[1:]] == [(10, 13), (7, 11), (2, 10)]
    # The council sees A1's 4 placed of 6 as "<5" and B1's two pupils as well: neither may
    # come back as the lowest value of the spread, nor A2's, hidden with its pupils (to
    # protect B1's): nothing to compare.
    assert table.headline.value is None
    assert table.headline_unit is Unit.COUNT
    assert table.higher_is_better is False


def test_the_spread_table(region):
    table = equity.spread(Scope(2026))

    # (schools compared, lowest, highest, highest − lowest, interquartile range), over the
    # cells the per-school table shows: A1's 4 of 6 placed and 2 of 5 on a first wish are
    # "<5" there, B1's too; A2's 0 of 5 through its own network as well. A2's 5 pupils are
    # hidden to protect B1's 2 (13 in all), and with them its placement rate: 100 % of a
    # hidden number of pupils, beside the 10 placed in all, would give the number back.
    assert figures(table, "placement_rate") == (0, None, None, None, None)
    assert figures(table, "first_wish_rate") == (1, None, None, None, None)
    assert figures(table, "own_network_share") == (0, None, None, None, None)


def test_the_spread_shows_no_value_the_per_school_table_hides(region, db):
    """More pupils at every school: whatever the suppression hides in the per-school table
    (a count under five, or a cell hidden to protect one), the spread compares only what
    it shows, so its lowest and highest are values the council can already read."""
    o1 = offer("hospitality", W11, W12, seats=20)
    for _ in range(5):
        for name in ("A1", "A2", "B1"):
            place(pupil(region.spring[name], GIRL, o1), o1)
            # Five more without a place: a rate leaving fewer than five outside is hidden.
            pupil(region.spring[name], GIRL)
    db.session.commit()
    schools = equity.per_school(Scope(2026))
    shown = suppress(schools)
    spread = equity.spread(Scope(2026))
    for key, _label in equity._MEASURES:
        j = next(i for i, c in enumerate(schools.columns) if c.key == key)
        # In whole percentage points, as the per-school table reads them.
        visible = sorted(round(r.cells[j].value) for i, r in enumerate(schools.rows)
                         if r.cells[j].value is not None and not shown.is_hidden(i, j))
        compared, lowest, highest, *_ = figures(spread, key)
        assert compared == len(visible), key
        if len(visible) >= 2:
            assert (lowest, highest) == (visible[0], visible[-1]), key
    placement = figures(spread, "placement_rate")
    assert placement[0] == 3  # every school's placement rate is shown and compared now


def test_spread_of_five_schools():
    found = equity.spread_of([50.0, 10.0, 40.0, 20.0, 30.0])
    assert (found.lowest, found.highest, found.range, found.interquartile_range) == \
        (10.0, 50.0, 40.0, 20.0)


def test_one_municipality_and_term(region):
    table = equity.per_school(Scope(2026, region.municipality_b.id, Term.SPRING))

    assert [row.label for row in table.rows] == ["Skola B1"]
    assert table.headline.value is None  # one school: no spread
    assert equity.per_school(Scope(2026, term=Term.AUTUMN)).rows == ()


def test_last_year_counts_only_last_years_pupils(region):
    table = equity.per_school(Scope(2025))

    assert figures(table, key(region, "A1")) == (3, 0.0, None, None)


def test_the_satisfaction_hook_adds_a_column(region):
    a1 = region.schools["A1"].id

    def satisfaction(scope: Scope) -> dict[int | None, Cell]:
        assert scope == Scope(2026)
        return {a1: Cell.average(4.2, 6), None: Cell.average(4.0, 11)}

    table = equity.per_school(Scope(2026), satisfaction=satisfaction)

    assert table.columns[-1].key == "satisfaction"
    assert figures(table, str(a1))[-1] == 4.2
    assert figures(table, key(region, "A2"))[-1] is None
    assert figures(table, "total")[-1] == 4.0
    assert figures(equity.spread(Scope(2026), satisfaction=satisfaction),
                   "satisfaction") == (1, None, None, None, None)


def test_the_number_of_queries_does_not_grow_with_the_pupils(region, db):
    def queries() -> int:
        with counted_queries() as statements:
            equity.per_school(Scope(2026))
            equity.spread(Scope(2026))
        return len(statements)

    few = queries()
    extra = offer("transport", W11, W12, seats=30)
    for _ in range(20):
        place(pupil(region.spring["B1"], GIRL, extra), extra)
    db.session.commit()

    assert queries() == few == 2
    assert figures(equity.per_school(Scope(2026)), key(region, "B1")) == (22, 95.45, 95.24,
                                                                          4.76)
