"""The spread between schools as the council finally sees it: taken over the per-school
rates the page shows once every scope of the school year is suppressed together (which can
hide a rate the per-school table suppressed alone shows), and written in whole percentage
points."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from portal.prao.models import AssignmentSource
from portal.reports import formatting, snapshots
from portal.reports.indicators import equity
from portal.reports.suppression import shown_as, suppress
from portal.reports.tables import Cell, Chart, Column, Row, Scope, Table, Term, Unit
from portal.schools.models import EnrolmentState
from tests import factories
from tests.reports.market_data import AUTUMN, SPRING, figures, offer, period, place, pupil

AUTUMN_2026 = Scope(2026, term=Term.AUTUMN)


def _pupils(in_period, placed: int, unplaced: int, own: int = 0) -> None:
    at = offer("sales", in_period.first_day, seats=placed)
    for _ in range(placed):
        place(pupil(in_period), at)
    for _ in range(own):
        place(pupil(in_period, state=EnrolmentState.OWN_PLACEMENT), placement=at.placement,
              source=AssignmentSource.OWN)
    for _ in range(unplaced):
        pupil(in_period)


@pytest.fixture
def schools(db, set_clock):
    """Skola A: 10 of 20 placed in autumn (50 %, the lowest; 5 through their own network)
    and 3 of 3 in spring; Skola B: 15 of 20 in autumn (75 %; 5 own); Skola C: 16 of 24
    (66.7 %; 6 own). Its autumn suppressed alone, A's 50 % is shown; with the year and the
    spring, whose 3 pupils are "<5", the autumn's 20 are hidden (23 in the year less 20
    would give the spring's 3 back), and with them its rate. (Five or more through their
    own network and without a place at each school: fewer would be hidden, and every
    school's placed pupils with them, or equity's and the wishes table's rows would give
    them back.)"""
    set_clock(datetime(2027, 5, 3, 12))
    found = {name: factories.SchoolFactory(name=f"Skola {name}", municipality=factories
                                           .MunicipalityFactory(name="Kalix", code="2514"))
             for name in "A"}
    municipality = found["A"].municipality
    for name in "BC":
        found[name] = factories.SchoolFactory(name=f"Skola {name}", municipality=municipality)
    _pupils(period(found["A"], AUTUMN), 5, 10, own=5)
    _pupils(period(found["A"], SPRING), 3, 0)
    _pupils(period(found["B"], AUTUMN), 10, 5, own=5)
    _pupils(period(found["C"], AUTUMN), 10, 8, own=6)
    db.session.commit()
    return found


def test_the_spread_leaves_out_a_rate_the_joint_suppression_hides(schools, client,
                                                                   login_as):
    alone = suppress(equity.per_school(AUTUMN_2026))
    rate = equity.COLUMNS.index(next(c for c in equity.COLUMNS if c.key == "placement_rate"))
    a = next(i for i, r in enumerate(alone.table.rows) if r.label == "Skola A")
    assert not alone.is_hidden(a, rate)  # alone, A's 50 % is shown: 75 − 50 = 25 spread

    snapshot, page = snapshots.compute_year(2026, set())[AUTUMN_2026]
    view = page.views["equity_schools"].shown
    assert view.mark(a, rate) == ".."  # hidden with the year's other scopes
    # Only the rates the page shows are compared (which of B's and C's go with A's is the
    # suppression's choice): a spread of 25 beside B's 75 % would say A's rate is 50 %.
    shown = _shown_rates(view, rate)
    assert 50.0 not in shown
    expected = max(shown) - min(shown) if len(shown) > 1 else None
    assert view.table.headline.value == (pytest.approx(expected) if expected else None)
    assert snapshot.tables["equity_schools"].headline == view.table.headline
    spread = page.views["equity_spread"].shown.table
    assert figures(spread, "placement_rate")[0] == len(shown)
    assert snapshot.tables["equity_spread"] == spread  # the export's, unsuppressed, alike
    assert not page.views["equity_spread"].shown.hidden

    # The year's spread is over the year's shown rates in the same way.
    _year, year_page = snapshots.compute_year(2026, set())[Scope(2026)]
    assert figures(year_page.views["equity_spread"].shown.table, "placement_rate")[0] == \
        len(_shown_rates(year_page.views["equity_schools"].shown, rate))

    login_as("council")
    body = client.get("/rapporter/equity_spread.csv?lasar=2026&termin=autumn")
    rows = list(csv.reader(io.StringIO(body.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1:] == [formatting.text(c, Unit.COUNT, None).replace("–", "")
                           for c in spread.rows[0].cells]
    html = client.get("/rapporter?lasar=2026&termin=autumn").get_data(as_text=True)
    assert ">25<" not in html.split('id="equity_schools"')[1].split("</section>")[0]


def _shown_rates(view, rate: int) -> list[float]:
    return [row.cells[rate].value for i, row in enumerate(view.table.rows)
            if not view.is_hidden(i, rate) and row.cells[rate].value is not None]


def _per_school(rates: list[tuple[int, int]], satisfaction: list[float] | None = None
                ) -> Table:
    """A per-school table of (placed, pupils) per school and, if given, mean satisfaction."""
    extra = (Column("satisfaction", "S", Unit.AVERAGE),) if satisfaction is not None else ()
    rows = tuple(
        Row(f"Skola {k}", (Cell.pupils(pupils), Cell.share(placed, pupils), Cell.share(0, 0),
                           Cell.share(0, placed))
            + ((Cell.average(satisfaction[k], 10),) if satisfaction is not None else ()),
            key=str(k))
        for k, (placed, pupils) in enumerate(rates))
    return Table(key="equity_schools", title="T", description="D", row_header="Skola",
                 columns=equity.COLUMNS + extra, rows=rows, chart=Chart.BAR,
                 headline_unit=Unit.COUNT, higher_is_better=False)


def test_a_hidden_extreme_takes_no_part():
    table = _per_school([(8, 20), (12, 20), (18, 20)])  # 40 %, 60 %, 90 %
    shown = shown_as(table, frozenset({(2, 0), (2, 1)}), frozenset({(2, 0), (2, 1)}))
    schools, spread = equity.as_shown(table, shown)
    assert schools.headline == Cell.count(20.0)  # 60 − 40, not 90 − 40
    assert schools.rows == table.rows  # the table itself is unchanged
    assert figures(spread, "placement_rate") == (2, 40, 60, 20, 10)


def test_fewer_than_two_shown_schools_have_no_spread():
    table = _per_school([(8, 20), (12, 20)])
    shown = shown_as(table, frozenset({(1, 0), (1, 1)}), frozenset({(1, 0), (1, 1)}))
    schools, spread = equity.as_shown(table, shown)
    assert schools.headline == Cell.count(None)
    assert figures(spread, "placement_rate") == (1, None, None, None, None)
    assert formatting.text(spread.rows[0].cells[3], Unit.COUNT, None) == "–"


def test_the_spread_table_reads_in_whole_points_as_the_headline_does():
    """40 % and 66.67 %: the per-school table reads "40 %" and "67 %", the headline "27";
    the spread table the same, not "66,67" and "26,67". The mean satisfaction keeps the one
    decimal it has in the per-school table."""
    table = _per_school([(8, 20), (20, 30)], satisfaction=[3.84, 4.16])
    schools, spread = equity.as_shown(table, suppress(table))
    texts = [formatting.text(c, Unit.COUNT, None) for c in spread.rows[0].cells]
    assert texts == ["2", "40", "67", "27", "13"]
    assert formatting.headline(schools.headline.value, Unit.COUNT) == texts[3]
    assert [formatting.number(c, Unit.COUNT) for c in spread.rows[0].cells] == \
        [2, 40, 67, 27, 13]
    assert [formatting.text(c, Unit.COUNT, None) for c in spread.rows[-1].cells] == \
        ["2", "3,8", "4,2", "0,3", "0,2"]
    assert spread.rows[-1].key == "satisfaction"
