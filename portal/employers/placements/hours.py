"""Working hours for minors (Arbetsmiljöverkets regler om minderårigas arbetsmiljö, as they
apply to a pupil aged 13–15 on prao): at most 7 hours of work a day, breaks not counted;
nothing between 20:00 and 06:00; a break of at least 30 minutes after at most 4.5 hours of
work, and no stretch longer than 4.5 hours after the break either.

Pure functions on plain times, no Flask: each problem names the form field it belongs beside
and explains the rule in plain Swedish. The messages are msgids that the caller translates
when it shows them (`gettext(problem.message, **problem.params)`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time

MAX_WORK_MINUTES = 7 * 60
MAX_STRETCH_MINUTES = 4 * 60 + 30
MIN_BREAK_MINUTES = 30
EARLIEST_START = time(6, 0)
LATEST_END = time(20, 0)


def _l(message: str) -> str:
    """Marks a message for extraction (pybabel -k _l) without importing Flask."""
    return message


@dataclass(frozen=True)
class HoursProblem:
    field: str  # "day_start", "day_end", "break_start" or "break_minutes"
    message: str
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


def minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def clock(total_minutes: int) -> str:
    return f"{total_minutes // 60:02d}:{total_minutes % 60:02d}"


def duration(total_minutes: int) -> str:
    """420 -> '7 h', 450 -> '7 h 30 min', 30 -> '30 min'."""
    hours, rest = divmod(total_minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def hours_problems(day_start: time, day_end: time, break_start: time | None,
                   break_minutes: int) -> list[HoursProblem]:
    """Every way the day breaks the rules for minors; an empty list means the day is legal."""
    start, end = minutes(day_start), minutes(day_end)
    problems = _night_problems(start, end)
    if end <= start:
        # The day must end after it starts (prao never runs past midnight); the other
        # rules cannot be measured on such a day.
        return [*problems, HoursProblem("day_end", _l(
            "Arbetsdagen måste sluta senare än den börjar (%(start)s)."),
            {"start": clock(start)})]
    break_problems, pause = _break_problems(start, end, break_start, break_minutes)
    work = end - start - (pause[1] - pause[0] if pause else 0)
    if work > MAX_WORK_MINUTES:
        problems.append(HoursProblem("day_end", _l(
            "Arbetstiden blir %(work)s, rasten oräknad. Minderåriga får arbeta högst 7 timmar "
            "om dagen: sluta tidigare eller gör rasten längre."), {"work": duration(work)}))
    if break_problems:
        # The break as written cannot be measured; its own message says what to fix.
        return problems + break_problems
    return problems + _stretch_problems(start, end, pause)


def _night_problems(start: int, end: int) -> list[HoursProblem]:
    earliest, latest = minutes(EARLIEST_START), minutes(LATEST_END)
    problems = []
    if not earliest <= start < latest:
        problems.append(HoursProblem("day_start", _l(
            "Dagen börjar %(start)s. Minderåriga får inte arbeta mellan 20:00 och 06:00, så "
            "dagen kan börja tidigast 06:00."), {"start": clock(start)}))
    if not earliest < end <= latest:
        problems.append(HoursProblem("day_end", _l(
            "Dagen slutar %(end)s. Minderåriga får inte arbeta mellan 20:00 och 06:00, så "
            "dagen måste sluta senast 20:00."), {"end": clock(end)}))
    return problems


def _break_problems(start: int, end: int, break_start: time | None,
                    break_minutes: int) -> tuple[list[HoursProblem], tuple[int, int] | None]:
    """Problems with the break as written, and the break as (from, to) when it is usable."""
    if break_minutes < 0:
        return [HoursProblem("break_minutes", _l("Rastens längd kan inte vara negativ."))], None
    if break_start is None and break_minutes == 0:
        return [], None
    if break_start is None:
        return [HoursProblem("break_start", _l("Skriv när rasten börjar."))], None
    if break_minutes == 0:
        return [HoursProblem("break_minutes", _l("Skriv hur många minuter rasten är."))], None
    pause = (minutes(break_start), minutes(break_start) + break_minutes)
    if pause[0] <= start or pause[1] >= end:
        return [HoursProblem("break_start", _l(
            "Rasten (%(from)s–%(to)s) måste ligga inne i arbetsdagen %(start)s–%(end)s."),
            {"from": clock(pause[0]), "to": clock(pause[1]), "start": clock(start),
             "end": clock(end)})], None
    return [], pause


def _stretch_problems(start: int, end: int, pause: tuple[int, int] | None) -> list[HoursProblem]:
    if end - start <= MAX_STRETCH_MINUTES:
        return []  # a day of at most 4.5 hours needs no break
    if pause is None:
        return [HoursProblem("break_start", _l(
            "Dagen är %(length)s lång. Minderåriga ska ha en rast på minst 30 minuter senast "
            "efter 4,5 timmars arbete: skriv när rasten börjar och hur lång den är."),
            {"length": duration(end - start)})]
    problems = []
    if pause[1] - pause[0] < MIN_BREAK_MINUTES:
        problems.append(HoursProblem("break_minutes", _l(
            "Rasten är %(length)s. Den ska vara minst 30 minuter när dagen är längre än "
            "4,5 timmar."), {"length": duration(pause[1] - pause[0])}))
    if pause[0] - start > MAX_STRETCH_MINUTES:
        problems.append(HoursProblem("break_start", _l(
            "Rasten börjar %(length)s efter att dagen börjat. Minderåriga får arbeta högst "
            "4,5 timmar i följd: rasten ska börja senast %(latest)s."),
            {"length": duration(pause[0] - start), "latest": clock(start + MAX_STRETCH_MINUTES)}))
    if end - pause[1] > MAX_STRETCH_MINUTES:
        problems.append(HoursProblem("day_end", _l(
            "Efter rasten blir det %(length)s arbete i följd. Minderåriga får arbeta högst "
            "4,5 timmar i följd: sluta senast %(latest)s eller lägg rasten senare."),
            {"length": duration(end - pause[1]), "latest": clock(pause[1] + MAX_STRETCH_MINUTES)}))
    return problems
