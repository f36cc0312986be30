"""The production layout in miniature: two gunicorn app servers and two `flask jobs run`
processes, all real processes on loopback, sharing one database (PostgreSQL on the
PostgreSQL run, one SQLite file in WAL mode on the SQLite run), one Redis and one SMTP server
(aiosmtpd in this process). Every request goes through the headers a TLS-terminating
reverse proxy sets (PROXY_COUNT=1), and the processes run with PORTAL_ENV=production.

What it proves (README: Running in production):
- a session made on one server is valid on the other, and signing out on one ends it on both;
- failed logins split over both servers hit the limit at the same total as on one;
- both job runners started at the same moment do each job once (morning emails, alerts,
  checklist reminders, evaluation reminders) and the SMTP server receives every queued
  email exactly once, including emails queued by requests to either server."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import redis
from flask_migrate import upgrade
from sqlalchemy import func, select

from portal.extensions import db
from portal.feedback.models import FeedbackReminder
from portal.notifications.models import OutboxEmail, OutboxStatus
from portal.prao.models import AttendanceAlert, MorningEmail, StepReminder
from tests import factories
from tests.conftest import SMTPServer, free_port, make_app
from tests.conftest import wait_for as _wait_for
from tests.databases import create_database
from tests.feedback.support import finished
from tests.prao.attendance.support import TUESDAY, at, pupil_at
from tests.prao.attendance.support import placement as make_placement

ROOT = Path(__file__).resolve().parents[1]
SECRET = "several-servers-" + secrets.token_hex(16)
PUBLIC_HOST = "prao.region.test"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PER_ACCOUNT = 5  # the default LOGIN_LIMIT_PER_ACCOUNT: 5 per 15 minutes
PER_IP = 8

# One `flask jobs run` with the portal's clock stopped where the test says (the clock is
# module state, so it is set in the process before the command runs). Both runners wait
# for each other after start-up, so their jobs really run at the same time.
RUNNER = """
import os, sys, time
from datetime import datetime
from flask.cli import FlaskGroup
from portal import clock, create_app
import portal.feedback.reminders, portal.notifications.worker, portal.prao.attendance.daily
import portal.prao.attendance.reminders, portal.prao.services

clock.set_now(datetime.fromisoformat(sys.argv[1]))
app = create_app()
gate = sys.argv[2]
open(os.path.join(gate, str(os.getpid())), "w").close()
deadline = time.monotonic() + 60
while len(os.listdir(gate)) < int(sys.argv[3]) and time.monotonic() < deadline:
    time.sleep(0.005)
FlaskGroup(create_app=lambda: app).main(args=["jobs", "run"], prog_name="flask")
"""


# --- the cluster ---------------------------------------------------------------------

@dataclass
class Cluster:
    servers: list[int]  # the app servers' ports
    env: dict[str, str]
    tmp: Path
    app: Any  # a Flask app on the same database, for setting up and reading back rows
    smtp: SMTPServer


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, smtp_server: SMTPServer,
            redis_url: str) -> Iterator[Cluster]:
    tmp = tmp_path_factory.mktemp("servers")
    url, drop = create_database("servers", tmp)
    setup_app = make_app(url, smtp_server.port)
    with setup_app.app_context():
        upgrade()
        db.engine.dispose()
    prefix = "prao-test-" + secrets.token_hex(4)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "PORTAL_"))},
        "PYTHONPATH": str(ROOT),
        "PORTAL_ENV": "production",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "PORTAL_BASE_URL": f"https://{PUBLIC_HOST}",
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_LIMIT_PER_IP": f"{PER_IP} per minute",
        "PROXY_COUNT": "1",
    }
    processes: list[subprocess.Popen[Any]] = []
    ports = [free_port(), free_port()]
    try:
        for port in ports:
            with (tmp / f"gunicorn-{port}.log").open("w") as log:
                processes.append(subprocess.Popen(  # noqa: S603 - our interpreter and args
                    [sys.executable, "-m", "gunicorn", "--workers", "2", "--preload", "--bind",
                     f"127.0.0.1:{port}", "--log-level", "warning", "portal:create_app()"],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True))
        for port, process in zip(ports, processes, strict=True):
            _wait_for(lambda p=port: _status(p, "/logga-in") == 200, f"gunicorn on {port}",
                      process, tmp / f"gunicorn-{port}.log")
        yield Cluster(ports, env, tmp, setup_app, smtp_server)
    finally:
        for process in processes:
            # The server and its workers at once: a graceful stop waits seconds for idle
            # workers, and nothing here needs finishing.
            os.killpg(process.pid, signal.SIGKILL)
        for process in processes:
            process.wait(20)
        store = redis.Redis.from_url(redis_url)
        keys = list(store.scan_iter(match=f"*{prefix}*"))
        if keys:
            store.delete(*keys)
        store.close()
        with setup_app.app_context():
            db.engine.dispose()
        drop()


def _status(port: int, path: str) -> int:
    return Browser().go(port, path).status


# --- a browser behind the reverse proxy -----------------------------------------------

@dataclass
class Page:
    status: int
    location: str
    html: str


@dataclass
class Browser:
    """Keeps cookies and sends what the TLS-terminating proxy adds to every request; the
    cookies are Secure, which this client, speaking plain HTTP to the app, ignores as a
    proxy's upstream connection would."""

    ip: str = "203.0.113.10"
    cookies: dict[str, str] = field(default_factory=dict)

    def go(self, port: int, path: str, form: dict[str, str] | None = None) -> Page:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"X-Forwarded-For": self.ip, "X-Forwarded-Proto": "https",
                   "X-Forwarded-Host": PUBLIC_HOST,
                   "Referer": f"https://{PUBLIC_HOST}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request("POST" if form is not None else "GET", path, body, headers)
            response = connection.getresponse()
            html = response.read().decode()
            for header in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value and not morsel["expires"].startswith("Thu, 01 Jan 1970"):
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return Page(response.status, response.getheader("Location", ""), html)
        finally:
            connection.close()

    def csrf(self, port: int, path: str) -> str:
        page = self.go(port, path)
        assert page.status == 200, (path, page.status)
        match = CSRF_RE.search(page.html)
        assert match, path
        return match.group(1)

    def log_in(self, form_port: int, post_port: int, email: str, password: str) -> Page:
        token = self.csrf(form_port, "/logga-in")
        return self.go(post_port, "/logga-in",
                       {"csrf_token": token, "email": email, "password": password})


def _add(cluster: Cluster, make: Any) -> Any:
    with cluster.app.app_context():
        made = make()
        db.session.commit()
        db.session.remove()
    return made


# --- sessions ------------------------------------------------------------------------

def test_a_session_made_on_one_server_is_valid_on_the_other(cluster: Cluster):
    a, b = cluster.servers
    _add(cluster, lambda: factories.UserFactory(email="sam@region.se", name="Sam Ordnare"))
    browser = Browser(ip="203.0.113.20")
    # The form (and its CSRF token, kept in the session) from A, the post to B.
    signed_in = browser.log_in(a, b, "sam@region.se", factories.PASSWORD)
    assert signed_in.status == 302 and signed_in.location.endswith("/start")
    for port in (a, b, a):
        page = browser.go(port, "/samordnare")
        assert page.status == 200 and "Sam Ordnare" in page.html, port
    # Signing out on B (with a token from a page A showed) ends the session on A too.
    token = CSRF_RE.search(browser.go(a, "/samordnare").html)
    assert token
    old_cookies = dict(browser.cookies)
    assert browser.go(b, "/logga-ut", {"csrf_token": token.group(1)}).status == 302
    replayed = Browser(ip=browser.ip, cookies=old_cookies).go(a, "/samordnare")
    assert replayed.status == 302 and "/logga-in" in replayed.location


# --- login throttling ----------------------------------------------------------------

def _attempts_until_refused(browser: Browser, ports: list[int], email: str) -> int:
    """Failed logins, taking the servers in turn, until one is refused (429)."""
    for attempt in range(1, 3 * PER_IP):
        port = ports[attempt % len(ports)]
        page = browser.log_in(port, port, email, "fel-lösenord-" + str(attempt))
        if page.status == 429:
            return attempt
        assert page.status == 200, page.status  # the form again, with its error
    raise AssertionError("never throttled")


def test_failed_logins_per_account_count_across_both_servers(cluster: Cluster):
    a, b = cluster.servers
    _add(cluster, lambda: [factories.UserFactory(email="ett@region.se"),
                           factories.UserFactory(email="tva@region.se")])
    one = _attempts_until_refused(Browser(ip="203.0.113.31"), [a], "ett@region.se")
    both = _attempts_until_refused(Browser(ip="203.0.113.32"), [a, b], "tva@region.se")
    assert one == both == PER_ACCOUNT + 1
    # The right password is refused as well now, on either server: the limit is the account's.
    for port in (a, b):
        page = Browser(ip="203.0.113.33").log_in(port, port, "tva@region.se",
                                                  factories.PASSWORD)
        assert page.status == 429


def test_failed_logins_per_address_count_across_both_servers(cluster: Cluster):
    a, b = cluster.servers
    browser = Browser(ip="203.0.113.40")
    # A different account each time: only the per-address limit can stop these.
    for attempt in range(PER_IP):
        port = (a, b)[attempt % 2]
        assert browser.log_in(port, port, f"gissning{attempt}@region.se", "x").status == 200
    assert browser.log_in(a, a, "gissning-a@region.se", "x").status == 429
    assert browser.log_in(b, b, "gissning-b@region.se", "x").status == 429
    # Another client behind the same proxy is not affected.
    assert Browser(ip="203.0.113.41").log_in(b, b, "annan@region.se", "x").status == 200


# --- jobs and email ------------------------------------------------------------------

def _world() -> None:
    """Tuesday of the prao week: four pupils at work under two supervisors, not reported
    (morning emails, alerts to the counsellor and the guardians, checklist reminders), and
    two pupils whose prao ended the Friday before (evaluation reminder of day 3)."""
    school = factories.SchoolFactory(alert_guardians_on_absence=True)
    factories.UserFactory(role="counsellor", email="syv@skola.se", schools=[school])
    organisation = factories.OrganisationFactory()
    for n in range(4):
        place = make_placement(organisation, supervisor=f"handledare{n % 2}@bygg.se")
        pupil_at(place, school, guardian_email=f"hem{n}@hem.se")
    ended = factories.PraoPeriodFactory(school=school, grade=9, first_day=date(2027, 3, 8),
                                        last_day=date(2027, 3, 12))
    done = make_placement(organisation, supervisor="utvardera@bygg.se")
    for n in range(2):
        finished(done, school, period=ended, email=f"elev{n}@skola.se")
    for n in range(30):  # mail already waiting, for both runners to deliver
        factories.OutboxEmailFactory(recipient=f"ko{n}@exempel.se")
    factories.UserFactory(email="glomsk-a@region.se")
    factories.UserFactory(email="glomsk-b@region.se")


def _run_jobs_at_once(cluster: Cluster, moment: str, runners: int = 2) -> list[dict[str, int]]:
    gate = cluster.tmp / f"gate-{secrets.token_hex(3)}"
    gate.mkdir()
    processes = [subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", RUNNER, moment, str(gate), str(runners)], cwd=ROOT,
        env=cluster.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(runners)]
    reports = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, out + err[-3000:]
        reports.append({name: int(count) for name, count in
                        re.findall(r"(\w+) (\d+)", out.strip().splitlines()[-1])})
    return reports


def _count(cluster: Cluster, model: type) -> int:
    with cluster.app.app_context():
        number = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
    return number or 0


def test_two_job_runners_at_once_do_every_job_once_and_send_every_email_once(
        cluster: Cluster):
    a, b = cluster.servers
    cluster.smtp.mailbox.messages.clear()
    _add(cluster, _world)
    # Each server queues an email through a request (a password reset link).
    for port, email in ((a, "glomsk-a@region.se"), (b, "glomsk-b@region.se")):
        browser = Browser(ip="203.0.113.50")
        token = browser.csrf(port, "/losenord/glomt")
        assert browser.go(port, "/losenord/glomt",
                          {"csrf_token": token, "email": email}).status == 302

    reports = _run_jobs_at_once(cluster, at(TUESDAY, 10, 5).isoformat())
    total = Counter[str]()
    for report in reports:
        total.update(report)
    # Each job happened once between the two runners, as one runner alone would do it.
    assert total["morgonmejl"] == 2 == _count(cluster, MorningEmail)  # one per supervisor
    assert total["larm"] == 4 == _count(cluster, AttendanceAlert)  # one per pupil
    assert total["påminnelser"] > 0
    assert _count(cluster, StepReminder) > 0
    assert total["utvärderingar"] == 3  # two pupils and their supervisor, day 3
    assert _count(cluster, FeedbackReminder) == 4  # one per pupil and audience
    # The SMTP server received every queued email once: none lost, none twice.
    with cluster.app.app_context():
        rows = db.session.execute(select(OutboxEmail.recipient, OutboxEmail.status)).all()
        db.session.remove()
    assert {status for _, status in rows} == {OutboxStatus.SENT}
    assert total["skickade"] == len(rows) >= 30 + 2 + 2 + 4 + 3
    received = [m["X-Envelope-To"] for m in cluster.smtp.mailbox.messages]
    assert sorted(received) == sorted(recipient for recipient, _ in rows)
    assert len({m["Message-ID"] for m in cluster.smtp.mailbox.messages}) == len(rows)
    for address in ("glomsk-a@region.se", "glomsk-b@region.se", "utvardera@bygg.se",
                    "handledare0@bygg.se", "hem3@hem.se", "ko29@exempel.se"):
        assert address in received, address
