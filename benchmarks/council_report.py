"""The council's report at national scale, on PostgreSQL.

    .venv/bin/python benchmarks/council_report.py

Creates a throw-away database on the server in BENCH_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test; only the server is used), runs the migrations and
generates, set-based (INSERT … SELECT over generate_series, no Python loop over rows):
10 municipalities, 400 schools, 12,000 organisations with 60,000 placements (one offer
each), 120,000 pupils each enrolled in their school's spring period of school year
2026/27 with three wishes, a published matching round per school (one result per pupil
placed through the portal), an assignment for every pupil (one in ten through their own
network), ten attendance days each (1.2 million), the checklist steps (most done, some
late), same-day absence alerts and a few hundred incidents.

Then the evaluations (`_load_answers`): a pupil's response to the six statements for one
assignment in four, a supervisor's for one in thirty, about 200,000 Likert answers
(printed as `answers`).

Then a council member reads the region-wide report for the school year through the app
(Flask's test client, each request in a context of its own as on a server: sign-in,
routing, the template, and the figures from the report's snapshot,
portal/reports/snapshots.py). `report_snapshot_miss_ms` is the very first request, which
computes every indicator for this year and last, suppresses them and draws their charts in
Swedish and English, and stores it all (what the jobs command does hourly in the
background). `report_ms` is a reader's request after that, with the process's caches
(matplotlib's drawings, parsed snapshots) emptied before each, as in a server process that
has not read this snapshot before; `report_cached_ms` the same page again right after;
`report_en_ms` an English reader's. `charts_drawn` counts the charts matplotlib drew during
the measured reads (the snapshot has them: 0). The last line is one JSON object with
pupils, attendance_days, answers, report_ms (median of COUNCIL_BENCH_RUNS, default 5) and
more. COUNCIL_BENCH_PUPILS (default 120000) makes a smaller data set for a quick run.
"""

from __future__ import annotations

import contextvars
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout, like the tests

from flask_migrate import upgrade
from sqlalchemy import text
from throwaway import create_database

from portal import clock, create_app
from portal.extensions import db

PUPILS = int(os.environ.get("COUNCIL_BENCH_PUPILS", "120000"))
RUNS = int(os.environ.get("COUNCIL_BENCH_RUNS", "5"))
MUNICIPALITIES, SCHOOLS, ORGANISATIONS, PLACEMENTS = 10, 400, 12_000, 60_000
COUNCIL_PASSWORD = "bench-council-password"  # noqa: S105 - a throw-away database
TARGET_MS = 500.0

# Every statement is set-based; :n is the number of pupils. Pupil n goes to school
# 1 + n % 400, the school's period has the same id, enrolment and assignment ids are n.
LOAD = [
    "INSERT INTO municipality (id, name, code, guardian_ack_required, created_at) "
    "SELECT m, 'Kommun ' || m, lpad((1000 + m)::text, 4, '0'), m % 2 = 0, now() "
    f"FROM generate_series(1, {MUNICIPALITIES}) m",
    "INSERT INTO school (id, municipality_id, name, unit_code, address, absence_contact, "
    "alert_guardians_on_absence, created_at) "
    f"SELECT s, 1 + s % {MUNICIPALITIES}, 'Skola ' || lpad(s::text, 3, '0'), "
    f"(80000000 + s)::text, '', '', false, now() FROM generate_series(1, {SCHOOLS}) s",
    "INSERT INTO user_account (id, email, name, role, password_hash, session_token, active, "
    "phone, language, created_at) VALUES (1, 'samordnare@bench.se', 'Samordnare', "
    "'coordinator', '', 't1', true, '', 'sv', now()), (2, 'rad@bench.se', 'Råd', 'council', "
    ":hash, 't2', true, '', 'sv', now())",
    "INSERT INTO prao_period (id, school_id, name, grade, first_day, last_day, wishes_open, "
    "wishes_close, created_at) SELECT s, s, 'Prao vt 2027 åk 8', 8, "
    "'2027-03-15', '2027-03-26', '2027-01-11', '2027-02-05', now() "
    f"FROM generate_series(1, {SCHOOLS}) s",
    "INSERT INTO organisation (id, name, org_number, status, sector, visiting_address, "
    "postal_code, city, contact_name, contact_email, contact_phone, decision_reason, "
    "created_at) SELECT o, 'Företag ' || o || ' AB', '55' || lpad(o::text, 8, '0'), "
    "'approved', 'it', '', '', '', '', 'k' || o || '@f.se', '', '', now() "
    f"FROM generate_series(1, {ORGANISATIONS}) o",
    "INSERT INTO placement (id, organisation_id, status, title, sector, description, tasks, "
    "address, postal_code, city, supervisor_name, supervisor_phone, supervisor_email, "
    "day_start, day_end, break_minutes, accepts_grade_8, accepts_grade_9, languages, "
    "features, protective_equipment, risk_hazards, risk_measures, risk_introduction, "
    "risk_supervisor, rejection_reason, search_text, created_at, updated_at) "
    f"SELECT p, 1 + p % {ORGANISATIONS}, 'published', 'Plats ' || p, "
    "(ARRAY['it','health','construction','hospitality','retail'])[1 + p % 5], '', '', '', "
    "'', '', 'Handledare', '', 'h' || p || '@f.se', '08:00', '14:30', 30, true, true, "
    "'svenska', 0, '', '', '', '', '', '', '', now(), now() "
    f"FROM generate_series(1, {PLACEMENTS}) p",
    "INSERT INTO placement_offer (id, placement_id, first_week, last_week, seats, seats_taken) "
    f"SELECT p, p, '2027-03-15', '2027-03-22', 3, 2 FROM generate_series(1, {PLACEMENTS}) p",
    "INSERT INTO student (id, school_id, external_id, first_name, last_name, class_name, "
    "grade, gender, needs, email, created_at, updated_at) "
    f"SELECT n, 1 + n % {SCHOOLS}, 'B' || n, 'Elev', n::text, '8A', 8, "
    "(ARRAY['girl','boy'])[1 + n % 2], CASE WHEN n % 11 = 0 THEN 1 ELSE 0 END, '', now(), "
    "now() FROM generate_series(1, :n) n",
    "INSERT INTO enrolment (id, period_id, student_id, state, exempt_reason, link_version, "
    f"link_revoked, created_at) SELECT n, 1 + n % {SCHOOLS}, n, "
    "CASE WHEN n % 10 = 0 THEN 'own_placement' ELSE 'assigned' END, '', 1, false, now() "
    "FROM generate_series(1, :n) n",
    # Three wishes each, for the pupils placed through the portal.
    "INSERT INTO wish (enrolment_id, offer_id, rank) SELECT n, "
    f"1 + (n * 7 + r * 9973) % {PLACEMENTS}, r FROM generate_series(1, :n) n, "
    "generate_series(1, 3) r WHERE n % 10 <> 0",
    "INSERT INTO matching_run (id, created_by_id, status, seed, priority_policy, last_step, "
    "stats, published_at, created_at) SELECT s, 1, 'published', s, 'none', "
    f"'second', '{{}}', now(), now() FROM generate_series(1, {SCHOOLS}) s",
    # Most get their first wish, some their second or third, one in thirteen only in the
    # second round (an offer they did not wish for).
    "INSERT INTO match_result (run_id, enrolment_id, offer_id, rank, lottery, priority, "
    f"source, explanation) SELECT 1 + n % {SCHOOLS}, n, CASE WHEN n % 13 = 0 THEN "
    f"1 + (n * 31) % {PLACEMENTS} ELSE 1 + (n * 7 + (1 + n % 5 / 3) * 9973) % {PLACEMENTS} END, "
    "CASE WHEN n % 13 = 0 THEN NULL ELSE 1 + n % 5 / 3 END, n, 0, "
    "CASE WHEN n % 13 = 0 THEN 'second_round' ELSE 'first_round' END, '{}' "
    "FROM generate_series(1, :n) n WHERE n % 10 <> 0",
    "INSERT INTO assignment (id, enrolment_id, placement_id, offer_id, run_id, state, source, "
    "decided_by_label, decline_reason, placement_reason, created_at) "
    "SELECT n, n, COALESCE(r.offer_id, 1 + n % 60000), r.offer_id, r.run_id, 'completed', "
    "CASE WHEN n % 10 = 0 THEN 'own' ELSE 'matching' END, '', '', '', now() "
    "FROM generate_series(1, :n) n LEFT JOIN match_result r ON r.enrolment_id = n",
    # Ten days each: present, late now and then, absent one day in 23.
    "INSERT INTO attendance_day (assignment_id, day, status, break_minutes, reported_at, "
    "reported_by_label) SELECT n, d::date, CASE WHEN (n + extract(doy FROM d)::int) % 23 = 0 "
    "THEN 'absent' WHEN (n + extract(doy FROM d)::int) % 31 = 0 THEN 'late' ELSE 'present' "
    "END, 30, d + interval '9 hours', 'bench' FROM generate_series(1, :n) n, "
    "generate_series('2027-03-15'::date, '2027-03-26'::date, interval '1 day') d "
    "WHERE extract(isodow FROM d) < 6",
    "INSERT INTO attendance_alert (assignment_id, day, kind, created_at, sent_at) "
    "SELECT assignment_id, day, 'absent', day + interval '10 hours', day + interval '10 hours' "
    "FROM attendance_day WHERE status = 'absent' AND assignment_id % 5 <> 0",
    # The checklist: every step for nine pupils in ten, one in eight of them late.
    "INSERT INTO step_record (assignment_id, step, done_at, done_by_label) "
    "SELECT n, s.key, (CASE WHEN s.first THEN date '2027-03-15' ELSE date '2027-03-26' END "
    "+ s.due + CASE WHEN (n + s.due) % 8 = 0 THEN 3 ELSE -1 END) + interval '12 hours', "
    "'bench' FROM generate_series(1, :n) n, (VALUES ('risk_assessment', true, -14), "
    "('employer_confirmed', true, -14), ('pupil_prepared', true, -7), "
    "('pupil_contacted', true, -3), ('guardians_informed', true, -7), "
    "('guardians_acknowledged', true, -1), ('attendance', false, 0), "
    "('follow_up', true, 1), ('pupil_evaluation', false, 7), "
    "('employer_evaluation', false, 7), ('class_reflection', false, 14), "
    "('certificate', false, 14)) AS s(key, first, due) WHERE n % 10 <> 9",
    "INSERT INTO incident (assignment_id, kind, severity, occurred_at, what, injury, measures, "
    "reported_by_label, created_at) SELECT n * 397, "
    "(ARRAY['accident','near_miss'])[1 + n % 2], (ARRAY['minor','minor','serious'])[1 + n % 3], "
    "'2027-03-17 10:00+00', 'Bench', '', '', 'bench', now() "
    "FROM generate_series(1, :n / 397) n",
]


# The evaluations, set-based: one pupil in four answers the six statements, one supervisor
# in thirty answers theirs and "again next term" (two in three yes). Scores lean to the
# upper half, as real evaluations do. About 200,000 answers.
ANSWERS = [
    "INSERT INTO feedback_response (assignment_id, audience, form_id, submitted_at, "
    "submitted_by_label, statement, again_next_term) SELECT a.id, f.audience, f.id, "
    "'2027-03-29 12:00+00', 'bench', '', CASE WHEN f.audience = 'employer' "
    "THEN a.id % 3 <> 0 END FROM assignment a JOIN feedback_form f ON f.version = 1 "
    "AND ((f.audience = 'pupil' AND a.id % 4 = 0) OR (f.audience = 'employer' "
    "AND a.id % 30 = 1))",
    "INSERT INTO feedback_answer (response_id, question_key, score, text) "
    "SELECT r.id, q.item ->> 'key', "
    "(ARRAY[2, 3, 4, 4, 5, 5, 3, 4, 1, 5])[1 + (r.id * 7 + q.n::int * 3) % 10], '' "
    "FROM feedback_response r JOIN feedback_form f ON f.id = r.form_id, "
    "json_array_elements(f.questions::json) WITH ORDINALITY AS q(item, n) "
    "WHERE q.item ->> 'kind' = 'likert'",
]


def _load_answers() -> int:
    """The evaluation answers (issue 11, item 1); returns how many were written."""
    for statement in ANSWERS:
        db.session.execute(text(statement))
    return db.session.scalar(text("SELECT count(*) FROM feedback_answer")) or 0


def _load(pupils: int) -> dict[str, int]:
    from werkzeug.security import generate_password_hash

    password = generate_password_hash(COUNCIL_PASSWORD)
    for statement in LOAD:
        db.session.execute(text(statement), {"n": pupils, "hash": password})
    answers = _load_answers()
    for table in ("municipality", "school", "user_account", "prao_period", "organisation",
                  "placement", "placement_offer", "student", "enrolment", "matching_run",
                  "assignment"):
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT max(id) FROM {table}))"))
    db.session.commit()
    counts = {name: db.session.scalar(text(f"SELECT count(*) FROM {name}")) or 0
              for name in ("student", "attendance_day", "step_record", "wish", "placement")}
    return {"pupils": counts["student"], "attendance_days": counts["attendance_day"],
            "step_records": counts["step_record"], "wishes": counts["wish"],
            "placements": counts["placement"], "answers": answers}


def _vacuum() -> None:
    """ANALYZE for the planner, VACUUM so index-only scans can skip the heap."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def _get(client: Any, url: str) -> tuple[float, Any]:
    """One request in a fresh context, as a server runs it (no `g` shared with the last
    one), and how long it took in milliseconds."""
    started = time.perf_counter()
    response = contextvars.Context().run(client.get, url)
    return (time.perf_counter() - started) * 1000, response


def _cold_reads(client: Any, url: str) -> tuple[list[float], list[float], int, str]:
    """RUNS reads of the page, each with the process's caches emptied first and then once
    more right after: their times, and how many charts matplotlib drew meanwhile."""
    from portal.reports import charts, snapshots

    cold, warm, drawn = [], [], 0
    for _ in range(RUNS):
        charts.render.cache_clear()
        snapshots._PARSED.clear()
        elapsed, response = _get(client, url)
        assert response.status_code == 200
        drawn += charts.render.cache_info().misses
        cold.append(elapsed)
        warm.append(_get(client, url)[0])
    return cold, warm, drawn, response.get_data(as_text=True)


def _measure(app: Any) -> dict[str, Any]:
    client = app.test_client()
    signed_in = contextvars.Context().run(client.post, "/logga-in", data={
        "email": "rad@bench.se", "password": COUNCIL_PASSWORD})
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:2000]
    url = "/rapporter?lasar=2026"
    # The first reader: the scopes' snapshots are missing, so every indicator is computed
    # (this year and last), suppressed, drawn and stored; later readers read the snapshot.
    miss_ms, _response = _get(client, url)
    timings, cached, drawn, page = _cold_reads(client, url)
    assert "<svg" in page and "Skola 001" in page
    contextvars.Context().run(client.get, "/sprak/en")
    english, _cached, drawn_en, page_en = _cold_reads(client, url)
    assert "Quality report" in page_en
    return {"report_ms": round(statistics.median(timings), 1),
            "report_snapshot_miss_ms": round(miss_ms, 1),
            "report_max_ms": round(max(timings), 1),
            "report_cached_ms": round(statistics.median(cached), 1),
            "report_en_ms": round(statistics.median(english), 1),
            "charts_drawn": drawn + drawn_en,
            "report_bytes": len(page.encode()), "target_ms": TARGET_MS,
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def main() -> dict[str, Any]:
    url, drop = create_database("council")
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "PORTAL_BASE_URL": "https://prao.test"})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            figures: dict[str, Any] = _load(PUPILS)
            _vacuum()
            figures["load_s"] = round(time.perf_counter() - started, 1)
            clock.set_now(clock.now().replace(year=2027, month=6, day=15))
            figures.update(_measure(app))
            db.engine.dispose()
        return figures
    finally:
        drop()


if __name__ == "__main__":
    print(json.dumps(main()))
