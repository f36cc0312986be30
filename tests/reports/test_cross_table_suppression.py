"""Suppression across the indicators of a scope: one council member reads every table of
the report, on the page and in its downloads, so a hidden count must not come back from two
tables put side by side (suppression rule 4).

The probe's two routes, on the demo data (2026/27 as of 30 November 2026):
- an average to two decimals beside its distribution's row with a hidden cell: the
  pupils' "real tasks" read <5;9;31;52;38 and 3,89, which only 1 hidden 1 gives;
- per school, equity's pupils and placement rate (55 at 72.7 %: 40 placed) and the wishes
  table's shares (49.0 %, 62.7 %, 29.4 % fit 51 seekers alone, 15 without a place: 36 placed
  through the portal) give the own-network placements "<5" hides: 40 − 36 = 4."""

from __future__ import annotations

import csv
import io
import itertools
import logging
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.demo import DEMO_PASSWORD
from portal.reports import snapshots
from portal.reports.indicators import coverage, equity, wishes
from portal.reports.registry import by_key
from portal.reports.suppression import PROTECTING, SUPPRESSED, Shown, suppress_report
from portal.reports.tables import (
    UNDECLARED,
    Cell,
    Chart,
    Column,
    Row,
    Scope,
    Table,
    Unit,
)
from portal.schools.models import Municipality
from tests.conftest import AUTUMN_DEMO_MOMENT, login, new_client

COUNCIL = "rad@demo.praoportalen.se"
HIDDEN = (SUPPRESSED, PROTECTING)


# --- every indicator says which pupils it counts -----------------------------------------

def test_every_indicator_declares_which_pupils_its_figures_count(db):
    """A new indicator (or column) that does not say which counts its figures are made of
    (`counts`, None when no other indicator counts its pupils), and for an average which
    distribution it is of (`mean_of`), fails here: suppression could not hide it where
    another indicator's figures give its hidden counts back."""
    empty = Scope(1900)
    tables = {key: function(empty) for key, function in by_key().items()}
    for key, table in tables.items():
        for column in table.columns:
            if column.unit is Unit.COUNT:
                continue  # never hidden, never hiding
            assert column.counts is None or column.counts.group != UNDECLARED, \
                (key, column.key)
            if column.unit is Unit.AVERAGE:
                assert column.mean_of != UNDECLARED, (key, column.key)
                assert column.mean_of is None or column.mean_of in tables, (key, column.key)


# --- the demo, as a council member downloads it ------------------------------------------

@pytest.fixture
def demo(autumn_demo_app, autumn_demo_db, set_clock, monkeypatch):
    """The demo region seeded in the autumn, a council member signed in, and every scope's
    query of both school years."""
    set_clock(AUTUMN_DEMO_MOMENT)
    # Each scope's snapshot computed once for the many downloads, not on every one.
    monkeypatch.setitem(autumn_demo_app.config, "REPORT_SNAPSHOT_MAX_AGE", 3600)
    client = new_client(autumn_demo_app)
    assert login(client, COUNCIL, DEMO_PASSWORD).status_code == 302
    places = ["", *(str(m) for m in autumn_demo_db.session.scalars(select(Municipality.id)))]
    return client, [f"lasar={year}&termin={term}&kommun={place}" for year in (2025, 2026)
                    for term in ("", "autumn", "spring") for place in places]


def _csv(client, key: str, query: str) -> dict[str, list[str]]:
    """The export's figures by row label."""
    response = client.get(f"/rapporter/{key}.csv?{query}")
    assert response.status_code == 200, (key, query)
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")),
                           delimiter=";"))
    return {row[0]: row[1:] for row in rows[1:]}


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _range(mark: str, most: int) -> range:
    """What a reader knows of a hidden count: "<5" is 0–4, ".." five or more."""
    return range(0, 5) if mark == SUPPRESSED else range(5, most + 1)


def _from_the_average(counts: list[str], average: str) -> list[tuple[int, int]]:
    """(score, count) of the hidden cells the two-decimal average leaves one value for."""
    hidden = [k for k, c in enumerate(counts) if c in HIDDEN]
    if not hidden or average in HIDDEN or average in ("", "–"):
        return []
    known = {k: int(c) for k, c in enumerate(counts) if k not in hidden}
    most = 2 * max(known.values(), default=10) + 10
    fits = []
    for values in itertools.product(*(_range(counts[k], most) for k in hidden)):
        found = known | dict(zip(hidden, values, strict=True))
        answers = sum(found.values())
        if answers and round(sum((k + 1) * n for k, n in found.items()) / answers, 2) \
                == _number(average):
            fits.append(values)
    return [(hidden[k] + 1, fits[0][k]) for k in range(len(hidden))
            if fits and len({f[k] for f in fits}) == 1]


def test_no_hidden_answer_count_comes_back_from_the_average(demo):
    """The probe's 1a: every scope, the pupils' and the supervisors' distributions beside
    their averages (two decimals in the CSV; the XLSX has the same numbers)."""
    client, queries = demo
    recovered = []
    for query in queries:
        for audience in ("pupil", "employer"):
            counts = _csv(client, f"evaluation_{audience}_distribution", query)
            averages = _csv(client, f"evaluation_{audience}_averages", query)
            for label, row in counts.items():
                found = _from_the_average(row, averages.get(label, ["–"])[0])
                recovered += [(query, audience, label, score, n) for score, n in found]
    assert recovered == []


def _shares_of(base: int, shares: list[str]) -> list[int] | None:
    """The numerators of shares (one decimal) of `base`; None when one fits none."""
    found = []
    for share in shares:
        fits = [k for k in range(base + 1) if round(100 * k / base, 1) == _number(share)]
        if not fits:
            return None
        found.append(fits[0])
    return found


def _own_network(equity_row: list[str], wishes: list[str], own: str) -> set[int]:
    """The own-network placements a reader works out for one school: placed (pupils times
    the placement rate) less placed through the portal (seekers less those without a
    place, from the wishes table's shares of the seekers)."""
    pupils, rate = equity_row[0], equity_row[1]
    first, top3, second, unplaced = wishes
    if pupils in HIDDEN or rate in HIDDEN or unplaced in HIDDEN or rate == "–":
        return set()
    placed = _shares_of(int(pupils), [rate])
    shown = [s for s in (first, top3, second, unplaced) if s not in HIDDEN and s != "–"]
    if placed is None:
        return set()
    found = set()
    for seekers in range(1, 2 * int(pupils) + 1):
        parts = _shares_of(seekers, shown)
        if parts is None:
            continue
        without = _shares_of(seekers, [unplaced])
        assert without is not None
        value = placed[0] - (seekers - without[0])
        if value in _range(own, 10_000):
            found.add(value)
    return found


def test_no_hidden_own_network_count_comes_back_from_equity_and_wishes(demo):
    """The probe's 1b: Bergsskolan's and Strömbackaskolan's own networks ("<5"), and the
    ".." of Christinaskolan and Hertsöskolan, are one value each once equity's and the
    wishes table's rows of the school are put beside each other."""
    client, queries = demo
    recovered = []
    for query in queries:
        source = _csv(client, "placement_source", query)
        schools = _csv(client, "equity_schools", query)
        wishes = _csv(client, "wishes_met", query)
        for school, (_portal, own) in source.items():
            if own not in HIDDEN or school not in schools or school not in wishes:
                continue
            found = _own_network(schools[school], wishes[school], own)
            if len(found) == 1:
                recovered.append((query, school, own, found.pop()))
    assert recovered == []


def test_the_pages_say_why_and_show_what_the_downloads_do(demo):
    """The region's page marks the cells the downloads hide, the council's start page its
    headlines, and the explanation of ".." names the report's other figures."""
    client, _queries = demo
    query = "lasar=2026&termin=&kommun="
    page = client.get(f"/rapporter?{query}").get_data(as_text=True)
    assert "ur andra siffror i rapporten" in page
    view = snapshots.read_page(Scope(2026)).views
    averages = _csv(client, "evaluation_pupil_averages", query)
    table = view["evaluation_pupil_averages"].shown
    for i, row in enumerate(table.table.rows):
        assert table.is_hidden(i, 0) == (averages[row.label][0] in HIDDEN)
    recommend = next(i for i, r in enumerate(table.table.rows) if r.key == "recommend")
    assert table.headline_hidden == table.is_hidden(recommend, 0)
    start = client.get("/rad")
    assert start.status_code == 200
    if table.headline_hidden:
        assert table.headline_mark in start.get_data(as_text=True)


# --- the property: what a reader of every table can solve for -----------------------------

def _table(key: str, columns: tuple[Column, ...], rows: list[tuple[Cell, ...]],
           total: tuple[Cell, ...] | None, chart: Chart = Chart.BAR) -> Table:
    return Table(key=key, title="T", description="D", row_header="R", columns=columns,
                 rows=tuple(Row(f"r{i}", r, key=str(i)) for i, r in enumerate(rows)),
                 total=None if total is None else Row("Totalt", total, key="total"),
                 chart=chart)


DISTRIBUTION = tuple(Column(str(s), str(s), Unit.PUPILS, counts=None) for s in range(1, 6))
AVERAGE = (Column("average", "M", Unit.AVERAGE, counts=None, mean_of="distribution"),)


def _answers(rows: list[tuple[int, ...]]) -> dict[str, Table]:
    def mean(counts: tuple[int, ...]) -> Cell:
        n = sum(counts)
        return Cell.average(sum((s + 1) * c for s, c in enumerate(counts)) / n if n else None,
                            n)

    return {"distribution": _table("distribution", DISTRIBUTION,
                                   [tuple(Cell.pupils(c) for c in r) for r in rows], None,
                                   Chart.STACKED),
            "averages": _table("averages", AVERAGE, [(mean(r),) for r in rows], None)}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(*(st.integers(0, 12) for _ in range(5))), min_size=1, max_size=4))
def test_no_average_pins_a_hidden_count_of_its_distribution(rows):
    """Random answers 1–5 per statement: wherever a count of the row is hidden, no value
    of the hidden counts but the true one gives the average as the export writes it, or
    the average is hidden."""
    tables = _answers(rows)
    shown = suppress_report([tables])[0]
    distribution, averages = shown["distribution"], shown["averages"]
    for i, counts in enumerate(rows):
        marks = [distribution.mark(i, j) or str(c) for j, c in enumerate(counts)]
        average = averages.mark(i, 0)
        if average is None:
            value = averages.table.rows[i].cells[0].value
            average = "–" if value is None else f"{round(value, 2)}"
        assert _from_the_average(marks, average) == []


# Per school: pupils seeking through the portal (placed through it, or without a place) and
# pupils placed through their own network, in the registry's columns.
EQUITY = equity.COLUMNS
SOURCE = coverage.SOURCE_COLUMNS
WISHES = tuple(c for c in wishes.WISHES_COLUMNS if c.key in ("first", "unplaced"))
Form = dict[str, float]


def _school_tables(schools: list[tuple[int, int, int, int]]) -> dict[str, Table]:
    """(through the portal, own network, without a place, on their first wish) per school."""
    def equity_cells(p: int, o: int, u: int, f: int) -> tuple[Cell, ...]:
        return (Cell.pupils(p + o + u), Cell.share(p + o, p + o + u), Cell.share(f, p + u),
                Cell.share(o, p + o))

    def source_cells(p: int, o: int, _u: int, _f: int) -> tuple[Cell, ...]:
        return Cell.share(p, p + o), Cell.share(o, p + o)

    def wishes_cells(p: int, _o: int, u: int, f: int) -> tuple[Cell, ...]:
        return Cell.share(f, p + u), Cell.share(u, p + u)

    totals = tuple(sum(s[k] for s in schools) for k in range(4))
    return {key: _table(key, columns, [cells(*s) for s in schools], cells(*totals), chart)
            for key, columns, cells, chart in (
                ("equity_schools", EQUITY, equity_cells, Chart.BAR),
                ("placement_source", SOURCE, source_cells, Chart.STACKED),
                ("wishes_met", WISHES, wishes_cells, Chart.BAR))}


# Each figure's numerator and base as forms of a school's unknowns.
FORMS: dict[tuple[str, str], tuple[Form, Form | None]] = {
    ("equity_schools", "pupils"): ({"p": 1, "o": 1, "u": 1}, None),
    ("equity_schools", "placement_rate"): ({"p": 1, "o": 1}, {"p": 1, "o": 1, "u": 1}),
    ("equity_schools", "first_wish_rate"): ({"f": 1}, {"p": 1, "u": 1}),
    ("equity_schools", "own_network_share"): ({"o": 1}, {"p": 1, "o": 1}),
    ("placement_source", "portal"): ({"p": 1}, {"p": 1, "o": 1}),
    ("placement_source", "own"): ({"o": 1}, {"p": 1, "o": 1}),
    ("wishes_met", "first"): ({"f": 1}, {"p": 1, "u": 1}),
    ("wishes_met", "unplaced"): ({"u": 1}, {"p": 1, "u": 1}),
}


def _of_row(form: Form, i: int, rows: int) -> Form:
    """A form of row i; the total row's is the sum over the schools."""
    schools = [i] if i < rows else range(rows)
    return {f"{v}{k}": float(c) for v, c in form.items() for k in schools}


def _known(tables: dict[str, Table], shown: dict[str, Shown], rows: int) -> list[Form]:
    """What a reader of the three tables knows, generously: a shown count, and a shown
    share's numerator and its base (a share to one decimal of a school's pupils is as good
    as both counts)."""
    found = []
    for key, table in tables.items():
        for i, row in enumerate((*table.rows, table.total)):
            assert row is not None
            for j, column in enumerate(table.columns):
                if shown[key].is_hidden(i, j) or row.cells[j].value is None:
                    continue
                numerator, base = FORMS[(key, column.key)]
                found += [_of_row(f, i, rows) for f in (numerator, base) if f is not None]
    return found


def _pinned(known: list[Form], wanted: Form) -> bool:
    names = sorted({v for f in [*known, wanted] for v in f})
    a = np.array([[f.get(v, 0.0) for v in names] for f in known] or [[0.0] * len(names)])
    b = np.array([[wanted.get(v, 0.0) for v in names]])
    return bool(np.linalg.matrix_rank(np.vstack([a, b])) == np.linalg.matrix_rank(a))


def _secret(cell: Cell, numerator: Form, base: Form | None) -> Form | None:
    """The small group a "<5" cell hides: its numerator, or its base, or those outside."""
    if cell.n is not None and cell.n < 5:
        return numerator
    if base is not None and cell.base is not None and cell.base < 5:
        return base
    if base is not None and cell.n is not None and cell.base is not None \
            and 0 < cell.base - cell.n < 5:
        return {v: base.get(v, 0) - numerator.get(v, 0) for v in {*base, *numerator}}
    return None  # hidden to protect another: the small ones are what must stay open


schools = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 8), st.integers(0, 8),
                             st.integers(0, 30)).map(lambda s: (s[0], s[1], s[2],
                                                                min(s[3], s[0]))),
                   min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(schools)
def test_no_small_group_of_a_school_comes_back_from_another_table(found):
    """Random schools: placed through the portal, through their own network, without a
    place, on their first wish. The equity, placement-source and wishes tables suppressed
    together: no small group hidden in one is determined by what all three show (the
    probe's 40 placed less 36 through the portal), nor by a column's total."""
    tables = _school_tables(found)
    assert _leaks(tables, suppress_report([tables])[0], len(found)) == []


def _leaks(tables: dict[str, Table], shown: dict[str, Shown], rows: int
           ) -> list[tuple[str, int, str]]:
    """(table, row, column) of every hidden small group a generous reader (_known) of the
    school tables works out."""
    known = _known(tables, shown, rows)
    found = []
    for key, table in tables.items():
        for i, row in enumerate((*table.rows, table.total)):
            assert row is not None
            for j, column in enumerate(table.columns):
                if shown[key].mark(i, j) is None:
                    continue
                secret = _secret(row.cells[j], *FORMS[(key, column.key)])
                if secret and any(secret.values()) \
                        and _pinned(known, _of_row(secret, i, rows)):
                    found.append((key, i, column.key))
    return found


def test_the_probes_school_comes_back_without_rule_four():
    """The model above finds the probe's route: Bergsskolan's 36 through the portal, 4 of
    its own network and 15 without a place, beside a school of 30, 10 and 10."""
    tables = _school_tables([(36, 4, 15, 25), (30, 10, 10, 20)])
    from portal.reports.suppression import suppress

    alone = {key: suppress(table) for key, table in tables.items()}
    assert alone["placement_source"].mark(0, 1) == SUPPRESSED
    known = _known(tables, alone, 2)
    assert _pinned(known, _of_row({"o": 1}, 0, 2))  # 40 placed − (51 − 15) = 4
    together = suppress_report([tables])[0]
    assert not _pinned(_known(tables, together, 2), _of_row({"o": 1}, 0, 2))


def _rounds_and_leaks(schools: list[tuple[int, int, int, int]],
                      caplog: pytest.LogCaptureFixture) -> tuple[int, list[tuple[str, int, str]]]:
    """How many rounds rule 4 took over the three school tables, and the small groups a
    generous reader (_known) still works out."""
    tables = _school_tables(schools)
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="portal.reports.suppression"):
        shown = suppress_report([tables])[0]
    rounds = sum("rule 4 over" in r.getMessage() for r in caplog.records)
    return rounds, _leaks(tables, shown, len(schools))


@pytest.mark.parametrize("seed", range(4))
def test_rule_four_settles_a_region_in_a_few_rounds_however_many_schools(seed, caplog):
    """A region where nobody found a place through their own network (0 is a small
    group), every school full: the first wish tables' totals hidden to protect it were
    then protected in turn, one school's figure a round, so a country's 1,400 schools took
    hours. Now 40 schools take as many rounds as 5, and nothing small comes back."""
    def region(n: int) -> list[tuple[int, int, int, int]]:
        draw = random.Random(seed)
        schools = [(draw.randint(40, 90), 0 if seed < 2 else draw.choice([0, 2, 8]),
                    0 if seed % 2 == 0 else draw.choice([0, 0, 3, 12]), draw.randint(5, 30))
                   for _ in range(n)]
        return [(p, o, u, min(f, p + u)) for p, o, u, f in schools]

    few, few_leaks = _rounds_and_leaks(region(5), caplog)
    many, many_leaks = _rounds_and_leaks(region(40), caplog)
    assert few_leaks == many_leaks == []
    assert many <= few + 1, (few, many)
    assert many <= 7
