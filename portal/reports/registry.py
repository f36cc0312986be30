"""The report's indicators, in the order the page shows them, each in its section.

To add an indicator: write a function `(scope: Scope) -> Table` in a module under
portal/reports/indicators/, named as the Table.key it returns, and add one line to
INDICATORS below. The key names it in the page's anchors, in export URLs and in the
council's targets, so it must be unique and never change once targets exist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portal.reports.indicators import coverage, process, wishes
from portal.reports.tables import Scope, Table
from portal.texts import mark as _l

Indicator = Callable[[Scope], Table]


@dataclass(frozen=True)
class Section:
    key: str
    title: str  # msgid


COVERAGE = Section("coverage", _l("Deltagande"))
MATCHING = Section("matching", _l("Önskemål och matchning"))
PROCESS = Section("process", _l("Den kvalitetssäkrade praon"))
# Sections the lead's indicators go into (seats, gender, equity, evaluations, employers).
SEATS = Section("seats", _l("Platser"))
EQUITY = Section("equity", _l("Jämställdhet och likvärdighet"))
EVALUATIONS = Section("evaluations", _l("Utvärderingar"))
EMPLOYERS = Section("employers", _l("Arbetsgivare"))

INDICATORS: list[tuple[Indicator, Section]] = [
    (coverage.coverage, COVERAGE),
    (coverage.placement_source, COVERAGE),
    (wishes.wishes_met, MATCHING),
    (wishes.needs_met, MATCHING),
    (process.steps_done, PROCESS),
    (process.attendance_rate, PROCESS),
    (process.absences_alerted, PROCESS),
    (process.incidents, PROCESS),
]


def sections() -> list[tuple[Section, list[Indicator]]]:
    """The sections that have indicators, in the order of their first indicator."""
    grouped: dict[Section, list[Indicator]] = {}
    for function, section in INDICATORS:
        grouped.setdefault(section, []).append(function)
    return list(grouped.items())


def by_key() -> dict[str, Indicator]:
    """Indicator functions by key, without computing them: a function is named as the key
    of the Table it returns (tests/reports/test_indicators.py checks that they agree)."""
    return {f.__name__: f for f, _ in INDICATORS}
