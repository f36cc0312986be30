"""Gender per sector and gender-atypical wishes and placements, on a hand-made region.
Construction's programmes are 88 % boys (atypical for girls), health care's 82 % girls
(atypical for boys), hospitality's 57/43 (atypical for nobody); management has no
programme."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

import pytest

from portal.prao.models import AssignmentSource, AssignmentState
from portal.reports.indicators import gender
from portal.reports.tables import Scope, Term
from portal.schools.gender import Gender
from tests import factories
from tests.reports.market_data import (
    LAST_YEAR,
    SPRING,
    SPRING_B,
    counted_queries,
    figures,
    offer,
    period,
    place,
    pupil,
    shares,
)

W11, W12 = date(2027, 3, 15), date(2027, 3, 22)
GIRL, BOY, OTHER, UNKNOWN = Gender.GIRL, Gender.BOY, Gender.OTHER, Gender.UNKNOWN


@dataclass
class Region:
    municipality_a: Any
    spring_a: Any
    construction: Any


@pytest.fixture
def region(db) -> Region:
    mun_a = factories.MunicipalityFactory(name="Luleå", code="2580")
    mun_b = factories.MunicipalityFactory(name="Piteå", code="2581")
    school_a, school_b = (factories.SchoolFactory(municipality=mun_a),
                          factories.SchoolFactory(municipality=mun_b))
    spring_a, spring_b = period(school_a, SPRING), period(school_b, SPRING_B)
    last_year = period(school_a, LAST_YEAR)
    oc, oh = offer("construction", W11, W12), offer("health", W11, W12)
    oho, om = offer("hospitality", W11, W12), offer("management", W11, W12)

    place(pupil(spring_a, GIRL, oc, oh), oc)  # g1: atypical first wish and placement
    place(pupil(spring_a, GIRL, oh, oc), oh)  # g2: atypical second wish only
    place(pupil(spring_a, GIRL, oho), oho)  # g3
    pupil(spring_a, GIRL, om)  # g4: unplaced, a sector without a programme
    place(pupil(spring_a, BOY, oh), oh)  # b1: atypical first wish and placement
    place(pupil(spring_a, BOY, oc, oh), oc)  # b2: atypical second wish only
    place(pupil(spring_a, BOY), om, source=AssignmentSource.MANUAL)  # b3: no wishes
    place(pupil(spring_a, BOY, oc), oh, state=AssignmentState.DECLINED)  # b4: not placed
    place(pupil(spring_a, UNKNOWN, oh), oh)  # u1: counted, outside the split
    place(pupil(spring_a, OTHER), oc)  # o1: counted, outside the split
    place(pupil(spring_b, GIRL, oc), oc)  # gb1: municipality B
    place(pupil(last_year, GIRL, oc), offer("construction", date(2026, 3, 16)))  # last year
    db.session.commit()
    return Region(mun_a, spring_a, oc)


def test_placed_pupils_per_sector_by_gender_beside_the_national_split(region):
    table = gender.per_sector(Scope(2026))

    assert [row.key for row in table.rows] == ["construction", "management", "hospitality",
                                               "health"]
    # (girls, boys, other or unknown, % girls of girls and boys, national % girls)
    assert figures(table, "construction") == (2, 1, 1, 66.67, 11.9)
    assert figures(table, "management") == (0, 1, 0, 0.0, None)
    assert figures(table, "hospitality") == (1, 0, 0, 100.0, 57.1)
    assert figures(table, "health") == (1, 1, 1, 50.0, 82.2)
    assert figures(table, "total") == (4, 3, 2, 57.14, None)
    assert table.headline is None


def test_gender_per_sector_for_one_municipality(region):
    table = gender.per_sector(Scope(2026, region.municipality_a.id, Term.SPRING))

    assert figures(table, "construction") == (1, 1, 1, 50.0, 11.9)
    assert figures(table, "total") == (3, 3, 2, 50.0, None)


def test_atypical_wishes_and_placements(region):
    table = gender.atypical(Scope(2026))

    assert [row.key for row in table.rows] == ["girl", "boy"]
    girls, boys = table.rows
    # Girls: first wishes g1, gb1 of 5; any wish g1, g2, gb1 of 5; placed g1, gb1 of 4.
    assert [shares(c) for c in girls.cells] == [(2, 5), (3, 5), (2, 4)]
    # Boys: first wish b1 of 3 (b1, b2, b4); any b1, b2 of 3; placed b1 of 3 (b4 declined).
    assert [shares(c) for c in boys.cells] == [(1, 3), (2, 3), (1, 3)]
    assert [shares(c) for c in table.total.cells] == [(3, 8), (5, 8), (3, 7)]
    assert shares(table.headline) == (3, 7)
    assert round(table.headline.value, 2) == 42.86
    assert table.higher_is_better


def test_atypical_for_one_municipality_leaves_the_others_out(region):
    table = gender.atypical(Scope(2026, region.municipality_a.id))

    assert [shares(c) for c in table.rows[0].cells] == [(1, 4), (2, 4), (1, 3)]
    assert shares(table.headline) == (2, 6)


def test_last_year_is_its_own_report(region):
    table = gender.atypical(Scope(2025))

    assert [shares(c) for c in table.rows[0].cells] == [(1, 1), (1, 1), (1, 1)]
    assert [shares(c) for c in table.rows[1].cells] == [(0, 0), (0, 0), (0, 0)]


def test_the_national_split_file_names_its_source_and_adds_up():
    text = resources.files("portal.data").joinpath("gender_split_upper_secondary.csv") \
        .read_text(encoding="utf-8")
    assert "SCB" in text and "2021/22" in text
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    for row in rows:
        girls, boys = int(row["girls"]), int(row["boys"])
        assert float(row["share_girls"]) == round(100 * girls / (girls + boys), 1), row
        assert abs(float(row["share_girls"]) + float(row["share_boys"]) - 100) < 0.11, row
    from portal.employers.reference import sector_codes

    assert {row["sector"] for row in rows} <= sector_codes()
    assert "construction" in gender.atypical_sectors(GIRL)
    assert "health" in gender.atypical_sectors(BOY)
    assert "hospitality" not in gender.atypical_sectors(GIRL) | gender.atypical_sectors(BOY)


def test_the_number_of_queries_does_not_grow_with_the_pupils(region, db):
    def queries() -> int:
        with counted_queries() as statements:
            gender.per_sector(Scope(2026))
            gender.atypical(Scope(2026))
        return len(statements)

    few = queries()
    for _ in range(20):
        place(pupil(region.spring_a, BOY, region.construction), region.construction)
    db.session.commit()

    assert queries() == few == 3
    assert figures(gender.per_sector(Scope(2026)), "construction") == (2, 21, 1, 8.7, 11.9)
