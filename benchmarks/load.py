"""Load test: the portal under many users at once, on the national data set, on PostgreSQL.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/load.py

The data set: if DATABASE_URL names a PostgreSQL database that holds the national data set
(`flask demo national`), that one is used (and left in place; the attendance reports below
write to it). Otherwise the script makes a throw-away database on the server of
BENCH_POSTGRES_URL or TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test),
migrates it, loads the national data set at LOAD_SCALE (default 1.0: 240,000 pupils) and
drops it at the end.

The server: gunicorn started by the script on a free port of 127.0.0.1, LOAD_WORKERS
(default 4, twice the cores of the 2-core reference machine) sync workers (LOAD_WORKER_CLASS
to try another), the app loaded once before the workers fork (--preload), a backlog of 2,048
connections, sign-in throttling raised, since every user comes from 127.0.0.1. A first mixed
run of LOAD_WARM_UP_RUN seconds (default 15) at 8 users warms the workers and PostgreSQL's
caches and is not counted.

The load: Locust (benchmarks/load_users.py), headless, on loopback only, every user sending
its next request as soon as the last is answered. The mix, by users: catalogue searches with a
word, a municipality and a week (3), pupils' personal pages (2: grade 8's wish form, grade
9's placement), signed-in employers' start pages (2), supervisors reporting a
day's attendance through their signed links (2: the page, then the POST), signed-in
counsellors' overviews of a period (1: start page, period, checklist, attendance) and the
council's reports (1: the country's and three municipalities', their snapshots computed
first, as the jobs command keeps them in production). First, in the same run and on
the same gunicorn, the plain page /kontakt at 32 users; then the mix at 8, 32 and 64 users.
As in production, the workers share the figures many readers share (portal/kept.py: a
county's short weeks, the offers of a prao week) through Redis, LOAD_REDIS_URL (default
redis://127.0.0.1:6379/0, its shared figures emptied first); "off", or no Redis answering
there: each worker keeps its own, as the report says.
LOAD_MIX names the users of the mix (default
Searcher,Pupil,Employer,Supervisor,Counsellor,Council; Searcher alone, say, for the catalogue
by itself; without Council the report snapshots are not computed). LOAD_CPU=1 serves the
portal through benchmarks/load_cpu.py, which records each request's CPU time in its
worker: the report then says where the workers' CPU went at 32 users, per kind of
request (cpu_ms_32).
Each level runs LOAD_SECONDS (default 30) or until LOAD_MAX_REQUESTS answers (default
20,000), whichever comes first, then stops by itself; what is answered before the last
user has signed in and in the LOAD_WARM_UP seconds (default 3) after the first answer is not
counted (sign-ins themselves never are).

Printed: p50, p95, p99 and requests per second at each level (and per kind of request at 32
users), the plain page's requests per second and the ratio of the mix's to it, and where the
machine's CPU went per answer, the plain page's beside the mix's at 32 users: gunicorn,
PostgreSQL, Locust and the rest (the kernel's work outside them; anything else running).
The last line is one JSON object: pupils, p95_ms_32, rps_32, plain_rps, ratio_32 and the
rest, among them python_loop_ms, the machine's pure-Python speed that day (a fixed loop,
timed before the server starts): machines of one kind differ by twofold, and the server's
figures with them. Targets: p95 <= 150 ms at 32 users; ratio_32 >= 0.25. The load
generator shares the machine's cores with gunicorn and PostgreSQL: on a small machine it
takes CPU from the server it measures.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout, like the tests
if os.environ.get("TEST_DATABASE_URL"):  # the throw-away database's server
    os.environ.setdefault("BENCH_POSTGRES_URL", os.environ["TEST_DATABASE_URL"])

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from throwaway import create_database

from portal import create_app
from portal.accounts.models import User, counsellor_school
from portal.demo import DEMO_PASSWORD
from portal.employers.models import Placement, PlacementOffer
from portal.extensions import db
from portal.nationaldata import DOMAIN
from portal.nationalwords import SEARCH_WORDS
from portal.prao.attendance import links
from portal.prao.days import prao_days
from portal.prao.models import Assignment
from portal.schools.models import Enrolment, Municipality, PraoPeriod, Student
from portal.schools.pupils.services import make_link_token
from portal.weeks import week_label

LEVELS = (8, 32, 64)
PLAIN_USERS = 32
SECONDS = float(os.environ.get("LOAD_SECONDS", "30"))
WARM_UP = float(os.environ.get("LOAD_WARM_UP", "3"))
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "20000"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))
WORKER_CLASS = os.environ.get("LOAD_WORKER_CLASS", "sync")
SCALE = float(os.environ.get("LOAD_SCALE", "1.0"))
TARGET_P95_MS, TARGET_RATIO = 150.0, 0.25
WARM_UP_RUN = float(os.environ.get("LOAD_WARM_UP_RUN", "15"))
SIGN_IN = "sign in"  # as load_users.py names them
SAMPLE = 400  # links, searches and logins drawn from the data set
SEED = 2027
# The users of load_users.py in the mix; LOAD_MIX=Searcher (say) measures one kind alone.
MIX = os.environ.get("LOAD_MIX",
                     "Searcher,Pupil,Employer,Supervisor,Counsellor,Council").split(",")
# LOAD_CPU=1: gunicorn serves benchmarks/load_cpu.py, which writes each request's CPU time in
# its worker; the report adds where the workers' CPU went at 32 users, per kind of request.
CPU = os.environ.get("LOAD_CPU", "") == "1"
# The workers share the figures many readers share (portal/kept.py) through this Redis, as
# production's app servers do through the sign-ins' one; "off", or none answering: each
# worker keeps its own.
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/0")


# --- the data set ----------------------------------------------------------------------------

def _app(url: str, secret: str) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret,
                       "RATELIMIT_STORAGE_URI": "memory://"})


def _holds_national_data(url: str) -> bool:
    app = _app(url, "probe")
    with app.app_context():
        try:
            return bool(db.session.scalar(select(func.count()).select_from(User).where(
                User.email == f"samordnare@{DOMAIN}")))
        except Exception:  # noqa: BLE001 - not migrated, unreachable: make a database
            return False
        finally:
            db.session.remove()
            db.engine.dispose()


def database() -> tuple[str, Callable[[], None] | None]:
    """(url, drop): the configured database if it holds the data set, else a new one."""
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith("postgresql"):
        url = make_url(configured).set(drivername="postgresql+psycopg").render_as_string(
            hide_password=False)
        if _holds_national_data(url):
            print(f"the national data set in DATABASE_URL ({make_url(url).database})")
            return url, None
    url, drop = create_database("load")
    app = _app(url, "setup")
    started = time.monotonic()
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "national", "--scale", str(SCALE)])
        db.engine.dispose()
    if result.exit_code != 0:
        drop()
        raise RuntimeError(f"flask demo national failed: {result.output}")
    print(f"generated the national data set at scale {SCALE} in "
          f"{time.monotonic() - started:.0f} s (a throw-away database)")
    return url, drop


def council_paths() -> list[str]:
    """The council's report pages (signed in as rad@nationell.praoportalen.se): the whole
    country's report for this school year and three municipalities' reports."""
    municipalities = db.session.scalars(select(Municipality.id).order_by(Municipality.id)
                                        .limit(3)).all()
    return ["/rapporter"] + [f"/rapporter?kommun={mid}" for mid in municipalities]


def _pupil_links(rng: random.Random) -> list[str]:
    """Personal pages of grade 8 (the wish form) and grade 9 (the placement), half each."""
    total = db.session.scalar(select(func.max(Enrolment.id))) or 0
    ids = rng.sample(range(1, total + 1), min(SAMPLE, total))
    enrolments = db.session.scalars(select(Enrolment).where(Enrolment.id.in_(ids))).all()
    return [f"/elev/{make_link_token(e)}" for e in enrolments]


def _searches(rng: random.Random) -> list[str]:
    """A word, the municipality of a school, a week of grade 8's coming prao."""
    places = db.session.scalars(select(Placement.municipality_id).distinct()).all()
    weeks = db.session.scalars(select(PraoPeriod.first_day).where(PraoPeriod.grade == 8)
                               .distinct()).all()
    return ["/praoplatser?" + urlencode({"q": rng.choice(SEARCH_WORDS),
                                         "kommun": rng.choice(places),
                                         "vecka": week_label(rng.choice(weeks))})
            for _ in range(SAMPLE)]


def _supervisor_links(rng: random.Random) -> list[dict[str, Any]]:
    """Signed links of supervisors for one prao day of their pupils' period."""
    offers = db.session.scalars(select(Assignment.offer_id).distinct().limit(SAMPLE * 20)).all()
    chosen = rng.sample(list(offers), min(SAMPLE, len(offers)))
    rows = db.session.execute(
        select(Assignment.offer_id, Assignment.id, Placement.supervisor_email,
               PraoPeriod.first_day, PraoPeriod.last_day)
        .join(Placement, Placement.id == Assignment.placement_id)
        .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
        .where(Assignment.offer_id.in_(chosen))).all()
    groups: dict[int, list[Any]] = {}
    for row in rows:
        groups.setdefault(row.offer_id, []).append(row)
    found = []
    for group in groups.values():
        ids = sorted(row.id for row in group)
        day = rng.choice(prao_days(group[0].first_day, group[0].last_day))
        token = links.make_token(group[0].supervisor_email, ids, day)
        found.append({"path": f"/narvaro/{token}", "assignments": ids})
    return found


def _employers(rng: random.Random) -> list[str]:
    """Employers whose organisation has pupils placed."""
    emails = db.session.scalars(
        select(User.email).join(Placement, Placement.organisation_id == User.organisation_id)
        .join(PlacementOffer, PlacementOffer.placement_id == Placement.id)
        .where(PlacementOffer.seats_taken > 0).distinct().limit(SAMPLE * 5)).all()
    return rng.sample(list(emails), min(SAMPLE, len(emails)))


def _counsellors(rng: random.Random) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(User.email, PraoPeriod.id)
        .join(counsellor_school, counsellor_school.c.user_id == User.id)
        .join(PraoPeriod, PraoPeriod.school_id == counsellor_school.c.school_id)).all()
    periods: dict[str, list[int]] = {}
    for email, period_id in rows:
        periods.setdefault(email, []).append(period_id)
    emails = rng.sample(sorted(periods), min(SAMPLE // 4, len(periods)))
    return [{"email": email, "periods": periods[email]} for email in emails]


def _report_snapshots(paths: list[str]) -> float:
    """The council's reports as production has them: computed by the jobs command, which
    keeps every scope's snapshot (this school year and the last) in the background. A
    reader never computes a stored one; left out, the first readers would each compute the
    whole school year. Each year is computed once (compute_year: every scope of it, as the
    job does), with the charts of the scopes the council reads, unless an earlier run left
    them as fresh as the job keeps them (an hour). Returns the seconds it took."""
    from portal.clock import today
    from portal.reports import snapshots
    from portal.reports.tables import Scope, school_year_of

    started = time.perf_counter()
    year = school_year_of(today())
    municipalities = [int(path.split("kommun=")[1]) if "kommun=" in path else None
                      for path in paths]
    for school_year in (year, year - 1):
        scopes = {Scope(school_year, m) for m in municipalities}
        if not all(snapshots.kept_fresh(scope) for scope in scopes):  # as the job decides
            snapshots.compute_year(school_year, scopes)
    return time.perf_counter() - started


def prepare(url: str, secret: str) -> dict[str, Any]:
    """What the users ask for, drawn from the data set, with links signed by gunicorn's key."""
    rng = random.Random(SEED)
    app = _app(url, secret)
    with app.test_request_context():
        data = {"pupils": db.session.scalar(select(func.count()).select_from(Student)),
                "password": DEMO_PASSWORD, "council": f"rad@{DOMAIN}",
                "council_paths": council_paths(), "pupil_links": _pupil_links(rng),
                "searches": _searches(rng), "supervisor_links": _supervisor_links(rng),
                "employers": _employers(rng), "counsellors": _counsellors(rng)}
        if "Council" in MIX:
            seconds = _report_snapshots(cast(list[str], data["council_paths"]))
            print(f"the council's report snapshots, as the jobs command keeps them: "
                  f"{seconds:.0f} s", flush=True)
        db.session.remove()
        db.engine.dispose()
    return data


# --- the server and the load -----------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def shared_figures_uri() -> str:
    """REDIS_URL when a Redis answers there (its keys of the shared figures emptied first,
    so the run starts as cold as without one), else ""."""
    if REDIS_URL == "off":
        return ""
    import redis

    try:
        store = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        prefix = os.environ.get("RATELIMIT_KEY_PREFIX", "praoportalen")  # gunicorn's too
        for key in store.scan_iter(f"{prefix}:kept:*"):
            store.delete(key)
    except redis.RedisError:
        return ""
    return REDIS_URL


def start_gunicorn(url: str, secret: str, port: int, cpu_dir: str | None = None,
                   shared: str = "") -> subprocess.Popen[bytes]:
    served, path = "portal:create_app()", str(ROOT)
    if cpu_dir is not None:
        served, path = "load_cpu:app", f"{ROOT}{os.pathsep}{ROOT / 'benchmarks'}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secret, "PYTHONPATH": path,
           "LOAD_CPU_DIR": cpu_dir or "",
           "RATELIMIT_STORAGE_URI": "memory://",
           "SHARED_FIGURES_URI": shared or "off",
           # Every user signs in from 127.0.0.1, each as a different account.
           "LOGIN_LIMIT_PER_IP": "100000 per minute",
           "LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute"}
    server = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class",
         WORKER_CLASS, "--preload", "--bind", f"127.0.0.1:{port}", "--backlog", "2048",
         "--timeout", "60",
         "--log-level", "warning", served], cwd=ROOT, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped with exit code {server.returncode}")
        try:
            if get(port, "/kontakt") == 200:
                return server
        except OSError:
            time.sleep(0.5)
    stop(server)
    raise RuntimeError("gunicorn did not answer within two minutes")


def get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop, workers included
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def run_locust(port: int, users: int, classes: list[str], data_file: str, seconds: float,
               log: Path) -> list[tuple[float, float, str, bool]]:
    """One level: Locust headless for `seconds` (or MAX_REQUESTS answers); the answers."""
    results = tempfile.NamedTemporaryFile(suffix=".json", delete=False)  # noqa: SIM115
    results.close()
    env = {**os.environ, "LOAD_DATA": data_file, "LOAD_RESULTS": results.name,
           "LOAD_MAX_REQUESTS": str(MAX_REQUESTS)}
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n=== {users} users: {' '.join(classes)} ===\n")
        out.flush()
        subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
            [sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "load_users.py"),
             "--headless", "--users", str(users), "--spawn-rate", str(users), "--run-time",
             f"{max(1, round(seconds))}s", "--stop-timeout", "5", "--host",
             f"http://127.0.0.1:{port}", "--only-summary", "--loglevel", "WARNING", *classes],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=seconds + 120,
            check=False)
    try:
        answers = json.loads(Path(results.name).read_text(encoding="utf-8"))
    finally:
        os.unlink(results.name)
    return [(a[0], a[1], a[2], a[3]) for a in answers]


# --- where the machine's CPU went ------------------------------------------------------------

def _ticks(pid: str) -> tuple[int, str] | None:
    """(user + system clock ticks, command line) of a process; None when it is gone."""
    try:
        stat = Path("/proc", pid, "stat").read_text().rsplit(")", 1)[1].split()
        cmdline = Path("/proc", pid, "cmdline").read_bytes().replace(b"\0", b" ").decode(
            errors="replace")
    except OSError:
        return None
    return int(stat[11]) + int(stat[12]), f"{stat[1]} {cmdline}"  # ppid, then the command


def _groups(server: int, database: str) -> dict[str, int]:
    """Clock ticks so far of gunicorn (master and workers) and of PostgreSQL (the data set's
    backends and the server's own background processes; other databases' backends not)."""
    found = {"gunicorn": 0, "postgres": 0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        read = _ticks(pid)
        if read is None:
            continue
        ticks, (ppid, _, command) = read[0], read[1].partition(" ")
        if int(pid) == server or int(ppid) == server:
            found["gunicorn"] += ticks
        elif command.startswith("postgres:") and (
                f" {database} " in command or not ("(" in command or "[local]" in command)):
            found["postgres"] += ticks
    return found


def _busy_ticks() -> int:
    """The whole machine's busy clock ticks (user, nice, system, irq, softirq) so far."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return fields[0] + fields[1] + fields[2] + fields[5] + fields[6]


def machine_share(measure: Callable[[], list[tuple[float, float, str, bool]]], server: int,
                  database: str) -> tuple[list[tuple[float, float, str, bool]], dict[str, float]]:
    """Run one level and split the machine's CPU over it into gunicorn, PostgreSQL, Locust
    (a child of this script, counted when it ends) and the rest (the kernel's work outside
    these processes, this script, anything else running): milliseconds per answer (sign-ins
    not counted as answers, their CPU is). Linux only; {} elsewhere."""
    if not Path("/proc/stat").exists():
        return measure(), {}
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    before, busy, children = _groups(server, database), _busy_ticks(), _children_ms()
    answers = measure()
    after, busy_after, locust = _groups(server, database), _busy_ticks(), _children_ms()
    count = sum(1 for a in answers if a[2] != SIGN_IN) or 1
    share = {name: (after[name] - before[name]) * tick_ms / count for name in before}
    share["locust"] = (locust - children) / count
    share["rest"] = (busy_after - busy) * tick_ms / count - sum(share.values())
    share["machine"] = (busy_after - busy) * tick_ms / count
    return answers, share


def _children_ms() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summarize(answers: list[tuple[float, float, str, bool]]) -> dict[str, Any]:
    """p50, p95, p99 and requests per second, from WARM_UP seconds after the first answer
    or the last sign-in, whichever is later (a sign-in's scrypt holds a worker)."""
    signed_in = [a[0] for a in answers if a[2] == SIGN_IN]
    answers = [a for a in answers if a[2] != SIGN_IN]
    if not answers:
        raise RuntimeError("no answers: see the Locust log")
    first = max([min(a[0] for a in answers) + WARM_UP, *signed_in])
    counted = [a for a in answers if a[0] >= first]
    if len(counted) < 20:
        raise RuntimeError(f"only {len(counted)} answers after the warm-up: a longer "
                           "LOAD_SECONDS, or see the Locust log")
    span = max(a[0] for a in counted) - min(a[0] for a in counted)
    times = sorted(a[1] for a in counted)
    by_name: dict[str, list[float]] = {}
    for answer in counted:
        by_name.setdefault(answer[2], []).append(answer[1])
    return {"requests": len(counted), "failures": sum(1 for a in counted if not a[3]),
            "p50": percentile(times, 0.5), "p95": percentile(times, 0.95),
            "p99": percentile(times, 0.99), "rps": len(counted) / span if span else 0.0,
            "by_name": {name: (len(t), percentile(sorted(t), 0.5), percentile(sorted(t), 0.95))
                        for name, t in sorted(by_name.items())}}


def python_speed_ms() -> float:
    """Milliseconds for a fixed pure-Python loop, best of three, on a quiet machine: how fast
    this machine runs Python that day. The server's figures scale with it, so runs on
    different machines (or one machine on different days) compare through it."""
    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for number in range(2_000_000):
            total += number
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    url, drop = database()
    secret = secrets.token_hex(16)
    log = Path(tempfile.gettempdir()) / f"praoportalen-load-{os.getpid()}.log"
    try:
        data = prepare(url, secret)
        classes = MIX if data["council_paths"] else [c for c in MIX if c != "Council"]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as data_file:
            json.dump(data, data_file)
        speed = python_speed_ms()
        shared = shared_figures_uri()
        port = free_port()
        cpu_dir = tempfile.mkdtemp(prefix="praoportalen-load-cpu-") if CPU else None
        server = start_gunicorn(url, secret, port, cpu_dir, shared)
        windows: dict[int, tuple[float, float]] = {}
        try:
            # Every worker warm: its connections, the templates, PostgreSQL's caches.
            run_locust(port, 8, classes, data_file.name, WARM_UP_RUN, log)
            dbname = make_url(url).database or ""
            answers, shares = machine_share(lambda: run_locust(
                port, PLAIN_USERS, ["Plain"], data_file.name, SECONDS, log), server.pid,
                dbname)
            plain = {**summarize(answers), "machine": shares}
            levels: dict[int, dict[str, Any]] = {}
            for users in LEVELS:
                started = time.time()
                answers, shares = machine_share(partial(
                    run_locust, port, users, classes, data_file.name, SECONDS, log),
                    server.pid, dbname)
                levels[users] = {**summarize(answers), "machine": shares}
                windows[users] = (started, time.time())
            cpu = cpu_per_kind(cpu_dir, windows[32]) if cpu_dir else None
        finally:
            stop(server)
            os.unlink(data_file.name)
            if cpu_dir is not None:
                shutil.rmtree(cpu_dir, ignore_errors=True)
        report(data["pupils"], plain, levels, log, speed, cpu, shared)
    finally:
        if drop is not None:
            drop()


def cpu_per_kind(cpu_dir: str, window: tuple[float, float]) -> dict[str, tuple[int, float]]:
    """(requests, CPU ms per request) per kind, from the workers' files (load_cpu.py), of
    the requests answered in the window."""
    totals: dict[str, list[float]] = {}
    for name in os.listdir(cpu_dir):
        for line in Path(cpu_dir, name).read_text(encoding="utf-8").splitlines():
            at, kind, cpu_ms, _wall_ms = line.split("\t")
            if window[0] <= float(at) <= window[1]:
                total = totals.setdefault(kind, [0, 0.0])
                total[0] += 1
                total[1] += float(cpu_ms)
    return {kind: (int(n), ms / n) for kind, (n, ms) in totals.items()}


def report_cpu(cpu: dict[str, tuple[int, float]]) -> None:
    spent = sum(n * ms for n, ms in cpu.values()) or 1.0
    answered = sum(n for n, _ms in cpu.values()) or 1
    print(f"the workers' CPU at 32 users: {spent / answered:.1f} ms per request")
    for kind, (n, ms) in sorted(cpu.items(), key=lambda item: -item[1][0] * item[1][1]):
        print(f"  {kind}: {n} requests, {ms:.1f} ms CPU each, {n * ms / spent:.0%} of it")


def report_machine(plain: dict[str, float], mix: dict[str, float]) -> None:
    """The machine's CPU per answer, the plain page's beside the mix's at 32 users: what
    the ratio is made of (the ratio is about the plain page's machine ms over the mix's)."""
    if not plain or not mix:
        return
    print("the machine's CPU per answer, plain page / mix at 32 users:")
    for name in ("gunicorn", "postgres", "locust", "rest", "machine"):
        print(f"  {name}: {plain[name]:.2f} / {mix[name]:.2f} ms")


def report(pupils: int, plain: dict[str, Any], levels: dict[int, dict[str, Any]],
           log: Path, speed: float, cpu: dict[str, tuple[int, float]] | None = None,
           shared: str = "") -> None:
    print(f"{pupils} pupils; gunicorn {WORKERS} {WORKER_CLASS} workers on 127.0.0.1; "
          f"{SECONDS:.0f} s per level (first {WARM_UP:.0f} s not counted); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; Locust's log: {log}")
    print(f"figures many readers share: {'through ' + shared if shared else 'kept per worker'}")
    print(f"this machine's Python: {speed:.0f} ms for 2 million additions in a loop "
          "(python_loop_ms; the server's figures scale with it)")
    print(f"plain page /kontakt at {PLAIN_USERS} users: {plain['rps']:.0f} requests/s, "
          f"p50 {plain['p50']:.0f} ms, p95 {plain['p95']:.0f} ms")
    for users, level in levels.items():
        print(f"mix at {users:>2} users: p50 {level['p50']:.0f} ms, p95 {level['p95']:.0f} ms, "
              f"p99 {level['p99']:.0f} ms, {level['rps']:.0f} requests/s, "
              f"{level['failures']} failed of {level['requests']}")
    for name, (count, p50, p95) in levels[32]["by_name"].items():
        print(f"  at 32 users, {name}: {count} requests, p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    report_machine(plain["machine"], levels[32]["machine"])
    ratio = levels[32]["rps"] / plain["rps"] if plain["rps"] else 0.0
    p95 = levels[32]["p95"]
    print(f"p95 at 32 users {p95:.0f} ms (target <= {TARGET_P95_MS:.0f}: "
          f"{'met' if p95 <= TARGET_P95_MS else 'MISSED'}); throughput ratio {ratio:.2f} "
          f"(target >= {TARGET_RATIO}: {'met' if ratio >= TARGET_RATIO else 'MISSED'})")
    figures: dict[str, Any] = {"pupils": pupils, "workers": WORKERS,
                               "worker_class": WORKER_CLASS, "seconds": SECONDS,
                               "plain_rps": round(plain["rps"], 1),
                               "load_average": round(os.getloadavg()[0], 1),
                               "cpus": os.cpu_count(), "python_loop_ms": round(speed, 1),
                               "shared_figures": bool(shared)}
    for users, level in levels.items():
        figures.update({f"p50_ms_{users}": round(level["p50"], 1),
                        f"p95_ms_{users}": round(level["p95"], 1),
                        f"p99_ms_{users}": round(level["p99"], 1),
                        f"rps_{users}": round(level["rps"], 1),
                        f"failures_{users}": level["failures"]})
    figures["ratio_32"] = round(ratio, 3)
    for name, shares in (("plain", plain["machine"]), ("mix_32", levels[32]["machine"])):
        figures[f"machine_ms_{name}"] = {k: round(v, 2) for k, v in shares.items()}
    if cpu is not None:
        report_cpu(cpu)
        figures["cpu_ms_32"] = {kind: round(ms, 2) for kind, (_n, ms) in sorted(cpu.items())}
    figures["targets_met"] = p95 <= TARGET_P95_MS and ratio >= TARGET_RATIO
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
