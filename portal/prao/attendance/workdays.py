"""Which days a pupil is at the workplace: the prao days of the period, cut to the weeks of
the offer the pupil was placed at (an own placement has no offer: the whole period).
Pure functions on dates, no Flask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.prao.days import prao_days

SUNDAY = timedelta(days=6)


@dataclass(frozen=True)
class Span:
    first: date
    last: date

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last

    def days(self) -> list[date]:
        """The prao days (weekdays, not holidays) of the span."""
        return prao_days(self.first, self.last)


def work_span(period_first: date, period_last: date, offer_first_week: date | None = None,
              offer_last_week: date | None = None) -> Span | None:
    """The days of the period inside the offer's weeks (Monday of the first week to Sunday
    of the last), or None when they do not meet."""
    first, last = period_first, period_last
    if offer_first_week is not None and offer_last_week is not None:
        first = max(first, offer_first_week)
        last = min(last, offer_last_week + SUNDAY)
    return Span(first, last) if first <= last else None


def day_number(span: Span, day: date) -> int:
    """1 for the span's first prao day, 2 for the second …; 0 before the first."""
    return sum(1 for d in span.days() if d <= day)


def second_day(span: Span) -> date | None:
    """The day by which the school should have been in touch (the only day, if one)."""
    days = span.days()
    return days[1] if len(days) > 1 else (days[0] if days else None)
