"""`python -m portal.matching solve`: the whole command in a subprocess for every kind of
input, and the finer cases of invalid input through `main` in this process (quicker)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from portal.matching.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def _fresh_rate_limits() -> None:
    """Overrides the suite's autouse fixture of that name, which builds the app and a migrated
    database only to reset rate limits: the engine is pure, its tests need neither."""

ISSUE_EXAMPLE = {
    "students": [
        {"id": "s1", "wishes": ["p7", "p2"], "lottery": 17, "priority": 0,
         "needs": ["step_free"]},
        {"id": "s2", "wishes": ["p7"], "lottery": 20},
    ],
    "placements": [
        {"id": "p7", "capacity": 1, "features": ["step_free"]},
        {"id": "p2", "capacity": 1},
    ],
    "second_round": False,
}
ISSUE_OUTPUT = {
    "assignments": {"s1": "p7", "s2": None},
    "stats": {"placed": 1, "unplaced": 1, "by_rank": {"1": 1}, "second_round": 0},
}


def run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "portal.matching", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )


def write(tmp_path: Path, content: Any) -> str:
    path = tmp_path / "instance.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def test_solves_the_issue_example(tmp_path: Path) -> None:
    done = run(["solve", write(tmp_path, ISSUE_EXAMPLE)])
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.count("\n") == 1
    assert json.loads(done.stdout) == ISSUE_OUTPUT


def test_reads_standard_input_and_runs_the_second_round() -> None:
    instance = {**ISSUE_EXAMPLE, "second_round": True}
    done = run(["solve", "-"], stdin=json.dumps(instance))
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == {
        "assignments": {"s1": "p7", "s2": "p2"},
        "stats": {"placed": 2, "unplaced": 0, "by_rank": {"1": 1}, "second_round": 1},
    }


def student(**fields: Any) -> dict[str, Any]:
    return {"id": "s1", "wishes": ["p1"], "lottery": 1, **fields}


def instance(students: list[Any] | None = None, placements: list[Any] | None = None,
             **top: Any) -> dict[str, Any]:
    return {
        "students": [student()] if students is None else students,
        "placements": [{"id": "p1", "capacity": 1}] if placements is None else placements,
        **top,
    }


KINDS = {
    "not JSON": ('{"students": [', "not JSON"),
    "duplicate ids": (instance([student(), student()]), "duplicate student id 's1'"),
    "unknown wish": (instance([student(wishes=["p9"])]), "unknown placement 'p9'"),
    "negative capacity": (
        instance(placements=[{"id": "p1", "capacity": -1}]), "negative capacity -1"
    ),
    "lottery not an integer": (instance([student(lottery=1.5)]), "students[0].lottery"),
    "missing key": (instance([{"id": "s1", "wishes": []}]), 'missing required key "lottery"'),
    "wrong type": (instance(placements=[{"id": "p1", "capacity": "2"}]), "expected an integer"),
}


@pytest.mark.parametrize("kind", KINDS)
def test_invalid_input_exits_2_with_one_line(tmp_path: Path, kind: str) -> None:
    content, problem = KINDS[kind]
    done = run(["solve", write(tmp_path, content)])
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.endswith("\n")
    assert done.stderr.startswith("invalid instance: ")
    assert problem in done.stderr


FINER = [
    (instance(placements=[{"id": "p1", "capacity": 1}, {"id": "p1", "capacity": 2}]),
     "duplicate placement id 'p1'"),
    (instance([student(wishes=["p1", "p1"])]), "the same wish more than once"),
    (instance([student(lottery="17")]), 'students[0].lottery: expected an integer, got "17"'),
    (instance([student(lottery=True)]), "students[0].lottery: expected an integer, got true"),
    (instance([student(lottery=17.0)]), "expected an integer, got 17.0"),
    (instance([student(priority=None)]), "students[0].priority: expected an integer"),
    (instance([student(wishes="p1")]), "students[0].wishes: expected a list"),
    (instance([student(needs=[1])]), "students[0].needs[0]: expected a non-empty string"),
    (instance([student(id="")]), "students[0].id: expected a non-empty string"),
    (instance([student(compatible=["p9"])]), "unknown compatible placement 'p9'"),
    (instance([student(location={"lat": 95, "lon": 13})]), "location.lat: expected degrees"),
    (instance([student(wishs=["p1"])]), 'students[0]: unknown key "wishs"'),
    (instance(placements=[{"id": "p1"}]), 'placements[0]: missing required key "capacity"'),
    (instance(placements=[{"id": "p1", "capacity": 1, "sector": 3}]), "placements[0].sector"),
    (instance(second_round="yes"), "second_round: expected true or false"),
    ({"placements": []}, 'the instance: missing required key "students"'),
    ([], "the instance: expected an object, got []"),
    (instance(students={}), "students: expected a list"),
    ('{"students": [], "placements": [], "students": []}', 'duplicate key "students"'),
    ('{"students": [{"id": "s", "wishes": [], "lottery": NaN}], "placements": []}',
     "NaN is not a JSON number"),
    ("", "not JSON"),
    (instance([student(id="a\nb"), student(id="a\nb")]), "duplicate student id 'a\\nb'"),
]


@pytest.mark.parametrize(("content", "problem"), FINER)
def test_finer_invalid_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: Any, problem: str
) -> None:
    assert main(["solve", write(tmp_path, content)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert problem in err


def test_a_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", str(tmp_path / "nowhere.json")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "cannot read" in err


def test_defaults_and_optional_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = instance(
        [student(location={"lat": 55.7, "lon": 13.2}, compatible=["p1"], needs=[])],
        [{"id": "p1", "capacity": 0, "features": [], "sector": "vård",
          "location": {"lat": 55.7, "lon": 13.19}}],
    )
    assert main(["solve", write(tmp_path, content)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == {
        "assignments": {"s1": None},
        "stats": {"placed": 0, "unplaced": 1, "by_rank": {}, "second_round": 0},
    }
