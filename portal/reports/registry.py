"""The report's indicators, in the order the page shows them, each in its section.

To add an indicator: write a function `(batch: Batch) -> dict[Scope, Table]` decorated
with `@per_scope` (portal/reports/scope.py: it counts every scope of the batch in one
grouped query, a whole school year at once, and is called with one scope for one Table;
`@dated_per_scope` if it reads the batch's dates, `batch.region`) in a module under
portal/reports/indicators/ and add one line to INDICATORS below with the Table.key it
returns. The key names it in the page's anchors, in export URLs and in the council's
targets, so it must be unique and never change once targets exist."""

from __future__ import annotations

from dataclasses import dataclass

from portal.reports.indicators import (
    coverage,
    employers,
    equity,
    evaluations,
    gender,
    process,
    seats,
    wishes,
)
from portal.reports.scope import Batch, PerScope, dated_per_scope, per_scope
from portal.reports.suppression import Shown
from portal.reports.tables import Scope, Table
from portal.texts import mark as _l

Indicator = PerScope[Table]


# The equity and employer indicators take the evaluations' figures through a hook, so their
# modules never import the evaluations; the registry joins them.
@per_scope
def equity_per_school(batch: Batch) -> dict[Scope, Table]:
    return equity.per_school_each(batch, evaluations.satisfaction_by_school.each)


@per_scope
def equity_spread(batch: Batch) -> dict[Scope, Table]:
    return equity.spread_each(batch, evaluations.satisfaction_by_school.each)


def settled(tables: dict[str, Table], shown: dict[str, Shown]) -> dict[str, Table]:
    """The tables taken from others as they are finally shown, once the school year's
    scopes are suppressed together (snapshots.compute_year): the spread between schools,
    headline and table, over the per-school rates the page shows. Pure: no database. The
    tables it gives have no cell that suppression hides (Unit.COUNT) beyond those of the
    table they replace."""
    schools, spread = equity.as_shown(tables["equity_schools"], shown["equity_schools"])
    return {"equity_schools": schools, "equity_spread": spread}


@dated_per_scope
def employers_per_municipality(batch: Batch) -> dict[Scope, Table]:
    return employers.per_municipality_each(batch, evaluations.again_next_term.each)


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

INDICATORS: list[tuple[str, Indicator, Section]] = [
    ("coverage", coverage.coverage, COVERAGE),
    ("placement_source", coverage.placement_source, COVERAGE),
    ("wishes_met", wishes.wishes_met, MATCHING),
    ("needs_met", wishes.needs_met, MATCHING),
    ("seats_per_sector", seats.per_sector, SEATS),
    ("seats_per_week", seats.per_week, SEATS),
    ("gender_per_sector", gender.per_sector, EQUITY),
    ("gender_atypical", gender.atypical, EQUITY),
    ("equity_schools", equity_per_school, EQUITY),
    ("equity_spread", equity_spread, EQUITY),
    ("steps_done", process.steps_done, PROCESS),
    ("attendance_rate", process.attendance_rate, PROCESS),
    ("absences_alerted", process.absences_alerted, PROCESS),
    ("incidents", process.incidents, PROCESS),
    ("evaluation_pupil_averages", evaluations.pupil_averages, EVALUATIONS),
    ("evaluation_pupil_distribution", evaluations.pupil_distribution, EVALUATIONS),
    ("evaluation_satisfaction_by_rank", evaluations.satisfaction_by_wish_rank, EVALUATIONS),
    ("evaluation_satisfaction_by_source", evaluations.satisfaction_by_source, EVALUATIONS),
    ("evaluation_employer_averages", evaluations.employer_averages, EVALUATIONS),
    ("evaluation_employer_distribution", evaluations.employer_distribution, EVALUATIONS),
    ("evaluation_answer_rates_school", evaluations.answer_rates_by_school, EVALUATIONS),
    ("evaluation_answer_rates_employer", evaluations.answer_rates_by_employer, EVALUATIONS),
    ("employers", employers_per_municipality, EMPLOYERS),
]


def sections() -> list[tuple[Section, list[Indicator]]]:
    """The sections that have indicators, in the order of their first indicator."""
    grouped: dict[Section, list[Indicator]] = {}
    for _key, function, section in INDICATORS:
        grouped.setdefault(section, []).append(function)
    return list(grouped.items())


def by_key() -> dict[str, Indicator]:
    """Indicator functions by key, without computing them (tests/reports/test_indicators.py
    checks that each function returns the Table its key names)."""
    return {key: function for key, function, _section in INDICATORS}
