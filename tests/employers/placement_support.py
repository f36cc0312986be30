"""What the placement, offer, calendar and dashboard tests share: a valid placement form as
the browser posts it, weeks relative to today, and a counter of SQL statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

from portal import clock
from portal.extensions import db
from portal.weeks import monday, monday_of
from tests.conftest import statements_sent

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


class _FormValues(HTMLParser):
    """The values a browser would send from the page's form with a field named `marker`, as
    the page shows them: text inputs, ticked boxes, selected options, text areas."""

    def __init__(self, marker: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            self._input(self._form, a)
        elif tag in ("select", "option", "textarea"):
            self._choice_or_text(self._form, tag, a)

    def _choice_or_text(self, form: dict[str, Any], tag: str, a: dict[str, str]) -> None:
        if tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            form[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            form[self._textarea or ""] = ""

    @staticmethod
    def _input(form: dict[str, Any], a: dict[str, str]) -> None:
        if a.get("type") not in ("checkbox", "radio"):
            form[a["name"]] = a.get("value", "")
        elif "checked" in a:
            form.setdefault(a["name"], []).append(a.get("value", "y"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data.removeprefix("\n") \
                if not self._form[self._textarea] else data


def form_values(page: str, marker: str) -> dict[str, Any]:
    parser = _FormValues(marker)
    parser.feed(page)
    return next(form for form in parser.forms if marker in form)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Every SELECT sent to the database inside the block."""
    with statements_sent(db.engine, only=("SELECT", "WITH")) as statements:
        yield statements
