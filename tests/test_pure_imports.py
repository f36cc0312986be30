"""The pure rules import and work with Flask unimportable: matching, hours, the
organisationsnummer check, weeks, periods and the pupil import's reader. A fresh interpreter
makes sure no earlier import in the test process hides a chain that drags Flask (or the
database) in."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BLOCK_AND_USE = textwrap.dedent("""
    import sys
    from importlib.abc import MetaPathFinder

    BLOCKED = ("flask", "flask_sqlalchemy", "flask_babel", "flask_wtf", "flask_login",
               "sqlalchemy", "werkzeug", "wtforms")

    class Block(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, Block())

    from datetime import date, time

    import portal
    from portal.employers.orgnr import luhn_ok, normalize_org_number
    from portal.employers.placements.hours import hours_problems
    from portal.matching.engine import Placement, Student, solve
    from portal.prao import checklist, days, worktime
    from portal.reports import charts, formatting, suppression, tables
    from portal.schools.classnames import class_name
    from portal.schools.imports.reading import read_upload
    from portal.schools.periods import Window, wish_window
    from portal.weeks import parse_week_range, week_label

    result = solve([Student("ada", ("p1", "p2"), lottery=1),
                    Student("bo", ("p1",), lottery=2)],
                   [Placement("p1", capacity=1), Placement("p2", capacity=1)])
    assert result.assignments == {"ada": "p1", "bo": None}, result.assignments
    assert hours_problems(time(8), time(15), time(11), 30) == []
    assert "day_start" in [p.field for p in hours_problems(time(5), time(12), time(9), 30)]
    assert normalize_org_number("5560360793") == "556036-0793"
    assert not luhn_ok("5560360794")
    assert parse_week_range("11–12 2027") == (date(2027, 3, 15), date(2027, 3, 22))
    assert week_label(date(2027, 3, 15)) == "11 2027"
    assert days.count_prao_days(date(2027, 3, 15), date(2027, 3, 26)) == 9  # Good Friday
    assert wish_window(date(2027, 1, 1), date(2027, 1, 31), date(2027, 2, 1)) is Window.AFTER
    read = read_upload("Elev-ID;Förnamn;Efternamn;Klass\\n17;Ada;Berg;8B\\n".encode())
    assert read.ok and [(r.first_name, r.grade) for r in read.rows] == [("Ada", 8)], read
    assert class_name(" 8 c ") == "8C"
    missing = read_upload(b"Elev-ID;Klass\\n17;8B\\n").file_problems
    assert any("Förnamn" in problem for problem in missing), missing
    assert days.count_prao_days(date(2026, 12, 21), date(2027, 1, 8)) == 10  # jul, nyår, trettondag
    assert checklist.steps_for()
    assert worktime.day_breaches(worktime.WorkedDay(date(2027, 3, 15), time(5), time(13)))
    small = tables.Table("k", "T", "D", "Skola", (tables.Column("n", "N", tables.Unit.PUPILS),),
                         (tables.Row("A", (tables.Cell.pupils(3),)),
                          tables.Row("B", (tables.Cell.pupils(9),))),
                         total=tables.Row("Totalt", (tables.Cell.pupils(12),)))
    shown = suppression.suppress(small)
    assert shown.hidden == {(0, 0), (1, 0)}, shown.hidden
    assert formatting.text(shown.table.rows[0].cells[0], tables.Unit.PUPILS,
                           shown.mark(0, 0)) == "<5"
    assert formatting.text(shown.table.rows[1].cells[0], tables.Unit.PUPILS,
                           shown.mark(1, 0)) == ".."
    assert "<svg" in charts.render(shown.table, "T", "D", ("A", "B", "Totalt"), ("N",))
    leaked = sorted(n for n in sys.modules if n.split(".")[0] in BLOCKED)
    assert not leaked, leaked
    assert "create_app" not in vars(portal)  # re-exported lazily, not imported
    print("pure")
""")


def test_pure_rules_import_and_work_without_flask() -> None:
    done = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-c", BLOCK_AND_USE], cwd=ROOT, capture_output=True, text=True,
        timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "pure"


def test_create_app_is_still_reachable_from_the_package() -> None:
    from portal import create_app
    from portal.app import create_app as factory

    assert create_app is factory
