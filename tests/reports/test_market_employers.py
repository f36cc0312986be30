"""Employers active, new and returning on a hand-made region. School A1 is in Luleå, B1 in
Piteå; each organisation's history is told beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from portal.prao.models import AssignmentState
from portal.reports.indicators import employers
from portal.reports.tables import Cell, Scope, Term, Unit
from portal.schools.gender import Gender
from portal.weeks import monday_of
from tests import factories
from tests.reports.market_data import (
    AUTUMN,
    LAST_YEAR,
    NEXT_YEAR,
    SPRING,
    SPRING_B,
    counted_queries,
    figures,
    offer,
    period,
    place,
    pupil,
)

GIRL = Gender.GIRL


@dataclass
class Region:
    lulea: Any
    pitea: Any
    spring_a: Any
    organisation_y: Any


def _placed(in_period: Any, organisation: Any, **kwargs: Any) -> None:
    at = offer("hospitality", monday_of(in_period.first_day), seats=9,
               organisation=organisation)
    place(pupil(in_period, GIRL, at), at, **kwargs)


@pytest.fixture
def region(db) -> Region:
    lulea = factories.MunicipalityFactory(name="Luleå", code="2580")
    pitea = factories.MunicipalityFactory(name="Piteå", code="2581")
    school_a = factories.SchoolFactory(municipality=lulea)
    school_b = factories.SchoolFactory(municipality=pitea)
    old, autumn = period(school_a, LAST_YEAR), period(school_a, AUTUMN)
    spring_a, spring_b = period(school_a, SPRING), period(school_b, SPRING_B)
    next_year = period(school_a, NEXT_YEAR)

    def organisation(municipality: Any) -> Any:
        return factories.OrganisationFactory(municipality=municipality)

    x, y, z = organisation(lulea), organisation(lulea), organisation(pitea)
    w, v, u, t = organisation(None), organisation(None), organisation(pitea), organisation(lulea)
    _placed(old, x)  # X: last year and twice this spring: returning
    _placed(spring_a, x)
    _placed(spring_a, x)
    _placed(spring_a, y)  # Y: first ever this spring: new
    _placed(autumn, z)  # Z: this autumn and this spring (a pupil from Piteå)
    _placed(spring_b, z)
    _placed(spring_a, w, state=AssignmentState.DECLINED)  # W: declined only: not active
    _placed(spring_b, v)  # V: no municipality, new this spring
    _placed(old, u)  # U: last year, and cancelled this year: not active this year
    _placed(spring_a, u, state=AssignmentState.CANCELLED)
    _placed(next_year, t)  # T: only next school year
    db.session.commit()
    return Region(lulea, pitea, spring_a, y)


def test_active_new_and_returning_per_municipality_for_the_school_year(region):
    table = employers.per_municipality(Scope(2026))

    assert [row.label for row in table.rows] == ["Luleå", "Piteå", "Kommun saknas"]
    assert table.rows[-1].translate and table.rows[-1].key == "none"
    # (active, new, returning)
    assert figures(table, str(region.lulea.id)) == (2, 1, 1)  # X returning, Y new
    assert figures(table, str(region.pitea.id)) == (1, 1, 0)  # Z new in the autumn
    assert figures(table, "none") == (1, 1, 0)  # V
    assert figures(table, "total") == (4, 3, 1)
    assert {c.unit for c in table.columns} == {Unit.COUNT}


def test_spring_only_an_autumn_employer_is_neither_new_nor_returning(region):
    table = employers.per_municipality(Scope(2026, term=Term.SPRING))

    assert figures(table, str(region.lulea.id)) == (2, 1, 1)
    assert figures(table, str(region.pitea.id)) == (1, 0, 0)
    assert figures(table, "total") == (4, 2, 1)


def test_one_municipalitys_pupils(region):
    table = employers.per_municipality(Scope(2026, region.pitea.id, Term.SPRING))

    assert [row.key for row in table.rows] == [str(region.pitea.id), "none"]
    assert figures(table, "total") == (2, 1, 0)


def test_last_year(region):
    table = employers.per_municipality(Scope(2025))

    assert figures(table, str(region.lulea.id)) == (1, 1, 0)  # X's first year
    assert figures(table, str(region.pitea.id)) == (1, 1, 0)  # U
    assert figures(table, "total") == (2, 2, 0)


def test_the_again_next_term_hook_adds_a_column(region):
    rates = {region.lulea.id: Cell.share(3, 4), "all": Cell.share(5, 8)}
    table = employers.per_municipality(Scope(2026), again=lambda scope: rates)

    assert table.columns[-1].key == "again_next_term"
    assert figures(table, str(region.lulea.id))[-1] == 75.0
    assert figures(table, str(region.pitea.id))[-1] is None
    assert figures(table, "total")[-1] == 62.5


def test_the_number_of_queries_does_not_grow_with_the_pupils(region, db):
    def queries() -> int:
        with counted_queries() as statements:
            employers.per_municipality(Scope(2026))
        return len(statements)

    few = queries()
    for _ in range(20):
        _placed(region.spring_a, region.organisation_y)
    db.session.commit()

    assert queries() == few == 1
    assert figures(employers.per_municipality(Scope(2026)), "total") == (4, 3, 1)
