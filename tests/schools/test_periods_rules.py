"""Working days, the wish window and lopsided sectors: pure rules, no database."""

from __future__ import annotations

from datetime import date

import pytest

from portal.schools.periods import Window, lopsided_sectors, wish_window, working_days


@pytest.mark.parametrize(("first", "last", "days"), [
    (date(2027, 3, 15), date(2027, 3, 26), 10),   # two full weeks, Monday to Friday
    (date(2027, 3, 15), date(2027, 3, 15), 1),
    (date(2027, 3, 20), date(2027, 3, 21), 0),    # a weekend
    (date(2027, 3, 19), date(2027, 3, 22), 2),    # Friday to Monday
    (date(2027, 3, 22), date(2027, 3, 15), 0),    # backwards
    (date(2026, 12, 28), date(2027, 1, 8), 10),   # over new year
])
def test_working_days(first, last, days):
    assert working_days(first, last) == days


def test_wish_window_edges():
    opens, closes = date(2027, 1, 11), date(2027, 2, 5)
    assert wish_window(opens, closes, date(2027, 1, 10)) is Window.BEFORE
    assert wish_window(opens, closes, opens) is Window.OPEN
    assert wish_window(opens, closes, closes) is Window.OPEN  # through the closing day
    assert wish_window(opens, closes, date(2027, 2, 6)) is Window.AFTER


def test_lopsided_sectors_need_more_than_80_percent_and_ten_pupils():
    counts = {"construction": {"boy": 17, "girl": 3},     # 85 % boys
              "health": {"girl": 16, "boy": 4},            # exactly 80 %: not more
              "it": {"boy": 9}}                            # too few to say anything
    assert lopsided_sectors(counts, "boy") == {"construction"}
    assert lopsided_sectors(counts, "girl") == set()
