"""The supervisor's signed evaluation link: names a placement, its pupils and the last day
it works. Its own salt, so a confirmation or attendance link never opens it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from portal.prao.attendance.links import portal_url
from portal.prao.links import GRACE, LinkError

EVALUATION_SALT = "feedback-supervisor-evaluation"

__all__ = ["GRACE", "EvaluationLink", "LinkError", "evaluation_token", "evaluation_url",
           "read_evaluation_token"]


@dataclass(frozen=True)
class EvaluationLink:
    placement_id: int
    assignment_ids: tuple[int, ...]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=EVALUATION_SALT)


def evaluation_token(placement_id: int, assignment_ids: list[int], last_day: date) -> str:
    return _serializer().dumps({"p": placement_id, "a": sorted(assignment_ids),
                                "x": (last_day + GRACE).toordinal()})


def evaluation_url(placement_id: int, assignment_ids: list[int], last_day: date) -> str:
    """Built without a request: the reminders are sent by the jobs command."""
    return portal_url("feedback.supervisor", token=evaluation_token(
        placement_id, assignment_ids, last_day))


def read_evaluation_token(token: str, today: date) -> EvaluationLink:
    try:
        data = _serializer().loads(token)
    except BadSignature as error:
        raise LinkError("invalid") from error
    if not isinstance(data, dict) or not isinstance(data.get("x"), int):
        raise LinkError("invalid")
    ids = data.get("a")
    if (not isinstance(data.get("p"), int) or not isinstance(ids, list)
            or not all(isinstance(i, int) for i in ids)):
        raise LinkError("invalid")
    if today.toordinal() > data["x"]:
        raise LinkError("expired")
    return EvaluationLink(data["p"], tuple(ids))
