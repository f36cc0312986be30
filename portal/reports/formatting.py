"""How a cell reads on the page and in an export. Pure Python (no Flask)."""

from __future__ import annotations

from portal.reports.suppression import SUPPRESSED
from portal.reports.tables import Cell, Unit
from portal.texts import gettext


def number(cell: Cell, unit: Unit) -> float | int | None:
    """The figure an export writes: whole pupils and counts, shares in per cent with one
    decimal, averages with two."""
    if cell.value is None:
        return None
    if unit in (Unit.PUPILS, Unit.COUNT) and float(cell.value).is_integer():
        return int(cell.value)
    return round(cell.value, 1 if unit is Unit.SHARE else 2)


# Shares of days, not of pupils: each day is one pupil's, but "<5 elever" would be untrue.
DAY_SHARES = frozenset({"absences_alerted"})


def mark_text(mark: str | None, unit: Unit, table_key: str = "") -> str | None:
    """A hidden cell's mark as a table writes it. In a column of per cent "<5" reads like
    a figure ("under 5 %") and in a column of averages like a low score, so there it says
    what is fewer than five: "<5 elever", "<5 svar". A count's column already says."""
    if mark != SUPPRESSED:
        return mark
    if unit is Unit.SHARE:
        return gettext("<5 dagar") if table_key in DAY_SHARES else gettext("<5 elever")
    if unit is Unit.AVERAGE:
        return gettext("<5 svar")
    return mark


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
    """A headline beside its target, as ordinary as the table's figures: shares ("95 %")
    and percentage points (the spread between schools, Unit.COUNT: "23") in whole numbers,
    averages with one decimal. Where that rounding carries the figure across the target
    (94.98 % beside a target of 95 % would read "95 %" and "not met") it says on which side
    the figure lies: "knappt 95 %" (just under), "drygt 20 %" (just over a ceiling)."""
    places = 1 if unit is Unit.AVERAGE else 0
    rounded = round(value, places)
    figure = f"{rounded:.{places}f}"
    if decimal_comma:
        figure = figure.replace(".", ",")
    figure = f"{figure}\u00a0%" if unit is Unit.SHARE else figure
    truth = met(value, target, higher_is_better)
    if truth is None or met(rounded, target, higher_is_better) is truth:
        return figure
    return gettext("knappt %(figure)s", figure=figure) if value < rounded \
        else gettext("drygt %(figure)s", figure=figure)


def met(value: float | None, target: float | None, higher_is_better: bool) -> bool | None:
    """Whether a headline reaches its target; None when either is missing."""
    if value is None or target is None:
        return None
    return value >= target if higher_is_better else value <= target
