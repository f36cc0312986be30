"""What a hidden headline still says: the range the table's shown cells leave for it.

Pure Python (no Flask, no database). A headline share is hidden when a few pupils (1-4)
fall outside it, which is exactly when it is close to a target of 95 %: the council would
never learn whether its target is met. Yet the table beside it shows most of what the
share is made of. Pupils with needs: Bergsskolan 7 of 7 placed, Christinaskolan ".." of 7,
Hertsöskolan 7 of 7, Strömbackaskolan 7 of 7, 28 in all. A ".." share counts five or more
(a smaller group reads "<5"), so at least 7 + 5 + 7 + 7 = 26 of 28 are placed: at least
92 %, whatever is hidden.

The range is computed from the suppressed table alone (its shown cells and what its marks
say: "<5" is 0-4, ".." five or more, as the suppression itself reckons them), so it tells
nothing a reader of the page and its export could not work out: nothing about a hidden
cell that the suppression did not already allow for. So is a verdict drawn from it: "met"
only when the whole range meets the target, "not met" only when none of it does, and
otherwise none. A verdict from the hidden figure itself would not be safe: 27 of 28 meets
95 % and 26 of 28 does not, so "met" beside a hidden share of 28 says exactly one pupil
was not placed."""

from __future__ import annotations

import math
from dataclasses import dataclass

from portal.reports.suppression import MIN_PUPILS, SUPPRESSED, Shown
from portal.reports.tables import Cell, Unit


@dataclass(frozen=True)
class Bound:
    """The least and the most the hidden headline can be, in per cent."""

    low: float
    high: float

    def met(self, target: float | None, higher_is_better: bool) -> bool | None:
        """Met when every value in the range meets the target, not met when none does;
        None when the range says neither (or there is no target)."""
        if target is None:
            return None
        if higher_is_better:
            return True if self.low >= target else False if self.high < target else None
        return True if self.high <= target else False if self.low > target else None


def _count(shown: Shown, row: int, column: int, cell: Cell, most: int) -> tuple[int, int]:
    """The least and most pupils a cell counts (its numerator for a share): its own n
    when shown, 0-4 for "<5", five or more for "..", never more than `most`."""
    if not shown.is_hidden(row, column):
        n = cell.n or 0
        return n, n
    if shown.mark(row, column) == SUPPRESSED:
        return 0, min(MIN_PUPILS - 1, most)
    return min(MIN_PUPILS, most), most


def headline_bound(shown: Shown) -> Bound | None:
    """The range the shown rows leave for a hidden headline that is the total of a share
    column (Table.headline_column) whose base is a count of pupils shown in the total row;
    None for a shown headline or any other."""
    table = shown.table
    if not shown.headline_hidden or not table.headline_column or table.total is None:
        return None
    j = table.column(table.headline_column)
    column = table.columns[j]
    if column.unit is not Unit.SHARE or len(column.of) != 1:
        return None
    p = table.column(column.of[0])
    last = len(table.rows)
    whole = table.total.cells[p].n
    if table.columns[p].unit is not Unit.PUPILS or shown.is_hidden(last, p) or not whole:
        return None
    low = high = 0
    for i, row in enumerate(table.rows):
        _fewest, base = _count(shown, i, p, row.cells[p], whole)
        least, most = _count(shown, i, j, row.cells[j], base)
        low, high = low + least, high + most
    high = min(high, whole)
    return Bound(100.0 * min(low, high) / whole, 100.0 * high / whole)


def bound_figures(bound: Bound, target: float | None, higher_is_better: bool
                  ) -> tuple[str | None, str | None]:
    """The range's ends as they are written, rounded outwards (so that "minst" and
    "högst" stay true) with as many decimals as the verdict needs: "92" for 92.86 beside
    95, but "85.7" for 85.71 beside a ceiling of 85 that it exceeds. None for an end that
    says nothing (at least 0 %, at most 100 %)."""
    def written(value: float, down: bool) -> str:
        # The comparison the verdict makes with this end: the low end meets a target
        # (>=) or exceeds a ceiling (>); the high end falls short of a target (<) or
        # stays within a ceiling (<=).
        def side(v: float) -> bool:
            if target is None:
                return True
            if down:
                return v >= target if higher_is_better else v > target
            return v < target if higher_is_better else v <= target

        for places in range(3):
            scale = 10 ** places
            rounded = (math.floor(value * scale + 1e-9) if down
                       else math.ceil(value * scale - 1e-9)) / scale
            if side(rounded) is side(value):
                break
        return f"{rounded:.{places}f}"

    low = written(bound.low, True) if bound.low > 0 else None
    high = written(bound.high, False) if bound.high < 100 else None
    return low, high
