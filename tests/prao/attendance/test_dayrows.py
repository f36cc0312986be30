"""The day's rows are written without WTForms (portal.prao.attendance.dayrows): their
inputs must stay the ones WTForms writes for the fields of PupilDayForm, also when a posted
row comes back with its errors, and a row read from the database must be the row WTForms'
own filling of the form gave."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from flask import Flask, render_template_string
from markupsafe import Markup

from portal.prao.attendance import dayrows
from portal.prao.attendance.forms import STATUS_LABELS, DayReportForm
from portal.prao.models import AttendanceStatus

ROWS = ('{% import "prao/attendance/_macros.html" as m %}'
        "{{ m.day_rows(rows, {}, labels) }}")
HINT = "tid-vid-franvaro"


def _written(rows: list[dayrows.DayRow]) -> str:
    return render_template_string(ROWS, rows=rows, labels=STATUS_LABELS)


def _inputs(html: str) -> list[str]:
    return re.findall(r"<input [^>]*>", html)


def _as_wtforms(form: DayReportForm) -> list[Markup]:
    """The inputs as the macro wrote them with WTForms before."""
    found = []
    for entry in form.pupils:
        sub = entry.form
        found.append(sub.assignment())
        found.extend(option(class_="btn-check") for option in sub.status)
        for field in (sub.start, sub.end, sub.break_minutes):
            attrs: dict[str, Any] = {
                "class": "form-control" + (" is-invalid" if field.errors else ""),
                "aria-describedby": " ".join([HINT] + ([f"{field.id}-error"]
                                                       if field.errors else []))}
            if field.errors:
                attrs["aria-invalid"] = "true"
            found.append(field(**attrs))
    return found


def test_posted_rows_with_errors_have_the_inputs_wtforms_wrote(app: Flask) -> None:
    posted = {"pupils-0-assignment": '7"<x>', "pupils-0-status": "present",
              "pupils-0-start": "25:99", "pupils-0-end": "14:30",
              "pupils-0-break_minutes": "999",
              "pupils-1-assignment": "8", "pupils-1-status": "bogus",
              "pupils-1-start": "", "pupils-1-end": "x", "pupils-1-break_minutes": "abc",
              "pupils-2-assignment": "9", "pupils-2-start": "08:00"}
    with app.test_request_context(method="POST", data=posted):
        form = DayReportForm(meta={"csrf": False})
        assert not form.validate()
        rows = [dayrows.posted_row(entry, None) for entry in form.pupils]
        html = _written(rows)
        assert _inputs(html) == [str(i) for i in _as_wtforms(form)]
        for entry in form.pupils:
            for field in (entry.form.start, entry.form.end, entry.form.break_minutes):
                assert f'<label class="form-label" for="{field.id}">{field.label.text}</label>' \
                    in html


def test_a_row_read_from_the_database_is_the_row_wtforms_filled(app: Flask) -> None:
    class Day:
        status, start_time, end_time, break_minutes = (AttendanceStatus.LATE, time(9, 15),
                                                       None, 45)

    pupil = dayrows.Pupil(5, "Alva Ek", "Skola A", "Snickare", time(8, 0), time(15, 0), 30)
    unset = dayrows.Pupil(6, "Bo Ek", "Skola A", "Snickare", None, None, None)
    with app.test_request_context():
        form = DayReportForm(meta={"csrf": False})
        # What the view's filling of the form gave: the reported day over the placement's.
        form.pupils.append_entry({"assignment": "5", "status": "late", "start": time(9, 15),
                                  "end": time(15, 0), "break_minutes": 45})
        form.pupils.append_entry({"assignment": "6", "status": None, "start": None,
                                  "end": None, "break_minutes": None})
        new = [dayrows.new_row(0, pupil, Day()), dayrows.new_row(1, unset, None)]
        filled = [dayrows.posted_row(form.pupils[0], pupil),
                  dayrows.posted_row(form.pupils[1], unset)]
        assert _written(new) == _written(filled)
        assert _inputs(_written(new)) == [str(i) for i in _as_wtforms(form)]
