"""The facts the public privacy notice states, taken from the settings and the rules that
carry them out (the purge's retention time, the smallest group a report shows, the fewest
answers an employer's summary needs), so the page cannot promise what the code does not do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from portal.feedback.services import MIN_ANSWERS
from portal.reports.suppression import MIN_PUPILS


@dataclass(frozen=True)
class NoticeFacts:
    retention_months: int  # as `flask retention purge` reads it
    operator: str  # who runs the portal beside the schools' huvudmän
    contact_email: str
    privacy_officer_email: str  # dataskyddsombudet
    smallest_group: int  # the council's reports hide a group of fewer pupils
    employer_answers: int  # an employer sees its pupils' evaluations from this many answers


def notice_facts(config: Mapping[str, Any]) -> NoticeFacts:
    return NoticeFacts(
        retention_months=int(config["RETENTION_MONTHS"]),
        operator=str(config["PORTAL_OPERATOR"]) or _("Regionens kommunalförbund"),
        contact_email=str(config["PORTAL_CONTACT_EMAIL"]),
        privacy_officer_email=str(config["PRIVACY_OFFICER_EMAIL"]),
        smallest_group=MIN_PUPILS,
        employer_answers=MIN_ANSWERS,
    )
