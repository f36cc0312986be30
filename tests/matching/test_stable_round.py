"""Round one: the pupil-optimal stable matching, checked against its definition."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.matching import InvalidInstance, Missed, Placement, Step, Student, stable_round
from tests.matching.reference import acceptable, deferred_acceptance
from tests.matching.strategies import PROPERTY, instances

Instance = tuple[list[Student], list[Placement]]


@pytest.fixture(scope="module", autouse=True)
def _fresh_rate_limits() -> None:
    """Overrides the suite's autouse fixture of that name, which builds the app and a migrated
    database only to reset rate limits: the engine is pure, its tests need neither."""


@PROPERTY
@given(instances())
def test_equals_textbook_deferred_acceptance(instance: Instance) -> None:
    students, placements = instance
    assert stable_round(students, placements).assignments == deferred_acceptance(
        students, placements
    )


@PROPERTY
@given(instances())
def test_no_blocking_pair(instance: Instance) -> None:
    students, placements = instance
    got = stable_round(students, placements).assignments
    holders: dict[str, list[Student]] = {p.id: [] for p in placements}
    for s in students:
        if got[s.id] is not None:
            holders[got[s.id]].append(s)
    capacity = {p.id: p.capacity for p in placements}
    for s in students:
        wishes = acceptable(s, placements)
        better = wishes if got[s.id] is None else wishes[: wishes.index(got[s.id])]
        for pid in better:
            # s would rather have pid: pid must be full with pupils it ranks above s.
            assert len(holders[pid]) == capacity[pid]
            assert all(h.key < s.key for h in holders[pid])


@PROPERTY
@given(instances())
def test_capacities_and_needs_respected(instance: Instance) -> None:
    students, placements = instance
    result = stable_round(students, placements)
    by_id = {p.id: p for p in placements}
    load = Counter(pid for pid in result.assignments.values() if pid is not None)
    assert all(load[p.id] <= p.capacity for p in placements)
    assert all(result.free_seats[p.id] == p.capacity - load[p.id] for p in placements)
    for s in students:
        pid = result.assignments[s.id]
        if pid is not None:
            assert pid in s.wishes
            assert s.needs <= by_id[pid].features
            assert result.ranks[s.id] == s.wishes.index(pid) + 1
    stats = result.stats
    assert stats.placed + stats.unplaced == len(students)
    assert sum(stats.by_rank.values()) == stats.placed
    assert stats.second_round == 0


@PROPERTY
@given(instances(), st.data())
def test_misreporting_never_pays(instance: Instance, data: st.DataObject) -> None:
    students, placements = instance
    if not students:
        return
    liar = data.draw(st.integers(0, len(students) - 1), label="liar")
    pids = [p.id for p in placements]
    lie = data.draw(st.lists(st.sampled_from(pids), unique=True, max_size=len(pids)), label="lie")
    truth = students[liar]
    honest = stable_round(students, placements).assignments[truth.id]
    told = [*students[:liar], replace(truth, wishes=tuple(lie)), *students[liar + 1 :]]
    lying = stable_round(told, placements).assignments[truth.id]
    true_order = acceptable(truth, placements)

    def worth(pid: str | None) -> float:  # lower is better under the true preferences
        return true_order.index(pid) if pid in true_order else math.inf

    assert worth(lying) >= worth(honest)


@PROPERTY
@given(instances())
def test_every_wish_above_the_outcome_is_explained(instance: Instance) -> None:
    students, placements = instance
    result = stable_round(students, placements)
    by_id = {p.id: p for p in placements}
    admitted: dict[str, list[Student]] = {p.id: [] for p in placements}
    for s in students:
        if result.assignments[s.id] is not None:
            admitted[result.assignments[s.id]].append(s)
    for s in students:
        outcome = result.outcome(s.id)
        rank = result.ranks.get(s.id)
        above = s.wishes if rank is None else s.wishes[: rank - 1]
        assert [m.placement for m in outcome.missed] == list(above)
        for m in outcome.missed:
            p = by_id[m.placement]
            assert m.capacity == p.capacity
            if m.reason == "needs":
                assert m.missing_needs == s.needs - p.features != frozenset()
                continue
            assert len(admitted[p.id]) == p.capacity  # full
            worst = max(admitted[p.id], key=lambda a: a.key, default=None)
            assert m.worst_admitted == (None if worst is None else worst.key[:2])
            assert worst is None or worst.key < s.key


def test_the_issue_example_explained() -> None:
    """"Du fick ditt andra val. Ditt första val hade 2 platser och de gick till elever med
    lägre lottnummer än ditt." """
    placements = [Placement("p1", 2), Placement("p2", 1)]
    students = [
        Student("a", ("p1",), lottery=5),
        Student("b", ("p1", "p2"), lottery=9),
        Student("c", ("p1",), lottery=2),
    ]
    result = stable_round(students, placements)
    assert result.assignments == {"a": "p1", "b": "p2", "c": "p1"}
    outcome = result.outcome("b")
    assert (outcome.placement, outcome.rank, outcome.step) == ("p2", 2, Step.FIRST)
    assert outcome.missed == (Missed("p1", 1, "full", 2, worst_admitted=(0, 5)),)
    assert result.stats.by_rank == {1: 2, 2: 1}


def test_priority_tier_comes_before_lottery() -> None:
    placements = [Placement("p", 1)]
    students = [Student("early", ("p",), lottery=1, priority=1), Student("tier0", ("p",), 99)]
    assert stable_round(students, placements).assignments == {"early": None, "tier0": "p"}


def test_equal_lottery_numbers_are_ordered_by_student_id() -> None:
    placements = [Placement("p", 1)]
    students = [Student("b", ("p",), lottery=3), Student("a", ("p",), lottery=3)]
    assert stable_round(students, placements).assignments == {"b": None, "a": "p"}


def test_a_wish_whose_features_miss_a_need_is_ignored_and_explained() -> None:
    placements = [Placement("stairs", 5), Placement("lift", 1, frozenset({"step_free"}))]
    pupil = Student("s", ("stairs", "lift"), lottery=1, needs=frozenset({"step_free"}))
    result = stable_round([pupil], placements)
    assert result.assignments == {"s": "lift"}
    assert result.outcome("s").missed == (
        Missed("stairs", 1, "needs", 5, missing_needs=frozenset({"step_free"})),
    )


def test_a_placement_without_seats_is_explained_with_no_one_admitted() -> None:
    result = stable_round([Student("s", ("p",), lottery=1)], [Placement("p", 0)])
    assert result.outcome("s").missed == (Missed("p", 1, "full", 0, worst_admitted=None),)
    assert result.stats.unplaced == 1


@pytest.mark.parametrize(
    ("students", "placements", "problem"),
    [
        ([Student("s", (), 1), Student("s", (), 2)], [], "duplicate student id 's'"),
        ([], [Placement("p", 1), Placement("p", 2)], "duplicate placement id 'p'"),
        ([], [Placement("p", -1)], "placement 'p' has negative capacity -1"),
        ([Student("s", ("x",), 1)], [Placement("p", 1)], "student 's' wishes unknown placement"),
        ([Student("s", ("p", "p"), 1)], [Placement("p", 1)], "the same wish more than once"),
        (
            [Student("s", (), 1, compatible=frozenset({"x"}))],
            [Placement("p", 1)],
            "unknown compatible placement 'x'",
        ),
    ],
)
def test_invalid_instances_are_refused(
    students: list[Student], placements: list[Placement], problem: str
) -> None:
    with pytest.raises(InvalidInstance, match=problem):
        stable_round(students, placements)
