"""`python -m portal.matching solve INSTANCE.json`: solve a whole instance given as JSON.

Input (`-` reads standard input):
    {"students": [{"id": "s1", "wishes": ["p7", "p2"], "lottery": 17, "priority": 0,
                   "needs": ["step_free"], "location": {"lat": 59.3, "lon": 18.1},
                   "compatible": ["p7", "p2", "p9"]}],
     "placements": [{"id": "p7", "capacity": 2, "features": ["step_free"],
                     "sector": "vård", "location": {"lat": 59.3, "lon": 18.0}}],
     "second_round": false}
`priority` defaults to 0, `needs` and `features` to empty, `second_round` to false;
`location`, `sector` and `compatible` are optional and only used by the second round.

Output on standard output, one line:
    {"assignments": {"s1": "p7", "s2": null},
     "stats": {"placed": 1, "unplaced": 1, "by_rank": {"1": 1}, "second_round": 0}}

Invalid input: exit code 2, nothing on standard output and exactly one line on standard
error, "invalid instance: ..." naming the problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from portal.matching.engine import (
    InvalidInstance,
    LatLon,
    Placement,
    Result,
    Step,
    Student,
    solve,
)

INVALID = 2

_STUDENT_KEYS = ({"id", "wishes", "lottery"}, {"priority", "needs", "location", "compatible"})
_PLACEMENT_KEYS = ({"id", "capacity"}, {"features", "sector", "location"})
_TOP_KEYS = ({"students", "placements"}, {"second_round"})


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        data = _load(args.instance)
        students, placements, last_step = parse_instance(data)
        result = solve(students, placements, last_step=last_step)
    except InvalidInstance as problem:
        # One line whatever the input held: ids are quoted with escapes, newlines cannot slip in.
        message = " ".join(str(problem).split())
        print(f"invalid instance: {message}", file=sys.stderr)
        return INVALID
    print(json.dumps(to_json(result)))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m portal.matching")
    commands = parser.add_subparsers(dest="command", required=True)
    solve_cmd = commands.add_parser("solve", help="match the pupils of an instance (JSON)")
    solve_cmd.add_argument("instance", help="path of the instance's JSON file, or - for stdin")
    return parser


def _load(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInstance(f"cannot read {source!r}: {exc}") from exc
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInstance(f"not JSON: {exc}") from exc
    except RecursionError as exc:
        raise InvalidInstance("not JSON this program can read: nested too deeply") from exc


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise InvalidInstance(f"duplicate key {_show(key)} in one JSON object")
        obj[key] = value
    return obj


def _no_constant(name: str) -> NoReturn:
    raise InvalidInstance(f"not JSON: {name} is not a JSON number")


def to_json(result: Result) -> dict[str, Any]:
    stats = result.stats
    return {
        "assignments": result.assignments,
        "stats": {
            "placed": stats.placed,
            "unplaced": stats.unplaced,
            "by_rank": {str(rank): n for rank, n in stats.by_rank.items()},
            "second_round": stats.second_round,
        },
    }


def parse_instance(data: Any) -> tuple[list[Student], list[Placement], Step]:
    """Typed students and placements from decoded JSON, or InvalidInstance naming the problem."""
    top = _object(data, "the instance", _TOP_KEYS)
    students = [_student(x, f"students[{i}]") for i, x in enumerate(_list(top, "students", ""))]
    placements = [
        _placement(x, f"placements[{i}]") for i, x in enumerate(_list(top, "placements", ""))
    ]
    second = top.get("second_round", False)
    if not isinstance(second, bool):
        raise InvalidInstance(f"second_round: expected true or false, got {_show(second)}")
    # The file format keeps its published true/false; the engine takes the round's last step.
    return students, placements, Step.SECOND if second else Step.FIRST


def _student(data: Any, where: str) -> Student:
    obj = _object(data, where, _STUDENT_KEYS)
    compatible = None
    if "compatible" in obj:
        compatible = frozenset(_strings(obj, "compatible", where))
    return Student(
        id=_string(obj["id"], f"{where}.id"),
        wishes=tuple(_strings(obj, "wishes", where)),
        lottery=_integer(obj["lottery"], f"{where}.lottery"),
        priority=_integer(obj.get("priority", 0), f"{where}.priority"),
        needs=frozenset(_strings(obj, "needs", where)),
        location=_location(obj.get("location"), f"{where}.location"),
        compatible=compatible,
    )


def _placement(data: Any, where: str) -> Placement:
    obj = _object(data, where, _PLACEMENT_KEYS)
    pid = _string(obj["id"], f"{where}.id")
    capacity = _integer(obj["capacity"], f"{where}.capacity")
    if capacity < 0:
        raise InvalidInstance(f"placement {pid!r} has negative capacity {capacity}")
    sector = obj.get("sector")
    return Placement(
        id=pid,
        capacity=capacity,
        features=frozenset(_strings(obj, "features", where)),
        sector=None if sector is None else _string(sector, f"{where}.sector"),
        location=_location(obj.get("location"), f"{where}.location"),
    )


def _object(data: Any, where: str, keys: tuple[set[str], set[str]]) -> dict[str, Any]:
    required, optional = keys
    if not isinstance(data, dict):
        raise InvalidInstance(f"{where}: expected an object, got {_show(data)}")
    for key in sorted(required - data.keys()):
        raise InvalidInstance(f"{where}: missing required key {_show(key)}")
    for key in sorted(data.keys() - required - optional):
        raise InvalidInstance(f"{where}: unknown key {_show(key)}")
    return data


def _list(obj: dict[str, Any], key: str, where: str) -> list[Any]:
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise InvalidInstance(f"{where}{key}: expected a list, got {_show(value)}")
    return value


def _strings(obj: dict[str, Any], key: str, where: str) -> list[str]:
    items = _list(obj, key, f"{where}.")
    return [_string(x, f"{where}.{key}[{i}]") for i, x in enumerate(items)]


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidInstance(f"{where}: expected a non-empty string, got {_show(value)}")
    return value


def _integer(value: Any, where: str) -> int:
    # bool is an int in Python, and 17.0 is a float: neither is an integer in the input.
    if type(value) is not int:
        raise InvalidInstance(f"{where}: expected an integer, got {_show(value)}")
    return value


def _location(value: Any, where: str) -> LatLon | None:
    if value is None:
        return None
    obj = _object(value, where, ({"lat", "lon"}, set()))
    lat, lon = obj["lat"], obj["lon"]
    for name, x, bound in (("lat", lat, 90), ("lon", lon, 180)):
        if type(x) not in (int, float) or not -bound <= x <= bound:
            raise InvalidInstance(f"{where}.{name}: expected degrees in ±{bound}, got {_show(x)}")
    return (float(lat), float(lon))


def _show(value: Any) -> str:
    """A short one-line JSON rendering of a value for a message."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
