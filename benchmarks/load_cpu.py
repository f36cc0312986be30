"""The portal as benchmarks/load.py serves it with LOAD_CPU=1: each request's CPU time in
its worker (time.process_time, so what the worker itself spent, not its waits for
PostgreSQL or for a core), written with its kind to one file per worker in LOAD_CPU_DIR.
load.py sums them per kind of request: where the server's CPU goes under load, which one
request at a time through the test client does not show (caches shared by four workers,
cores shared with PostgreSQL and Locust). For sync workers, which serve one request at a
time: a threaded worker's other requests would count too. Not on its own: gunicorn loads
`load_cpu:app`."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable
from typing import IO, Any

from portal import create_app

# The kinds as benchmarks/load_users.py names its requests; the counsellor's four pages apart.
KINDS = (
    ("GET", re.compile(r"/praoplatser"), "catalogue search"),
    ("GET", re.compile(r"/elev/"), "pupil page"),
    ("GET", re.compile(r"/arbetsgivare$"), "employer start page"),
    ("GET", re.compile(r"/narvaro/"), "attendance link"),
    ("POST", re.compile(r"/narvaro/"), "attendance report"),
    ("GET", re.compile(r"/syv$"), "counsellor start page"),
    ("GET", re.compile(r"/perioder/\d+/checklista$"), "counsellor checklist"),
    ("GET", re.compile(r"/perioder/\d+/narvaro$"), "counsellor attendance"),
    ("GET", re.compile(r"/perioder/\d+$"), "counsellor period"),
    ("GET", re.compile(r"/rapporter"), "council report"),
    ("GET", re.compile(r"/kontakt$"), "plain page"),
    ("GET", re.compile(r"/logga-in$"), "sign in"),
    ("POST", re.compile(r"/logga-in$"), "sign in"),
)

app = create_app()
_served = app.wsgi_app
_files: dict[int, IO[str]] = {}


def kind(method: str, path: str) -> str:
    for wanted, pattern, name in KINDS:
        if method == wanted and pattern.match(path):
            return name
    return "other"


def _out() -> IO[str]:
    # Opened by each worker on its first request: the app is loaded before they fork.
    pid = os.getpid()
    if pid not in _files:
        _files[pid] = open(  # noqa: SIM115 - open for the worker's life, one line per request
            os.path.join(os.environ["LOAD_CPU_DIR"], f"{pid}.tsv"), "a", buffering=1,
            encoding="utf-8")
    return _files[pid]


def measured(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    cpu, wall = time.process_time(), time.perf_counter()
    answer = _served(environ, start_response)
    try:
        body = b"".join(answer)
    finally:
        close = getattr(answer, "close", None)
        if close is not None:
            close()
    name = kind(environ["REQUEST_METHOD"], environ["PATH_INFO"])
    _out().write(f"{time.time():.3f}\t{name}\t{(time.process_time() - cpu) * 1000:.3f}\t"
                 f"{(time.perf_counter() - wall) * 1000:.3f}\n")
    return [body]


app.wsgi_app = measured  # type: ignore[method-assign]
