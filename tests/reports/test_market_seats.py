"""Seats offered against seats wished, per sector and per week, on a hand-made region:
municipality A's spring prao (weeks 11–12 2027), municipality B's (week 15), A's autumn
prao (week 41 2026) and last year's (weeks 11–12 2026), which no 2026/27 report may count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from portal.employers.models import PlacementStatus
from portal.reports.indicators import seats
from portal.reports.tables import Scope, Term, Unit
from portal.schools.gender import Gender
from tests import factories
from tests.reports.market_data import (
    AUTUMN,
    LAST_YEAR,
    SPRING,
    SPRING_B,
    counted_queries,
    figures,
    offer,
    period,
    pupil,
    shares,
)

W11, W12, W15, W41 = date(2027, 3, 15), date(2027, 3, 22), date(2027, 4, 12), date(2026, 10, 5)


@dataclass
class Region:
    municipality_a: Any
    municipality_b: Any
    spring_a: Any


@pytest.fixture
def region(db) -> Region:
    mun_a = factories.MunicipalityFactory(name="Luleå", code="2580")
    mun_b = factories.MunicipalityFactory(name="Piteå", code="2581")
    school_a = factories.SchoolFactory(municipality=mun_a)
    school_b = factories.SchoolFactory(municipality=mun_b)
    spring_a, spring_b = period(school_a, SPRING), period(school_b, SPRING_B)
    autumn_a, last_year_a = period(school_a, AUTUMN), period(school_a, LAST_YEAR)

    o1 = offer("hospitality", W11, W12, seats=3)
    o2 = offer("hospitality", W12, seats=2)
    o3 = offer("health", W11, W12, seats=1)
    offer("construction", W11, W12, seats=4, status=PlacementStatus.DRAFT)  # never offered
    o5 = offer("it", W15, seats=2)
    offer("health", date(2027, 5, 17), seats=5)  # week 20: nobody is at prao then
    o7 = offer("construction", W11, seats=2, status=PlacementStatus.ARCHIVED)  # was published
    o8 = offer("culture", date(2026, 3, 16), seats=3)  # last year's week 11
    o9 = offer("hospitality", W41, seats=2)

    pupil(spring_a, Gender.GIRL, o1, o3)  # e1
    pupil(spring_a, Gender.BOY, o1, o2)  # e2
    pupil(spring_a, Gender.GIRL, o3, o1)  # e3
    pupil(spring_a, Gender.BOY, o2)  # e4
    pupil(spring_a, Gender.GIRL, o7, o2)  # e5
    pupil(spring_a, Gender.BOY)  # e6: no wishes
    for _ in range(3):
        pupil(spring_b, Gender.GIRL, o5)  # f1–f3
    pupil(last_year_a, Gender.GIRL, o8)  # g1: last school year
    pupil(autumn_a, Gender.BOY, o9)  # h1
    db.session.commit()
    return Region(mun_a, mun_b, spring_a)


def test_seats_and_wishes_per_sector_for_the_whole_school_year(region):
    table = seats.per_sector(Scope(2026))

    assert [row.key for row in table.rows] == ["construction", "it", "hospitality", "health"]
    # (seats, pupils wishing, first wishes); the draft's 4 seats, week 20's 5 and last
    # year's culture seats and wish are not counted; the archived placement's 2 are.
    assert figures(table, "hospitality") == (7, 6, 4)  # o1 3 + o2 2 + o9 2; e1–e5, h1
    assert figures(table, "health") == (1, 2, 1)
    assert figures(table, "construction") == (2, 1, 1)
    assert figures(table, "it") == (2, 3, 3)
    assert figures(table, "total") == (12, 9, 9)
    assert [c.unit for c in table.columns] == [Unit.COUNT, Unit.PUPILS, Unit.PUPILS]
    # First wishes that fit their sector's seats: 4 + 1 + 1 + min(3, 2) = 8 of 9.
    assert shares(table.headline) == (8, 9)
    assert round(table.headline.value, 1) == 88.9


def test_one_municipality_and_one_term(region):
    table = seats.per_sector(Scope(2026, region.municipality_a.id, Term.SPRING))

    # Only A's spring weeks 11–12: B's week-15 IT seats and the autumn seats are gone.
    assert [row.key for row in table.rows] == ["construction", "hospitality", "health"]
    assert figures(table, "hospitality") == (5, 5, 3)
    assert figures(table, "health") == (1, 2, 1)
    assert figures(table, "construction") == (2, 1, 1)
    assert figures(table, "total") == (8, 5, 5)
    assert shares(table.headline) == (5, 5)


def test_last_years_report_counts_only_last_year(region):
    table = seats.per_sector(Scope(2025))

    assert [row.key for row in table.rows] == ["culture"]
    assert figures(table, "culture") == (3, 1, 1)


def test_seats_and_wishes_per_week(region):
    table = seats.per_week(Scope(2026))

    assert [row.key for row in table.rows] == [d.isoformat() for d in (W41, W11, W12, W15)]
    assert [row.label for row in table.rows] == ["41 2026", "11 2027", "12 2027", "15 2027"]
    assert figures(table, W41.isoformat()) == (2, 1, 1)
    # Week 11: o1 3 + o3 1 + archived o7 2; e1, e2, e3, e5 wish a seat covering it.
    assert figures(table, W11.isoformat()) == (6, 4, 4)
    # Week 12: o1 3 + o2 2 + o3 1; e5 wishes o2 second, so wishing 5 but first wishes 4.
    assert figures(table, W12.isoformat()) == (6, 5, 4)
    assert figures(table, W15.isoformat()) == (2, 3, 3)
    assert table.headline is None


def test_per_week_for_one_municipality_shows_only_its_weeks(region):
    table = seats.per_week(Scope(2026, region.municipality_b.id))

    assert [row.key for row in table.rows] == [W15.isoformat()]
    assert figures(table, W15.isoformat()) == (2, 3, 3)


def test_a_week_with_pupils_but_no_seats_shows_zero_seats(region, db):
    lonely = period(factories.SchoolFactory(municipality=region.municipality_a),
                    (date(2027, 5, 3), date(2027, 5, 7)))
    pupil(lonely, Gender.GIRL)
    db.session.commit()

    table = seats.per_week(Scope(2026, region.municipality_a.id, Term.SPRING))

    assert figures(table, "2027-05-03") == (0, 0, 0)


def test_the_number_of_queries_does_not_grow_with_the_pupils(region, db):
    def queries() -> int:
        with counted_queries() as statements:
            seats.per_sector(Scope(2026))
            seats.per_week(Scope(2026))
        return len(statements)

    few = queries()
    wanted = offer("transport", W11, W12, seats=9)
    for _ in range(25):
        pupil(region.spring_a, Gender.BOY, wanted)
    db.session.commit()

    assert queries() == few == 7
    assert figures(seats.per_sector(Scope(2026)), "transport") == (9, 25, 25)


def test_the_regions_seats_are_summed_once_for_every_municipality(app, region, db,
                                                                  monkeypatch):
    """The seats are the region's whatever the municipality: kept for SHARED_FIGURES_MAX_AGE
    seconds, the next municipality's tables read only its own periods and wishes."""
    scope_a, scope_b = Scope(2026, region.municipality_a.id), Scope(2026, region.municipality_b.id)
    read_afresh = [seats.per_sector(scope_b), seats.per_week(scope_b)]
    monkeypatch.setitem(app.config, "SHARED_FIGURES_MAX_AGE", 60)
    seats._blocks.clear()
    try:
        with counted_queries() as first:
            seats.per_sector(scope_a)
            seats.per_week(scope_a)
        with counted_queries() as second:
            kept = [seats.per_sector(scope_b), seats.per_week(scope_b)]
    finally:
        seats._blocks.clear()
    assert (len(first), len(second)) == (6, 5)
    assert kept == read_afresh
