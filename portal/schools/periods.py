"""Pure rules about prao periods: the wish window and lopsided sectors. No Flask, no database.
A period's prao days (weekdays that are not public holidays) are portal.prao.days'."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

MIN_PRAO_DAYS = 10  # over years 8–9 together, by the Education Act's prao rule


class Window(StrEnum):
    BEFORE = "before"
    OPEN = "open"
    AFTER = "after"


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
