"""The period page's pupil table as HTML, written here rather than in the template: a class
of up to some 170 pupils, seven cells each, and Jinja's cost per node, per attribute and
per escaped value was most of the page (as the checklist's cells,
portal/prao/checklist_cells.py). Each text is translated once per page."""

from __future__ import annotations

from collections.abc import Mapping

from flask import get_template_attribute, url_for
from flask_babel import gettext
from markupsafe import Markup, escape

from portal.prao.attendance.overview import PupilRow
from portal.prao.models import AssignmentState
from portal.prao.overview import PeriodSummary
from portal.schools.models import EnrolmentState
from portal.schools.periods import MIN_PRAO_DAYS
from portal.schools.pupils.forms import STATE_LABELS

_NONE = "–"


def own_not_approved(row: PupilRow, placed: Mapping[int, object]) -> bool:
    """An own placement the counsellor has not approved yet (approved, it is placed)."""
    return (row.enrolment.state is EnrolmentState.OWN_PLACEMENT
            and row.enrolment.id not in placed)


class PupilRowWriter:
    """`writer(row)`: the row's cells (<th> and <td>s) as one piece of HTML."""

    def __init__(self, period_id: int, prao: PeriodSummary, wishes: Mapping[int, int]) -> None:
        self.prao = prao
        self.wishes = wishes
        # The pupil's address without its last part, the enrolment's id.
        self._url = escape(url_for("schools.enrolment", period_id=period_id,
                                   enrolment_id=0)[:-1])
        self._label = {key: f' data-label="{escape(text)}"' for key, text in (
            ("class", gettext("Klass")), ("state", gettext("Läge")),
            ("wishes", gettext("Önskemål")), ("placement", gettext("Praoplats")),
            ("link", gettext("Länk")), ("days", gettext("Praodagar hittills")))}
        self._missing = escape(gettext("saknas i senaste importen"))
        self._no_wishes = escape(gettext("saknas"))
        self._uncovered = escape(gettext("behov saknas hos alla lediga platser"))
        self._declined = escape(gettext("nekad, behöver ny plats"))
        self._own = escape(gettext("egen plats, inte godkänd än"))
        self._link = {True: escape(gettext("spärrad")), False: escape(gettext("aktiv"))}
        self._below = escape(gettext("(under %(n)d)")) % {"n": MIN_PRAO_DAYS}
        self._state = {state: escape(str(label)) for state, label in STATE_LABELS.items()}
        self._badges: dict[AssignmentState, str] = {}

    def __call__(self, row: PupilRow) -> Markup:
        pupil, label = row.enrolment, self._label
        cells = (self._name(row), f"<td{label['class']}>{escape(pupil.class_name)}</td>",
                 f"<td{label['state']}>{self._state[pupil.state]}</td>",
                 f"<td{label['wishes']}>{self._wishes(row)}</td>",
                 f"<td{label['placement']}>{self._placement(row)}</td>",
                 f"<td{label['link']}>{self._link[pupil.link_revoked]}</td>",
                 f"<td{label['days']}>{self._days(row)}</td>")
        # A cell a line, indented as in the template's row: the page stays as it was.
        return Markup("\n          ".join(cells))  # noqa: S704 - every value in it escaped

    def _name(self, row: PupilRow) -> str:
        pupil = row.enrolment
        name: str = escape(f"{pupil.first_name} {pupil.last_name}")
        name = f'<a href="{self._url}{pupil.id}">{name}</a>'
        if pupil.missing_since:
            name += f' <span class="badge bg-warning text-dark">{self._missing}</span>'
        return f'<th scope="row">{name}</th>'

    def _wishes(self, row: PupilRow) -> str:
        if row.enrolment.state is not EnrolmentState.NEEDS_PLACEMENT:
            return _NONE
        if wishes := self.wishes.get(row.enrolment.id, 0):
            return str(wishes)
        return f'<span class="text-danger">{self._no_wishes}</span>'

    def _placement(self, row: PupilRow) -> str:
        enrolment_id = row.enrolment.id
        if (placed := self.prao.placed.get(enrolment_id)) is not None:
            return f"{escape(placed.organisation)} {self._badge(placed.state)}"
        if enrolment_id in self.prao.uncovered:
            return f'<span class="text-danger">{self._uncovered}</span>'
        if enrolment_id in self.prao.declined:
            return f'<span class="text-danger">{self._declined}</span>'
        if own_not_approved(row, self.prao.placed):
            return f'<span class="text-danger">{self._own}</span>'
        return _NONE

    def _badge(self, state: AssignmentState) -> str:
        """The same badge as everywhere else an assignment's state is shown, written once
        per state the page shows."""
        if state not in self._badges:
            self._badges[state] = get_template_attribute("prao/_state.html",
                                                         "state_badge")(state)
        return self._badges[state]

    def _days(self, row: PupilRow) -> str:
        if row.short_of_ten:
            return f'{row.ten.attended} <span class="text-danger">{self._below}</span>'
        if row.ten_elsewhere:  # short only by the days the period lacks: said above the table
            return f'{row.ten.attended} <span class="text-body-secondary">{self._below}</span>'
        return str(row.ten.attended)
