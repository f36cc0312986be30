"""The market indicators (seats, gender, equity, employers) on a national-scale data set, on
PostgreSQL: 120,000 pupils enrolled this school year (600,000 wishes, 100,000 assignments),
40,000 last year, 20,000 placements with 40,000 offers at 8,000 employers in 10
municipalities. Loaded with INSERT … SELECT generate_series (seconds, not minutes). Times
each indicator for the region and for one municipality (best of three) and counts its
queries. Run: .venv/bin/python benchmarks/market_indicators.py; the last line is JSON.

Makes its own throw-away database on BENCH_POSTGRES_URL and drops it at the end."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import event, text
from throwaway import create_database

from portal import create_app
from portal.extensions import db
from portal.reports.indicators import employers, equity, gender, seats
from portal.reports.tables import Scope, Table

PUPILS = 120_000
SECTORS = ("admin", "construction", "management", "it", "sales", "crafts", "hospitality",
           "health", "manufacturing", "installation", "beauty", "culture", "military",
           "nature", "science", "education", "cleaning", "social", "security",
           "engineering", "transport")

LOAD = [
    """INSERT INTO municipality (id, name, code)
       SELECT m, 'Kommun ' || m, (2500 + m)::text FROM generate_series(1, 10) m""",
    """INSERT INTO school (id, municipality_id, name, unit_code, address)
       SELECT s, 1 + s % 10, 'Skola ' || s, (10000000 + s)::text, ''
       FROM generate_series(1, 400) s""",
    # Per school: autumn (grade 9), spring (grade 8) this year, spring last year.
    """INSERT INTO prao_period (id, school_id, name, grade, first_day, last_day, wishes_open,
                                wishes_close)
       SELECT p, 1 + (p - 1) % 400, 'Prao', CASE WHEN p <= 400 THEN 9 ELSE 8 END, d, d + 11,
              d - 60, d - 30
       FROM (SELECT p, CASE WHEN p <= 400 THEN date '2026-09-14' + 7 * (p % 10)
                            WHEN p <= 800 THEN date '2027-03-01' + 7 * (p % 10)
                            ELSE date '2026-03-02' + 7 * (p % 10) END AS d
             FROM generate_series(1, 1200) p) x""",
    """INSERT INTO student (id, school_id, external_id, first_name, last_name, class_name,
                            gender, needs, email, updated_at)
       SELECT s, 1 + s % 400, 'E' || s, 'Elev', 'Svensson', '8A',
              CASE s % 20 WHEN 0 THEN 'unknown' WHEN 1 THEN 'other'
                          ELSE CASE WHEN s % 2 = 0 THEN 'girl' ELSE 'boy' END END,
              0, '', now()
       FROM generate_series(1, :pupils + 40000) s""",
    # Enrolment e is student e; this year's in the school's autumn or spring period.
    """INSERT INTO enrolment (id, period_id, student_id, state, exempt_reason, link_version,
                             link_revoked)
       SELECT e, CASE WHEN e > :pupils THEN 800 + 1 + e % 400
                      WHEN e % 2 = 0 THEN 1 + e % 400 ELSE 400 + 1 + e % 400 END,
              e, CASE WHEN e % 50 = 0 THEN 'exempt' ELSE 'assigned' END, '', 1, false
       FROM generate_series(1, :pupils + 40000) e""",
    """INSERT INTO organisation (id, name, org_number, status, municipality_id)
       SELECT o, 'Företag ' || o, lpad(o::text, 6, '0') || '-0000', 'approved',
              CASE WHEN o % 25 = 0 THEN NULL ELSE 1 + o % 10 END
       FROM generate_series(1, 8000) o""",
    """INSERT INTO placement (id, organisation_id, status, title, sector, description, tasks,
           address, postal_code, city, supervisor_name, supervisor_phone, supervisor_email,
           day_start, day_end, break_minutes, accepts_grade_8, accepts_grade_9, languages,
           features, protective_equipment, risk_hazards, risk_measures, risk_introduction,
           risk_supervisor, rejection_reason, updated_at, search_text, published_at)
       SELECT p, 1 + p % 8000, CASE WHEN p % 40 = 0 THEN 'draft' ELSE 'published' END,
              'Plats ' || p, (CAST(:sectors AS text[]))[1 + p % 21], '', '', '', '', '', '', '', '',
              '08:00', '15:00', 30, true, true, 'svenska', 0, '', '', '', '', '', '',
              now(), '', now()
       FROM generate_series(1, 20000) p""",
    # Offer 2p-1: an autumn block, 2p: a spring block (of this or last year).
    """INSERT INTO placement_offer (id, placement_id, first_week, last_week, seats,
                                   seats_taken)
       SELECT o, (o + 1) / 2, w, w + 7, 1 + o % 4, 0
       FROM (SELECT o, CASE WHEN o % 2 = 1 THEN date '2026-09-14' + 7 * (o % 10)
                            WHEN o % 4 = 0 THEN date '2027-03-01' + 7 * (o % 10)
                            ELSE date '2026-03-02' + 7 * (o % 10) END AS w
             FROM generate_series(1, 40000) o) x""",
    """INSERT INTO wish (enrolment_id, offer_id, rank)
       SELECT e, 1 + (e * 7919 + r * 104729) % 40000, r
       FROM generate_series(1, :pupils) e, generate_series(1, 5) r""",
    """INSERT INTO assignment (enrolment_id, placement_id, offer_id, state, source)
       SELECT e, (o + 1) / 2, CASE WHEN e % 10 = 1 THEN NULL ELSE o END, 'confirmed',
              CASE WHEN e % 10 = 1 THEN 'own' ELSE 'matching' END
       FROM (SELECT e, 1 + (e * 7919 + (1 + e % 3) * 104729) % 40000 AS o
             FROM generate_series(1, :pupils + 40000) e) x
       WHERE e % 6 <> 0""",
    "ANALYZE",
]

INDICATORS: dict[str, Callable[[Scope], Table]] = {
    "seats_per_sector": seats.per_sector, "seats_per_week": seats.per_week,
    "gender_per_sector": gender.per_sector, "gender_atypical": gender.atypical,
    "equity_schools": equity.per_school, "equity_spread": equity.spread,
    "employers": employers.per_municipality,
}


def _timed(function: Callable[[Scope], Table], scope: Scope) -> tuple[float, int]:
    statements: list[str] = []

    def count(*_args: Any) -> None:
        statements.append("")

    best = float("inf")
    for _ in range(3):
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        start = time.perf_counter()
        function(scope)
        best = min(best, time.perf_counter() - start)
        event.remove(db.engine, "before_cursor_execute", count)
    return best * 1000, len(statements)


def _load() -> None:
    start = time.perf_counter()
    for statement in LOAD:
        db.session.execute(text(statement), {"pupils": PUPILS, "sectors": list(SECTORS)}
                           if ":" in statement else {})
    db.session.commit()
    print(f"loaded in {time.perf_counter() - start:.1f} s", file=sys.stderr)


def main() -> dict[str, Any]:
    # MARKET_BENCH_URL: a database loaded by an earlier run with MARKET_BENCH_KEEP=1, to
    # time the queries again without loading (while working on them).
    reuse = os.environ.get("MARKET_BENCH_URL")
    url, drop = (reuse, lambda: None) if reuse else create_database("market")
    if os.environ.get("MARKET_BENCH_KEEP"):
        print(f"kept: {url}", file=sys.stderr)
        drop = lambda: None  # noqa: E731
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark"})
    try:
        with app.app_context():
            if not reuse:
                upgrade()
                _load()
            result: dict[str, Any] = {"pupils": PUPILS}
            for name, function in INDICATORS.items():
                region_ms, queries = _timed(function, Scope(2026))
                one_ms, _ = _timed(function, Scope(2026, municipality_id=3))
                result[name] = {"region_ms": round(region_ms, 1),
                                "municipality_ms": round(one_ms, 1), "queries": queries}
                print(f"{name:20} region {region_ms:7.1f} ms  one municipality "
                      f"{one_ms:7.1f} ms  {queries} queries", file=sys.stderr)
            result["total_region_ms"] = round(sum(v["region_ms"] for k, v in result.items()
                                                  if isinstance(v, dict)), 1)
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
    return result


if __name__ == "__main__":
    print(json.dumps(main()))
