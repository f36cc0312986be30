"""ISO weeks as the school year speaks of them: 'vecka 11–12 2027'. A week is stored as the
date of its Monday. Pure functions, no Flask."""

from __future__ import annotations

import re
from datetime import date, timedelta

# re.ASCII: \d is 0-9 only, not every script's digits. The year takes any short run of
# digits so that "52 99999" is told about its year, not about the format.
WEEK_RANGE_RE = re.compile(
    r"^\s*(?:v(?:ecka)?\.?\s*)?(\d{1,2})\s*(?:[-–]\s*(\d{1,2}))?\s+(\d{1,8})\s*$",
    re.IGNORECASE | re.ASCII)
# A year before this is a typing slip ("0001"), as is one of five digits ("20277"); one far
# ahead is a valid week that the forms refuse with their own rule.
FIRST_YEAR = 2000


class WeekError(ValueError):
    """The text is not a week range, or names a week that does not exist."""


class WeekYearError(WeekError):
    """The week range's year is not one a school year can be in (not four digits, or before
    2000)."""


def monday(year: int, week: int) -> date:
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError as error:
        raise WeekError(f"week {week} {year} does not exist") from error


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week_range(text: str) -> tuple[date, date]:
    """'11-12 2027', 'v 11–12 2027', 'vecka 45 2026' -> (Monday of first, Monday of last).
    A range over new year ('52-2 2027') is written with the year of the first week."""
    match = WEEK_RANGE_RE.match(text)
    if match is None:
        raise WeekError("not a week range such as 11–12 2027")
    first_week, last_week, year = int(match.group(1)), int(match.group(2) or match.group(1)), \
        int(match.group(3))
    if year < FIRST_YEAR or len(match.group(3)) != 4:
        raise WeekYearError(f"{match.group(3)} is not a year such as 2027")
    first = monday(year, first_week)
    last = monday(year + 1 if last_week < first_week else year, last_week)
    return first, last


# What people type for a week, with or without a year: "11", "v 11", "v. 11", "V11",
# "vecka 11", "veckorna 11-12", "week 11", "11–12 2027".
_WORD = r"(?:veckorna|vecka|v|weeks|week|w)\.?\s*"
WEEK_QUERY_RE = re.compile(
    rf"^\s*(?:{_WORD})?(\d{{1,2}})\s*(?:[-–]\s*(?:{_WORD})?(\d{{1,2}}))?(?:\s+(\d{{4}}))?\s*$",
    re.IGNORECASE)


def _coming(week: int, today: date) -> date:
    """The Monday of the next week with this number that is not over yet: this year's if it
    has not passed (this week counts), otherwise next year's."""
    this_monday = monday_of(today)
    year = today.isocalendar()[0]
    for candidate in (year, year + 1):
        try:
            day = date.fromisocalendar(candidate, week, 1)
        except ValueError:  # week 53 in a year of 52 weeks
            continue
        if day >= this_monday:
            return day
    raise WeekError(f"week {week} does not exist in the coming year")


def parse_week_query(text: str, today: date) -> tuple[date, date]:
    """A week or two as a visitor writes them -> (Monday of first, Monday of last). With a
    year as parse_week_range; without one, the coming week of that number (see _coming),
    and a last week before the first is the next year's ('52-2')."""
    match = WEEK_QUERY_RE.match(text)
    if match is None:
        raise WeekError("write the week as 11 or 11 2027")
    first_week, year = int(match.group(1)), match.group(3)
    last_week = int(match.group(2) or first_week)
    if year is not None and int(year) < FIRST_YEAR:
        raise WeekYearError(f"{year} is not a year such as 2027")
    first = monday(int(year), first_week) if year is not None else _coming(first_week, today)
    last_year = first.isocalendar()[0] + (1 if last_week < first_week else 0)
    return first, monday(last_year, last_week)


def weeks_between(first: date, last: date) -> list[date]:
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def week_label(first: date, last: date | None = None) -> str:
    """(Monday, Monday) -> 'vecka 11–12 2027' (the label's words are translated by callers)."""
    year, week, _ = first.isocalendar()
    if last is None or last == first:
        return f"{week} {year}"
    last_year, last_week, _ = last.isocalendar()
    if last_year != year:
        return f"{week} {year}–{last_week} {last_year}"
    return f"{week}–{last_week} {year}"


def term_of(day: date) -> str:
    """School terms: spring (VT) January–June, autumn (HT) July–December."""
    return f"{'VT' if day.month <= 6 else 'HT'} {day.year}"


def same_week_next_year(day: date) -> date:
    """The Monday of the same ISO week number a year later (week 53 becomes week 52)."""
    year, week, _ = day.isocalendar()
    try:
        return date.fromisocalendar(year + 1, week, 1)
    except ValueError:
        return date.fromisocalendar(year + 1, 52, 1)
