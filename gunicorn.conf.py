"""gunicorn's settings for Praoportalen, read from the directory gunicorn starts in (the
checkout); the command line adds the rest (workers, bind). See README, *Running in production*.

The app is loaded once, before the workers fork, and everything it built then is moved out
of the garbage collector's reach (gc.freeze): the workers share those pages of memory instead
of copying them when the collector touches them, and each collection walks only what a
request made. A worker collects its youngest objects after 50,000 new ones instead of 700:
a page of ORM rows makes thousands, and most die with the request. When this came in, the
load test (benchmarks/load.py) went from 89–97 to 99–107 requests/s at 32 users
(benchmarks/HISTORY.md, 28 November 2026, evening)."""

from __future__ import annotations

import gc
from typing import Any

preload_app = True


def pre_fork(_server: Any, _worker: Any) -> None:
    gc.freeze()


def post_fork(_server: Any, _worker: Any) -> None:
    gc.set_threshold(50_000, 20, 20)
