"""Hypothesis strategies: small random instances, and the settings the suite runs them with."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st

from portal.matching import Placement, Student

# Reproducible in CI (the same examples every run, nothing read from or written to a database)
# and quick: the whole matching suite runs in a few seconds.
PROPERTY = settings(max_examples=60, deadline=None, derandomize=True, database=None)

FEATURES = ("step_free", "quiet")
SECTORS = ("vård", "handel", "it", None)

locations = st.none() | st.tuples(st.floats(55.5, 55.8), st.floats(12.8, 13.3))


@st.composite
def placements(draw: st.DrawFn, max_size: int = 5, located: bool = False) -> list[Placement]:
    count = draw(st.integers(1, max_size))
    return [
        Placement(
            id=f"p{j}",
            capacity=draw(st.integers(0, 3)),
            features=frozenset(draw(st.sets(st.sampled_from(FEATURES)))),
            sector=draw(st.sampled_from(SECTORS)),
            location=draw(locations) if located else None,
        )
        for j in range(count)
    ]


@st.composite
def students(
    draw: st.DrawFn, pids: list[str], max_size: int = 8, second_round: bool = False
) -> list[Student]:
    count = draw(st.integers(0, max_size))
    return [
        Student(
            id=f"s{i}",
            wishes=tuple(draw(st.lists(st.sampled_from(pids), unique=True, max_size=len(pids)))),
            # Small lotteries on purpose: ties happen, and the student id must break them.
            lottery=draw(st.integers(0, 6)),
            priority=draw(st.integers(0, 2)),
            needs=frozenset(draw(st.sets(st.sampled_from(FEATURES), max_size=1))),
            location=draw(locations) if second_round else None,
            compatible=draw(st.none() | st.frozensets(st.sampled_from(pids)))
            if second_round
            else None,
        )
        for i in range(count)
    ]


@st.composite
def instances(
    draw: st.DrawFn, max_students: int = 8, max_placements: int = 5, second_round: bool = False
) -> tuple[list[Student], list[Placement]]:
    places = draw(placements(max_placements, located=second_round))
    pupils = draw(students([p.id for p in places], max_students, second_round))
    return pupils, places
