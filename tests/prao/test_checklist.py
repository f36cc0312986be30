"""The checklist's rules: which step may be recorded when, and in which order."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.prao import checklist
from portal.prao.checklist import GUARDIAN_ACK, Owner, Status
from portal.prao.models import AssignmentState, can_move

FIRST, LAST = date(2027, 3, 15), date(2027, 3, 19)
BEFORE = date(2027, 3, 1)
ALL_BEFORE = {"risk_assessment", "employer_confirmed", "pupil_prepared", "pupil_contacted",
              "guardians_informed"}


def problem(key: str, done: set[str], today: date, role: Owner = Owner.COUNSELLOR,
            conditions: tuple[str, ...] = ()) -> str | None:
    found = checklist.tick_problem(key, role, done, today, FIRST, LAST, conditions)
    return found.code if found else None


def test_counsellor_ticks_own_step_before_the_period():
    assert problem("pupil_prepared", set(), BEFORE) is None


def test_a_step_cannot_be_ticked_twice():
    assert problem("pupil_prepared", {"pupil_prepared"}, BEFORE) == "done"


def test_order_guardians_are_informed_only_after_the_employer_confirmed():
    assert problem("guardians_informed", set(), BEFORE) == "requires"
    assert problem("guardians_informed", {"employer_confirmed"}, BEFORE) is None


def test_steps_after_the_prao_wait_for_the_last_day():
    assert problem("class_reflection", ALL_BEFORE, date(2027, 3, 18)) == "too_early"
    assert problem("class_reflection", ALL_BEFORE, LAST) is None


def test_no_certificate_before_the_last_day_or_while_attendance_is_missing():
    done = ALL_BEFORE | {"follow_up"}
    found = checklist.completion_problem("certificate", done, LAST, FIRST, LAST)
    assert found is not None and found.code == "requires"
    assert found.params["step"] == checklist.BY_KEY["attendance"].label
    found = checklist.completion_problem("certificate", done | {"attendance"},
                                         date(2027, 3, 18), FIRST, LAST)
    assert found is not None and found.code == "too_early"
    assert checklist.completion_problem("certificate", done | {"attendance"}, LAST,
                                        FIRST, LAST) is None


def test_steps_the_portal_records_cannot_be_ticked_by_hand():
    assert problem("employer_confirmed", set(), BEFORE) == "not_yours"
    assert problem("certificate", ALL_BEFORE | {"attendance"}, LAST) == "not_yours"
    # …and an employer cannot tick the counsellor's step.
    assert problem("pupil_prepared", set(), BEFORE, role=Owner.EMPLOYER) == "not_yours"


def test_guardian_acknowledgement_only_where_the_municipality_requires_it():
    keys = [s.key for s in checklist.steps_for()]
    assert "guardians_acknowledged" not in keys
    assert "guardians_acknowledged" in [s.key for s in checklist.steps_for([GUARDIAN_ACK])]
    assert problem("guardians_acknowledged", ALL_BEFORE, BEFORE) == "not_applicable"
    assert problem("guardians_acknowledged", ALL_BEFORE, BEFORE,
                   conditions=(GUARDIAN_ACK,)) is None


def test_unknown_step_is_refused():
    assert problem("bake_a_cake", set(), BEFORE) == "unknown"


def test_due_dates_are_relative_to_the_period():
    assert checklist.BY_KEY["employer_confirmed"].due(FIRST, LAST) == date(2027, 3, 1)
    assert checklist.BY_KEY["follow_up"].due(FIRST, LAST) == date(2027, 3, 16)  # day two
    assert checklist.BY_KEY["certificate"].due(FIRST, LAST) == date(2027, 4, 2)


@pytest.mark.parametrize(("today", "done", "expected"), [
    (date(2027, 3, 1), set(), Status.OPEN),
    (date(2027, 3, 8), set(), Status.OPEN),  # the due day itself is not overdue
    (date(2027, 3, 9), set(), Status.OVERDUE),
    (date(2027, 3, 9), {"pupil_prepared"}, Status.DONE),
])
def test_status_of_a_step(today, done, expected):
    step = checklist.BY_KEY["pupil_prepared"]  # due a week before the first day
    assert checklist.status(step, done, today, FIRST, LAST) is expected


def test_status_overdue_and_waiting():
    prepared = checklist.BY_KEY["pupil_prepared"]
    assert checklist.status(prepared, set(), date(2027, 3, 9), FIRST, LAST) is Status.OVERDUE
    reflection = checklist.BY_KEY["class_reflection"]
    assert checklist.status(reflection, set(), BEFORE, FIRST, LAST) is Status.WAITING


def test_completion_counts_only_steps_that_apply():
    assert checklist.completion({"pupil_prepared", "guardians_acknowledged"}) == (1, 11)
    assert checklist.completion({"guardians_acknowledged"}, [GUARDIAN_ACK]) == (1, 12)


@pytest.mark.parametrize(("current", "new", "allowed"), [
    (AssignmentState.PROPOSED, AssignmentState.CONFIRMED, True),
    (AssignmentState.PROPOSED, AssignmentState.DECLINED, True),
    (AssignmentState.CONFIRMED, AssignmentState.IN_PROGRESS, True),
    (AssignmentState.IN_PROGRESS, AssignmentState.COMPLETED, True),
    (AssignmentState.CONFIRMED, AssignmentState.DECLINED, False),
    (AssignmentState.DECLINED, AssignmentState.CONFIRMED, False),
    (AssignmentState.PROPOSED, AssignmentState.COMPLETED, False),
    (AssignmentState.COMPLETED, AssignmentState.CANCELLED, False),
])
def test_assignment_transitions(current, new, allowed):
    assert can_move(current, new) is allowed


def test_the_periods_plan_gives_every_cell_the_status_the_rules_give():
    """The overview works out each step's dates once per period (plan); every pupil's
    cell must still read as status() decides it, and offer a tick where completion_problem()
    allows one, on every day around the period, with and without the guardians'
    acknowledgement, whatever is done."""
    first, last = date(2027, 3, 15), date(2027, 3, 26)
    keys = [step.key for step in checklist.STEPS]
    done_sets = [set(), set(keys)] + [set(keys[:n]) for n in range(1, len(keys))] + [
        {k for i, k in enumerate(keys) if i % 2}, {k for i, k in enumerate(keys) if i % 3}]
    for conditions in ((), (GUARDIAN_ACK,)):
        for offset in range(-30, 40, 1):
            today = first + timedelta(days=offset)
            planned = checklist.plan(today, first, last, conditions)
            assert [p.step for p in planned] == list(checklist.steps_for(conditions))
            for done in done_sets:
                for p in planned:
                    assert checklist.planned_status(p, done) is checklist.status(
                        p.step, done, today, first, last, conditions), (p.step.key, today, done)
                    # The tick button is offered exactly where a tick would be taken.
                    assert checklist.planned_possible(p, done) is (checklist.completion_problem(
                        p.step.key, done, today, first, last, conditions) is None), (
                        p.step.key, today, done)
