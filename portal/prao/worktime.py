"""The rules for minors checked on the hours a pupil actually worked (not on the placement's
plan, which portal/employers/placements/hours.py checks): at most 7 hours of work a day and 35
a week, only between 06:00 and 20:00, a break of at least 30 minutes once the day is longer than
4.5 hours, and no work on Saturdays or Sundays (Prao i Skåne, GR, Arbetsmiljöverkets
föreskrifter om minderårigas arbetsmiljö for pupils in years 8–9).

Pure functions on plain data, no Flask. A breach is a code with parameters; BREACH_MESSAGES
holds a Swedish msgid per code for the caller to translate:
`gettext(BREACH_MESSAGES[b.code], **b.params)`.

An attendance report records start, end and the break's length but not when the break was
taken, so "a break after at most 4.5 hours" is checked as: a day spanning more than 4.5
hours must have a break of at least 30 minutes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time

MAX_DAY_MINUTES = 7 * 60
MAX_WEEK_MINUTES = 35 * 60
MAX_STRETCH_MINUTES = 4 * 60 + 30
MIN_BREAK_MINUTES = 30
EARLIEST = time(6, 0)
LATEST = time(20, 0)


def _l(message: str) -> str:
    """Marks a message for extraction (pybabel -k _l) without importing Flask."""
    return message


# code -> Swedish msgid, translated by the caller
BREACH_MESSAGES: Mapping[str, str] = {
    "end_before_start": _l("Arbetsdagen måste sluta senare än den börjar."),
    "break_too_long": _l("Rasten kan inte vara längre än hela dagen."),
    "outside_hours": _l("Minderåriga får inte arbeta mellan 20:00 och 06:00 "
                        "(dagen var %(start)s–%(end)s)."),
    "day_over_7h": _l("%(worked)s arbete en dag: minderåriga får arbeta högst 7 timmar om "
                      "dagen."),
    "break_missing": _l("En dag längre än 4,5 timmar kräver en rast på minst 30 minuter "
                        "(rasten var %(break)s min)."),
    "weekend": _l("Minderåriga på prao arbetar inte på lördagar och söndagar."),
    "week_over_35h": _l("%(worked)s arbete vecka %(week)s: minderåriga får arbeta högst "
                        "35 timmar i veckan."),
}


@dataclass(frozen=True)
class WorkedDay:
    day: date
    start: time
    end: time
    break_minutes: int = 0


@dataclass(frozen=True)
class Breach:
    code: str  # a key of BREACH_MESSAGES
    day: date  # the day, or the Monday of the week for "week_over_35h"
    params: Mapping[str, str] = field(default_factory=dict)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def hours_text(total_minutes: int) -> str:
    """450 -> '7 h 30 min', 420 -> '7 h', 20 -> '20 min'."""
    hours, rest = divmod(total_minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def worked_minutes(worked: WorkedDay) -> int:
    """Minutes of work, the break not counted; 0 for a day that cannot be measured."""
    span = _minutes(worked.end) - _minutes(worked.start)
    return max(span - max(worked.break_minutes, 0), 0) if span > 0 else 0


def day_breaches(worked: WorkedDay) -> list[Breach]:
    """Every rule one reported day breaks; an empty list means the day was legal."""
    start, end = _minutes(worked.start), _minutes(worked.end)
    if end <= start:
        return [Breach("end_before_start", worked.day)]
    if worked.break_minutes >= end - start:
        return [Breach("break_too_long", worked.day)]
    breaches = []
    if worked.day.weekday() >= 5:
        breaches.append(Breach("weekend", worked.day))
    if worked.start < EARLIEST or worked.end > LATEST:
        breaches.append(Breach("outside_hours", worked.day, {
            "start": worked.start.strftime("%H:%M"), "end": worked.end.strftime("%H:%M")}))
    work = worked_minutes(worked)
    if work > MAX_DAY_MINUTES:
        breaches.append(Breach("day_over_7h", worked.day, {"worked": hours_text(work)}))
    if end - start > MAX_STRETCH_MINUTES and worked.break_minutes < MIN_BREAK_MINUTES:
        breaches.append(Breach("break_missing", worked.day,
                               {"break": str(max(worked.break_minutes, 0))}))
    return breaches


def week_breaches(days: Iterable[WorkedDay]) -> list[Breach]:
    """ISO weeks in which the measurable days add up to more than 35 hours."""
    per_week: dict[tuple[int, int], int] = defaultdict(int)
    mondays: dict[tuple[int, int], date] = {}
    for worked in days:
        iso = worked.day.isocalendar()
        key = (iso.year, iso.week)
        per_week[key] += worked_minutes(worked)
        mondays[key] = date.fromisocalendar(iso.year, iso.week, 1)
    return [Breach("week_over_35h", mondays[key],
                   {"worked": hours_text(total), "week": str(key[1])})
            for key, total in sorted(per_week.items()) if total > MAX_WEEK_MINUTES]


def breaches(days: Iterable[WorkedDay]) -> list[Breach]:
    """Every breach of a pupil's worked days: each day's own, then each week's."""
    days = sorted(days, key=lambda d: d.day)
    found = [b for worked in days for b in day_breaches(worked)]
    return found + week_breaches(days)
