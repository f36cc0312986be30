"""Independent, deliberately simple references for the matching properties.

Nothing here shares code with portal.matching: textbook deferred acceptance with a preference
list per placement, and a plain augmenting-path maximum flow.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from portal.matching import Placement, Student


def acceptable(s: Student, placements: Sequence[Placement]) -> list[str]:
    """The pupil's wishes that the engine must consider: features cover needs."""
    features = {p.id: p.features for p in placements}
    return [pid for pid in s.wishes if s.needs <= features[pid]]


def deferred_acceptance(
    students: Sequence[Student], placements: Sequence[Placement]
) -> dict[str, str | None]:
    """Gale-Shapley, pupils proposing; each placement holds its best `capacity` proposers."""
    prefs = {s.id: acceptable(s, placements) for s in students}
    ranking = {}
    for p in placements:  # every placement has its own list (here all happen to agree)
        order = sorted(students, key=lambda s: (s.priority, s.lottery, s.id))
        ranking[p.id] = {s.id: r for r, s in enumerate(order)}
    capacity = {p.id: p.capacity for p in placements}
    held: dict[str, list[str]] = {p.id: [] for p in placements}
    next_wish = {s.id: 0 for s in students}
    proposing = deque(s.id for s in students)
    while proposing:
        sid = proposing.popleft()
        if next_wish[sid] == len(prefs[sid]):
            continue  # nothing left to propose to: unmatched
        pid = prefs[sid][next_wish[sid]]
        next_wish[sid] += 1
        held[pid].append(sid)
        if len(held[pid]) > capacity[pid]:
            rejected = max(held[pid], key=ranking[pid].__getitem__)
            held[pid].remove(rejected)
            proposing.append(rejected)
    matched = {sid: pid for pid, sids in held.items() for sid in sids}
    return {s.id: matched.get(s.id) for s in students}


def max_flow(left: Sequence[Sequence[str]], seats: dict[str, int]) -> int:
    """Most left nodes matched to seats: left[i] lists the placements node i may use."""
    holders: dict[str, list[int]] = {pid: [] for pid in seats}

    def augment(i: int, seen: set[str]) -> bool:
        for pid in left[i]:
            if pid in seen:
                continue
            seen.add(pid)
            if len(holders[pid]) < seats[pid]:
                holders[pid].append(i)
                return True
            for k, other in enumerate(holders[pid]):
                if augment(other, seen):
                    holders[pid][k] = i
                    return True
        return False

    return sum(augment(i, set()) for i in range(len(left)))
