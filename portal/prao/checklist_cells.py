"""The checklist page's cells as HTML, written here rather than in the template: a period
of 300 pupils has some 3,600 cells, and Jinja's cost per node and per escaped value made
the page twice its target (benchmarks/prao_process.py). A cell nobody can tick looks the
same for every pupil with the same step, state, day and doer, so each distinct one is
written once per page."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext, ngettext
from markupsafe import Markup, escape

from portal.prao.checklist import Status, Step
from portal.prao.overview import ChecklistCell, ChecklistRow
from portal.templating import iso_date

_CSS = {Status.OVERDUE: " table-danger", Status.DONE: " table-success"}


class CellWriter:
    """`writer(row)`: the row's head (the pupil) and cells as one piece of HTML, every text
    translated once."""

    def __init__(self, period_id: int, csrf_token: str, steps: tuple[Step, ...]) -> None:
        self._done = escape(gettext("Klart"))
        overdue = gettext("Försenat")  # outside the f-string, where pybabel finds it
        self._overdue = f"<strong>{escape(overdue)}</strong>"
        self._status = {Status.OPEN: escape(gettext("Att göra")),
                        Status.WAITING: escape(gettext("Väntar"))}
        self._tick = escape(gettext("Bocka av"))
        self._undo = escape(gettext("Ångra"))
        self._labels = {step.key: escape(gettext(step.label)) for step in steps}
        self._csrf = escape(csrf_token)
        # The tick form's address without its last part, the assignment's id.
        self._tick_url = escape(url_for("prao.tick", period_id=period_id, assignment_id=0)[:-1])
        self._undo_url = escape(url_for("prao.untick", period_id=period_id,
                                        assignment_id=0)).replace("/0/", "/{}/")
        self._waits_for: dict[int, str] = {}
        self._overdue_counts: dict[int, str] = {}
        self._written: dict[tuple[str, Status, datetime | None, str, int], str] = {}

    def __call__(self, row: ChecklistRow) -> Markup:
        cells = "".join(self._cell(row, cell) for cell in row.cells)
        return Markup(f"{self._head(row)}{cells}")  # noqa: S704 - every value escaped

    def _head(self, row: ChecklistRow) -> str:
        """The pupil's name and how many steps are overdue, each count written once."""
        if not row.overdue:
            return f'<th scope="row">{escape(row.name)}</th>'
        if row.overdue not in self._overdue_counts:
            self._overdue_counts[row.overdue] = escape(ngettext(
                "%(num)d försenat", "%(num)d försenade", row.overdue))
        return (f'<th scope="row">{escape(row.name)} <span class="badge bg-danger">'
                f"{self._overdue_counts[row.overdue]}</span></th>")

    def _cell(self, row: ChecklistRow, cell: ChecklistCell) -> str:
        if cell.undoable:
            return f"{self._open(cell)}{self._undo_form(row, cell.step.key)}</td>"
        if not cell.tickable:
            key = (cell.step.key, cell.status, cell.done_at, cell.done_by, cell.waits_for)
            written = self._written.get(key)
            if written is None:
                written = self._written[key] = f"{self._open(cell)}</td>"
            return written
        return f"{self._open(cell)}{self._form(row, cell.step.key)}</td>"

    def _open(self, cell: ChecklistCell) -> str:
        start = f'<td class="small{_CSS.get(cell.status, "")}">'
        if cell.done_at is not None:
            by = f", {escape(cell.done_by)}" if cell.done_by else ""
            day = iso_date(cell.done_at)
            return (f'{start}<span aria-hidden="true">✓</span> '
                    f'<span class="visually-hidden">{self._done}</span>{day}{by}')
        if cell.waits_for:
            waits = self._waiting(cell.waits_for)
            if cell.status is Status.OVERDUE:
                return f'{start}{self._overdue}<br><span class="text-body-secondary">{waits}</span>'
            return f"{start}{waits}"
        if cell.status is Status.OVERDUE:
            return f"{start}{self._overdue}"
        return f"{start}{self._status.get(cell.status, '')}"

    def _waiting(self, number: int) -> str:
        """The cell's "waits for step 2": the steps are numbered in the table's head."""
        if number not in self._waits_for:
            self._waits_for[number] = escape(gettext("Väntar på steg %(num)d", num=number))
        return self._waits_for[number]

    def _undo_form(self, row: ChecklistRow, step: str) -> str:
        return self._button(self._undo_url.format(row.assignment_id), row, step,
                            "btn btn-link btn-sm p-0", self._undo)

    def _form(self, row: ChecklistRow, step: str) -> str:
        return self._button(f"{self._tick_url}{row.assignment_id}", row, step,
                            "btn btn-outline-primary btn-sm", self._tick)

    def _button(self, action: str, row: ChecklistRow, step: str, css: str, text: str) -> str:
        """A one-button form posting the step; its name says the step and the pupil."""
        return (f'<form method="post" action="{action}" '
                f'class="mt-1"><input type="hidden" name="csrf_token" value="{self._csrf}">'
                f'<input type="hidden" name="step" value="{escape(step)}">'
                f'<button type="submit" class="{css}">{text}'
                f'<span class="visually-hidden">: {self._labels.get(step, "")}, '
                f"{escape(row.name)}</span></button></form>")
