"""Small groups suppressed, so that no report names a pupil by counting them.

Pure Python, no Flask and no database. The rules, as Swedish official statistics apply them:

1. Primary: a cell that counts fewer than five pupils is hidden — a count of pupils under
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
3. Derived: a figure computed from counts in other columns of its row (a share whose
   numerator or base is counted there: `Column.of`) is hidden wherever one of those counts
   is, or it gives the count back: 34 girls at 54.0 % girls are 29 boys. A share computed
   from them alone (`Column.only_of`) says nothing they do not: it takes no part in the
   sums (its counts' columns carry them) and is hidden exactly where they are.
4. Across indicators: one reader sees every indicator of a scope, and figures of one are
   made of the counts of another. Each column declares its counts (`Column.counts`: per
   school, placed through the portal, through their own network, without a place, ...; a
   share to one decimal of a school's pupils gives both its numerator and its base), and
   while a hidden count is a sum or difference of the counts the scope shows, a shown
   figure made of its row's counts is hidden too (`_worked_out`): 40 placed (55 pupils at
   72.7 %) less 36 placed through the portal (51 seeking at 29.4 % without a place) are the
   hidden 4 through their own network. An average is hidden wherever a count of the
   distribution it is computed from is (`Column.mean_of`): a mean to two decimals pins the
   hidden count of 1s.
   `suppress_report` applies it with the others until nothing changes.

A cell hidden by the first rule reads "<5" when the group it counts is fewer than five: a
count, an average's answers, a share's numerator (or base) of 0–4. A share hidden only for
the few outside it (37 of 40) counts five or more: it reads "..", as does a cell hidden by
the second rule (its value may well be five or more). When a sum is checked a "<5" lies
between 0 and 4 and a ".." is five or more.

The result carries a scrubbed copy of the table: a hidden cell's value, n and base are gone,
so a chart or an export made from it cannot leak what the page does not show."""

from __future__ import annotations

import heapq
import logging
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from portal.reports.tables import UNDECLARED, Cell, Chart, Column, Counts, Row, Table, Unit

_log = logging.getLogger(__name__)

MIN_PUPILS = 5
SUPPRESSED = "<5"  # a small group (the primary rule)
# A cell hidden so that a small group cannot be worked out from it: its value may be any,
# five or more too, so it must not read "<5" (that would be untrue, and a wrong "fewer
# than five" invites sums that do not hold).
PROTECTING = ".."

Position = tuple[int, int]  # (row index, column index); the total row is row len(rows)
# A cell of one of several tables suppressed together: (table index, row, column).
Place = tuple[int, int, int]


@dataclass(frozen=True)
class Shown:
    """A table as it may be shown: `table` has its hidden cells scrubbed."""

    table: Table
    hidden: frozenset[Position]
    headline_hidden: bool
    # The hidden cells that read "..": those hiding a small group that is not themselves
    # (complementary cells, and shares hidden for the few outside them).
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


def fewer_than_five(cell: Cell, unit: Unit) -> bool:
    """A cell the primary rule hides that itself counts fewer than five, of which "<5" is
    true. 37 of 40 is hidden for the 3 outside it, but counts 37: it reads ".."."""
    if not too_small(cell, unit):
        return False
    if unit is Unit.SHARE:
        return any(x is not None and x < MIN_PUPILS for x in (cell.n, cell.base))
    return True


def _all_rows(table: Table) -> tuple[Row, ...]:
    return table.rows + ((table.total,) if table.total is not None else ())


Equation = dict[Place, int]  # cell -> coefficient; the constant is what is shown


def _summed(table: Table) -> list[int]:
    """The columns whose cells are unknowns of the sums: those counting people, but not a
    share computed from other columns alone (their sums are its sums)."""
    return [j for j, c in enumerate(table.columns) if c.unit is not Unit.COUNT and not c.only_of]


def _derived(tables: Sequence[Table], hidden: set[Place]) -> set[Place]:
    """The third rule: the shown cells computed from a hidden cell of their row."""
    more = set()
    for t, table in enumerate(tables):
        index = {c.key: j for j, c in enumerate(table.columns)}
        sources = [(j, [index[k] for k in c.of]) for j, c in enumerate(table.columns) if c.of]
        for i in range(len(_all_rows(table))):
            more |= {(t, i, j) for j, parts in sources
                     if (t, i, j) not in hidden and any((t, i, k) in hidden for k in parts)}
    return more


def _equations(table: Table, t: int = 0) -> list[Equation]:
    """The sums a reader knows: each column's rows minus its total, and in a stacked table
    each row's shares, which add up to 100. `t` is the table's index among those
    suppressed together."""
    people = _summed(table)
    equations: list[Equation] = []
    if table.total is not None:
        last = len(table.rows)
        equations += [{**{(t, i, j): 1 for i in range(last)}, (t, last, j): -1}
                      for j in people]
    if table.chart is Chart.STACKED:
        shares = [j for j in people if table.columns[j].unit is Unit.SHARE]
        equations += [{(t, i, j): 1 for j in shares} for i in range(len(_all_rows(table)))]
    # A share of nobody ("–") is a known nothing: not an unknown, never hidden as a partner.
    rows = _all_rows(table)
    equations = [{p: c for p, c in eq.items() if not _nobody(rows[p[1]].cells[p[2]])}
                 for eq in equations]
    # A column without rows says nothing its (shown or hidden) total does not.
    return [eq for eq in equations if len(eq) > 1]


@dataclass(frozen=True)
class Sum:
    """Tables that add up cell by cell: each row of the table `whole` (by its key; the
    total row with the total rows) is the sum of the same row in the tables `parts`, a row
    a part lacks counting nothing. The region is the sum of its municipalities, a school
    year the sum of its two terms. Indices into the tables suppressed together."""

    whole: int
    parts: tuple[int, ...]


_TOTAL = "\0total"  # the total row's key here: a row's own key may well read "total"


def _row_index(table: Table) -> dict[str, int]:
    """Row by key, rows whose key is not unique left out (nothing to match them by)."""
    seen: dict[str, int] = {}
    twice = set()
    for i, row in enumerate(table.rows):
        if row.key in seen:
            twice.add(row.key)
        seen[row.key] = i
    found = {key: i for key, i in seen.items() if key not in twice}
    if table.total is not None:
        found[_TOTAL] = len(table.rows)
    return found


def _sum_equations(tables: Sequence[Table], sums: Sequence[Sum]) -> list[Equation]:
    """What a reader of several tables knows besides each one's sums: a cell of the whole
    minus the same cell of every part is 0. Only for the cells that do add up (pupils
    counted once in the whole and once in a part; a share's numerator and base; an
    average's answers): a count of distinct pupils over a year is no sum of its terms when
    a pupil had prao in both, nor a median of its parts. A cell of nobody is a known 0."""
    equations: list[Equation] = []
    for relation in sums:
        whole = tables[relation.whole]
        parts = [k for k in relation.parts if tables[k].columns == whole.columns]
        if len(parts) != len(relation.parts):
            continue  # not the same indicator: nothing adds up
        indices = [(k, _row_index(tables[k])) for k in parts]
        people = _summed(whole)
        rows = _all_rows(whole)
        for key, i in _row_index(whole).items():
            matched = [(k, found[key]) for k, found in indices if key in found]
            for j in people:
                cell = rows[i].cells[j]
                inside = [(k, r, _all_rows(tables[k])[r].cells[j]) for k, r in matched]
                sizes = [_size(c) for _k, _r, c in inside]
                if any(abs(_size(cell)[x] - sum(s[x] for s in sizes)) > 1e-9 for x in (0, 1)):
                    continue
                equation = {(k, r, j): 1 for k, r, c in inside if not _nobody(c)}
                if not _nobody(cell):
                    equation[(relation.whole, i, j)] = -1
                if len(equation) > 1:
                    equations.append(equation)
    return equations


def _nobody(cell: Cell) -> bool:
    return cell.value is None and not cell.n


def _components(equations: list[Equation], hidden: set[Place]) -> list[list[int]]:
    """Groups of equations linked by shared hidden cells: each can be solved on its own."""
    parent = list(range(len(equations)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_seen: dict[Place, int] = {}
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


def _pinned(equations: list[Equation], hidden: set[Place]) -> list[tuple[list[int], set[Place]]]:
    """The hidden cells the equations determine, by group of equations (those that have
    any): a cell is determined exactly when a row of the reduced form of the equations
    (over the hidden cells) is that cell alone."""
    found = []
    for group in _components(equations, hidden):
        unknowns = sorted({p for i in group for p in hidden.intersection(equations[i])})
        if len(group) < 2 and len(unknowns) > 1:
            continue  # one sum over several hidden cells pins none of them
        pinned = _solved([equations[i] for i in group], unknowns)
        if pinned:
            found.append((group, pinned))
    return found


def _solved(equations: list[Equation], unknowns: list[Place]) -> set[Place]:
    """The unknowns the equations determine: after Gauss–Jordan elimination, the pivots
    whose row holds nothing else (e_k is in the row space exactly then, whatever the
    order of the pivots). Sparse: a country's school year is one group of 100,000 sums
    over as many hidden cells, a dense matrix of 100 GiB. The shortest row goes first and
    pivots on its cell in the fewest other rows, which keeps the rows short. The
    coefficients start as 1 and -1, so floating point with a tolerance is exact enough."""
    wanted = set(unknowns)
    rows = [{p: float(c) for p, c in eq.items() if p in wanted} for eq in equations]
    holding: dict[Place, set[int]] = {p: set() for p in unknowns}
    for r, row in enumerate(rows):
        for p in row:
            holding[p].add(r)
    queue = [(len(row), r) for r, row in enumerate(rows) if row]
    heapq.heapify(queue)
    pivots: dict[Place, int] = {}
    done: set[int] = set()
    while queue:
        length, r = heapq.heappop(queue)
        row = rows[r]
        if length != len(row) or not row or r in done:
            continue  # changed since it was queued (queued again), emptied, or a pivot
        column = min(row, key=lambda p: (len(holding[p]), -abs(row[p]), _order(p)))
        _pivot(rows, holding, r, column, queue)
        pivots[column] = r
        done.add(r)
    return {column for column, r in pivots.items() if len(rows[r]) == 1}


def _pivot(rows: list[dict[Place, float]], holding: dict[Place, set[int]], r: int,
           column: Place, queue: list[tuple[int, int]]) -> None:
    """Scale row r to 1 at `column` and clear the column from every other row."""
    row = rows[r]
    scale = row[column]
    for p in row:
        row[p] /= scale
    for other in holding[column] - {r}:
        target, factor = rows[other], rows[other][column]
        for p, value in row.items():
            changed = target.get(p, 0.0) - factor * value
            if abs(changed) < 1e-9:
                if target.pop(p, None) is not None:
                    holding[p].discard(other)
            else:
                if p not in target:
                    holding[p].add(other)
                target[p] = changed
        heapq.heappush(queue, (len(target), other))


Size = Callable[[Place], tuple[float, float]]


def _order(p: Place) -> tuple[int, int, int]:
    """Ties broken by column, then row, then table."""
    return p[2], p[1], p[0]


def _close_lines(size: Size, equations: list[Equation], hidden: set[Place]) -> None:
    """The common case, fast: while a sum has exactly one hidden cell, hide a second one
    of it (the cell that also closes another such sum, else the smallest)."""
    of_cell: dict[Place, list[int]] = {}
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
            -sum(1 for k in of_cell[p] if count[k] == 1), *size(p), *_order(p)))
        hidden.add(partner)
        for k in of_cell[partner]:
            count[k] += 1
            if count[k] == 1:
                queue.append(k)


def _size(cell: Cell) -> tuple[float, float]:
    return (cell.n if cell.n is not None else cell.value or 0.0,
            cell.base if cell.base is not None else 0.0)


def _partner(size: Size, equations: list[Equation], pinned: set[Place],
             hidden: set[Place]) -> Place | None:
    """The shown cell to hide next: one from a sum that gives a pinned cell away on its own
    (its only hidden cell), preferring the cell that closes the most such sums at once (in
    a stacked table the partner in the same row usually does), then the smallest."""
    covers: dict[Place, int] = {}
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
    return min(covers, key=lambda p: (-covers[p], *size(p), *_order(p)))


def _positions(table: Table) -> Iterator[tuple[Position, Cell, Unit]]:
    for i, row in enumerate(_all_rows(table)):
        for j, cell in enumerate(row.cells):
            yield (i, j), cell, table.columns[j].unit


def suppress(table: Table) -> Shown:
    return suppress_together([table])[0]


def suppress_together(tables: Sequence[Table], sums: Sequence[Sum] = (),
                      forced: Sequence[Collection[Position]] = ()) -> list[Shown]:
    """Each table as it may be shown, when one reader sees them all: the sums between them
    (`sums`: the region's cells are its municipalities' added up, a year's its terms')
    count as the sums within each, so that no hidden cell of one can be worked out from
    what the others show. `forced` (by table, as many as given): cells hidden from the
    start to protect a cell of another indicator (rule 4); they read ".." unless small."""
    shown_tables, tables = tables, [_emptied(table) for table in tables]
    cells = {(t, i, j): cell for t, table in enumerate(tables)
             for (i, j), cell, _unit in _positions(table)}
    small = {(t, i, j) for t, table in enumerate(tables)
             for (i, j), cell, unit in _positions(table) if too_small(cell, unit)}
    # Those of them that read "<5": between 0 and 4 when a sum is checked.
    few = {p for p in small if fewer_than_five(cells[p], tables[p[0]].columns[p[2]].unit)}

    def size(p: Place) -> tuple[float, float]:
        return _size(cells[p])

    hidden = set(small) | {(t, i, j) for t, found in enumerate(forced) for i, j in found
                           if not _nobody(cells[(t, i, j)])}
    between = _sum_equations(tables, sums)
    equations = [eq for t, table in enumerate(tables) for eq in _equations(table, t)] + between
    while True:
        while True:
            _close_lines(size, equations, hidden)
            partners = set()
            for group, pinned in _pinned(equations, hidden):
                partner = _partner(size, [equations[i] for i in group], pinned, hidden)
                if partner is not None:  # None: every cell of every sum is hidden already
                    partners.add(partner)
            if not partners:
                break
            hidden |= partners
        bounded = _bounded_sums(tables, size, between, hidden, small, few) \
            | _bounded_within(tables, hidden, small, few) | _derived(tables, hidden)
        if not bounded:
            break
        hidden |= bounded
    by_table = _by_table(hidden, len(tables))
    few_by_table = _by_table(few, len(tables))
    return [_scrubbed(table, frozenset(by_table[t]), frozenset(by_table[t] - few_by_table[t]))
            for t, table in enumerate(shown_tables)]


def _emptied(table: Table) -> Table:
    """A table without rows counts nobody, and says so: its total's 0 is a known nothing,
    like a share of nobody (an empty spring term is no secret, and hiding its 0 would hide
    the autumn's figures in the year's)."""
    if table.rows or table.total is None:
        return table
    return replace(table, total=replace(table.total, cells=tuple(
        Cell(None, 0) if not _size(c)[0] else c for c in table.total.cells)))


def _bounded_within(tables: Sequence[Table], hidden: set[Place], small: set[Place],
                    few: set[Place]) -> set[Place]:
    """_bounded_columns and _empty_rows of each table."""
    by_table = _by_table(hidden, len(tables))
    small_by_table = _by_table(small, len(tables))
    few_by_table = _by_table(few, len(tables))
    return {(t, i, j) for t, table in enumerate(tables)
            for i, j in _bounded_columns(table, by_table[t], small_by_table[t],
                                         few_by_table[t])
            | _empty_rows(table, by_table[t])}


def _by_table(places: set[Place], count: int) -> list[set[Position]]:
    found: list[set[Position]] = [set() for _ in range(count)]
    for t, i, j in places:
        found[t].add((i, j))
    return found


def _bounded_sums(tables: Sequence[Table], size: Size, between: list[Equation],
                  hidden: set[Place], small: set[Place], few: set[Place]) -> set[Place]:
    """_bounded_columns for the sums between tables: a shown whole (the region's cell)
    that leaves its hidden parts (the municipalities' cells), a small group among them, a
    sum only one choice of them gives (all "<5" at 0 or at 4, the ".." at 5) hides its
    smallest shown part too, or itself when no part is shown."""
    more = set()
    for eq in between:
        whole = next(p for p, c in eq.items() if c == -1) if -1 in eq.values() else None
        if whole is None or whole in hidden:
            continue
        if tables[whole[0]].columns[whole[2]].unit not in (Unit.PUPILS, Unit.SHARE):
            continue
        parts = [p for p, c in eq.items() if c == 1]
        inside = [p for p in parts if p in hidden]
        below = sum(1 for p in inside if p in few)
        if len(inside) < 2 or not any(p in small for p in inside):
            continue
        shown = [p for p in parts if p not in hidden]
        left = size(whole)[0] - sum(size(p)[0] for p in shown)
        above = len(inside) - below
        pinning = (0, (MIN_PUPILS - 1) * below) if not above else (MIN_PUPILS * above,)
        if left not in pinning:
            continue
        more.add(min(shown, key=lambda p: (*size(p), *_order(p))) if shown else whole)
    return more


def _bounded_columns(table: Table, hidden: set[Position], small: set[Position],
                     few: set[Position]) -> set[Position]:
    """Column sums the hidden cells' bounds pin down, where a small group (`small`) is
    among them. A "<5" count (`few`) lies between 0 and 4, a ".." one is five or more (it
    was shown before it was hidden to protect another, or it is a share of five or more
    hidden for the few outside it):
    8 over two "<5" cells is 4 and 4, 0 is 0 and 0, and 10 over a "<5" and two ".." cells
    is 0, 5 and 5. Such a column also hides its smallest shown row (every shown cell counts
    five or more), or its total when no row is shown."""
    if table.total is None:
        return set()
    last, more = len(table.rows), set()
    for j, column in enumerate(table.columns):
        if column.unit not in (Unit.PUPILS, Unit.SHARE) or column.only_of \
                or (last, j) in hidden:
            continue
        inside = [i for i in range(last) if (i, j) in hidden]
        below = sum(1 for i in inside if (i, j) in few)
        if len(inside) < 2 or not any((i, j) in small for i in inside):
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
    # Without a total row, the headline is one row's cell (the pupils' "would recommend"
    # average): hidden with it.
    as_row = [(i, j) for i, r in enumerate(table.rows) for j, c in enumerate(r.cells)
              if (i, j) in hidden and c == headline] \
        if table.total is None and headline is not None else []
    as_total = as_total or as_row
    headline_hidden = small_headline or bool(as_total)
    # "<5" only when the headline's own group is fewer than five (or the total's cell it
    # is reads so); a share hidden for the few outside it, or with the total, reads "..".
    few_headline = headline is not None and fewer_than_five(headline, table.headline_unit)
    return Shown(replace(table, rows=rows, total=total,
                         headline=Cell(None) if headline_hidden else headline),
                 hidden, headline_hidden, protecting,
                 headline_hidden and not few_headline
                 and all(p in protecting for p in as_total))


# Which cells of a table are hidden, and of those which protect another (".."): what a
# snapshot keeps, so that its export is scrubbed as its page was.
Positions = tuple[frozenset[Position], frozenset[Position]]


def shown_as(table: Table, hidden: frozenset[Position], protecting: frozenset[Position]
             ) -> Shown:
    """The table with the given cells hidden (decided before, by suppress_together)."""
    return _scrubbed(table, hidden, protecting)


# --- across the indicators of a scope (rule 4) ----------------------------------------------

Variable = tuple[str, str, str]  # (group, row key, count): one count of one row
Form = dict[Variable, int]


def _mean_of(column: Column) -> str | None:
    return None if column.mean_of == UNDECLARED else column.mean_of


def _counts(column: Column) -> Counts | None:
    return None if column.counts is None or column.counts.group == UNDECLARED \
        else column.counts


def _shown_cells(table: Table) -> Iterator[tuple[str, int, int, Column]]:
    """(row key, row, column index, column) of every cell of a row with a unique key (the
    total row's key _TOTAL), nobody's cells ("–", known to be nothing, as suppression reads
    them: an empty table's total too) left out."""
    rows = _all_rows(_emptied(table))
    for key, i in _row_index(table).items():
        for j, column in enumerate(table.columns):
            if not _nobody(rows[i].cells[j]):
                yield key, i, j, column


def _form(table: Table, key: str, group: str, names: tuple[str, ...]) -> Form:
    """The counts `names` of the row `key` (of every row, for the total row)."""
    keys = [k for k in _row_index(table) if k != _TOTAL] if key == _TOTAL else [key]
    return {(group, k, name): 1 for k in keys for name in names}


def _secrets(cell: Cell, unit: Unit, counts: Counts, table: Table, key: str) -> list[Form]:
    """What a hidden cell keeps from the reader: the small groups it counts (its numerator,
    a share's base, those outside a share), or for a cell hidden to protect another its
    numerator, which the sums hold."""
    def form(names: tuple[str, ...]) -> Form:
        return _form(table, key, counts.group, names)

    share = unit is Unit.SHARE and bool(counts.base)
    if share and too_small(cell, unit) and not fewer_than_five(cell, unit):
        outside = form(counts.base)
        for v, c in form(counts.n).items():
            outside[v] = outside.get(v, 0) - c
        return [{v: c for v, c in outside.items() if c}]
    small_base = share and cell.base is not None and cell.base < MIN_PUPILS
    return [form(counts.n), *([form(counts.base)] if small_base else [])]


Figure = tuple[Form, str, int, int]  # a form and its cell: indicator, row, column


def _reading(tables: Mapping[str, Table], shown: Mapping[str, Shown]
             ) -> tuple[list[Form], list[Figure], list[Figure]]:
    """What a reader of the scope's indicators knows of their counts (`Column.counts`):
    the counts each shown figure is made of (a share's numerator and base); what each
    hidden one keeps (`_secrets`); and each shown figure with every count it is made of."""
    known: list[Form] = []
    secrets: list[Figure] = []
    shown_figures: list[Figure] = []
    for name, table in tables.items():
        rows = _all_rows(table)
        for key, i, j, column in _shown_cells(table):
            counts = _counts(column)
            if counts is None:
                continue
            if shown[name].is_hidden(i, j):
                secrets += [(secret, name, i, j) for secret in _secrets(
                    rows[i].cells[j], column.unit, counts, table, key) if secret]
                continue
            made = [_form(table, key, counts.group, counts.n)]
            if column.unit is Unit.SHARE and counts.base:
                made.append(_form(table, key, counts.group, counts.base))
            known += made
            shown_figures.append(({v: 1 for f in made for v in f}, name, i, j))
    return known, secrets, shown_figures


def _given_away(known: list[Form], secrets: list[Figure]) -> list[Figure]:
    """The secrets the known counts determine: a fresh unknown z per secret, z = the
    secret, is pinned by the sparse elimination exactly when the secret is."""
    index: dict[Variable, int] = {}

    def place(v: Variable) -> Place:
        return (index.setdefault(v, len(index)), 0, 0)

    equations: list[Equation] = [{place(v): c for v, c in f.items()} for f in known]
    probes = [(-1 - k, 0, 0) for k in range(len(secrets))]
    equations += [{probe: 1, **{place(v): -c for v, c in secret[0].items()}}
                  for probe, secret in zip(probes, secrets, strict=True)]
    pinned = _solved(equations, [*(place(v) for v in list(index)), *probes])
    return [secret for probe, secret in zip(probes, secrets, strict=True) if probe in pinned]


# How many shown figures the search for the one to hide tries per given-away count (each
# try solves the scope's sums again) before it hides the likeliest.
TRIES = 6
# As many when only the whole scope's sums give the secret away (a total row less every
# other row): each try then solves a country's sums, and the next round checks again.
TRIES_WIDE = 2


@dataclass
class _Search:
    """Which shown figure to hide for a given-away count (see _worked_out)."""

    tables: Mapping[str, Table]
    shown: Mapping[str, Shown]
    known: list[Form]
    figures: list[Figure]
    secrets: list[Figure]

    def __post_init__(self) -> None:
        self.showing = Counter(frozenset(made) for made in self.known)
        # A count no other column holds (the pupils with ten days, in its rows and its
        # total) opens nothing when hidden.
        self.columns: dict[Variable, set[tuple[str, int]]] = {}
        for made, name, _i, j in [*self.figures, *self.secrets]:
            for v in made:
                self.columns.setdefault(v, set()).add((name, j))
        # By row key: the figures made of a row's counts, and the known forms of one row
        # (a total row's forms span every row: `wide`).
        self.by_row: dict[str, list[Figure]] = {}
        for figure in self.figures:
            for key in {v[1] for v in figure[0]}:
                self.by_row.setdefault(key, []).append(figure)
        self.row_forms: dict[str, list[Form]] = {}
        self.wide: list[tuple[frozenset[str], Form]] = []
        self._made: dict[tuple[str, int, int], list[Form]] = {}
        self._forms: dict[tuple[str, int, int], list[frozenset[Variable]]] = {}
        self._row_keys: dict[str, dict[int, str]] = {}
        self._costs: dict[tuple[str, int, int], tuple[Any, ...]] = {}
        for form in self.known:
            keys = frozenset(v[1] for v in form)
            if len(keys) == 1:
                self.row_forms.setdefault(next(iter(keys)), []).append(form)
            else:
                self.wide.append((keys, form))

    def made(self, figure: Figure) -> list[Form]:
        """The figure's forms (_figure_forms), worked out once: a total row's span every
        row of a country's scope, and each secret of a row tries them again."""
        where = figure[1:]
        if where not in self._made:
            self._made[where] = _figure_forms(self.tables[where[0]], where[1], where[2],
                                              self._keys(where[0]))
        return self._made[where]

    def _keys(self, name: str) -> dict[int, str]:
        if name not in self._row_keys:
            self._row_keys[name] = {i: key for key, i in _row_index(self.tables[name]).items()}
        return self._row_keys[name]

    def forms(self, figure: Figure) -> list[frozenset[Variable]]:
        """What hiding the figure takes from the reader: not a count no other column
        holds, nor a share's base shown beside it (coverage's base is its pupils')."""
        where = figure[1:]
        if where in self._forms:
            return self._forms[where]
        name, i, j = where
        table = self.tables[name]
        made = self.made(figure)
        if table.columns[j].of and not any(self.shown[name].is_hidden(i, table.column(k))
                                           for k in table.columns[j].of):
            made = made[:1]
        found = [frozenset(f) for f in made if any(len(self.columns[v]) > 1 for v in f)]
        self._forms[where] = found
        return found

    def cost(self, figure: Figure) -> tuple[Any, ...]:
        where = figure[1:]
        if where not in self._costs:
            name, i, j = where
            self._costs[where] = (min(self.showing[f] for f in self.forms(figure)),
                                  _size(_all_rows(self.tables[name])[i].cells[j]), name, i, j)
        return self._costs[where]

    def local(self, rows: set[str]) -> list[Form]:
        """The known forms of the secret's rows alone: a school's secret is nearly always
        given away by its own row's figures, and solving those is a few equations where
        the scope's are a country's."""
        return [*(f for key in rows for f in self.row_forms.get(key, ())),
                *(f for keys, f in self.wide if keys <= rows)]

    def partner(self, secret: Figure, needed: bool) -> list[Figure]:
        """The figures to hide so that the secret is no longer given away. A
        protecting cell's count (not `needed`) is worth a figure only where its own row
        gives it away, or a total row's figure alone keeps it: what it protects is a
        small group, checked over the whole scope in any case, and hiding one school's
        figure after another for a total that the totals give away walks down a country's
        schools one round each without ending."""
        rows = {v[1] for v in secret[0]}
        # A total's rows are every row: their forms are the scope's, not a local few.
        local = self.local(rows) if len(rows) == 1 else []
        nearby = bool(local) and bool(_given_away(local, [secret]))
        if not needed and len(rows) == 1 and not nearby:
            return []
        found = sorted(self._candidates(rows), key=self.cost)
        # Tried on the row's own forms when they give the secret away (the next round of
        # suppress_report checks the whole scope again), else on the whole scope's.
        known = local if nearby else self.known
        if not nearby:
            # Given away by totals (a total row less the other rows, or a total's count by
            # other totals): hiding one school's figure changes nothing there, a figure of
            # a total row does.
            found.sort(key=lambda f: not self._spans(f, rows))
            if not needed:
                found = [f for f in found if self._spans(f, rows)]
        tried = found[:TRIES if nearby else TRIES_WIDE]
        alone = next((f for f in tried
                      if not _given_away(_without(known, self.made(f)), [secret])), None)
        if alone is not None:
            return [alone]
        # The same count shown twice (a school's row and the total row of a one-school
        # table): neither alone keeps it, the two together do.
        left = known
        for k, f in enumerate(tried):
            left = _without(left, self.made(f))
            if k and not _given_away(left, [secret]):  # the first alone failed above
                return tried[:k + 1]
        return found[:1] if needed else []

    def _candidates(self, rows: set[str]) -> list[Figure]:
        seen: set[tuple[str, int, int]] = set()
        candidates = []
        for key in rows:
            for f in self.by_row.get(key, ()):
                if f[1:] not in seen and self.forms(f):
                    seen.add(f[1:])
                    candidates.append(f)
        return candidates

    def _spans(self, figure: Figure, rows: set[str]) -> bool:
        """The figure is of a total row: a form of it counts beyond the secret's rows, or
        over several rows when the secret's is a total too."""
        return any(len(keys) > 1 or keys - rows
                   for keys in ({v[1] for v in form} for form in self.made(figure)))


def _worked_out(tables: Mapping[str, Table], shown: Mapping[str, Shown]
                ) -> dict[str, set[Position]]:
    """The shown cells to hide so that no hidden cell's secret is a sum or difference of
    the counts the scope's indicators show: for each that is, a shown figure made of its
    rows' counts without which it no longer is, tried first where the fewest other figures
    show what it does (one of four figures that show a school's pupils opens nothing),
    then the smallest; the first of them together when none does alone; for a small
    group the likeliest when not even they do (_Search.partner)."""
    known, secrets, figures = _reading(tables, shown)
    more: dict[str, set[Position]] = {}
    if not secrets:
        return more
    search = _Search(tables, shown, known, figures, secrets)
    for secret in _given_away(known, secrets):
        for chosen in search.partner(secret, _primary(tables, secret)):
            more.setdefault(chosen[1], set()).add(chosen[2:])
    return more


def _primary(tables: Mapping[str, Table], secret: Figure) -> bool:
    """The secret is a small group's (rule 1), not a protecting cell's count."""
    _form, name, i, j = secret
    table = tables[name]
    return too_small(_all_rows(table)[i].cells[j], table.columns[j].unit)


def _without(known: list[Form], forms: list[Form]) -> list[Form]:
    """The known forms less one of each of `forms` (another figure may show the same; a
    form not among them, a total row's beside one row's forms, takes nothing)."""
    left = list(known)
    for form in forms:
        if form in left:
            left.remove(form)
    return left


def _figure_forms(table: Table, i: int, j: int, keys: Mapping[int, str]) -> list[Form]:
    """The forms a shown figure gives the reader (its numerator's, a share's base's).
    `keys`: the table's row keys by row (_row_index turned round)."""
    column = table.columns[j]
    counts = _counts(column)
    assert counts is not None  # a figure of _reading
    key = keys[i]
    forms = [_form(table, key, counts.group, counts.n)]
    if column.unit is Unit.SHARE and counts.base:
        forms.append(_form(table, key, counts.group, counts.base))
    return forms


def linked(tables: Mapping[str, Table], shown: Mapping[str, Shown]
           ) -> dict[str, set[Position]]:
    """Rule 4 over one scope's indicators (by key) as `shown`: the shown cells to hide, by
    indicator. Those that make a hidden count a sum or difference of shown ones
    (`_worked_out`); an average whose distribution's row (or, in the total row, any cell
    of it) is hidden."""
    more = _worked_out(tables, shown)
    for name, table in tables.items():
        for key, i, j, column in _shown_cells(table):
            source = _mean_of(column)
            if source is not None and not shown[name].is_hidden(i, j) \
                    and _averaged_hidden(tables, shown, source, key):
                more.setdefault(name, set()).add((i, j))
    return more


def _averaged_hidden(tables: Mapping[str, Table], shown: Mapping[str, Shown], source: str,
                     key: str) -> bool:
    """A cell of the row `key` of the distribution `source` is hidden (of any row, for the
    total row's average: it averages them all)."""
    if source not in tables:
        return False
    hidden = shown[source].hidden
    if key == _TOTAL:
        return bool(hidden)
    row = _row_index(tables[source]).get(key)
    return row is not None and any(i == row for i, _j in hidden)


def suppress_report(scopes: Sequence[Mapping[str, Table]], sums: Sequence[Sum] = ()
                    ) -> list[dict[str, Shown]]:
    """Every indicator of every scope (each scope's tables by indicator key, every scope
    with the same keys) as one reader may see them all: each indicator suppressed with
    its other scopes (suppress_together, `sums` between the scopes), and rule 4 between
    the indicators of each scope, again until neither hides anything more. An indicator
    is suppressed again only when rule 4 hid a cell of it, and rule 4 is applied again
    only to the scopes where something was hidden since: for the others it would find
    what it found before, which is hidden already (a country's year is 873 scopes, and
    each round changes a few)."""
    keys = list(scopes[0]) if scopes else []
    forced: list[dict[str, set[Position]]] = [{key: set() for key in keys} for _ in scopes]
    shown: list[dict[str, Shown]] = [{} for _ in scopes]
    again = set(keys)
    changed = set(range(len(scopes)))
    while again:
        for key in keys:
            if key in again:
                together = suppress_together([tables[key] for tables in scopes], sums,
                                             [found[key] for found in forced])
                for k, one in enumerate(together):
                    if key in shown[k] and shown[k][key].hidden != one.hidden:
                        changed.add(k)
                    shown[k][key] = one
        again = set()
        hid = 0
        for k in sorted(changed):
            for key, cells in linked(scopes[k], shown[k]).items():
                forced[k][key] |= cells
                again.add(key)
                hid += len(cells)
        _log.debug("rule 4 over %d scopes: %d more cells hidden in %d indicators",
                   len(changed), hid, len(again))
        changed = set()
    # In the registry's order, as each scope's tables were given.
    return [{key: found[key] for key in keys} for found in shown]
