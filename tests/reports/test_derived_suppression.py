"""A share computed from counts in its own row is hidden wherever one of them is, so that no
shown share gives a hidden count back (pure: the suppression takes plain tables).

The tester's case: "Bygg;34;..;6;54,0" — 34 girls at 54.0 % girls are 29 boys."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.reports.indicators import equity, gender
from portal.reports.suppression import PROTECTING, suppress
from portal.reports.tables import Cell, Column, Row, Table, Unit


def _table(columns: tuple[Column, ...], rows: list[tuple[Cell, ...]],
           total: tuple[Cell, ...]) -> Table:
    return Table(key="t", title="T", description="D", row_header="R", columns=columns,
                 rows=tuple(Row(f"r{i}", r, key=str(i)) for i, r in enumerate(rows)),
                 total=Row("Totalt", total, key="total"))


# --- gender per sector: girls, boys, other, share of girls among girls and boys -----------

def _gender_cells(girls: int, boys: int, other: int) -> tuple[Cell, ...]:
    return (Cell.pupils(girls), Cell.pupils(boys), Cell.pupils(other),
            Cell.share(girls, girls + boys), Cell.count(50.0))


def _gender_table(rows: list[tuple[int, int, int]]) -> Table:
    totals = tuple(sum(r[k] for r in rows) for k in range(3))
    return _table(gender.COLUMNS, [_gender_cells(*r) for r in rows], _gender_cells(*totals))


def test_a_row_with_a_hidden_count_has_its_share_of_girls_hidden():
    """Vård's 3 boys are "<5"; Bygg's 29 boys are hidden to protect them (".."). Bygg's
    54.0 % beside its 34 girls would say 29: it is hidden too, and so is every share of a
    row with a hidden count; the shares of rows whose counts are all shown stay."""
    table = _gender_table([(34, 29, 6), (20, 3, 5), (30, 40, 10)])
    shown = suppress(table)
    assert shown.mark(1, 1) == "<5"
    assert shown.mark(0, 1) == PROTECTING
    assert shown.mark(0, 3) == PROTECTING  # was 53.97 %, giving the 29 back
    assert shown.is_hidden(1, 3)
    assert not shown.is_hidden(2, 3)  # 30 and 40 are shown: its share tells nothing more
    assert shown.table.rows[0].cells[3] == Cell(None)  # gone for the chart and the CSV
    for i, row in enumerate((*table.rows, table.total)):
        if any(shown.is_hidden(i, j) for j in (0, 1)):
            assert shown.is_hidden(i, 3)
        else:
            assert not shown.is_hidden(i, 3) or row.cells[3].value is None


# --- the property: a reader who knows every shown figure works no hidden count back -------

Form = dict[str, float]  # unknown (row variable) -> coefficient


def _determined(equations: list[Form], wanted: list[str]) -> list[str]:
    """The unknowns a set of linear equations pins down (their unit vector in the row
    space), worked out with numpy, independently of the suppression module."""
    names = sorted({v for eq in equations for v in eq} | set(wanted))
    a = np.array([[eq.get(v, 0.0) for v in names] for eq in equations] or [[0.0] * len(names)])
    rank = np.linalg.matrix_rank(a)
    found = []
    for w in wanted:
        unit = np.zeros((1, len(names)))
        unit[0, names.index(w)] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.append(w)
    return found


def _reader(table: Table, shown_hidden: frozenset[tuple[int, int]],
            variables: list[dict[str, Form]], shares: dict[str, tuple[Form, Form]]
            ) -> list[Form]:
    """What a reader knows as equations over the rows' true counts: a shown count is its
    value, a shown share s of numerator N over base B says N·100 − s·B = 0 (exact: a share
    to one decimal of small counts is as good as exact). `variables[i][key]` is row i's
    count column as a form of the unknowns; `shares[key]` a share column's numerator and
    base as forms of row i's (prefixed) unknowns."""
    equations: list[Form] = []
    for i, row in enumerate((*table.rows, table.total)):
        assert row is not None
        for j, column in enumerate(table.columns):
            if (i, j) in shown_hidden or row.cells[j].value is None:
                continue
            if column.key in variables[i]:
                equations.append(dict(variables[i][column.key]))
            elif column.key in shares:
                numerator, base = shares[column.key]
                s = row.cells[j].value
                form = {}
                for v, c in _at(numerator, i, len(table.rows)).items():
                    form[v] = form.get(v, 0.0) + 100.0 * c
                for v, c in _at(base, i, len(table.rows)).items():
                    form[v] = form.get(v, 0.0) - s * c
                equations.append(form)
    # The constants (the figures shown) do not decide what is pinned down, only the forms.
    return equations


def _at(form: Form, i: int, rows: int) -> Form:
    """A share's form for row i; the total row's is the sum over the rows."""
    if i < rows:
        return {f"{v}{i}": c for v, c in form.items()}
    return {f"{v}{k}": c for v, c in form.items() for k in range(rows)}


def _counts_hidden_are_open(table: Table, variables: list[dict[str, Form]],
                            shares: dict[str, tuple[Form, Form]]) -> list[tuple[int, int]]:
    shown = suppress(table)
    equations = _reader(table, shown.hidden, variables, shares)
    found = []
    for i, j in sorted(shown.hidden):
        key = table.columns[j].key
        if key in variables[i]:
            form = variables[i][key]
            probe = {**form, "_probe": -1.0}
            if "_probe" in _determined([*equations, probe], ["_probe"]):
                found.append((i, j))
    return found


def _row_variables(keys: tuple[str, ...], rows: int) -> list[dict[str, Form]]:
    per_row = [{k: {f"{k}{i}": 1.0} for k in keys} for i in range(rows)]
    total = {k: {f"{k}{i}": 1.0 for i in range(rows)} for k in keys}
    return [*per_row, total]


gender_rows = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 12)),
                       min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(gender_rows)
def test_no_shown_share_of_girls_gives_a_hidden_count_back(rows):
    table = _gender_table(rows)
    variables = _row_variables(("girls", "boys", "other"), len(rows))
    shares = {"girls_share": ({"girls": 1.0}, {"girls": 1.0, "boys": 1.0})}
    assert _counts_hidden_are_open(table, variables, shares) == []


# --- a count and shares of it (coverage, needs, steps, absences); equity's chain ----------

OF_PUPILS = (Column("pupils", "Elever", Unit.PUPILS),
             Column("covered", "Minst tio dagar", Unit.SHARE, of=("pupils",)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 40).flatmap(lambda n: st.tuples(st.just(n),
                                                               st.integers(0, n))),
                min_size=1, max_size=6))
def test_no_shown_share_of_a_hidden_number_of_pupils_gives_it_back(rows):
    """The column's total gives the covered pupils of the one row whose share is shown
    beside a hidden number of pupils, and the share then gives that number."""
    def cells(n: int, done: int) -> tuple[Cell, ...]:
        return Cell.pupils(n), Cell.share(done, n)

    table = _table(OF_PUPILS, [cells(*r) for r in rows],
                   cells(sum(r[0] for r in rows), sum(r[1] for r in rows)))
    variables = _row_variables(("pupils",), len(rows))
    # The covered pupils are a count no column shows: an unknown of their own.
    shares = {"covered": ({"covered": 1.0}, {"pupils": 1.0})}
    assert _counts_hidden_are_open(table, variables, shares) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 30).flatmap(lambda n: st.integers(0, n).flatmap(
    lambda placed: st.tuples(st.just(n), st.just(placed), st.integers(0, placed)))),
    min_size=1, max_size=6))
def test_no_shown_own_network_share_gives_a_hidden_placement_rate_back(rows):
    """Equity per school: the placement rate is of the pupils, the own-network share of
    the placed (the placement rate's numerator)."""
    def cells(n: int, placed: int, own: int) -> tuple[Cell, ...]:
        return (Cell.pupils(n), Cell.share(placed, n), Cell.share(0, 0),
                Cell.share(own, placed))

    table = _table(equity.COLUMNS, [cells(*r) for r in rows],
                   cells(*(sum(r[k] for r in rows) for k in range(3))))
    variables = _row_variables(("pupils",), len(rows))
    shares = {"placement_rate": ({"placed": 1.0}, {"pupils": 1.0}),
              "own_network_share": ({"own": 1.0}, {"placed": 1.0})}
    shown = suppress(table)
    assert _counts_hidden_are_open(table, variables, shares) == []
    # Nor are the placed pupils of a hidden placement rate beside a shown number of pupils
    # (the rate would follow), though the shown own-network shares are of them.
    equations = _reader(table, shown.hidden, variables, shares)
    for i in range(len(rows)):
        if shown.is_hidden(i, 1) and not shown.is_hidden(i, 0):
            assert _determined([*equations, {f"placed{i}": 1.0, "_probe": -1.0}],
                               ["_probe"]) == []
