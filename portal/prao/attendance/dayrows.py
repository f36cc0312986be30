"""The pupils' rows of a day's attendance form (the supervisor's link and the employer's
day) as the page writes them. WTForms wrote every attribute of the seven inputs of a row
through Markup.format and built a sub-form of four bound fields per pupil: on the link's page
that was half of each request's Python. A row here holds the strings the template writes:
a page read from the database builds its rows without WTForms, a posted form sent back with
its errors builds them from its fields, and both give the HTML WTForms gave
(tests/prao/attendance/test_dayrows.py holds them to it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time
from typing import NamedTuple, Protocol

from markupsafe import Markup
from wtforms import Field, FormField

from portal.formtools import quick_params
from portal.prao.attendance.forms import STATUS_LABELS, PupilDayForm
from portal.prao.models import AttendanceStatus

LIST_NAME = "pupils"  # DayReportForm's FieldList


class RowInput(NamedTuple):
    """One input of a row, as its WTForms field renders it."""

    id: str
    name: str
    label: str
    type: str
    value: str
    errors: Sequence[object] = ()
    extra: Markup = Markup("")  # the field's render_kw as attributes, each with its space


class RowOption(NamedTuple):
    """One radio button of the status."""

    id: str
    value: str
    label: object
    checked: bool


class Pupil(NamedTuple):
    """Who a row is for, as its legend names them, and the placement's hours."""

    assignment_id: int
    name: str
    school: str
    workplace: str
    day_start: time | None
    day_end: time | None
    break_minutes: int | None


class Reported(Protocol):
    """The day as reported: an AttendanceDay, or a row of its columns."""

    @property
    def status(self) -> AttendanceStatus: ...
    @property
    def start_time(self) -> time | None: ...
    @property
    def end_time(self) -> time | None: ...
    @property
    def break_minutes(self) -> int: ...


class DayRow(NamedTuple):
    """A pupil's row. `pupil` is None for a posted row that names none of the page's."""

    pupil: Pupil | None
    assignment: RowInput
    status: RowInput
    options: tuple[RowOption, ...]
    start: RowInput
    end: RowInput
    break_minutes: RowInput


@dataclass(frozen=True)
class _Static:
    """What a field of PupilDayForm renders the same for every pupil."""

    type: str
    label: object
    extra: Markup


def _static(name: str) -> _Static:
    unbound = getattr(PupilDayForm, name)
    widget = unbound.kwargs.get("widget") or unbound.field_class.widget
    label = unbound.kwargs.get("label", unbound.args[0] if unbound.args else "")
    render_kw = unbound.kwargs.get("render_kw") or {}
    extra = quick_params(**render_kw)
    return _Static(getattr(widget, "input_type", ""), label,
                   Markup(" ") + extra if extra else Markup(""))


_FIELDS = {name: _static(name) for name in ("assignment", "status", "start", "end",
                                            "break_minutes")}
_STATUSES = [(status.value, label) for status, label in STATUS_LABELS.items()]


def _input(prefix: str, name: str, value: str, errors: Sequence[object] = ()) -> RowInput:
    static = _FIELDS[name]
    return RowInput(prefix + name, prefix + name, str(static.label), static.type, value,
                    errors, static.extra)


def _time_text(value: time | None) -> str:
    """TimeField's value attribute: hours and minutes."""
    return value.strftime("%H:%M") if value is not None else ""


def new_row(index: int, pupil: Pupil, reported: Reported | None) -> DayRow:
    """The row of the `index`th pupil before anything is posted: the day as reported, or
    the placement's hours ready to confirm."""
    prefix = f"{LIST_NAME}-{index}-"
    status_id = prefix + "status"
    status, start, end, pause = None, pupil.day_start, pupil.day_end, pupil.break_minutes
    if reported is not None:
        status = reported.status.value
        if reported.start_time is not None:
            start, pause = reported.start_time, reported.break_minutes
        if reported.end_time is not None:
            end = reported.end_time
    return DayRow(
        pupil, _input(prefix, "assignment", str(pupil.assignment_id)),
        _input(prefix, "status", ""),
        tuple(RowOption(f"{status_id}-{i}", value, label, value == status)
              for i, (value, label) in enumerate(_STATUSES)),
        _input(prefix, "start", _time_text(start)), _input(prefix, "end", _time_text(end)),
        _input(prefix, "break_minutes", "" if pause is None else str(pause)))


def _posted(field: Field, name: str) -> RowInput:
    static = _FIELDS[name]
    # A radio list's value is its options' (`RowOption`): it has none of its own.
    value = "" if name == "status" else field._value()
    return RowInput(field.id, field.name, str(field.label.text), static.type, value,
                    field.errors, static.extra)


def posted_row(entry: FormField, pupil: Pupil | None) -> DayRow:
    """A posted row sent back with its errors: the values as typed."""
    sub = entry.form
    status = sub.status
    return DayRow(
        pupil, _posted(sub.assignment, "assignment"), _posted(status, "status"),
        tuple(RowOption(f"{status.id}-{i}", choice.value, choice.label or choice.value,
                        choice.selected)
              for i, choice in enumerate(status.iter_choices())),
        _posted(sub.start, "start"), _posted(sub.end, "end"),
        _posted(sub.break_minutes, "break_minutes"))
