"""Small groups hidden, and never recoverable from what is shown (pure: no Flask)."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from portal.reports.suppression import SUPPRESSED, suppress
from portal.reports.tables import Cell, Chart, Column, Row, Table, Unit


def _table(columns: list[tuple[str, Unit]], rows: list[list[Cell]], total: list[Cell] | None,
           chart: Chart = Chart.BAR, headline: Cell | None = None) -> Table:
    return Table(key="t", title="T", description="D", row_header="Skola",
                 columns=tuple(Column(k, k, u) for k, u in columns),
                 rows=tuple(Row(f"Skola {i}", tuple(r), key=str(i)) for i, r in enumerate(rows)),
                 total=Row("Totalt", tuple(total), key="total") if total is not None else None,
                 chart=chart, headline=headline)


def test_a_cell_of_fewer_than_five_pupils_is_hidden_and_its_value_is_gone():
    table = _table([("n", Unit.PUPILS)], [[Cell.pupils(4)], [Cell.pupils(5)], [Cell.pupils(0)]],
                   None)
    shown = suppress(table)
    assert shown.hidden == {(0, 0), (2, 0)}
    assert shown.table.rows[0].cells[0] == Cell(None)  # nothing left for a chart or export
    assert shown.table.rows[1].cells[0].value == 5.0
    assert SUPPRESSED == "<5"


def test_counts_of_things_are_never_hidden():
    table = _table([("seats", Unit.COUNT)], [[Cell.count(1)], [Cell.count(2)]],
                   [Cell.count(3)])
    assert suppress(table).hidden == frozenset()


def test_complementary_cell_in_a_column_with_a_total():
    # 3 + 20 + 10 = 33: with the total shown, hiding 3 alone gives it away (33 - 30);
    # the smallest other cell (10) goes too.
    table = _table([("n", Unit.PUPILS)],
                   [[Cell.pupils(3)], [Cell.pupils(20)], [Cell.pupils(10)]], [Cell.pupils(33)])
    shown = suppress(table)
    assert shown.hidden == {(0, 0), (2, 0)}
    assert not shown.total_hidden(0)


def test_a_share_is_hidden_when_its_numerator_or_base_is_small():
    table = _table([("s", Unit.SHARE)],
                   [[Cell.share(4, 40)], [Cell.share(3, 4)], [Cell.share(30, 40)],
                    [Cell.share(20, 30)]], None)
    assert suppress(table).hidden == {(0, 0), (1, 0)}


def test_a_share_that_leaves_fewer_than_five_outside_it_is_hidden():
    # 92 % of 40 says that 3 pupils did not: those 3 are a small group too. All 40 leaves
    # nobody out, and 35 of 40 leaves five.
    table = _table([("s", Unit.SHARE)],
                   [[Cell.share(37, 40)], [Cell.share(40, 40)], [Cell.share(35, 40)]], None)
    assert suppress(table).hidden == {(0, 0)}


def test_a_stacked_row_whose_shown_share_is_all_hides_it_too():
    # 0 + 0 + 5 of 5: with 100 % shown, the two hidden shares can only be 0 %.
    table = _table([(f"s{j}", Unit.SHARE) for j in range(3)],
                   [[Cell.share(0, 5), Cell.share(0, 5), Cell.share(5, 5)],
                    [Cell.share(10, 30), Cell.share(10, 30), Cell.share(10, 30)]],
                   None, chart=Chart.STACKED)
    assert suppress(table).hidden == {(0, 0), (0, 1), (0, 2)}


def test_a_total_over_fewer_than_five_is_hidden_with_its_headline():
    table = _table([("s", Unit.SHARE)], [[Cell.share(2, 3)]], [Cell.share(2, 3)],
                   headline=Cell.share(2, 3))
    shown = suppress(table)
    assert shown.total_hidden(0) and shown.headline_hidden
    assert shown.table.headline == Cell(None)


def test_stacked_shares_hide_their_partner_in_the_row():
    # Portal 36 / own 4 of 40: own hidden, so portal (100 % - own) must go too; the
    # column sums then need a second row hidden in each column.
    rows = [[Cell.share(36, 40), Cell.share(4, 40)], [Cell.share(30, 40), Cell.share(10, 40)],
            [Cell.share(35, 38), Cell.share(3, 38)], [Cell.share(25, 30), Cell.share(5, 30)]]
    table = _table([("portal", Unit.SHARE), ("own", Unit.SHARE)], rows,
                   [Cell.share(126, 148), Cell.share(22, 148)], chart=Chart.STACKED)
    shown = suppress(table)
    assert shown.hidden == {(0, 0), (0, 1), (2, 0), (2, 1)}


def test_the_partner_is_the_smallest_shown_cell_which_may_spare_the_total():
    # 4 + 5 = 9: hiding 4 alone gives it away; of the row of 5 and the total of 9, the
    # smaller goes, so the total (and the headline that repeats it) stays.
    table = _table([("n", Unit.PUPILS)], [[Cell.pupils(4)], [Cell.pupils(5)]],
                   [Cell.pupils(9)], headline=Cell.pupils(9))
    table = Table(**{**table.__dict__, "headline_unit": Unit.PUPILS})
    shown = suppress(table)
    assert shown.hidden == {(0, 0), (1, 0)}  # the other row, the smaller than the total
    assert not shown.headline_hidden


def test_two_hidden_fours_of_a_total_of_eight_take_a_third_cell_with_them():
    """Each hidden count lies between 0 and 4: with 8 left for two of them, both are 4.
    The smallest shown row goes too, so the 8 is shared by a cell of five or more."""
    table = _table([("n", Unit.PUPILS)], [[Cell.pupils(4)], [Cell.pupils(4)],
                                          [Cell.pupils(12)], [Cell.pupils(30)]],
                   [Cell.pupils(50)])
    assert suppress(table).hidden == {(0, 0), (1, 0), (2, 0)}


def test_two_hidden_zeros_beside_shown_counts_take_a_third_cell_with_them():
    """6 + 6 shown of a total 12: the two hidden incident counts are 0."""
    table = _table([("n", Unit.PUPILS)], [[Cell.pupils(6)], [Cell.pupils(0)],
                                          [Cell.pupils(6)], [Cell.pupils(0)]],
                   [Cell.pupils(12)])
    assert suppress(table).hidden == {(1, 0), (3, 0), (0, 0)}


def test_a_cell_hidden_to_protect_another_reads_dots_not_fewer_than_five():
    # 3 and 5 of 8: the 5 is hidden so that the 3 cannot be worked out, and reads "..":
    # "<5" there would be untrue, and two "<5" of 8 would say 4 and 4.
    table = _table([("n", Unit.PUPILS)], [[Cell.pupils(3)], [Cell.pupils(5)]],
                   [Cell.pupils(8)])
    shown = suppress(table)
    assert shown.hidden == {(0, 0), (1, 0)}
    assert (shown.mark(0, 0), shown.mark(1, 0), shown.mark(2, 0)) == ("<5", "..", None)


def test_a_sum_that_pins_the_dots_at_five_takes_one_more_cell():
    # 0 + 5 + 20 = 25: hidden "<5" and "..", 5 left for them: the "<5" is 0 and the ".."
    # is 5. The 20 goes too.
    table = _table([("n", Unit.PUPILS)], [[Cell.pupils(0)], [Cell.pupils(5)],
                                          [Cell.pupils(20)]], [Cell.pupils(25)])
    shown = suppress(table)
    assert shown.hidden == {(0, 0), (1, 0), (2, 0)}
    assert shown.protecting == {(1, 0), (2, 0)}


def test_hidden_counts_the_total_leaves_open_stay_two():
    """7 left for two hidden counts: 3 and 4, or 4 and 3. Nothing more is hidden."""
    table = _table([("n", Unit.PUPILS)], [[Cell.pupils(3)], [Cell.pupils(4)],
                                          [Cell.pupils(20)]], [Cell.pupils(27)])
    assert suppress(table).hidden == {(0, 0), (1, 0)}


# --- the property: nothing hidden can be worked back ------------------------------------

def _recoverable(table: Table, hidden: frozenset[tuple[int, int]]) -> list[tuple[int, int]]:
    """Independently of the module: the linear sums a reader knows (each column's rows
    against its total; in a stacked table each row's shares against 100), over the hidden
    cells. A hidden cell is recoverable when its unit vector lies in the row space."""
    n_rows = len(table.rows) + 1
    people = [j for j, c in enumerate(table.columns) if c.unit is not Unit.COUNT]
    sums = [{(i, j): (1 if i < n_rows - 1 else -1) for i in range(n_rows)} for j in people]
    if table.chart is Chart.STACKED:
        sums += [{(i, j): 1 for j in people} for i in range(n_rows)]
    unknowns = sorted(hidden)
    if not unknowns:
        return []
    a = np.array([[s.get(p, 0) for p in unknowns] for s in sums], dtype=float)
    rank = np.linalg.matrix_rank(a) if a.size else 0
    found = []
    for k, p in enumerate(unknowns):
        unit = np.zeros((1, len(unknowns)))
        unit[0, k] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.append(p)
    return found


counts = st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=4), min_size=1,
                  max_size=7).filter(lambda rows: len({len(r) for r in rows}) == 1)


@settings(max_examples=300, deadline=None)
@given(counts)
def test_no_hidden_count_can_be_worked_back_from_the_totals(rows):
    width = len(rows[0])
    table = _table([(f"c{j}", Unit.PUPILS) for j in range(width)],
                   [[Cell.pupils(v) for v in r] for r in rows],
                   [Cell.pupils(sum(r[j] for r in rows)) for j in range(width)])
    shown = suppress(table)
    assert _recoverable(table, shown.hidden) == []
    for (i, j), cell in ((p, c) for p, c in _cells(table)):
        if cell.value is not None and cell.value < 5:
            assert (i, j) in shown.hidden  # every small cell hidden
    assert _pinned_by_bounds(rows, shown.hidden) == []


def _pinned_by_bounds(rows: list[list[int]], hidden: frozenset[tuple[int, int]]
                      ) -> list[int]:
    """Columns whose shown total leaves the hidden cells, all under five, a sum that only
    one choice of them gives (all 0 or all 4)."""
    last, found = len(rows), []
    for j in range(len(rows[0])):
        inside = [i for i in range(last) if (i, j) in hidden]
        if (last, j) in hidden or len(inside) < 2 or any(rows[i][j] >= 5 for i in inside):
            continue
        left = sum(rows[i][j] for i in inside)
        if left in (0, 4 * len(inside)):
            found.append(j)
    return found


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)),
                min_size=1, max_size=6))
@example(parts=[(0, 0, 0), (0, 0, 5), (0, 5, 0)])  # found by a run: a row of nobody
def test_no_hidden_share_can_be_worked_back_from_a_stacked_table(parts):
    def row(p: tuple[int, ...]) -> list[Cell]:
        return [Cell.share(x, sum(p)) for x in p]

    totals = tuple(sum(p[j] for p in parts) for j in range(3))
    table = _table([(f"s{j}", Unit.SHARE) for j in range(3)], [row(p) for p in parts],
                   row(totals), chart=Chart.STACKED)
    shown = suppress(table)
    assert _recoverable(table, shown.hidden) == []
    for i, p in enumerate(parts):
        for j, x in enumerate(p):
            if sum(p) == 0:  # a share of nobody: nothing to hide, it reads "–"
                assert (i, j) not in shown.hidden
            elif x < 5 or sum(p) < 5:
                assert (i, j) in shown.hidden


def _cells(table: Table):
    rows = (*table.rows, table.total)
    for i, r in enumerate(rows):
        if r is not None:
            for j, c in enumerate(r.cells):
                yield (i, j), c


def test_a_share_hidden_for_the_few_outside_it_reads_dots_not_fewer_than_five():
    """36 of 40 through the portal, 4 through their own network: the 4 are a small group
    ("<5"); the 36 are hidden with them (36 says 4) but are no small group: ".."."""
    table = _table([("portal", Unit.SHARE), ("own", Unit.SHARE)],
                   [[Cell.share(36, 40), Cell.share(4, 40)],
                    [Cell.share(30, 40), Cell.share(10, 40)],
                    [Cell.share(35, 40), Cell.share(5, 40)]], None, chart=Chart.STACKED,
                   headline=Cell.share(37, 40))
    shown = suppress(table)
    assert (shown.mark(0, 0), shown.mark(0, 1)) == ("..", "<5")
    assert shown.headline_hidden and shown.headline_mark == ".."  # 37 of 40: 3 outside
    assert suppress(_table([("s", Unit.SHARE)], [[Cell.share(3, 40)]], None,
                           headline=Cell.share(3, 4))).headline_mark == "<5"


def test_a_sum_that_pins_a_share_hidden_for_the_few_outside_it_takes_one_more_cell():
    """5 of 6 (hidden for the one outside it, "..", so five or more) and 0 of 10 ("<5"),
    and 20 of 25 shown, of 25 in all: 5 left for the two hidden, which says 5 and 0.
    The 20 goes too."""
    table = _table([("s", Unit.SHARE)], [[Cell.share(5, 6)], [Cell.share(0, 10)],
                                         [Cell.share(20, 25)]], [Cell.share(25, 41)])
    shown = suppress(table)
    assert (shown.mark(0, 0), shown.mark(1, 0)) == ("..", "<5")
    assert shown.is_hidden(2, 0) or shown.total_hidden(0)
