"""Small groups suppressed, so that no report names a pupil by counting them.

Pure Python, no Flask and no database. Two rules, as Swedish official statistics apply them:

1. Primary: a cell that counts fewer than five pupils shows "<5" — a count of pupils under
   5, a share whose numerator or base is under 5 or that leaves fewer than 5 outside it
   (92 % of 40 says 3 pupils did not), an average of fewer than 5 answers, and a total
   over fewer than 5. Things that are not people (seats, employers: Unit.COUNT) are
   never hidden.
2. Complementary: a hidden cell must not be computable from what is shown. A table's total
   row makes every column a sum (column total = sum of its rows), and a stacked table makes
   every row a sum (its shares add up to 100 %). Every such sum is a linear equation whose
   unknowns are the hidden cells; a hidden cell is recoverable exactly when the equations
   pin it down alone (it is a row of their reduced echelon form). While some hidden cell is
   recoverable, the smallest shown cell that shares an equation with it is hidden too.
   And as a hidden count lies between 0 and 4, a column whose hidden cells are all such
   counts also hides a shown cell of five or more (or its total): otherwise a total of 8
   over two hidden cells says both are 4.

A cell hidden by the first rule reads "<5"; one hidden by the second reads ".." (its value
may well be five or more), and the bounds of both count when a sum is checked.

The result carries a scrubbed copy of the table: a hidden cell's value, n and base are gone,
so a chart or an export made from it cannot leak what the page does not show."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from portal.reports.tables import Cell, Chart, Row, Table, Unit

MIN_PUPILS = 5
SUPPRESSED = "<5"  # a small group (the primary rule)
# A cell hidden so that a small group cannot be worked out from it: its value may be any,
# five or more too, so it must not read "<5" (that would be untrue, and a wrong "fewer
# than five" invites sums that do not hold).
PROTECTING = ".."

Position = tuple[int, int]  # (row index, column index); the total row is row len(rows)


@dataclass(frozen=True)
class Shown:
    """A table as it may be shown: `table` has its hidden cells scrubbed."""

    table: Table
    hidden: frozenset[Position]
    headline_hidden: bool
    # The hidden cells that are not small themselves but hide one that is (complementary).
    protecting: frozenset[Position] = frozenset()
    headline_protecting: bool = False

    def is_hidden(self, row: int, column: int) -> bool:
        return (row, column) in self.hidden

    def mark(self, row: int, column: int) -> str | None:
        """What a hidden cell reads instead of its value; None for a shown one."""
        if (row, column) not in self.hidden:
            return None
        return PROTECTING if (row, column) in self.protecting else SUPPRESSED

    @property
    def headline_mark(self) -> str | None:
        if not self.headline_hidden:
            return None
        return PROTECTING if self.headline_protecting else SUPPRESSED

    def total_hidden(self, column: int) -> bool:
        return (len(self.table.rows), column) in self.hidden


def too_small(cell: Cell, unit: Unit) -> bool:
    """The primary rule for one cell."""
    if unit is Unit.COUNT:
        return False
    if cell.value is None and not cell.n:
        return False  # a share of nobody, an average of no answers: shown as "–", not "<5"
    if unit is Unit.SHARE:
        if any(x is not None and x < MIN_PUPILS for x in (cell.n, cell.base)):
            return True
        # 92 % of 40 is 3 pupils without: those outside a share are counted by it too.
        outside = (cell.base - cell.n) if cell.n is not None and cell.base is not None else 0
        return 0 < outside < MIN_PUPILS
    return cell.n is not None and cell.n < MIN_PUPILS


def _all_rows(table: Table) -> tuple[Row, ...]:
    return table.rows + ((table.total,) if table.total is not None else ())


Equation = dict[Position, int]  # cell -> coefficient; the constant is what is shown


def _equations(table: Table) -> list[Equation]:
    """The sums a reader knows: each column's rows minus its total, and in a stacked table
    each row's shares, which add up to 100."""
    people = [j for j, c in enumerate(table.columns) if c.unit is not Unit.COUNT]
    equations: list[Equation] = []
    if table.total is not None:
        last = len(table.rows)
        equations += [{**{(i, j): 1 for i in range(last)}, (last, j): -1} for j in people]
    if table.chart is Chart.STACKED:
        shares = [j for j in people if table.columns[j].unit is Unit.SHARE]
        equations += [{(i, j): 1 for j in shares} for i in range(len(_all_rows(table)))]
    # A share of nobody ("–") is a known nothing: not an unknown, never hidden as a partner.
    rows = _all_rows(table)
    equations = [{p: c for p, c in eq.items() if not _nobody(rows[p[0]].cells[p[1]])}
                 for eq in equations]
    # A column without rows says nothing its (shown or hidden) total does not.
    return [eq for eq in equations if len(eq) > 1]


def _nobody(cell: Cell) -> bool:
    return cell.value is None and not cell.n


def _reduced(matrix: np.ndarray) -> np.ndarray:
    """Gauss–Jordan elimination: the non-zero rows of the reduced row echelon form. The
    coefficients are 1 and -1, so floating point with a tolerance is exact enough."""
    rows = matrix.astype(float).copy()
    done = 0
    for col in range(rows.shape[1]):
        if done == rows.shape[0]:
            break
        found = done + int(np.argmax(np.abs(rows[done:, col])))
        if abs(rows[found, col]) < 1e-9:
            continue
        rows[[done, found]] = rows[[found, done]]
        rows[done] /= rows[done, col]
        factors = rows[:, col].copy()
        factors[done] = 0.0
        rows -= np.outer(factors, rows[done])
        done += 1
    return rows[:done]


def _components(equations: list[Equation], hidden: set[Position]) -> list[list[int]]:
    """Groups of equations linked by shared hidden cells: each can be solved on its own."""
    parent = list(range(len(equations)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_seen: dict[Position, int] = {}
    for i, eq in enumerate(equations):
        for p in hidden.intersection(eq):
            if p in first_seen:
                parent[root(i)] = root(first_seen[p])
            else:
                first_seen[p] = i
    groups: dict[int, list[int]] = {}
    for i, eq in enumerate(equations):
        if hidden.intersection(eq):
            groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _pinned(equations: list[Equation], hidden: set[Position]) -> set[Position]:
    """The hidden cells the equations determine: a cell is determined exactly when a row
    of the reduced form of the equations (over the hidden cells) is that cell alone."""
    pinned = set()
    for group in _components(equations, hidden):
        unknowns = sorted({p for i in group for p in hidden.intersection(equations[i])})
        index = {p: k for k, p in enumerate(unknowns)}
        matrix = np.zeros((len(group), len(unknowns)))
        for r, i in enumerate(group):
            for p, coefficient in equations[i].items():
                if p in index:
                    matrix[r, index[p]] += coefficient
        for row in _reduced(matrix):
            nonzero = np.flatnonzero(np.abs(row) > 1e-9)
            if len(nonzero) == 1:
                pinned.add(unknowns[int(nonzero[0])])
    return pinned


def _close_lines(table: Table, equations: list[Equation], hidden: set[Position]) -> None:
    """The common case, fast: while a sum has exactly one hidden cell, hide a second one
    of it (the cell that also closes another such sum, else the smallest)."""
    rows = _all_rows(table)
    of_cell: dict[Position, list[int]] = {}
    for i, eq in enumerate(equations):
        for p in eq:
            of_cell.setdefault(p, []).append(i)
    count = [len(hidden.intersection(eq)) for eq in equations]
    queue = [i for i, c in enumerate(count) if c == 1]
    while queue:
        i = queue.pop()
        if count[i] != 1:
            continue
        shown = [p for p in equations[i] if p not in hidden]
        if not shown:
            continue
        partner = min(shown, key=lambda p: (
            -sum(1 for k in of_cell[p] if count[k] == 1),
            *_size(rows[p[0]].cells[p[1]]), p[1], p[0]))
        hidden.add(partner)
        for k in of_cell[partner]:
            count[k] += 1
            if count[k] == 1:
                queue.append(k)


def _size(cell: Cell) -> tuple[float, float]:
    return (cell.n if cell.n is not None else cell.value or 0.0,
            cell.base if cell.base is not None else 0.0)


def _partner(table: Table, equations: list[Equation], pinned: set[Position],
             hidden: set[Position]) -> Position | None:
    """The shown cell to hide next: one from a sum that gives a pinned cell away on its own
    (its only hidden cell), preferring the cell that closes the most such sums at once (in
    a stacked table the partner in the same row usually does), then the smallest."""
    rows = _all_rows(table)
    covers: dict[Position, int] = {}
    for eq in equations:
        inside = hidden & set(eq)
        if len(inside) == 1 and inside <= pinned:
            for p in eq:
                if p not in hidden:
                    covers[p] = covers.get(p, 0) + 1
    if not covers:
        # Pinned through other sums whose cells are all hidden (a + b, b + c, a + c):
        # any shown cell in a sum with a hidden one opens the system up.
        covers = {p: 0 for eq in equations if hidden & set(eq) for p in eq if p not in hidden}
    if not covers:
        return None
    return min(covers, key=lambda p: (-covers[p], *_size(rows[p[0]].cells[p[1]]), p[1], p[0]))


def _positions(table: Table) -> Iterator[tuple[Position, Cell, Unit]]:
    for i, row in enumerate(_all_rows(table)):
        for j, cell in enumerate(row.cells):
            yield (i, j), cell, table.columns[j].unit


def suppress(table: Table) -> Shown:
    small = {p for p, cell, unit in _positions(table) if too_small(cell, unit)}
    hidden = set(small)
    equations = _equations(table)
    while True:
        while True:
            _close_lines(table, equations, hidden)
            pinned = _pinned(equations, hidden)
            if not pinned:
                break
            partner = _partner(table, equations, pinned, hidden)
            if partner is None:  # every cell of every sum is hidden already
                break
            hidden.add(partner)
        bounded = _bounded_columns(table, hidden, small) | _empty_rows(table, hidden)
        if not bounded:
            return _scrubbed(table, frozenset(hidden), frozenset(hidden - small))
        hidden |= bounded


def _bounded_columns(table: Table, hidden: set[Position],
                     small: set[Position]) -> set[Position]:
    """Column sums the hidden cells' bounds pin down. A "<5" count lies between 0 and 4,
    a ".." one is five or more (it was shown before it was hidden to protect another):
    8 over two "<5" cells is 4 and 4, 0 is 0 and 0, and 10 over a "<5" and two ".." cells
    is 0, 5 and 5. Such a column also hides its smallest shown row (every shown cell counts
    five or more), or its total when no row is shown."""
    if table.total is None:
        return set()
    last, more = len(table.rows), set()
    for j, column in enumerate(table.columns):
        if column.unit not in (Unit.PUPILS, Unit.SHARE) or (last, j) in hidden:
            continue
        inside = [i for i in range(last) if (i, j) in hidden]
        below = sum(1 for i in inside if (i, j) in small)
        if len(inside) < 2 or not below:
            continue
        shown = [i for i in range(last) if (i, j) not in hidden]
        left = _size(table.total.cells[j])[0] - sum(_size(table.rows[i].cells[j])[0]
                                                     for i in shown)
        above = len(inside) - below
        pinning = (0, (MIN_PUPILS - 1) * below) if not above else (MIN_PUPILS * above,)
        if left not in pinning:
            continue  # e.g. 7 over two "<5": 3 and 4, or 4 and 3
        candidates = [i for i in shown if not _nobody(table.rows[i].cells[j])]
        more.add((min(candidates, key=lambda i: (*_size(table.rows[i].cells[j]), i)), j)
                 if candidates else (last, j))
    return more


def _empty_rows(table: Table, hidden: set[Position]) -> set[Position]:
    """In a stacked table a row's shares add up to 100 %: when the shown ones already do,
    the hidden ones are all 0 % (nobody), pinned though the sums leave them open. Such a row
    also hides its smallest shown share."""
    if table.chart is not Chart.STACKED:
        return set()
    shares = [j for j, c in enumerate(table.columns) if c.unit is Unit.SHARE]
    more = set()
    for i, row in enumerate(_all_rows(table)):
        inside = [j for j in shares if (i, j) in hidden]
        shown = [j for j in shares if (i, j) not in hidden and not _nobody(row.cells[j])]
        if not inside or not shown:
            continue
        left = _size(row.cells[shares[0]])[1] - sum(_size(row.cells[j])[0] for j in shown)
        if left == 0:
            more.add((i, min(shown, key=lambda j: (*_size(row.cells[j]), j))))
    return more


def _scrubbed(table: Table, hidden: frozenset[Position],
              protecting: frozenset[Position]) -> Shown:
    def row(i: int, r: Row) -> Row:
        return replace(r, cells=tuple(Cell(None) if (i, j) in hidden else c
                                      for j, c in enumerate(r.cells)))

    rows = tuple(row(i, r) for i, r in enumerate(table.rows))
    total = row(len(rows), table.total) if table.total is not None else None
    headline = table.headline
    small_headline = headline is not None and too_small(headline, table.headline_unit)
    # The headline is the total's cell: hidden with it, and marked as it is.
    as_total = [(len(rows), j) for j, c in enumerate(table.total.cells)
                if (len(rows), j) in hidden and c == headline] \
        if table.total is not None and headline is not None else []
    headline_hidden = small_headline or bool(as_total)
    return Shown(replace(table, rows=rows, total=total,
                         headline=Cell(None) if headline_hidden else headline),
                 hidden, headline_hidden, protecting,
                 not small_headline and bool(as_total) and all(p in protecting
                                                               for p in as_total))
