"""Which days are prao days: weekdays that are not Swedish public holidays.

Pure functions on dates (no Flask). Besides the public holidays, the three eves Swedes do
not work (midsommarafton, julafton, nyårsafton: de facto holidays, `holidays` category
"de_facto") are not prao days either."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache

import holidays

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=32)
def _swedish_holidays(year: int) -> frozenset[date]:
    calendar = holidays.country_holidays("SE", years=year, categories=("public", "de_facto"))
    return frozenset(calendar)


def is_holiday(day: date) -> bool:
    return day in _swedish_holidays(day.year)


def holiday_name(day: date, language: str = "sv") -> str | None:
    """The holiday's name in Swedish ('sv': "Långfredagen", "Sveriges nationaldag") or
    English ('en': "Good Friday"), or None on an ordinary day. As the `holidays` package
    writes it: lower-casing would make "Kristi himmelsfärdsdag" wrong."""
    if not is_holiday(day):
        return None
    calendar = holidays.country_holidays("SE", years=day.year, categories=("public", "de_facto"),
                                         language="en_US" if language == "en" else "sv")
    return calendar.get(day)


def is_prao_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def prao_days(first_day: date, last_day: date) -> list[date]:
    """The prao days from first_day to last_day, both included, in order."""
    return list(_prao_days_of(first_day, last_day))


@lru_cache(maxsize=1024)
def _prao_days_of(first_day: date, last_day: date) -> tuple[date, ...]:
    # A period page asks for the same few spans once per pupil: 300 pupils, two weeks each.
    return tuple(_prao_days(first_day, last_day))


def _prao_days(first_day: date, last_day: date) -> Iterator[date]:
    day = first_day
    while day <= last_day:
        if is_prao_day(day):
            yield day
        day += ONE_DAY


def count_prao_days(first_day: date, last_day: date) -> int:
    return sum(1 for _ in _prao_days(first_day, last_day))


def prao_days_until(first_day: date, last_day: date, today: date) -> list[date]:
    """The prao days of the period that have begun by today (today included)."""
    return prao_days(first_day, min(last_day, today))
