"""How a cell reads on the page and in an export. Pure Python (no Flask)."""

from __future__ import annotations

from portal.reports.tables import Cell, Unit


def number(cell: Cell, unit: Unit) -> float | int | None:
    """The figure an export writes: whole pupils and counts, shares in per cent with one
    decimal, averages with two."""
    if cell.value is None:
        return None
    if unit in (Unit.PUPILS, Unit.COUNT) and float(cell.value).is_integer():
        return int(cell.value)
    return round(cell.value, 1 if unit is Unit.SHARE else 2)


def text(cell: Cell, unit: Unit, mark: str | None, decimal_comma: bool = True) -> str:
    """A hidden cell's mark ("<5", ".."), "–" where there is nothing to show (a share of
    nobody), otherwise the figure ("45 %", "3,4", "120") as the reader's language writes
    it."""
    if mark is not None:
        return mark
    value = number(cell, unit)
    if value is None:
        return "–"
    if unit is Unit.SHARE:
        figure = f"{value:.0f}"
    elif isinstance(value, int):
        figure = f"{value:,}".replace(",", "\u00a0")  # thin groups: 12 000
    else:
        figure = f"{value:.1f}" if unit is Unit.AVERAGE else f"{value:g}"
    if decimal_comma:
        figure = figure.replace(".", ",")
    return f"{figure}\u00a0%" if unit is Unit.SHARE else figure


def headline(value: float, unit: Unit, target: float | None = None,
             higher_is_better: bool = True, decimal_comma: bool = True) -> str:
    """A headline beside its target: shares ("95 %") and percentage points (the spread
    between schools, Unit.COUNT: "23") in whole numbers, averages with one decimal, and
    as many more decimals as the figure needs to agree with the verdict: 94.9 % beside a
    target of 95 % reads "94,9 %", not "95 %" and "not met"."""
    places = 1 if unit is Unit.AVERAGE else 0
    truth = met(value, target, higher_is_better)
    while truth is not None and places < 4 \
            and met(round(value, places), target, higher_is_better) is not truth:
        places += 1
    figure = f"{round(value, places):.{places}f}"
    if decimal_comma:
        figure = figure.replace(".", ",")
    return f"{figure}\u00a0%" if unit is Unit.SHARE else figure


def met(value: float | None, target: float | None, higher_is_better: bool) -> bool | None:
    """Whether a headline reaches its target; None when either is missing."""
    if value is None or target is None:
        return None
    return value >= target if higher_is_better else value <= target
