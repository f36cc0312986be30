"""The prao process at the size of a large region, on PostgreSQL.

    .venv/bin/python benchmarks/prao_process.py

Creates a throw-away database on the server in BENCH_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test; only the server is used), runs the migrations
and loads a region on one prao day, Tuesday 16 March 2027: 200 schools with a counsellor
each (half of them alert guardians), 20,000 pupils at work that day at 5,000 placements of
1,000 organisations (four pupils per supervisor), half of the pupils with a guardian's
address, and yesterday's attendance for everyone. Then, with the portal's clock stopped:

- 08:30, reporting a day's attendance: supervisors post their signed link's form (four
  pupils, one of them late; in one report in four another is absent, which alerts the
  counsellor and, at half the schools, the guardian) through the app (Flask's test client:
  routing, form, rules, writes, alerts, emails, commit); the median and p95 of REPORTS
  requests, and the median of those with an absence;
- by 10:00, 90 % of the pupils have been reported (loaded in bulk);
- 10:05, the alert job over every pupil at work that day: one SELECT and one INSERT …
  SELECT of the missing reports, and their emails (a digest per counsellor, one email per
  guardian where the school wants it and has an address);
- the next day at 10:05, the worst morning: nobody has reported, every pupil raises an
  alert (alert_job_worst_s; most of its time is rendering ~5,000 guardians' emails);
- the counsellor's attendance overview of a period of 300 pupils: time and queries;
- the counsellor's period overview of those 300 pupils × every checklist step (most
  steps done, some overdue, some still open): the checklist page
  /perioder/<id>/checklista and the period page /perioder/<id>, requested through the app
  (sign-in, routing, authorization, queries, templates) by the school's counsellor; the
  slower page's median and the queries of each, compared with a period of ~100 pupils to
  show that the number of queries does not grow with the pupils.

The last line is one JSON object with overview_pupils, overview_ms, overview_queries,
attendance_ms, alert_pupils, alert_job_s and the rest.
PRAO_BENCH_PUPILS and PRAO_BENCH_REPORTS make a smaller or longer run; PRAO_BENCH_REPORTED
sets the share reported by 10:00 on the first day.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout, like the tests

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine
from throwaway import create_database

from portal import clock, create_app
from portal.accounts.models import counsellor_school
from portal.extensions import db
from portal.nationaldata import Writer

PUPILS = int(os.environ.get("PRAO_BENCH_PUPILS", "20000"))
REPORTS = int(os.environ.get("PRAO_BENCH_REPORTS", "200"))
SCHOOLS = 200
PER_SUPERVISOR = 4
OVERVIEW_PUPILS = 300  # school 1's period
DAY = date(2027, 3, 16)  # a Tuesday in weeks 11–12
FIRST, LAST = date(2027, 3, 15), date(2027, 3, 26)
MONDAY_11, MONDAY_12 = date(2027, 3, 15), date(2027, 3, 22)
REPORTED_SHARE = float(os.environ.get("PRAO_BENCH_REPORTED", "0.9"))
TARGET_ATTENDANCE_MS, TARGET_ALERT_S, TARGET_OVERVIEW_MS = 50.0, 5.0, 100.0
COUNSELLOR_PASSWORD = "bench-counsellor-password"  # noqa: S105 - a throw-away database
SEED = 2027


def _at(hour: int, minute: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.STOCKHOLM)


def _put(model: Any, rows: list[dict[str, Any]]) -> None:
    """COPY through the national data set's writer, which fills the columns' Python
    defaults as the app's own rows get them."""
    if not rows:
        return
    table = model if hasattr(model, "c") else model.__table__
    columns = list(rows[0])
    Writer(db.session.connection(), lambda _n: None).put(
        table.name, columns, ([row[c] for c in columns] for row in rows))


def _school_of(pupil: int) -> int:
    """School 1 has the 300 pupils of the overview's period; the rest are spread out."""
    if pupil <= OVERVIEW_PUPILS:
        return 1
    return 2 + (pupil % (SCHOOLS - 1))


def _load_region(rng: random.Random) -> None:
    from portal.accounts.models import Role, User
    from portal.employers.models import Organisation, Placement, PlacementOffer
    from portal.schools.models import Enrolment, Municipality, PraoPeriod, School, Student

    _put(Municipality, [{"id": 1, "name": "Benchkommun", "code": "9999"}])
    _put(School, [{"id": s, "municipality_id": 1, "name": f"Skola {s}",
                   "unit_code": f"{80000000 + s}", "alert_guardians_on_absence": s % 2 == 0}
                  for s in range(1, SCHOOLS + 1)])
    _put(User, [{"id": s, "email": f"syv{s}@skola.se", "name": f"SYV {s}",
                 "role": Role.COUNSELLOR} for s in range(1, SCHOOLS + 1)])
    _put(counsellor_school, [{"user_id": s, "school_id": s} for s in range(1, SCHOOLS + 1)])
    _put(PraoPeriod, [{"id": s, "school_id": s, "name": "Prao vt 2027 åk 8", "grade": 8,
                       "first_day": FIRST, "last_day": LAST, "wishes_open": date(2027, 1, 11),
                       "wishes_close": date(2027, 2, 5)} for s in range(1, SCHOOLS + 1)])
    places = PUPILS // PER_SUPERVISOR
    organisations = max(places // 5, 1)
    _put(Organisation, [{"id": o, "name": f"Företag {o} AB", "org_number": f"55{o:08d}",
                         "status": "approved", "contact_email": f"kontakt{o}@foretag.se"}
                        for o in range(1, organisations + 1)])
    _put(Placement, [{"id": p, "organisation_id": 1 + p % organisations, "status": "published",
                      "title": f"Plats {p}", "sector": "it", "supervisor_name": f"Handledare {p}",
                      "supervisor_email": f"handledare{p}@foretag.se", "break_minutes": 30,
                      "risk_confirmed_at": _at(8, 0)} for p in range(1, places + 1)])
    _put(PlacementOffer, [{"id": p, "placement_id": p, "first_week": MONDAY_11,
                           "last_week": MONDAY_12, "seats": PER_SUPERVISOR,
                           "seats_taken": PER_SUPERVISOR} for p in range(1, places + 1)])
    _put(Student, [{"id": n, "school_id": _school_of(n), "external_id": f"B{n}",
                    "first_name": "Elev", "last_name": str(n), "class_name": "8A", "grade": 8,
                    "guardian_email": f"hem{n}@hem.se" if rng.random() < 0.5 else None}
                   for n in range(1, PUPILS + 1)])
    _put(Enrolment, [{"id": n, "period_id": _school_of(n), "student_id": n,
                      "state": "assigned"} for n in range(1, PUPILS + 1)])


def _load_assignments() -> None:
    from portal.prao.models import Assignment, AttendanceDay

    _put(Assignment, [{"id": n, "enrolment_id": n, "placement_id": 1 + (n - 1) // PER_SUPERVISOR,
                       "offer_id": 1 + (n - 1) // PER_SUPERVISOR, "state": "confirmed",
                       "source": "matching"} for n in range(1, PUPILS + 1)])
    yesterday = DAY - timedelta(days=1)
    _put(AttendanceDay, [{"assignment_id": n, "day": yesterday, "status": "present",
                          "start_time": "08:00", "end_time": "14:30", "break_minutes": 30,
                          "reported_at": _at(9, 0) - timedelta(days=1),
                          "reported_by_label": "bench"} for n in range(1, PUPILS + 1)])


def _reset_sequences() -> None:
    for table in ("municipality", "school", "user_account", "prao_period", "organisation",
                  "placement", "placement_offer", "student", "enrolment", "assignment"):
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT max(id) FROM {table}))"))
    db.session.commit()
    for table in ("assignment", "enrolment", "student", "placement", "placement_offer",
                  "attendance_day", "prao_period", "school", "organisation"):
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()


ALL_PRESENT = ("present", "present", "late", "present")
ONE_ABSENT = ("present", "present", "late", "absent")  # every fourth report: alert, emails


def _supervisor_forms(rng: random.Random) -> Iterator[tuple[str, dict[str, str], bool]]:
    """A signed link and its form for distinct supervisors; one report in four has an
    absence (its alert and emails are part of the request)."""
    from portal.prao.attendance import links

    places = PUPILS // PER_SUPERVISOR
    for n, place in enumerate(rng.sample(range(1, places + 1), REPORTS)):
        ids = [(place - 1) * PER_SUPERVISOR + k for k in range(1, PER_SUPERVISOR + 1)]
        token = links.make_token(f"handledare{place}@foretag.se", ids, DAY)
        statuses = ONE_ABSENT if n % 4 == 3 else ALL_PRESENT
        data: dict[str, str] = {}
        for index, (aid, status) in enumerate(zip(ids, statuses, strict=True)):
            data.update({f"pupils-{index}-assignment": str(aid),
                         f"pupils-{index}-status": status,
                         f"pupils-{index}-start": "08:00" if status != "late" else "09:10",
                         f"pupils-{index}-end": "14:30",
                         f"pupils-{index}-break_minutes": "30"})
        yield f"/narvaro/{token}", data, statuses is ONE_ABSENT


def _measure_reports(app: Flask, rng: random.Random) -> dict[str, list[float]]:
    clock.set_now(_at(8, 30))
    client = app.test_client()
    timings: dict[str, list[float]] = {"all": [], "absence": []}
    with app.test_request_context():
        forms = list(_supervisor_forms(rng))
    for url, data, absence in forms:
        started = time.perf_counter()
        response = client.post(url, data=data)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        timings["all"].append(elapsed)
        if absence:
            timings["absence"].append(elapsed)
    return timings


def _report_most(rng: random.Random) -> int:
    """By 10:00 most supervisors have reported (in bulk: not what is measured)."""
    from portal.prao.models import AttendanceDay

    done = set(db.session.scalars(select(AttendanceDay.assignment_id).where(
        AttendanceDay.day == DAY)))
    rows = [{"assignment_id": n, "day": DAY, "status": "present", "start_time": "08:00",
             "end_time": "14:30", "break_minutes": 30, "reported_at": _at(9, 0),
             "reported_by_label": "bench"}
            for n in range(1, PUPILS + 1) if n not in done and rng.random() < REPORTED_SHARE]
    _put(AttendanceDay, rows)
    db.session.commit()
    db.session.execute(text("ANALYZE attendance_day"))
    db.session.commit()
    return len(done) + len(rows)


def _measure_alert_job(app: Flask, moment: datetime) -> dict[str, Any]:
    from portal.notifications.models import OutboxEmail
    from portal.prao.attendance import daily

    clock.set_now(moment)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(OutboxEmail))
        db.session.remove()
        started, cpu = time.perf_counter(), time.process_time()
        created = daily.raise_missing_reports()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        emails = db.session.execute(select(OutboxEmail.kind, func.count()).where(
            OutboxEmail.id > before).group_by(OutboxEmail.kind)).all()
        again_started = time.perf_counter()
        again = daily.raise_missing_reports()
        again_s = time.perf_counter() - again_started
        db.session.remove()
    # The process's own CPU time beside the wall time: on a machine others load, the
    # wall time says as much about them as about the job.
    return {"alert_job_s": round(elapsed, 2), "alert_job_cpu_s": round(cpu, 2),
            "alerts_created": created,
            "alert_emails": dict(emails), "alert_job_again_s": round(again_s, 2),
            "alerts_created_again": again}


def _measure_overview(app: Flask) -> dict[str, Any]:
    from portal.prao.attendance import overview
    from portal.schools.models import PraoPeriod

    queries = 0

    def count(*_args: Any) -> None:
        nonlocal queries
        queries += 1

    timings = []
    with app.test_request_context():
        # What autovacuum does after the morning's thousands of alerts.
        db.session.execute(text("ANALYZE attendance_alert"))
        db.session.commit()
        for _ in range(10):
            period = db.session.get_one(PraoPeriod, 1)
            queries = 0
            event.listen(Engine, "before_cursor_execute", count)
            started = time.perf_counter()
            result = overview.period_overview(period)
            timings.append((time.perf_counter() - started) * 1000)
            event.remove(Engine, "before_cursor_execute", count)
            db.session.remove()
    return {"attendance_overview_pupils": len(result.rows),
            "attendance_overview_ms": round(statistics.median(timings), 1),
            "attendance_overview_queries": queries}


def _load_checklists() -> None:
    """Every checklist step for the overview's 300 pupils, as on the second prao day: three
    pupils in four have every step before the prao done and every other pupil has had
    the follow-up; the rest are overdue, open or waiting."""
    from werkzeug.security import generate_password_hash

    from portal.accounts.models import User
    from portal.prao import checklist
    from portal.prao.models import StepRecord

    before = [s.key for s in checklist.steps_for() if s.phase is checklist.Phase.BEFORE]
    rows = []
    for n in range(1, OVERVIEW_PUPILS + 1):
        done = before if n % 4 else ["risk_assessment", "employer_confirmed"]
        done = [*done, "follow_up"] if n % 2 == 0 else done
        rows += [{"assignment_id": n, "step": step, "done_at": _at(9, 0, FIRST - timedelta(
                  days=7)), "done_by_id": 1 if step != "risk_assessment" else None,
                  "done_by_label": "SYV 1" if step != "risk_assessment" else "Företag AB"}
                 for step in done]
    _put(StepRecord, rows)
    # School 2's period (about 100 pupils) is the comparison: its counsellor too.
    _put(counsellor_school, [{"user_id": 1, "school_id": 2}])
    db.session.get_one(User, 1).password_hash = generate_password_hash(COUNSELLOR_PASSWORD)
    db.session.commit()
    db.session.execute(text("ANALYZE step_record"))
    db.session.commit()


def _timed_pages(app: Flask, paths: dict[str, str], rounds: int = 10) -> dict[str, Any]:
    """Median time and the queries of each page, requested as school 1's counsellor."""
    queries = 0

    def count(*_args: Any) -> None:
        nonlocal queries
        queries += 1

    client = app.test_client()
    signed_in = client.post("/logga-in", data={"email": "syv1@skola.se",
                                               "password": COUNSELLOR_PASSWORD})
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:2000]
    figures: dict[str, Any] = {}
    for name, path in paths.items():
        timings, counts = [], []
        for _ in range(rounds):
            queries = 0
            event.listen(Engine, "before_cursor_execute", count)
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            event.remove(Engine, "before_cursor_execute", count)
            assert response.status_code == 200, response.get_data(as_text=True)[:2000]
            counts.append(queries)
        figures[f"{name}_ms"] = round(statistics.median(timings), 1)
        figures[f"{name}_queries"] = max(counts)
    return figures


def _measure_period_overview(app: Flask) -> dict[str, Any]:
    """The checklist and the period page of school 1's 300 pupils, and of school 2's
    ~100 for the query count."""
    from portal.schools.models import Enrolment

    clock.set_now(_at(11, 0))
    with app.app_context():
        _load_checklists()
        small = db.session.scalar(select(func.count()).select_from(Enrolment).where(
            Enrolment.period_id == 2))
        db.session.remove()
    big = _timed_pages(app, {"checklist": "/perioder/1/checklista", "period": "/perioder/1"})
    few = _timed_pages(app, {"checklist": "/perioder/2/checklista", "period": "/perioder/2"},
                       rounds=3)
    return {"overview_pupils": OVERVIEW_PUPILS,
            "overview_ms": max(big["checklist_ms"], big["period_ms"]),
            "overview_queries": max(big["checklist_queries"], big["period_queries"]),
            **{f"overview_{key}": value for key, value in big.items()},
            "overview_small_pupils": small,
            **{f"overview_small_{key}": value for key, value in few.items()
               if key.endswith("_queries")}}


def main() -> dict[str, Any]:
    url, drop = create_database("prao")
    rng = random.Random(SEED)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "PORTAL_BASE_URL": "https://prao.test"})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            _load_region(rng)
            _load_assignments()
            db.session.commit()
            _reset_sequences()
            load_s = time.perf_counter() - started
            db.session.remove()
        timings = _measure_reports(app, rng)
        with app.app_context():
            reported = _report_most(rng)
            db.session.remove()
        alerts = _measure_alert_job(app, _at(10, 5))
        # The worst morning, the next day: nobody has reported by 10:00.
        worst = _measure_alert_job(app, _at(10, 5, DAY + timedelta(days=1)))
        figures = {
            "pupils": PUPILS, "data_load_s": round(load_s, 1),
            "attendance_reports": len(timings["all"]),
            "attendance_ms": round(statistics.median(timings["all"]), 1),
            "attendance_p95_ms": round(statistics.quantiles(timings["all"], n=20)[18], 1),
            "attendance_with_absence_ms": round(statistics.median(timings["absence"]), 1),
            "alert_pupils": PUPILS, "reported_by_ten": reported, **alerts,
            "alert_job_worst_s": worst["alert_job_s"],
            "alert_job_worst_cpu_s": worst["alert_job_cpu_s"],
            "alerts_created_worst": worst["alerts_created"],
            "alert_emails_worst": worst["alert_emails"],
            **_measure_overview(app),
            **_measure_period_overview(app),
            "load_average": round(os.getloadavg()[0], 1),
        }
        figures["within_targets"] = (
            figures["attendance_ms"] <= TARGET_ATTENDANCE_MS
            and figures["alert_job_worst_s"] <= TARGET_ALERT_S
            and figures["overview_ms"] <= TARGET_OVERVIEW_MS
            and figures["overview_checklist_queries"]
            == figures["overview_small_checklist_queries"]
            and figures["overview_period_queries"] == figures["overview_small_period_queries"])
        return figures
    finally:
        clock.set_now(None)
        drop()


if __name__ == "__main__":
    result = main()
    print(f"Reporting a day (4 pupils, through the app): median {result['attendance_ms']} ms, "
          f"p95 {result['attendance_p95_ms']} ms (target ≤ {TARGET_ATTENDANCE_MS:.0f} ms)")
    print(f"10:00 alert job over {result['alert_pupils']} pupils at work: "
          f"{result['alert_job_s']} s, {result['alerts_created']} alerts "
          f"(target ≤ {TARGET_ALERT_S:.0f} s); nobody reported: "
          f"{result['alert_job_worst_s']} s ({result['alert_job_worst_cpu_s']} s CPU), "
          f"{result['alerts_created_worst']} alerts")
    print(f"Counsellor's overview of {result['overview_pupils']} pupils × every step: "
          f"checklist {result['overview_checklist_ms']} ms, "
          f"{result['overview_checklist_queries']} queries; period page "
          f"{result['overview_period_ms']} ms, {result['overview_period_queries']} queries "
          f"(target ≤ {TARGET_OVERVIEW_MS:.0f} ms); at {result['overview_small_pupils']} pupils "
          f"{result['overview_small_checklist_queries']} and "
          f"{result['overview_small_period_queries']} queries; load average "
          f"{result['load_average']}")
    print(json.dumps(result))
