"""Swedish error pages that tell the user what to do and leak nothing of the server."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

HANDLED = (400, 403, 404, 405, 413, 429, 500)


def _render(code: int, description: str | None = None) -> tuple[str, int]:
    return render_template("errors/error.html", code=code, description=description), code


def handle_http(error: HTTPException) -> tuple[str, int]:
    return _render(error.code or 500)


def handle_csrf(error: CSRFError) -> tuple[str, int]:
    return _render(400, "csrf")


def handle_unexpected(error: Exception) -> tuple[str, int]:
    log.exception("unhandled error", exc_info=error)
    return _render(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    for code in HANDLED:
        app.register_error_handler(code, handle_http)
    app.register_error_handler(InternalServerError, handle_http)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
