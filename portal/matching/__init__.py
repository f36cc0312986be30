"""Matching pupils to prao placements: the pure engine (`engine`) and its command line.

No Flask and no database here; the portal's services load a round's data, call `solve` and
store the outcomes with their explanations.
"""

from portal.matching.engine import (
    InvalidInstance,
    Missed,
    Outcome,
    Placement,
    Result,
    SecondRoundOptions,
    Stats,
    Step,
    Student,
    second_round,
    solve,
    stable_round,
)

__all__ = [
    "InvalidInstance",
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
