"""The attendance overview's pupil table as HTML, written here rather than in the template:
a class of up to some 170 pupils, eight cells each, and Jinja's cost per node, per
attribute, per escaped value and per translated text was most of the page (as the
checklist's cells, portal/prao/checklist_cells.py). Each text is translated once per page."""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import gettext
from markupsafe import Markup, escape

from portal.prao.attendance.forms import STATUS_LABELS
from portal.prao.attendance.overview import PupilRow, TenDays

_NONE = "–"


class AttendanceRowWriter:
    """`writer(row)`: the row's cells (<th> and <td>s) as one piece of HTML."""

    def __init__(self, today: date, not_prao_day: str) -> None:
        self.today = today
        # The pupil's record's address without its last part, the assignment's id.
        self._record_url = escape(url_for("attendance.record", assignment_id=0)[:-1])
        self._gone = escape(gettext("Ingen (föll bort)"))
        self._status = {status: escape(label) for status, label in STATUS_LABELS.items()}
        self._unreported = (escape(gettext("Ingen praodag (%(why)s)")) % {"why": not_prao_day}
                            if not_prao_day else
                            f'<span class="text-danger">{escape(gettext("Inte rapporterad"))}'
                            "</span>")
        self._attended = escape(gettext("%(attended)d av 10"))
        self._planned = escape(gettext("(+%(n)d planerade)"))
        self._missing = escape(gettext("%(n)d saknas"))
        self._elsewhere = escape(gettext("%(n)d i en annan period"))
        self._followed = escape(gettext("Klar"))
        self._not_contacted = escape(gettext("Ej kontaktad"))
        self._tens: dict[tuple[int, int, bool, bool], str] = {}

    def __call__(self, row: PupilRow) -> Markup:
        cells = (self._name(row), f"<td>{escape(row.enrolment.class_name)}</td>",
                 f"<td>{self._workplace(row)}</td>", f"<td>{self._day(row)}</td>",
                 f"<td>{self._ten(row)}</td>", f"<td>{self._alerts(row)}</td>",
                 f"<td>{self._follow_up(row)}</td>", f"<td>{row.incidents or _NONE}</td>")
        # A cell a line, indented as in the template's row: the page stays as it was.
        return Markup("\n          ".join(cells))  # noqa: S704 - every value in it escaped

    def _name(self, row: PupilRow) -> str:
        pupil = row.enrolment
        name: str = escape(f"{pupil.first_name} {pupil.last_name}")
        if row.assignment is not None:
            name = f'<a href="{self._record_url}{row.assignment.id}">{name}</a>'
        return f'<th scope="row">{name}</th>'

    def _workplace(self, row: PupilRow) -> str:
        if row.fell_through:
            return f'<span class="text-danger">{self._gone}</span>'
        return escape(row.assignment.title) if row.assignment is not None else _NONE

    def _day(self, row: PupilRow) -> str:
        """Today as reported; "not reported" only on a prao day the pupil is expected."""
        if row.today is not None:
            return self._status[row.today]
        if row.span is not None and row.span.covers(self.today) and not row.fell_through:
            return self._unreported
        return _NONE

    def _ten(self, row: PupilRow) -> str:
        """The ten-day count: few distinct ones in a class, each written once."""
        ten = row.ten
        key = (ten.attended, ten.planned, row.short_of_ten, row.ten_elsewhere)
        if key not in self._tens:
            self._tens[key] = self._ten_text(ten, row.short_of_ten, row.ten_elsewhere)
        return self._tens[key]

    def _ten_text(self, ten: TenDays, short: bool, elsewhere: bool) -> str:
        # Plain str from here on: Markup + str would escape the badge's own HTML.
        text = str(self._attended % {"attended": ten.attended})
        if ten.planned:
            text += f" {self._planned % {'n': ten.planned}}"
        if short:
            missing = self._missing % {"n": ten.missing}
            text += f' <span class="badge text-bg-danger">{missing}</span>'
        elif elsewhere:  # the period is too short for ten: not this page's problem to fix
            later = self._elsewhere % {"n": ten.missing}
            text += f' <span class="badge text-bg-secondary">{later}</span>'
        return text

    @staticmethod
    def _alerts(row: PupilRow) -> str:
        if row.open_alerts:
            return f'<span class="badge text-bg-warning">{row.open_alerts}</span>'
        return _NONE

    def _follow_up(self, row: PupilRow) -> str:
        if row.follow_ups:
            return self._followed
        if row.follow_up_due:
            return f'<span class="badge text-bg-danger">{self._not_contacted}</span>'
        return _NONE
