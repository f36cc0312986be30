"""Prao days: weekdays that are not Swedish public holidays."""

from __future__ import annotations

from datetime import date

from portal.prao import days


def test_an_ordinary_week_has_five_prao_days():
    assert days.count_prao_days(date(2027, 3, 15), date(2027, 3, 21)) == 5


def test_weekends_are_not_prao_days():
    assert days.prao_days(date(2027, 3, 19), date(2027, 3, 22)) == [
        date(2027, 3, 19), date(2027, 3, 22)]


def test_easter_and_ascension_are_not_prao_days():
    # 2027: Good Friday 26 March, Easter Monday 29 March, Ascension Day 6 May.
    assert days.prao_days(date(2027, 3, 25), date(2027, 3, 30)) == [
        date(2027, 3, 25), date(2027, 3, 30)]
    assert not days.is_prao_day(date(2027, 5, 6))
    assert days.is_prao_day(date(2027, 5, 7))


def test_national_day_and_the_eves_swedes_do_not_work():
    assert not days.is_prao_day(date(2028, 6, 6))  # a Tuesday
    assert not days.is_prao_day(date(2027, 12, 24))  # julafton, a Friday
    assert not days.is_prao_day(date(2027, 6, 25))  # midsommarafton


def test_days_until_today_stop_at_today_and_at_the_last_day():
    first, last = date(2027, 3, 15), date(2027, 3, 19)
    assert days.prao_days_until(first, last, date(2027, 3, 16)) == [
        date(2027, 3, 15), date(2027, 3, 16)]
    assert len(days.prao_days_until(first, last, date(2027, 4, 1))) == 5
    assert days.prao_days_until(first, last, date(2027, 3, 1)) == []


def test_a_holiday_is_named_in_the_readers_language():
    assert days.holiday_name(date(2027, 5, 6)) == "Kristi himmelsfärdsdag"
    assert days.holiday_name(date(2027, 5, 6), "en") == "Ascension Day"
    assert days.holiday_name(date(2027, 12, 24), "sv") == "Julafton"  # an eve: no prao day
    assert days.holiday_name(date(2027, 5, 5)) is None
