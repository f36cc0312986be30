"""What auditing reads costs, and the coordinator's log on a big table, on PostgreSQL.

    .venv/bin/python benchmarks/audit.py

Creates a throw-away database (see throwaway.py), runs the migrations, loads one school
with a period of 300 pupils and AUDIT_BENCH_EVENTS (default 1,000,000) audit events spread
over 20,000 pupils and 500 users, then requests through the app (sign-in, routing,
authorization, queries, templates, and the audit INSERT after the response):

- the counsellor's pupil page and the period page of 300 pupils, alternately with the read
  audit on and off (the after-request writer taken out), REQUESTS times each: medians,
  and the difference;
- the coordinator's log: the newest page, a page filtered by one pupil, one filtered by a
  user, and a page deep in the table (keyset `fore` near the oldest id): medians.

The last line is one JSON object. The machine may be shared: read the figures with that.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from throwaway import create_database

from portal import create_app
from portal.accounts.models import Role, User
from portal.audit import AuditEvent, _write_reads
from portal.extensions import db
from portal.schools.models import Enrolment, PraoPeriod
from tests import factories
from tests.conftest import login, new_client

EVENTS = int(os.environ.get("AUDIT_BENCH_EVENTS", "1000000"))
REQUESTS = int(os.environ.get("AUDIT_BENCH_REQUESTS", "60"))


def _load(app: Flask) -> dict[str, Any]:
    with app.app_context():
        school = factories.SchoolFactory()
        counsellor = cast(User, factories.UserFactory(role=Role.COUNSELLOR, schools=[school],
                                                      email="syv@bench.se"))
        factories.UserFactory(role=Role.COORDINATOR, email="samordnare@bench.se")
        period = cast(PraoPeriod, factories.PraoPeriodFactory(school=school))
        enrolments = [cast(Enrolment, factories.EnrolmentFactory(period=period))
                      for _ in range(300)]
        db.session.commit()
        db.session.execute(text(
            "INSERT INTO audit_event (at, user_id, action, object_type, object_id, "
            "student_id, ip, detail) SELECT now() - (g || ' seconds')::interval, "
            ":user, 'read_pupil', 'Enrolment', g::text, "
            "CASE WHEN g % 5 = 0 THEN NULL ELSE :student END, '127.0.0.1', '' "
            "FROM generate_series(1, :n) AS g"),
            {"n": EVENTS, "user": counsellor.id, "student": enrolments[0].student_id})
        db.session.commit()
        db.session.execute(text("ANALYZE audit_event"))
        db.session.commit()
        oldest = db.session.scalar(select(func.min(AuditEvent.id)))
        found = {"period": period.id, "enrolment": enrolments[1].id,
                 "student": enrolments[0].student_id, "oldest": oldest}
        db.session.remove()
        return found


def _median_ms(client: Any, url: str, times: int) -> float:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        response = client.get(url)
        spent.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(spent)


def _on_off(app: Flask, client: Any, url: str) -> tuple[float, float]:
    """Alternating rounds with the writer in and out, so load from elsewhere hits both."""
    funcs = app.after_request_funcs.setdefault(None, [])
    on, off = [], []
    for _ in range(REQUESTS // 10):
        on.append(_median_ms(client, url, 10))
        funcs.remove(_write_reads)
        off.append(_median_ms(client, url, 10))
        funcs.append(_write_reads)
    return statistics.median(on), statistics.median(off)


def main() -> None:
    url, drop = create_database("audit")
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False})
        with app.app_context():
            upgrade()
        ids = _load(app)
        counsellor, coordinator = new_client(app), new_client(app)
        assert login(counsellor, "syv@bench.se").status_code == 302
        assert login(coordinator, "samordnare@bench.se").status_code == 302
        pupil = f"/perioder/{ids['period']}/elever/{ids['enrolment']}"
        period = f"/perioder/{ids['period']}"
        pupil_on, pupil_off = _on_off(app, counsellor, pupil)
        period_on, period_off = _on_off(app, counsellor, period)
        log = {
            "log_newest_ms": _median_ms(coordinator, "/samordnare/logg", 20),
            "log_pupil_ms": _median_ms(coordinator, f"/samordnare/logg?elev={ids['student']}",
                                       20),
            "log_user_ms": _median_ms(coordinator, "/samordnare/logg?anvandare=syv%40bench.se",
                                      20),
            "log_deep_ms": _median_ms(coordinator,
                                      f"/samordnare/logg?fore={ids['oldest'] + 100}", 20),
        }
        result = {"audit_events": EVENTS, "pupil_page_ms": round(pupil_on, 2),
                  "pupil_page_without_audit_ms": round(pupil_off, 2),
                  "period_300_ms": round(period_on, 2),
                  "period_300_without_audit_ms": round(period_off, 2),
                  **{k: round(v, 2) for k, v in log.items()}}
        for key, value in result.items():
            print(f"{key:<30} {value}")
        print(json.dumps(result))
    finally:
        with app.app_context():
            db.engine.dispose()
        drop()


if __name__ == "__main__":
    main()
