"""The quality-assured prao checklist, as data: one list of steps every assignment goes
through (GR's prao checklists, ARCHITECTURE.md), each with an owner, a due date relative to
the period, and the order that matters.

Pure Python, no Flask and no database: the services pass in which steps are done and
today's date, and get back what may be ticked, what is overdue and why not. Labels and
problems are Swedish msgids that the caller translates."""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta


def _l(message: str) -> str:
    """Marks a message for extraction (pybabel -k _l) without importing Flask."""
    return message


class Phase(enum.StrEnum):
    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


class Owner(enum.StrEnum):
    """Who is responsible; the first two are portal roles (accounts.models.Role)."""

    COUNSELLOR = "counsellor"
    EMPLOYER = "employer"
    PUPIL = "pupil"
    GUARDIAN = "guardian"


class Anchor(enum.StrEnum):
    FIRST_DAY = "first_day"
    LAST_DAY = "last_day"


@dataclass(frozen=True)
class Step:
    key: str
    phase: Phase
    owner: Owner
    label: str  # msgid
    anchor: Anchor
    due_days: int  # due this many days after (negative: before) the anchor day
    requires: tuple[str, ...] = ()  # steps that must be done first
    # The step cannot be done before this day (relative to the period), e.g. reflection
    # after the prao, never before the last day.
    not_before: tuple[Anchor, int] | None = None
    # Ticked by hand on the checklist (by these roles); otherwise the portal records it when
    # the thing itself happens (the employer confirms, a certificate is issued, …).
    ticked_by: tuple[Owner, ...] = ()
    # Only where the municipality asks for it (guardians acknowledging the risk information).
    only_if: str | None = None

    def due(self, first_day: date, last_day: date) -> date:
        return _day(self.anchor, self.due_days, first_day, last_day)

    def earliest(self, first_day: date, last_day: date) -> date | None:
        if self.not_before is None:
            return None
        return _day(*self.not_before, first_day, last_day)


def _day(anchor: Anchor, offset: int, first_day: date, last_day: date) -> date:
    return (first_day if anchor is Anchor.FIRST_DAY else last_day) + timedelta(days=offset)


GUARDIAN_ACK = "guardian_ack_required"

B, D, A = Phase.BEFORE, Phase.DURING, Phase.AFTER
FIRST, LAST = Anchor.FIRST_DAY, Anchor.LAST_DAY
C, E, P, G = Owner.COUNSELLOR, Owner.EMPLOYER, Owner.PUPIL, Owner.GUARDIAN

STEPS: tuple[Step, ...] = (
    Step("risk_assessment", B, E, _l("Riskbedömning för minderåriga gjord"), FIRST, -14),
    Step("employer_confirmed", B, E, _l("Arbetsgivaren har bekräftat eleven"), FIRST, -14),
    Step("pupil_prepared", B, C, _l("Eleven förberedd i klassen"), FIRST, -7, ticked_by=(C,)),
    Step("pupil_contacted", B, P, _l("Eleven har kontaktat arbetsplatsen"), FIRST, -3,
         requires=("employer_confirmed",), ticked_by=(C, P)),
    Step("guardians_informed", B, C, _l("Vårdnadshavare informerade"), FIRST, -7,
         requires=("employer_confirmed",), ticked_by=(C,)),
    Step("guardians_acknowledged", B, G, _l("Vårdnadshavare har kvitterat riskinformationen"),
         FIRST, -1, requires=("guardians_informed",), ticked_by=(C,), only_if=GUARDIAN_ACK),
    Step("attendance", D, E, _l("Närvaro rapporterad varje dag"), LAST, 0,
         requires=("employer_confirmed",), not_before=(LAST, 0)),
    Step("follow_up", D, C, _l("Uppföljning: kontakt eller besök"), FIRST, 1,
         requires=("employer_confirmed",), not_before=(FIRST, 0), ticked_by=(C,)),
    Step("pupil_evaluation", A, P, _l("Elevens utvärdering"), LAST, 7,
         not_before=(LAST, 0), ticked_by=(C, P)),
    Step("employer_evaluation", A, E, _l("Arbetsgivarens utvärdering och bedömning"), LAST, 7,
         not_before=(LAST, 0), ticked_by=(C, E)),
    Step("class_reflection", A, C, _l("Reflektion i klassen"), LAST, 14,
         not_before=(LAST, 0), ticked_by=(C,)),
    Step("certificate", A, C, _l("Praointyg utfärdat"), LAST, 14,
         requires=("attendance",), not_before=(LAST, 0)),
)

BY_KEY: Mapping[str, Step] = {step.key: step for step in STEPS}

PHASE_LABELS: Mapping[Phase, str] = {
    Phase.BEFORE: _l("Före"), Phase.DURING: _l("Under"), Phase.AFTER: _l("Efter")}
OWNER_LABELS: Mapping[Owner, str] = {
    Owner.COUNSELLOR: _l("SYV"), Owner.EMPLOYER: _l("Arbetsgivare"),
    Owner.PUPIL: _l("Elev"), Owner.GUARDIAN: _l("Vårdnadshavare")}

# problem code -> msgid (translated by the caller with the step's translated label)
PROBLEMS: Mapping[str, str] = {
    "unknown": _l("Det steget finns inte i checklistan."),
    "not_applicable": _l("Steget gäller inte den här eleven."),
    "done": _l("Steget är redan avbockat."),
    "not_yours": _l("Det steget bockas inte av här: det sköts av någon annan eller "
                    "registreras av portalen när det händer."),
    "requires": _l("Först måste steget ”%(step)s” vara klart."),
    "too_early": _l("Steget kan bockas av tidigast %(day)s."),
}


def steps_for(conditions: Collection[str] = ()) -> tuple[Step, ...]:
    """The steps that apply, given the conditions that hold (e.g. GUARDIAN_ACK)."""
    return tuple(s for s in STEPS if s.only_if is None or s.only_if in conditions)


@dataclass(frozen=True)
class Problem:
    code: str  # a key of PROBLEMS
    params: Mapping[str, str] = field(default_factory=dict)


def completion_problem(key: str, done: Collection[str], today: date, first_day: date,
                       last_day: date, conditions: Collection[str] = ()) -> Problem | None:
    """Why the step cannot be recorded as done now, or None when it can: the rule behind
    every path that records a step (a tick, a confirmation, a certificate)."""
    step = BY_KEY.get(key)
    if step is None:
        return Problem("unknown")
    if step not in steps_for(conditions):
        return Problem("not_applicable")
    if key in done:
        return Problem("done")
    applicable = {s.key for s in steps_for(conditions)}
    for required in step.requires:
        if required in applicable and required not in done:
            return Problem("requires", {"step": BY_KEY[required].label})
    earliest = step.earliest(first_day, last_day)
    if earliest is not None and today < earliest:
        return Problem("too_early", {"day": earliest.isoformat()})
    return None


def tick_problem(key: str, role: Owner, done: Collection[str], today: date, first_day: date,
                 last_day: date, conditions: Collection[str] = ()) -> Problem | None:
    """Why `role` cannot tick the step by hand now, or None when it can."""
    step = BY_KEY.get(key)
    if step is not None and role not in step.ticked_by:
        return Problem("not_yours")
    return completion_problem(key, done, today, first_day, last_day, conditions)


class Status(enum.StrEnum):
    DONE = "done"
    OVERDUE = "overdue"
    OPEN = "open"  # may be done now, not yet due
    WAITING = "waiting"  # an earlier step or the calendar holds it back


def status(step: Step, done: Collection[str], today: date, first_day: date,
           last_day: date, conditions: Collection[str] = ()) -> Status:
    if step.key in done:
        return Status.DONE
    if today > step.due(first_day, last_day):
        return Status.OVERDUE
    if completion_problem(step.key, done, today, first_day, last_day, conditions) is None:
        return Status.OPEN
    return Status.WAITING


def completion(done: Collection[str], conditions: Collection[str] = ()) -> tuple[int, int]:
    """(steps done, steps that apply)."""
    applicable = steps_for(conditions)
    return sum(1 for s in applicable if s.key in done), len(applicable)


@dataclass(frozen=True)
class PlannedStep:
    """One step with its dates for one period and one day, worked out once: an overview
    of hundreds of pupils then decides each cell's status from the done steps alone."""

    step: Step
    overdue: bool  # due before today
    requires: tuple[str, ...]  # the required steps that apply
    too_early: bool  # the calendar holds it back today


def plan(today: date, first_day: date, last_day: date,
         conditions: Collection[str] = ()) -> tuple[PlannedStep, ...]:
    """The steps that apply, each with what `status` needs from the calendar."""
    applicable = steps_for(conditions)
    keys = {s.key for s in applicable}
    planned = []
    for step in applicable:
        earliest = step.earliest(first_day, last_day)
        planned.append(PlannedStep(step, today > step.due(first_day, last_day),
                                   tuple(r for r in step.requires if r in keys),
                                   earliest is not None and today < earliest))
    return tuple(planned)


def planned_status(planned: PlannedStep, done: Collection[str]) -> Status:
    """The same answer as `status` for the plan's day, period and conditions."""
    if planned.step.key in done:
        return Status.DONE
    if planned.overdue:
        return Status.OVERDUE
    if not planned_possible(planned, done):
        return Status.WAITING
    return Status.OPEN


def planned_waits_for(planned: PlannedStep, done: Collection[str]) -> str | None:
    """The first required step not done yet (its key), or None."""
    return next((r for r in planned.requires if r not in done), None)


def planned_possible(planned: PlannedStep, done: Collection[str]) -> bool:
    """Whether the step may be done now (as `completion_problem` None): an overdue step is
    still held back by a required step that is not done."""
    return (planned.step.key not in done and not planned.too_early
            and planned_waits_for(planned, done) is None)
