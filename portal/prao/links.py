"""Signed links for people without an account: the supervisor who confirms pupils, and the
workplace of a pupil's own placement that completes the risk assessment for minors.

Each purpose has its own salt, so a link made for one purpose never opens another. A link
names what it is for (a placement, and the assignments or enrolment) and the last day it
works; the signature makes every part tamper-proof. Links are not single-use: a supervisor
may open the page again to see what was answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from portal.accounts import services as accounts

SUPERVISOR_SALT = "prao-supervisor-confirm"
OWN_RISK_SALT = "prao-own-placement-risk"
# A link keeps working for a month after the period, so the supervisor can look back.
GRACE = timedelta(days=30)


class LinkError(Exception):
    """The link is broken or tampered with ("invalid") or too old ("expired")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _load(token: str, salt: str, today: date) -> dict:
    try:
        data = _serializer(salt).loads(token)
    except BadSignature as error:
        raise LinkError("invalid") from error
    if not isinstance(data, dict) or not isinstance(data.get("x"), int):
        raise LinkError("invalid")
    if today.toordinal() > data["x"]:
        raise LinkError("expired")
    return data


@dataclass(frozen=True)
class SupervisorLink:
    placement_id: int
    assignment_ids: tuple[int, ...]


def supervisor_token(placement_id: int, assignment_ids: list[int], last_day: date) -> str:
    return _serializer(SUPERVISOR_SALT).dumps({
        "p": placement_id, "a": sorted(assignment_ids), "x": (last_day + GRACE).toordinal()})


def supervisor_url(placement_id: int, assignment_ids: list[int], last_day: date) -> str:
    return accounts.external_url("prao.supervisor", token=supervisor_token(
        placement_id, assignment_ids, last_day))


def read_supervisor_token(token: str, today: date) -> SupervisorLink:
    data = _load(token, SUPERVISOR_SALT, today)
    ids = data.get("a")
    if (not isinstance(data.get("p"), int) or not isinstance(ids, list)
            or not all(isinstance(i, int) for i in ids)):
        raise LinkError("invalid")
    return SupervisorLink(data["p"], tuple(ids))


@dataclass(frozen=True)
class OwnRiskLink:
    placement_id: int
    enrolment_id: int


def own_risk_token(placement_id: int, enrolment_id: int, last_day: date) -> str:
    return _serializer(OWN_RISK_SALT).dumps({
        "p": placement_id, "e": enrolment_id, "x": (last_day + GRACE).toordinal()})


def own_risk_url(placement_id: int, enrolment_id: int, last_day: date) -> str:
    return accounts.external_url("prao.own_risk", token=own_risk_token(
        placement_id, enrolment_id, last_day))


def read_own_risk_token(token: str, today: date) -> OwnRiskLink:
    data = _load(token, OWN_RISK_SALT, today)
    if not isinstance(data.get("p"), int) or not isinstance(data.get("e"), int):
        raise LinkError("invalid")
    return OwnRiskLink(data["p"], data["e"])
