"""How fast the public catalogue answers at the size of a large region, on PostgreSQL.

    .venv/bin/python benchmarks/catalogue.py

Creates a throw-away database on the server in BENCH_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test; only the server is used, the database named
there is left alone), runs the migrations, loads 50,000 published placements with Swedish
text and 200,000 offers with COPY, then sends catalogue searches with text and two filters
(municipality and week) through the app (Flask's test client: routing, form, queries,
template) and times each request. Prints the median and p95, the SQL queries per page, and
as its last line one JSON object of the figures. The database is dropped at the end.

Then, in the same run, it measures throughput under concurrent load: gunicorn (4 sync
workers) on a loopback port, 32 connections, first the plain page /kontakt and then
/praoplatser?q=snickare, for a bounded time each (wrk when it is installed,
`apt-get install -y wrk`; otherwise a thread pool of http.client connections, which itself
takes CPU from the server on a small machine and so understates the plain page). It does so
on a second throw-away database holding the demo region (`flask demo seed`, as in issue 9's
measurement), where the page's own cost shows: the catalogue's throughput over the plain
page's is `throughput_ratio` (target: 0.25 or more). The same on the 50,000 placements is
`throughput_ratio_50k`: there a search for a common word ranks thousands of placements in
the database, which no page rendering can make up for.

CATALOGUE_BENCH_PLACEMENTS and CATALOGUE_BENCH_REQUESTS make a smaller or longer run;
CATALOGUE_BENCH_LOAD_SECONDS sets the time under load per page (default 10, 0 skips it);
CATALOGUE_BENCH_EXPLAIN=1 prints EXPLAIN ANALYZE of the slowest search's queries.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout, like the tests

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from throwaway import create_database  # noqa: E402

from portal import clock, create_app  # noqa: E402
from portal.employers.catalogue.services import search_document  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.nationaldata import copy_into  # noqa: E402
from portal.nationalwords import (  # noqa: E402
    FIRST_NAMES,
    LAST_NAMES,
    SEARCH_WORDS,
    SECTORS,
    STREETS,
    description,
    org_number,
)
from portal.weeks import monday_of, week_label  # noqa: E402

PLACEMENTS = int(os.environ.get("CATALOGUE_BENCH_PLACEMENTS", "50000"))
OFFERS_PER_PLACEMENT = 4
PLACEMENTS_PER_ORGANISATION = 4
REQUESTS = int(os.environ.get("CATALOGUE_BENCH_REQUESTS", "400"))
WARM_UP = 40
TARGET_P95_MS = 100.0
SEED = 2027
LOAD_SECONDS = float(os.environ.get("CATALOGUE_BENCH_LOAD_SECONDS", "10"))
LOAD_CONNECTIONS = 32
LOAD_WORKERS = 4
PLAIN_PAGE = "/kontakt"
CATALOGUE_PAGE = "/praoplatser?q=snickare"
TARGET_RATIO = 0.25

# Norrbotten's municipalities and their kommunkoder.
MUNICIPALITIES = [
    ("Arvidsjaur", "2505"), ("Arjeplog", "2506"), ("Jokkmokk", "2510"), ("Överkalix", "2513"),
    ("Kalix", "2514"), ("Övertorneå", "2518"), ("Pajala", "2521"), ("Gällivare", "2523"),
    ("Älvsbyn", "2560"), ("Luleå", "2580"), ("Piteå", "2581"), ("Boden", "2582"),
    ("Haparanda", "2583"), ("Kiruna", "2584"),
]
# Bigger towns have more workplaces.
MUNICIPALITY_WEIGHTS = [2, 1, 1, 1, 3, 1, 1, 3, 1, 12, 7, 4, 2, 4]

# --- data ----------------------------------------------------------------------------

def copy_rows(cursor: Any, table: str, columns: list[str], rows: Iterator[tuple]) -> None:
    copy_into(cursor, table, columns, rows)


def organisation_rows(rng: random.Random, count: int, municipality_ids: list[int],
                      now: datetime) -> Iterator[tuple]:
    sectors = list(SECTORS)
    for n in range(1, count + 1):
        sector = rng.choice(sectors)
        place, municipality_id = rng.choices(
            list(zip(MUNICIPALITIES, municipality_ids, strict=True)),
            weights=MUNICIPALITY_WEIGHTS)[0]
        name = f"{place[0]}s {rng.choice(SECTORS[sector][3])} {rng.choice(['AB', 'HB', ''])}"
        yield (n, name.strip(), org_number(n), "approved", sector,
               f"{rng.choice(STREETS)} {rng.randint(1, 80)}", f"9{rng.randint(10, 99)} "
               f"{rng.randint(10, 99)}", place[0], municipality_id, "Kim Kontakt",
               f"kontakt{n}@exempel.se", "0920-123 45", now)


def placement_rows(rng: random.Random, organisations: list[tuple], now: datetime,
                   feature_count: int) -> Iterator[tuple]:
    for n in range(1, PLACEMENTS + 1):
        org = organisations[(n - 1) // PLACEMENTS_PER_ORGANISATION]
        org_id, org_name, sector, city, municipality_id = org[0], org[1], org[4], org[7], org[8]
        titles, _about, tasks, _words = SECTORS[sector]
        title = rng.choice(titles)
        text = description(rng, sector)
        task_text = " ".join(rng.sample(tasks, k=min(3, len(tasks))))
        grades = rng.choice([(True, True), (True, True), (True, False), (False, True)])
        features = sum(1 << bit for bit in range(feature_count) if rng.random() < 0.3)
        supervisor = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        yield (n, org_id, "published", title, sector, text, task_text,
               f"{rng.choice(STREETS)} {rng.randint(1, 80)}", "971 00", city, municipality_id,
               supervisor, "070-123 45 67", f"handledare{n}@exempel.se", "08:00", "14:30",
               "11:30", 30, *grades, "svenska", features, "Skyddsskor lånas ut.",
               "Inga särskilda risker.", "Genomgång första dagen.", "Rundvandring.",
               supervisor, now, "", now, now,
               search_document(title, org_name, text, task_text, city, "postgresql",
                               sector=sector), now)


def offer_rows(rng: random.Random, first_monday: date, now: datetime) -> Iterator[tuple]:
    offer_id = 0
    for placement_id in range(1, PLACEMENTS + 1):
        for _ in range(OFFERS_PER_PLACEMENT):
            offer_id += 1
            first = first_monday + timedelta(weeks=rng.randint(0, 40))
            seats = rng.randint(1, 4)
            taken = rng.choice([0, 0, 0, rng.randint(0, seats), seats])
            yield (offer_id, placement_id, first, first + timedelta(weeks=rng.randint(0, 1)),
                   seats, taken, now)


ORGANISATION_COLUMNS = ["id", "name", "org_number", "status", "sector", "visiting_address",
                        "postal_code", "city", "municipality_id", "contact_name",
                        "contact_email", "contact_phone", "created_at"]
PLACEMENT_COLUMNS = [
    "id", "organisation_id", "status", "title", "sector", "description", "tasks", "address",
    "postal_code", "city", "municipality_id", "supervisor_name", "supervisor_phone",
    "supervisor_email", "day_start", "day_end", "break_start", "break_minutes",
    "accepts_grade_8", "accepts_grade_9", "languages", "features", "protective_equipment",
    "risk_hazards", "risk_measures", "risk_introduction", "risk_supervisor",
    "risk_confirmed_at", "rejection_reason", "published_at", "updated_at", "search_text",
    "created_at"]
OFFER_COLUMNS = ["id", "placement_id", "first_week", "last_week", "seats", "seats_taken",
                 "created_at"]


def load(engine: Engine) -> list[int]:
    """Fill the database with COPY; returns the municipality ids."""
    from portal.employers.reference import features

    rng = random.Random(SEED)
    now = clock.now()
    first_monday = monday_of(clock.today()) + timedelta(weeks=2)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        copy_rows(cursor, "municipality", ["id", "name", "code", "created_at"],
                  ((i, name, code, now) for i, (name, code) in enumerate(MUNICIPALITIES, 1)))
        municipality_ids = list(range(1, len(MUNICIPALITIES) + 1))
        organisations = list(organisation_rows(
            rng, -(-PLACEMENTS // PLACEMENTS_PER_ORGANISATION), municipality_ids, now))
        copy_rows(cursor, "organisation", ORGANISATION_COLUMNS, iter(organisations))
        copy_rows(cursor, "placement", PLACEMENT_COLUMNS,
                  placement_rows(rng, organisations, now, len(features())))
        copy_rows(cursor, "placement_offer", OFFER_COLUMNS, offer_rows(rng, first_monday, now))
        for table in ("municipality", "organisation", "placement", "placement_offer"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT max(id) FROM {table}))")
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return municipality_ids


# --- measuring -----------------------------------------------------------------------

def searches(rng: random.Random, municipality_ids: list[int], count: int) -> list[dict]:
    """Text and two filters, as a pupil would: a word, my municipality, my prao week."""
    first = monday_of(clock.today()) + timedelta(weeks=2)
    return [{"q": rng.choice(SEARCH_WORDS),
             "kommun": str(rng.choices(municipality_ids, weights=MUNICIPALITY_WEIGHTS)[0]),
             "vecka": week_label(first + timedelta(weeks=rng.randint(0, 40)))}
            for _ in range(count)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(app: Flask, queries: list[dict]) -> tuple[list[float], list[int], list[int]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,  # noqa: ARG001
              executemany: bool) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    client = app.test_client()
    times, per_page, found = [], [], []
    try:
        for query in queries:
            statements.clear()
            started = time.perf_counter()
            response = client.get("/praoplatser", query_string=query)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
            per_page.append(len(statements))
            found.append(response.get_data(as_text=True).count('class="card mb-3"'))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return times, per_page, found


def baseline(app: Flask) -> float:
    """Median of a plain page with a template and no query (/kontakt) in the same run: what
    the framework costs on this machine, the floor the catalogue is compared with."""
    client = app.test_client()
    times = []
    for _ in range(WARM_UP + REQUESTS // 2):
        started = time.perf_counter()
        client.get("/kontakt")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[WARM_UP:])


def explain(app: Flask, query: dict) -> None:
    """EXPLAIN ANALYZE of every query one search sends: where the time goes."""
    with app.app_context():
        engine = db.engine
    sent: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any,  # noqa: ARG001
                 context: Any, executemany: bool) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    app.test_client().get("/praoplatser", query_string=query)
    event.remove(engine, "before_cursor_execute", remember)
    with engine.connect() as connection:
        for statement, parameters in sent:
            plan = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement,
                                              parameters).scalars()
            print("\n".join(plan), end="\n\n")


# --- throughput under concurrent load --------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url: str, port: int) -> subprocess.Popen[bytes]:
    """gunicorn with LOAD_WORKERS sync workers serving this checkout's portal."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16),
           "RATELIMIT_STORAGE_URI": "memory://", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "gunicorn", "--workers", str(LOAD_WORKERS), "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", "portal:create_app()"],
        cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped with exit code {server.returncode}")
        try:
            if get(port, PLAIN_PAGE) == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError("gunicorn did not answer within a minute")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop, workers included
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def load_with_wrk(port: int, path: str, seconds: float) -> float:
    """Requests per second that wrk measured (non-2xx answers make the run fail)."""
    wrk = shutil.which("wrk")
    assert wrk is not None
    output = subprocess.run(  # noqa: S603 (wrk from PATH, fixed arguments)
        [wrk, "--threads", "2", "--connections", str(LOAD_CONNECTIONS), "--duration",
         f"{max(1, round(seconds))}s", "--timeout", "30s", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"errors under load on {path}:\n{output}")
    match = re.search(r"Requests/sec:\s*([\d.]+)", output)
    if match is None:
        raise RuntimeError(f"wrk said nothing about requests per second:\n{output}")
    return float(match.group(1))


def load_with_threads(port: int, path: str, seconds: float) -> float:
    """LOAD_CONNECTIONS threads, each sending one request after the other until the time is
    up; requests per second over the time they took."""
    counts = [0] * LOAD_CONNECTIONS
    failures: list[str] = []
    deadline = time.monotonic() + seconds

    def client(slot: int) -> None:
        while time.monotonic() < deadline:
            status = get(port, path)
            if status != 200:
                failures.append(f"{status} from {path}")
                return
            counts[slot] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(LOAD_CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(failures[0])
    return sum(counts) / (time.monotonic() - started)


def throughput(url: str) -> tuple[float, float, str]:
    """(plain page rps, catalogue rps, tool) under concurrent load on gunicorn."""
    tool = "wrk" if shutil.which("wrk") else "threads"
    load = load_with_wrk if tool == "wrk" else load_with_threads
    port = free_port()
    server = start_gunicorn(url, port)
    try:
        results = []
        for path in (PLAIN_PAGE, CATALOGUE_PAGE):
            load(port, path, min(3.0, LOAD_SECONDS))  # every worker warm: imports, caches
            results.append(load(port, path, LOAD_SECONDS))
    finally:
        stop(server)
    return results[0], results[1], tool


def demo_database() -> tuple[str, Callable[[], None]]:
    """A throw-away database with the demo region (`flask demo seed`), and its drop."""
    url, drop = create_database("catalogue_demo")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(16),
                      "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
        if result.exit_code != 0:
            raise RuntimeError(f"demo seed failed: {result.output}")
        db.engine.dispose()
    return url, drop


def under_load(url: str, label: str, suffix: str) -> dict[str, object]:
    """Throughput of the plain page and the catalogue on this database, and their ratio."""
    plain_rps, catalogue_rps, tool = throughput(url)
    ratio = catalogue_rps / plain_rps
    verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
    print(f"{label}, gunicorn with {LOAD_WORKERS} workers, {LOAD_CONNECTIONS} connections "
          f"({tool}), {LOAD_SECONDS:.0f} s each: {PLAIN_PAGE} {plain_rps:.0f} requests/s, "
          f"{CATALOGUE_PAGE} {catalogue_rps:.0f} requests/s; ratio {ratio:.2f} (target >= "
          f"{TARGET_RATIO}: {verdict}); load average {os.getloadavg()[0]:.1f}")
    return {f"plain_rps{suffix}": round(plain_rps), f"catalogue_rps{suffix}": round(catalogue_rps),
            f"throughput_ratio{suffix}": round(ratio, 3), "load_tool": tool}


def main() -> None:
    url, drop = create_database("catalogue")
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(16),
                          "RATELIMIT_STORAGE_URI": "memory://"})
        started = time.perf_counter()
        with app.app_context():
            upgrade()
            municipality_ids = load(db.engine)
            offers = db.session.scalar(text("SELECT count(*) FROM placement_offer"))
            placements = db.session.scalar(text("SELECT count(*) FROM placement"))
            db.session.remove()
        print(f"loaded {placements} placements and {offers} offers "
              f"in {time.perf_counter() - started:.1f} s")
        # Other work on the machine shows in every figure: say how busy it was.
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        rng = random.Random(SEED)
        measure(app, searches(rng, municipality_ids, WARM_UP))
        queries = searches(rng, municipality_ids, REQUESTS)
        times, per_page, found = measure(app, queries)
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        verdict = "met" if p95 <= TARGET_P95_MS else "MISSED"
        print(f"{REQUESTS} searches with text, municipality and week: "
              f"median {p50:.1f} ms, p95 {p95:.1f} ms, max {max(times):.1f} ms "
              f"(target p95 <= {TARGET_P95_MS:.0f} ms: {verdict})")
        print(f"results per search: median {statistics.median(found):.0f}, "
              f"max {max(found)} shown; SQL queries per page: {sorted(set(per_page))}")
        floor = baseline(app)
        print(f"a plain page without queries (/kontakt) in the same run: median {floor:.1f} ms")
        if os.environ.get("CATALOGUE_BENCH_EXPLAIN"):
            explain(app, queries[max(range(len(times)), key=times.__getitem__)])
        with app.app_context():
            db.engine.dispose()
        figures = {"placements": placements, "offers": offers,
                   "queries_per_page": max(per_page), "p50_ms": round(p50, 1),
                   "p95_ms": round(p95, 1), "plain_page_p50_ms": round(floor, 1)}
        if LOAD_SECONDS > 0:
            demo_url, drop_demo = demo_database()
            try:
                figures.update(under_load(demo_url, "the demo region", ""))
            finally:
                drop_demo()
            figures.update(under_load(url, f"{placements} placements", "_50k"))
        print(json.dumps(figures))
    finally:
        drop()


if __name__ == "__main__":
    main()
