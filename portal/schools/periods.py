"""Pure rules about prao periods: working days and the wish window. No Flask, no database."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

MIN_PRAO_DAYS = 10  # over years 8–9 together, by the Education Act's prao rule


class Window(StrEnum):
    BEFORE = "before"
    OPEN = "open"
    AFTER = "after"


def working_days(first: date, last: date) -> int:
    """Monday to Friday from first to last, both included."""
    if last < first:
        return 0
    days = (last - first).days + 1
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for offset in range(rest):
        if (first + timedelta(days=full_weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def wish_window(opens: date, closes: date, today: date) -> Window:
    if today < opens:
        return Window.BEFORE
    if today > closes:
        return Window.AFTER
    return Window.OPEN


def lopsided_sectors(counts: dict[str, dict[str, int]], gender: str, share: float = 0.8,
                     minimum: int = 10) -> set[str]:
    """Sectors where more than `share` of last year's pupils had this gender. Small groups
    (fewer than `minimum` pupils) say nothing and are left out."""
    lopsided = set()
    for sector, by_gender in counts.items():
        total = sum(by_gender.values())
        if total >= minimum and by_gender.get(gender, 0) > share * total:
            lopsided.add(sector)
    return lopsided
