"""A whole matching round in the portal on PostgreSQL: load the wishes, solve, store every
result with its explanation. 120,000 pupils at 400 schools, five wishes each, 1.1 seats per
pupil. Run: .venv/bin/python benchmarks/portal_round.py [pupils]; the last line is JSON.

It makes its own throw-away database on BENCH_POSTGRES_URL (default: the local server's
`test` database as the place to create it) and drops it at the end."""

from __future__ import annotations

import io
import itertools
import json
import random
import sys
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select, text
from throwaway import create_database

from portal import create_app
from portal.extensions import db

FIRST_WEEK, LAST_WEEK = date(2027, 3, 15), date(2027, 3, 22)
SECTORS = ["construction", "health", "hospitality", "it", "sales", "education", "transport"]


def _copy(connection: Any, table: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor, cursor.copy(
            f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write(buffer.read())


def _load(app: Flask, pupils: int, schools: int = 400) -> None:
    rng = random.Random(2027)
    raw = db.engine.raw_connection()
    conn: Any = raw.driver_connection  # psycopg's, for COPY
    now = "2026-11-22 12:00:00+00"
    _copy(conn, "municipality", "id, name, code, created_at", [(1, "Benchkommun", "9999", now)])
    _copy(conn, "school", "id, municipality_id, name, unit_code, address, created_at",
          [(s, 1, f"Skola {s}", f"{80000000 + s}", "", now) for s in range(1, schools + 1)])
    _copy(conn, "user_account", "id, email, name, role, session_token, active, created_at, "
          "phone", [(1, "bench@x.se", "Bench", "coordinator", "t", True, now, "")])
    _copy(conn, "organisation", "id, name, org_number, status, created_at, sector, "
          "visiting_address, postal_code, city, contact_name, contact_email, contact_phone, "
          "decision_reason", [(1, "Benchföretaget", "556677-8899", "approved", now, "it", "",
                                "", "", "", "", "", "")])
    seats_needed, offer_rows, placement_rows, oid = int(pupils * 1.1), [], [], 0
    area_offers: dict[int, list[int]] = {s: [] for s in range(1, schools + 1)}
    while seats_needed > 0:
        oid += 1
        seats = rng.randint(1, 4)
        seats_needed -= seats
        area = rng.randint(1, schools)
        area_offers[area].append(oid)
        placement_rows.append(_placement_row(oid, rng, now))
        offer_rows.append((oid, oid, FIRST_WEEK, LAST_WEEK, seats, 0, now))
    _copy(conn, "placement", PLACEMENT_COLUMNS, placement_rows)
    _copy(conn, "placement_offer", "id, placement_id, first_week, last_week, seats, "
          "seats_taken, created_at", offer_rows)
    _copy(conn, "prao_period", "id, school_id, name, grade, first_day, last_day, wishes_open,"
          " wishes_close, created_at", [(s, s, "Bench", 8, FIRST_WEEK, date(2027, 3, 26),
                                         date(2027, 1, 11), date(2027, 2, 5), now)
                                        for s in range(1, schools + 1)])
    _load_pupils(conn, rng, pupils, schools, area_offers, oid, now)
    conn.commit()
    raw.close()
    with db.engine.begin() as connection:
        for table in ("municipality", "school", "user_account", "organisation", "placement",
                      "placement_offer", "prao_period", "student", "enrolment", "wish"):
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"))
            connection.execute(text(f"ANALYZE {table}"))


PLACEMENT_COLUMNS = (
    "id, organisation_id, status, title, sector, description, tasks, address, postal_code, "
    "city, supervisor_name, supervisor_phone, supervisor_email, day_start, day_end, "
    "break_minutes, accepts_grade_8, accepts_grade_9, languages, features, "
    "protective_equipment, risk_hazards, risk_measures, risk_introduction, risk_supervisor, "
    "rejection_reason, updated_at, search_text, created_at")


def _placement_row(oid: int, rng: random.Random, now: str) -> tuple:
    sector = rng.choice(SECTORS)
    return (oid, 1, "published", f"Plats {oid}", sector, "", "", "", "", "", "", "", "",
            "08:00", "14:30", 30, True, True, "svenska", 0, "", "", "", "", "", "", now, "",
            now)


def _load_pupils(conn: Any, rng: random.Random, pupils: int, schools: int,
                 area_offers: dict[int, list[int]], offers: int, now: str) -> None:
    students: list[tuple[Any, ...]] = []
    enrolments: list[tuple[Any, ...]] = []
    wishes: list[tuple[int, int, int]] = []
    # Popularity skewed (Zipf-like); cumulative once, so each draw is a binary search.
    cumulative = list(itertools.accumulate(1 / (n ** 0.8) for n in range(1, offers + 1)))
    population = range(1, offers + 1)
    for pid in range(1, pupils + 1):
        school = (pid % schools) + 1
        students.append((pid, school, f"B{pid}", "Elev", str(pid), "8A", 8, "girl", 0, "",
                         now, now))
        enrolments.append((pid, school, pid, "needs_placement", "", 1, False, now))
        near = area_offers[school] or [1]
        chosen: list[int] = []
        while len(chosen) < 5:
            offer = (rng.choice(near) if rng.random() < 0.7
                     else rng.choices(population, cum_weights=cumulative)[0])
            if offer not in chosen:
                chosen.append(offer)
        wishes.extend((pid, offer, rank) for rank, offer in enumerate(chosen, start=1))
    _copy(conn, "student", "id, school_id, external_id, first_name, last_name, class_name, "
          "grade, gender, needs, email, created_at, updated_at", students)
    _copy(conn, "enrolment", "id, period_id, student_id, state, exempt_reason, link_version, "
          "link_revoked, created_at", enrolments)
    _copy(conn, "wish", "enrolment_id, offer_id, rank", wishes)


def measure(pupils: int) -> dict[str, Any]:
    url, drop = create_database("round")
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            _load(app, pupils)
            load_s = time.perf_counter() - started
            return {**_round(app), "pupils": pupils, "data_load_s": round(load_s, 1)}
    finally:
        drop()


def _round(app: Flask) -> dict[str, Any]:
    from portal.accounts.models import User
    from portal.matching import services
    from portal.matching.engine import Step
    from portal.matching.models import MatchResult
    from portal.schools.models import PraoPeriod

    with app.test_request_context():
        user = db.session.get_one(User, 1)
        periods = list(db.session.scalars(select(PraoPeriod)))
        started = time.perf_counter()
        run = services.start_round(user, periods, "none", Step.SECOND, seed=20270315)
        elapsed = time.perf_counter() - started
        stored = db.session.scalar(select(db.func.count()).select_from(MatchResult))
        stats = services.stats(run)
        db.session.remove()
    return {"portal_round_s": round(elapsed, 2), "results_stored": stored,
            "placed": stats["placed"], "unplaced": stats["unplaced"]}


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 120_000
    print(json.dumps(measure(size)))
