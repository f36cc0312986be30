"""The rules for minors on the hours actually worked."""

from __future__ import annotations

from datetime import date, time

from portal.prao import worktime
from portal.prao.worktime import WorkedDay

MONDAY = date(2027, 3, 15)


def codes(day: WorkedDay) -> list[str]:
    return [b.code for b in worktime.day_breaches(day)]


def test_a_legal_day_has_no_breach():
    assert codes(WorkedDay(MONDAY, time(8), time(15), 30)) == []
    assert worktime.worked_minutes(WorkedDay(MONDAY, time(8), time(15), 30)) == 390


def test_more_than_seven_hours_a_day():
    breaches = worktime.day_breaches(WorkedDay(MONDAY, time(8), time(16), 30))
    assert [b.code for b in breaches] == ["day_over_7h"]
    assert breaches[0].params == {"worked": "7 h 30 min"}


def test_work_before_six_or_after_twenty():
    assert codes(WorkedDay(MONDAY, time(5, 30), time(9))) == ["outside_hours"]
    assert codes(WorkedDay(MONDAY, time(16), time(20, 15))) == ["outside_hours"]
    assert codes(WorkedDay(MONDAY, time(14), time(20))) == ["break_missing"]


def test_a_long_day_needs_a_break_of_thirty_minutes():
    assert codes(WorkedDay(MONDAY, time(8), time(12, 30))) == []  # exactly 4.5 h
    assert codes(WorkedDay(MONDAY, time(8), time(13), 20)) == ["break_missing"]
    assert codes(WorkedDay(MONDAY, time(8), time(13), 30)) == []


def test_no_weekend_work():
    assert codes(WorkedDay(date(2027, 3, 20), time(9), time(12))) == ["weekend"]


def test_a_day_that_ends_before_it_starts_is_one_breach_only():
    assert codes(WorkedDay(MONDAY, time(15), time(8))) == ["end_before_start"]
    assert codes(WorkedDay(MONDAY, time(8), time(9), 90)) == ["break_too_long"]


def test_more_than_35_hours_in_a_week():
    week = [WorkedDay(date(2027, 3, 15 + i), time(8), time(15, 30), 30) for i in range(5)]
    found = worktime.breaches(week)  # 7 h a day: 35 h, legal
    assert found == []
    week.append(WorkedDay(date(2027, 3, 20), time(9), time(10)))  # plus a Saturday hour
    found = worktime.breaches(week)
    assert [b.code for b in found] == ["weekend", "week_over_35h"]
    assert found[-1].day == MONDAY and found[-1].params == {"worked": "36 h", "week": "11"}


def test_weeks_are_counted_separately():
    two_weeks = [WorkedDay(date(2027, 3, 15 + i), time(8), time(15, 30), 30)
                 for i in (0, 1, 2, 3, 4, 7, 8)]
    assert worktime.week_breaches(two_weeks) == []


def test_every_breach_has_a_message():
    assert set(worktime.BREACH_MESSAGES) == {
        "end_before_start", "break_too_long", "outside_hours", "day_over_7h",
        "break_missing", "weekend", "week_over_35h"}
