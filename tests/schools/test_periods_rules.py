"""The wish window and lopsided sectors: pure rules, no database (prao days:
tests/prao/test_days.py)."""

from __future__ import annotations

from datetime import date

from portal.schools.periods import Window, lopsided_sectors, wish_window


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
