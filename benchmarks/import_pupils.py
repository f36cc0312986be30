"""The pupil import on PostgreSQL: 10,000 pupils from a semicolon CSV in Windows-1252, as
Swedish Excel writes it. Measures the preview (read, check, keep, compare with the school's
pupils), the save (bulk insert), and a re-import that changes every pupil (bulk update).
Target: preview + save within 3 s. Run: .venv/bin/python benchmarks/import_pupils.py [rows];
the last line is JSON.

It makes its own throw-away database on BENCH_POSTGRES_URL (default: the local server, with
its `test` database as the place to create it from) and drops it at the end."""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select
from throwaway import create_database

from portal import create_app
from portal.accounts.models import Role, User
from portal.extensions import db
from portal.schools.imports import reading, saving
from portal.schools.models import Municipality, School, Student

TARGET_S = 3.0

FIRST = ("Åsa", "Märta", "Ebba", "Saga", "Tuva", "Ängla", "Selma", "Alva", "Greta", "Linnéa",
         "Ørjan", "Måns", "Björn", "Oskar", "Hugo", "Viggo", "Elias", "Noah", "Sixten", "Jöns",
         "Zoë", "Yusuf", "Amira", "Aino", "Ilja")
LAST = ("Öberg", "Åström", "Lindqvist", "Nilsson", "Pääkkönen", "Ekström", "Sandén",
        "Karlsson", "Jönsson", "Hägglund", "Lundström", "Niemi", "Ahmadi", "Bäckström",
        "Sjödin", "Wikström", "Forsgren", "Nordlöf", "Kärrman", "Holmgren")
GENDERS = ("flicka", "pojke", "F", "M", "", "annat")
NEEDS = ("", "", "", "", "", "", "Hiss", "Hörslinga", "step_free, accessible_toilet")
HEADER = ("Elev-ID", "Förnamn", "Efternamn", "Klass", "Kön", "Behov", "E-post",
          "Personnummer")


def export_file(rows: int, grade_shift: int = 0, seed: int = 2027) -> bytes:
    """A school system's export: one header, `rows` pupils, CRLF, Windows-1252."""
    rng = random.Random(seed)
    lines = [";".join(HEADER)]
    for n in range(1, rows + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        klass = f"{8 + (n % 2) + grade_shift}{'ABCDE'[n % 5]}"
        email = f"{first.lower()}.{last.lower()}{n}@elev.lulea.se".translate(
            str.maketrans("åäöøéü", "aaooeu"))
        pnr = f"2011{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}-{rng.randint(0, 9999):04d}"
        lines.append(";".join((f"{900000 + n}", first, last, klass, rng.choice(GENDERS),
                               rng.choice(NEEDS), email, pnr)))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def timed(work: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def setup(app: Flask) -> tuple[School, School, User]:
    with app.app_context():
        upgrade()
    municipality = Municipality(name="Luleå", code="2580")
    school = School(name="Bergsskolan", unit_code="25800001", municipality=municipality)
    warmup = School(name="Uppvärmningsskolan", unit_code="25800002", municipality=municipality)
    user = User(name="Syv Bench", email="syv@bench.se", role=Role.COUNSELLOR)
    db.session.add_all([school, warmup, user])
    db.session.commit()
    return school, warmup, user


def import_once(school: School, user: User, content: bytes) -> dict[str, Any]:
    """Preview as the pages do it (read, check, keep, compare), then save."""
    def preview() -> saving.Preview:
        result = reading.read_upload(content)
        assert result.ok, (result.file_problems, result.problem_rows[:3])
        stored = saving.store_preview(school, user, "elever.csv", result)
        return saving.preview(stored)

    shown, preview_s = timed(preview)
    counts, save_s = timed(lambda: saving.save(shown.pupil_import, user))
    return {"preview_s": preview_s, "save_s": save_s, "counts": counts}


def run(rows: int) -> dict[str, Any]:
    url, drop = create_database("import")
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark",
                          "TESTING": True})
        with app.app_context():
            school, warmup, user = setup(app)
            import_once(warmup, user, export_file(200, seed=1))  # imports, connections, caches
            first = import_once(school, user, export_file(rows))
            again = import_once(school, user, export_file(rows, grade_shift=1))
            stored = db.session.scalar(select(func.count()).select_from(Student)
                                       .where(Student.school_id == school.id))
            db.session.remove()
            db.engine.dispose()
        assert first["counts"].new == rows and again["counts"].updated == rows, (first, again)
        assert stored == rows
        return {"first": first, "again": again, "size": len(export_file(rows))}
    finally:
        drop()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    figures = run(rows)
    first, again = figures["first"], figures["again"]
    total = first["preview_s"] + first["save_s"]
    print(f"{rows} elever, {figures['size'] / 1e6:.2f} MB CSV (Windows-1252, semikolon)")
    print(f"förhandsgranskning {first['preview_s']:.2f} s, spara {first['save_s']:.2f} s, "
          f"sammanlagt {total:.2f} s (mål högst {TARGET_S:.0f} s)")
    print(f"omimport där alla ändras: förhandsgranskning {again['preview_s']:.2f} s, "
          f"spara {again['save_s']:.2f} s")
    print(json.dumps({
        "rows": rows,
        "preview_s": round(first["preview_s"], 3),
        "save_s": round(first["save_s"], 3),
        "preview_plus_save_s": round(total, 3),
        "reimport_preview_s": round(again["preview_s"], 3),
        "reimport_save_s": round(again["save_s"], 3),
        "reimport_s": round(again["preview_s"] + again["save_s"], 3),
        "target_s": TARGET_S,
        "within_target": total <= TARGET_S,
    }))


if __name__ == "__main__":
    main()
