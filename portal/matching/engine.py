"""The matching engine: pure Python, no Flask, no database.

Round one is the pupil-optimal stable matching of student-proposing deferred acceptance,
many-to-one with capacities. Every placement ranks pupils by the same key (priority tier,
lottery number, lower first; the student id breaks ties so the order is always strict), and
with one common order deferred acceptance gives exactly the same matching as serial
dictatorship in that order: take the pupils best key first and give each the first wish that
still has a free seat (shared/BENCHMARK-NOTES.md; the property tests check it against a
textbook deferred acceptance). Serial dictatorship is the simpler and faster of the two.

Round two (optional) places pupils that round one left without a seat, as many as the free
compatible seats allow, without touching any round-one assignment; see `second_round`. A round
names the last of its steps (`Step`): the first only, or the first and then the second.

Hard constraint in both rounds: a pupil only gets a placement whose features cover all the
pupil's needs. A wish that does not is ignored (and explained as such). Week and grade
compatibility are applied by the caller: in round one by leaving such wishes out, in round
two through `Student.compatible`.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Literal

from portal.matching.candidates import (
    SecondRoundOptions,
    backbone,
    build_graph,
    in_lottery_order,
)
from portal.matching.flow import max_flow_min_cost

__all__ = [
    "InvalidInstance",
    "LatLon",
    "Missed",
    "Outcome",
    "Placement",
    "Result",
    "SecondRoundOptions",
    "Stats",
    "Step",
    "Student",
    "second_round",
    "solve",
    "stable_round",
]

LatLon = tuple[float, float]
"""A position as (latitude, longitude) in degrees, WGS 84."""

Key = tuple[int, int, str]
"""(priority, lottery, student id): the one order every placement ranks pupils by."""


_KEY = attrgetter("priority", "lottery", "id")  # Student.key, computed in C for the sort


class Step(enum.StrEnum):
    """The steps of a round, in the order they run; a round runs up to its last step."""

    FIRST = "first"  # the stable matching of the pupils' wishes
    SECOND = "second"  # free seats that fit, for pupils the first step left without one


class InvalidInstance(ValueError):
    """The input breaks a rule; the message names the problem in one line."""


@dataclass(frozen=True, slots=True)
class Placement:
    id: str
    capacity: int
    features: frozenset[str] = frozenset()
    sector: str | None = None
    location: LatLon | None = None  # the workplace; round two prefers seats near the school


@dataclass(frozen=True, slots=True)
class Student:
    id: str
    wishes: tuple[str, ...]  # placement ids, best first
    lottery: int
    priority: int = 0  # tier: lower is served first
    needs: frozenset[str] = frozenset()
    location: LatLon | None = None  # the pupil's school
    # Round two only: the placements the caller allows (offer weeks, grade). None: any.
    compatible: frozenset[str] | None = None

    @property
    def key(self) -> Key:
        return (self.priority, self.lottery, self.id)


@dataclass(frozen=True, slots=True)
class Missed:
    """A wish ranked above the pupil's outcome, and why the pupil did not get it."""

    placement: str
    rank: int  # 1 = the pupil's first wish
    reason: Literal["needs", "full"]
    capacity: int
    # "full": the worst (priority, lottery) let in there, every one of them ahead of this
    # pupil; None when the placement had no seats at all.
    worst_admitted: tuple[int, int] | None = None
    # "needs": the pupil's needs that the placement does not offer.
    missing_needs: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Outcome:
    student: str
    placement: str | None
    rank: int | None  # the wish the placement was (1 = first); None when not from a wish
    step: Step | None  # the step that placed the pupil; None: unplaced
    # Every wish ranked above the outcome; all the wishes when round one placed nobody here.
    missed: tuple[Missed, ...]


@dataclass(frozen=True, slots=True)
class Stats:
    placed: int
    unplaced: int
    by_rank: dict[int, int]  # rank -> pupils placed at that wish in round one
    second_round: int  # pupils placed by round two


@dataclass(frozen=True, slots=True)
class Result:
    """What a round decided, and what it takes to explain it.

    Per-pupil explanations (`outcome`) are put together on demand from the round's record
    (the worst pupil let in at each placement): a region has 100,000 pupils, and building
    every explanation object up front would cost more than the matching itself.
    """

    assignments: dict[str, str | None]  # every student, in input order
    ranks: dict[str, int]  # pupils placed by round one -> the wish they got (1 = first)
    by_second_round: frozenset[str]  # pupils placed by round two
    free_seats: dict[str, int]  # every placement -> seats left
    # placement -> the worst (priority, lottery) that round one let in there
    worst_admitted: dict[str, tuple[int, int]]
    students: Mapping[str, Student] = field(repr=False)
    placements: Mapping[str, Placement] = field(repr=False)
    stats: Stats = field(init=False)

    def __post_init__(self) -> None:
        placed = sum(p is not None for p in self.assignments.values())
        by_rank = dict(sorted(Counter(self.ranks.values()).items()))
        stats = Stats(placed, len(self.assignments) - placed, by_rank, len(self.by_second_round))
        object.__setattr__(self, "stats", stats)

    def outcome(self, student_id: str) -> Outcome:
        """The pupil's outcome with every wish above it explained."""
        s = self.students[student_id]
        rank = self.ranks.get(student_id)
        above = s.wishes if rank is None else s.wishes[: rank - 1]
        missed = tuple(self._missed(s, r, pid) for r, pid in enumerate(above, 1))
        placed = self.assignments[student_id]
        step = (None if placed is None else
                Step.SECOND if student_id in self.by_second_round else Step.FIRST)
        return Outcome(s.id, placed, rank, step, missed)

    @property
    def outcomes(self) -> Mapping[str, Outcome]:
        """Every student's outcome by id, in input order; each is built when it is read."""
        return _Outcomes(self)

    def _missed(self, s: Student, rank: int, pid: str) -> Missed:
        p = self.placements[pid]
        if not s.needs <= p.features:
            return Missed(pid, rank, "needs", p.capacity, missing_needs=s.needs - p.features)
        # A covered wish above the outcome was full when this pupil's turn came, and serial
        # dictatorship never frees a seat, so everyone let in there is ahead of this pupil.
        return Missed(pid, rank, "full", p.capacity, self.worst_admitted.get(pid))


class _Outcomes(Mapping[str, Outcome]):
    def __init__(self, result: Result) -> None:
        self._result = result

    def __getitem__(self, student_id: str) -> Outcome:
        if student_id not in self._result.assignments:
            raise KeyError(student_id)
        return self._result.outcome(student_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._result.assignments)

    def __len__(self) -> int:
        return len(self._result.assignments)


def solve(
    students: Sequence[Student],
    placements: Sequence[Placement],
    *,
    last_step: Step = Step.FIRST,
    options: SecondRoundOptions | None = None,
) -> Result:
    """Round one, then round two when the round goes on to `Step.SECOND`."""
    first = stable_round(students, placements)
    if last_step is Step.FIRST:
        return first
    return second_round(students, placements, first, options)


def stable_round(students: Sequence[Student], placements: Sequence[Placement]) -> Result:
    """The pupil-optimal stable matching (serial dictatorship in the common order)."""
    students_by_id, by_id = validate(students, placements)
    free = {p.id: p.capacity for p in placements}
    last_in: dict[str, Student] = {}  # served in key order, so the last one let in is the worst
    got: dict[str, str] = {}
    ranks: dict[str, int] = {}
    for s in sorted(students, key=_KEY):
        for rank, pid in enumerate(s.wishes, 1):
            if free[pid] and (not s.needs or s.needs <= by_id[pid].features):
                free[pid] -= 1
                last_in[pid] = s
                got[s.id] = pid
                ranks[s.id] = rank
                break
    worst = {pid: (s.priority, s.lottery) for pid, s in last_in.items()}
    assignments = {s.id: got.get(s.id) for s in students}
    return Result(assignments, ranks, frozenset(), free, worst, students_by_id, by_id)


def validate(
    students: Sequence[Student], placements: Sequence[Placement]
) -> tuple[dict[str, Student], dict[str, Placement]]:
    """Check the rules the engine relies on; returns students and placements by id."""
    by_id = _placements_by_id(placements)
    known = frozenset(by_id)
    # Callers share one `compatible` set among many pupils (one per period): check each once.
    checked: set[frozenset[str]] = set()
    students_by_id: dict[str, Student] = {}
    for s in students:
        if s.id in students_by_id:
            raise InvalidInstance(f"duplicate student id {s.id!r}")
        students_by_id[s.id] = s
        wished = set(s.wishes)
        # One cheap test per pupil; the slow search for the culprit only on failure.
        if len(wished) != len(s.wishes) or not wished <= known:
            _name_wish_problem(s, known)
        if s.compatible is not None and s.compatible not in checked:
            if not s.compatible <= known:
                _name_wish_problem(s, known)
            checked.add(s.compatible)
    return students_by_id, by_id


def _placements_by_id(placements: Sequence[Placement]) -> dict[str, Placement]:
    by_id: dict[str, Placement] = {}
    for p in placements:
        if p.id in by_id:
            raise InvalidInstance(f"duplicate placement id {p.id!r}")
        if p.capacity < 0:
            raise InvalidInstance(f"placement {p.id!r} has negative capacity {p.capacity}")
        by_id[p.id] = p
    return by_id


def _name_wish_problem(s: Student, known: frozenset[str]) -> None:
    for pid in s.wishes:
        if pid not in known:
            raise InvalidInstance(f"student {s.id!r} wishes unknown placement {pid!r}")
    for pid in sorted(s.compatible or ()):
        if pid not in known:
            raise InvalidInstance(f"student {s.id!r} lists unknown compatible placement {pid!r}")
    raise InvalidInstance(f"student {s.id!r} lists the same wish more than once")


def second_round(
    students: Sequence[Student],
    placements: Sequence[Placement],
    first: Result,
    options: SecondRoundOptions | None = None,
) -> Result:
    """Give pupils left unplaced by `first` free compatible seats.

    The number of pupils placed is the largest possible (a maximum flow) and every assignment
    in `first` stays. Among the maximum solutions the solver picks the one of least total cost,
    where a seat costs its distance from the pupil's school plus a penalty when its sector is
    none of the sectors the pupil wished (`SecondRoundOptions`). Between pupils to whom every
    seat costs the same, the lottery decides who gets a seat and the nearer one
    (`in_lottery_order`). Pupils nobody can place stay unplaced; their explanation is still
    round one's.
    """
    options = options or SecondRoundOptions()
    _, by_id = validate(students, placements)
    waiting = [s for s in students if first.assignments[s.id] is None]
    free = [p for p in placements if first.free_seats[p.id] > 0]
    seats = [first.free_seats[p.id] for p in free]
    # An exact maximum on a small graph first: its arcs keep the sparse graph from losing any.
    feasible = backbone(waiting, free, seats)
    graph = build_graph(waiting, free, by_id, options, feasible)
    chosen = in_lottery_order(waiting, free, max_flow_min_cost(len(waiting), graph, seats),
                              by_id, options)
    best = sum(j is not None for j in feasible)
    if sum(j is not None for j in chosen) != best:
        raise RuntimeError("round two lost placements: the solver's flow is not maximum")
    assignments = dict(first.assignments)
    left = dict(first.free_seats)
    for s, j in zip(waiting, chosen, strict=True):
        if j is not None:
            assignments[s.id] = free[j].id
            left[free[j].id] -= 1
    placed = frozenset(s.id for s, j in zip(waiting, chosen, strict=True) if j is not None)
    return replace(
        first, assignments=assignments, by_second_round=first.by_second_round | placed,
        free_seats=left,
    )
