"""The portal's one clock. "Now" is UTC in the database and Europe/Stockholm for what people
see: a wish window closes at midnight in Sweden, attendance is due by 10:00 Swedish time.

Tests set the time with `set_now(datetime)` (and `set_now(None)` to let it run again); every
caller asks this module, never `datetime.now()` itself."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")

_fixed: datetime | None = None


def set_now(moment: datetime | None) -> None:
    """Stop the clock at an aware moment (tests), or let it run again with None."""
    if moment is not None and moment.tzinfo is None:
        raise ValueError("the clock needs an aware datetime")
    global _fixed
    _fixed = moment


def now() -> datetime:
    """This moment, aware, in UTC."""
    return _fixed.astimezone(UTC) if _fixed is not None else datetime.now(UTC)  # noqa: TID251 - the one place


def local_now() -> datetime:
    """This moment in Europe/Stockholm."""
    return now().astimezone(STOCKHOLM)


def today() -> date:
    """Today's date in Sweden."""
    return local_now().date()


def local(moment: datetime) -> datetime:
    """A stored (UTC) moment as Swedish local time."""
    return moment.astimezone(STOCKHOLM)
