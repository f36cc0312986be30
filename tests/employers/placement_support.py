"""What the placement, offer, calendar and dashboard tests share: a valid placement form as
the browser posts it, weeks relative to today, and a counter of SQL statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event

from portal import clock
from portal.extensions import db
from portal.weeks import monday, monday_of

NEXT_YEAR = clock.today().year + 1


def this_monday() -> date:
    return monday_of(clock.today())


def weeks_ahead(n: int) -> date:
    return this_monday() + timedelta(weeks=n)


def next_year_week(week: int) -> date:
    return monday(NEXT_YEAR, week)


def placement_form(municipality_id: int, **overrides: Any) -> dict[str, Any]:
    """A complete placement as the form posts it; an override of None leaves the field out
    (an unticked checkbox)."""
    data: dict[str, Any] = {
        "title": "Kock i restaurangkök",
        "sector": "hospitality",
        "description": "Du är med i köket när lunchen lagas.",
        "tasks": "Skölja grönsaker, duka, diska.",
        "address": "Storgatan 1",
        "postal_code": "97231",
        "city": "Luleå",
        "municipality": str(municipality_id),
        "latitude": "",
        "longitude": "",
        "supervisor_name": "Hanna Handledare",
        "supervisor_phone": "070-123 45 67",
        "supervisor_email": "hanna@restaurang.se",
        "day_start": "08:00",
        "day_end": "14:30",
        "break_start": "11:30",
        "break_minutes": "30",
        "grades": ["8", "9"],
        "languages": "svenska",
        "features": ["step_free"],
        "protective_equipment": "Förkläde och halkfria skor lånas ut.",
        "risk_hazards": "Varma ytor och vassa knivar.",
        "risk_measures": "Eleven arbetar inte vid spisen och använder inte knivar.",
        "risk_introduction": "Handledaren går igenom köket första morgonen.",
        "risk_supervisor": "Hanna Handledare",
        "risk_confirmed": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Every SELECT sent to the database inside the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
