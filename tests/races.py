"""Requests at the same moment, as a double click or two people at once send them: real
threads, each request in its own app context with its own database connection, against an
app whose commits are real (the `separate_app` fixture)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from portal.extensions import db
from tests.conftest import CSRF_RE, login, new_client

TIMEOUT = 60


def needs_concurrent_writers(app: Flask) -> None:
    """Skip on a SQLite database that cannot take concurrent writers: without WAL,
    a second writer fails with "database is locked" before any rule of ours is reached."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            return
        with db.engine.connect() as connection:
            mode = connection.execute(text("PRAGMA journal_mode")).scalar()
        db.engine.dispose()
    assert mode == "wal", "SQLite without WAL cannot take concurrent writers"


@dataclass(frozen=True)
class Browser:
    """One browser's cookies and CSRF token: every copy of it is the same user's tab."""

    app: Flask
    cookie: str | None
    csrf: str

    def copy(self) -> FlaskClient:
        client = new_client(self.app)
        if self.cookie is not None:
            client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], self.cookie)
        return client


def browser(app: Flask, email: str | None = None, page: str = "/logga-in") -> Browser:
    """A browser that has opened `page` (signed in as `email` first, when given)."""
    client = new_client(app)
    if email is not None:
        assert login(client, email).status_code == 302
    html = client.get(page, follow_redirects=True).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no form with a CSRF token on {page}"
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return Browser(app, cookie.value if cookie else None, match.group(1))


@dataclass(frozen=True)
class Answer:
    status: int
    page: str  # the page the user ends on (redirects followed)


def post_at_once(tab: Browser, url: str, data: dict[str, Any], times: int = 4) -> list[Answer]:
    """The same form posted `times` times at the same moment from copies of one browser."""
    answers: list[Answer] = []
    barrier = threading.Barrier(times)

    def send() -> None:
        client = tab.copy()
        barrier.wait()
        try:
            first = client.post(url, data={"csrf_token": tab.csrf, **data})
            last = client.get(first.headers["Location"]) if first.status_code == 302 else first
            answers.append(Answer(first.status_code, last.get_data(as_text=True)))
        except Exception as error:  # TESTING re-raises what a user would see as a 500
            answers.append(Answer(500, repr(error)))

    run_threads([send] * times)
    return answers


def run_threads(work: list[Callable[[], None]]) -> None:
    threads = [threading.Thread(target=w) for w in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a request never finished"
