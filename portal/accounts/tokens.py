"""Signed, expiring links (itsdangerous). A link names a user and that user's session token,
so it stops working as soon as the password is set or changed: every link works once."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.accounts.models import User
from portal.extensions import db

RESET_SALT = "password-reset"
INVITATION_SALT = "invitation"
VERIFY_EMAIL_SALT = "verify-email"


class TokenError(Exception):
    """The link is broken, expired or already used; `reason` is one of those words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_token(user: User, salt: str) -> str:
    return _serializer(salt).dumps({"u": user.id, "t": user.session_token})


def read_token(token: str, salt: str, max_age: int) -> User:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid") from exc
    if not isinstance(data, dict):
        raise TokenError("invalid")
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active:
        raise TokenError("invalid")
    if user.session_token != data.get("t"):
        raise TokenError("used")
    return user
