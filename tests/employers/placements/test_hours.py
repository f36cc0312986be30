"""The working hours rules for minors, on plain times: each rule, on and just past its edge."""

from __future__ import annotations

from datetime import time

import pytest

from portal.employers.placements.hours import duration, hours_problems


def t(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def problems(start: str, end: str, break_start: str | None = None,
             break_minutes: int = 0) -> list[tuple[str, str]]:
    found = hours_problems(t(start), t(end), t(break_start) if break_start else None,
                           break_minutes)
    return [(p.field, str(p)) for p in found]


def test_an_ordinary_prao_day_is_legal():
    assert problems("08:00", "14:30", "11:30", 30) == []


@pytest.mark.parametrize(("minutes", "text"), [(30, "30 min"), (60, "1 h"), (421, "7 h 1 min")])
def test_durations_read_plainly(minutes, text):
    assert duration(minutes) == text


# --- at most 7 hours of work a day, breaks not counted -------------------------------

def test_exactly_seven_hours_of_work_is_allowed():
    # 08:00–15:30 with a 30-minute break at 12:00: 4 h + 3 h of work.
    assert problems("08:00", "15:30", "12:00", 30) == []


def test_one_minute_more_than_seven_hours_is_explained():
    found = problems("08:00", "15:31", "12:00", 30)
    assert found == [("day_end", "Arbetstiden blir 7 h 1 min, rasten oräknad. Minderåriga får "
                      "arbeta högst 7 timmar om dagen: sluta tidigare eller gör rasten längre.")]


def test_a_longer_break_keeps_a_long_day_within_seven_hours():
    # 08:00–16:00 is 8 hours; a one-hour break leaves 7 hours of work.
    assert problems("08:00", "16:00", "12:00", 60) == []


# --- nothing between 20:00 and 06:00 --------------------------------------------------

def test_starting_at_six_is_allowed_but_not_a_minute_earlier():
    assert problems("06:00", "10:00") == []
    found = problems("05:59", "10:00")
    assert [field for field, _ in found] == ["day_start"]
    assert "Dagen börjar 05:59" in found[0][1] and "tidigast 06:00" in found[0][1]


def test_ending_at_eight_in_the_evening_is_allowed_but_not_a_minute_later():
    assert problems("16:00", "20:00") == []
    found = problems("16:00", "20:01")
    assert [field for field, _ in found] == ["day_end"]
    assert "Dagen slutar 20:01" in found[0][1] and "senast 20:00" in found[0][1]


def test_an_evening_start_is_night_work():
    found = problems("20:00", "23:00")
    assert ("day_start" in [f for f, _ in found]) and ("day_end" in [f for f, _ in found])


def test_a_day_that_ends_before_it_starts_is_refused():
    found = problems("14:00", "08:00")
    assert ("day_end", "Arbetsdagen måste sluta senare än den börjar (14:00).") in found


# --- a break of 30 minutes after at most 4.5 hours ------------------------------------

def test_four_and_a_half_hours_need_no_break():
    assert problems("08:00", "12:30") == []


def test_a_minute_longer_without_a_break_is_explained():
    found = problems("08:00", "12:31")
    assert [field for field, _ in found] == ["break_start"]
    assert "4 h 31 min" in found[0][1] and "minst 30 minuter" in found[0][1]


def test_the_break_may_start_exactly_four_and_a_half_hours_in():
    assert problems("08:00", "14:00", "12:30", 30) == []


def test_a_break_starting_later_than_four_and_a_half_hours_is_explained():
    found = problems("08:00", "14:00", "12:31", 30)
    assert found == [("break_start", "Rasten börjar 4 h 31 min efter att dagen börjat. "
                      "Minderåriga får arbeta högst 4,5 timmar i följd: rasten ska börja senast "
                      "12:30.")]


def test_a_break_of_thirty_minutes_is_enough_but_twenty_nine_is_not():
    assert problems("08:00", "14:00", "11:00", 30) == []
    found = problems("08:00", "14:00", "11:00", 29)
    assert [field for field, _ in found] == ["break_minutes"]
    assert "Rasten är 29 min" in found[0][1]


def test_no_stretch_after_the_break_longer_than_four_and_a_half_hours():
    assert problems("07:00", "14:00", "09:00", 30) == []  # 4.5 h after the break
    found = problems("07:00", "14:01", "09:00", 30)
    assert [field for field, _ in found] == ["day_end"]
    assert "Efter rasten blir det 4 h 31 min" in found[0][1] and "senast 14:00" in found[0][1]


# --- the break as written ---------------------------------------------------------------

def test_a_break_outside_the_day_is_explained_once():
    found = problems("08:00", "14:00", "15:00", 30)
    assert found == [("break_start", "Rasten (15:00–15:30) måste ligga inne i arbetsdagen "
                      "08:00–14:00.")]


def test_a_break_needs_both_a_start_and_a_length():
    assert [f for f, _ in problems("08:00", "12:00", "10:00", 0)] == ["break_minutes"]
    found = hours_problems(t("08:00"), t("12:00"), None, 30)
    assert [p.field for p in found] == ["break_start"]


def test_several_breaches_are_all_reported():
    found = problems("05:00", "21:00")
    fields = [field for field, _ in found]
    assert {"day_start", "day_end", "break_start"} <= set(fields)
    assert any("högst 7 timmar" in message for _, message in found)
