"""The users of the load test (benchmarks/load.py runs Locust with this file; not on its own).

Reads what to ask for from the JSON file in LOAD_DATA (made by load.py from the database:
pupils' personal links, supervisors' signed attendance links, employer and counsellor logins
with their periods, catalogue searches). Every user sends its next request as soon as the
last one is answered (no think time): N users are N requests in flight. Each answer's time
goes to the file in LOAD_RESULTS when Locust stops (load.py leaves the sign-ins out, and
counts from the moment the last user has signed in). After about LOAD_MAX_REQUESTS answers
the run stops by itself.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from typing import Any

import gevent
from locust import FastHttpUser, constant, events, task

with open(os.environ["LOAD_DATA"], encoding="utf-8") as data_file:
    DATA: dict[str, Any] = json.load(data_file)
RESULTS = os.environ["LOAD_RESULTS"]
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "100000"))
PASSWORD = DATA["password"]
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                  r'name="csrf_token" value="([^"]+)"')
SIGN_IN = "sign in"

answers: list[tuple[float, float, str, bool]] = []


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, response_length: int,
            exception: Exception | None = None, **_kw: Any) -> None:
    answers.append((time.time(), response_time, name, exception is None))
    if name != SIGN_IN and len(answers) == MAX_REQUESTS:
        runner = _environment.get("runner")
        if runner is not None:
            gevent.spawn(runner.quit)


_environment: dict[str, Any] = {}


@events.init.add_listener
def _remember(environment: Any, **_kw: Any) -> None:
    _environment["runner"] = environment.runner


@events.quitting.add_listener
def _save(environment: Any, **_kw: Any) -> None:
    with open(RESULTS, "w", encoding="utf-8") as out:
        json.dump(answers, out)


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    if match is None:
        raise RuntimeError("no csrf_token on the page")
    return match.group(1) or match.group(2)


class Portal(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def sign_in(self, email: str) -> None:
        page = self.client.get("/logga-in", name=SIGN_IN)
        with self.client.post("/logga-in", data={
                "csrf_token": _csrf(page.text or ""), "email": email, "password": PASSWORD},
                name=SIGN_IN, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in as {email}: {answer.status_code}")


class Searcher(Portal):
    """A pupil (or anyone) searching the public catalogue."""

    weight = 3

    @task
    def search(self) -> None:
        self.client.get(random.choice(DATA["searches"]), name="catalogue search")


class Pupil(Portal):
    """A pupil opening the personal page (grade 8: the wish form; grade 9: the placement)."""

    weight = 2

    @task
    def own_page(self) -> None:
        self.client.get(random.choice(DATA["pupil_links"]), name="pupil page")


class Employer(Portal):
    """A signed-in employer's start page."""

    weight = 2

    def on_start(self) -> None:
        self.sign_in(random.choice(DATA["employers"]))

    @task
    def start_page(self) -> None:
        self.client.get("/arbetsgivare", name="employer start page")


class Supervisor(Portal):
    """A supervisor reports a day's attendance through the signed link: the page, then
    the form (every pupil present, 08:00–14:30, 30 minutes' break)."""

    weight = 2

    @task
    def report(self) -> None:
        link = random.choice(DATA["supervisor_links"])
        page = self.client.get(link["path"], name="attendance link")
        form = {"csrf_token": _csrf(page.text or "")}
        for index, assignment in enumerate(link["assignments"]):
            form.update({f"pupils-{index}-assignment": str(assignment),
                         f"pupils-{index}-status": "present",
                         f"pupils-{index}-start": "08:00", f"pupils-{index}-end": "14:30",
                         f"pupils-{index}-break_minutes": "30"})
        with self.client.post(link["path"], data=form, name="attendance report",
                              allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 302:
                answer.failure(f"attendance report: {answer.status_code}")


class Counsellor(Portal):
    """A counsellor's overviews of one of the school's periods."""

    weight = 1

    def on_start(self) -> None:
        self.school = random.choice(DATA["counsellors"])
        self.sign_in(self.school["email"])

    @task
    def overview(self) -> None:
        period = random.choice(self.school["periods"])
        path = random.choice(["/syv", f"/perioder/{period}", f"/perioder/{period}/checklista",
                              f"/perioder/{period}/narvaro"])
        self.client.get(path, name="counsellor overview")


class Council(Portal):
    """A council member reading the reports (DATA["council_paths"], from load.py's
    council_paths()). load.py leaves this user out when there are none."""

    weight = 1

    def on_start(self) -> None:
        self.sign_in(DATA["council"])

    @task
    def report(self) -> None:
        self.client.get(random.choice(DATA["council_paths"]), name="council report")


class Plain(Portal):
    """The plain page the mix is compared with: /kontakt, a template and no query."""

    @task
    def plain(self) -> None:
        self.client.get("/kontakt", name="plain page")
