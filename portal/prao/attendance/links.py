"""The supervisor's signed attendance link: one per supervisor and day, naming the
supervisor's address, the assignments of that morning and the day. No account is needed;
the link is the key, so it expires after a few days and is checked against the database
every time it is used (a pupil moved to another workplace drops out of it).

The timestamp comes from the portal's clock, so tests can let a link expire."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from portal import clock

LINK_SALT = "attendance-link"
LINK_MAX_AGE = 4 * 24 * 3600  # a Friday's link still works on Monday morning


class LinkError(Exception):
    """The link is broken ("invalid"), too old ("expired") or names no pupil now ("empty")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT,
                                  signer=_ClockSigner)


@dataclass(frozen=True)
class SupervisorLink:
    email: str  # lower case
    assignment_ids: tuple[int, ...]
    day: date


def make_token(email: str, assignment_ids: list[int], day: date) -> str:
    return _serializer().dumps({"e": email.lower(), "a": sorted(assignment_ids),
                                "d": day.isoformat()})


def read_token(token: str, max_age: int = LINK_MAX_AGE) -> SupervisorLink:
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise LinkError("expired") from error
    except BadSignature as error:
        raise LinkError("invalid") from error
    try:
        ids = tuple(data["a"])
        link = SupervisorLink(str(data["e"]), ids, date.fromisoformat(data["d"]))
    except (KeyError, TypeError, ValueError) as error:
        raise LinkError("invalid") from error
    if not all(isinstance(i, int) for i in ids):
        raise LinkError("invalid")
    return link


def portal_url(endpoint: str, **values: object) -> str:
    """An absolute link for an email, built without a request (the jobs run from cron):
    the portal's public address and the route's path."""
    adapter = current_app.url_map.bind("portal.invalid", script_name="/")
    return current_app.config["PORTAL_BASE_URL"] + adapter.build(endpoint, values)


def url_maker(endpoint: str, name: str) -> Callable[[object], str]:
    """portal_url for many values of one route argument (thousands of links in one job):
    the URL map is bound once."""
    adapter = current_app.url_map.bind("portal.invalid", script_name="/")
    base = current_app.config["PORTAL_BASE_URL"]
    return lambda value: base + adapter.build(endpoint, {name: value})
