"""The 10:00 job's thousands of guardian emails are rendered once per kind of alert and
filled in per pupil (outbox.Fill): each email must read exactly as if it had been rendered
on its own, in its recipient's language, whatever the names hold."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from markupsafe import Markup
from sqlalchemy import select

from portal.inputs import email_value
from portal.notifications import messages, outbox
from portal.notifications.models import OutboxEmail
from portal.prao.attendance.daily import AlertLine
from portal.prao.models import AlertKind
from portal.textrules import one_line
from tests import factories

DAY = date(2027, 3, 16)
NAMES = [  # (first, last, school, workplace, organisation)
    ("Alva", "Berg", "Ekskolan", "Verkstaden", "Snickeri AB"),
    ("Bo", "Ek", "Ekskolan", "Verkstaden", "Snickeri AB"),
    ("Cia", "", "Ekskolan", "Kontoret", "Byrå & Co"),  # no last name: rendered whole
    ("Dan  Erik", "Fors", "Ekskolan", "Kontoret", "Byrå & Co"),  # two spaces: whole
    (" Eva", "Gran", "Skolan <i>", "Lagret", 'Frakt "Snabb" AB'),  # leading space: whole
    ("Fia", "Holm\nRad två", "Ekskolan", "Lagret", "Frakt AB"),  # a line break: whole
    ("<b>Gus</b>", "O'Hara", "Skolan & Co", "Kök & bar", "Krog <AB>"),  # escaped in html
    ("Hanna", "Ås", "Åskolan", "Affären", "Handel\u00a0AB"),  # no-break space: whole
    ("Ivar", "Lund", "Ekskolan", "Verkstaden", "Snickeri AB"),
]


def _lines() -> list[AlertLine]:
    lines = []
    usual = [(f"Elev{n}", "Berg", "Ekskolan", f"Plats {n}", "Snickeri AB") for n in range(40)]
    for n, (first, last, school, workplace, organisation) in enumerate(NAMES * 2 + usual):
        kind = AlertKind.ABSENT if n % 3 == 0 else AlertKind.NOT_REPORTED
        lines.append(AlertLine(n + 1, kind, DAY, n + 1, first, last, 1, school, workplace,
                               organisation, f"hem{n}@hem.se", f"https://prao.test/r/{n}"))
    return lines


def _queued(db: Any) -> list[tuple[str, str, str, str]]:
    rows = db.session.execute(select(OutboxEmail.recipient, OutboxEmail.subject,
                                     OutboxEmail.body_text, OutboxEmail.body_html)
                              .order_by(OutboxEmail.id)).all()
    return [tuple(row) for row in rows]


def test_filled_in_guardian_emails_read_as_if_rendered_one_by_one(db, monkeypatch):
    factories.UserFactory(role="counsellor", email="hem1@hem.se", language="en")
    db.session.commit()
    renders = 0
    render = outbox._Parts.render

    def counting(self: Any, context: dict[str, Any]) -> tuple[str, str, str]:
        nonlocal renders
        renders += 1
        return render(self, context)

    monkeypatch.setattr(outbox._Parts, "render", counting)
    lines = _lines()
    assert messages.attendance_guardians(lines) == len(lines)
    batched = _queued(db)
    db.session.rollback()

    for line in lines:  # the plain path: one email, the app's own gettext
        outbox.enqueue(line.guardian_email, "attendance_guardian", line=line)
    db.session.flush()
    assert batched == _queued(db)
    db.session.rollback()

    # Rendered once per group, kind and language (and once more to check it), the odd
    # names whole: far fewer renderings than emails.
    whole = sum(1 for line in lines if not all(outbox._fillable(v) for v in (
        line.first_name, line.last_name, line.school, line.workplace, line.organisation)))
    assert whole == 10
    assert renders <= whole + 2 * 3 < len(lines) // 2
    english = next(row for row in batched if row[0] == "hem1@hem.se")
    assert english[1] == "Bo has not been reported present at prao today"
    assert "&lt;b&gt;Gus&lt;/b&gt;" in batched[6][3] and "<b>Gus</b>" in batched[6][2]


@pytest.mark.parametrize("text", ["", " ", "a", "a b", "a  b", " a", "a ", "a\nb", "a\tb",
                                  "a\u00a0b", "a\u2028b", "a\u3000b", "ab\u200bc", "a\x1cb"])
def test_an_emails_value_is_one_line_exactly_as_before(text):
    for value in (text, Markup(text)):  # noqa: S704 - plain test text, never rendered
        expected = (Markup(one_line(value)) if isinstance(value, Markup)  # noqa: S704
                    else one_line(value))
        shown = email_value(value)
        assert shown == expected and type(shown) is type(expected)
