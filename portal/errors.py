"""Swedish error pages that tell the user what to do and leak nothing of the server.

Every error page is the portal's own, in the user's language and with every security
header: the session is rolled back first (a failed statement leaves it unusable, and the
page itself reads the signed-in user), and should the page still fail to render, a plain
page of our own stands in for Werkzeug's."""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db
from portal.i18n import current_language

log = logging.getLogger(__name__)

HANDLED = (400, 403, 404, 405, 413, 429, 500)


def _discard_failed_work() -> None:
    """Nothing half-done is kept, and the page can query again."""
    try:
        db.session.rollback()
    except Exception:  # the connection itself is gone: start afresh on a new one
        log.exception("rollback before the error page failed")
        db.session.remove()


def _plain_page(code: int) -> Response:
    """The last resort when the error page cannot be rendered: no template, no database."""
    try:
        lang, title = current_language(), _("Något gick fel hos oss")
        text = _("Ett oväntat fel uppstod. Försök igen om en stund.")
    except Exception:  # the translations failed too: Swedish, the portal's own language
        log.exception("no translation for the plain error page")
        lang, title = "sv", "Något gick fel hos oss"
        text = "Ett oväntat fel uppstod. Försök igen om en stund."
    html = (f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f"<title>{escape(title)} – Praoportalen</title></head>"
            f"<body><main><h1>{escape(title)}</h1><p>{escape(text)}</p>"
            f'<p><a href="/">Praoportalen</a></p></main></body></html>')
    return Response(html, status=code, mimetype="text/html")


def _render(code: int, description: str | None = None) -> tuple[str, int] | Response:
    _discard_failed_work()
    try:
        return render_template("errors/error.html", code=code, description=description), code
    except Exception:
        log.exception("the error page for %s could not be rendered", code)
        _discard_failed_work()
        return _plain_page(code)


def handle_http(error: HTTPException) -> tuple[str, int] | Response:
    return _render(error.code or 500)


def handle_csrf(error: CSRFError) -> tuple[str, int] | Response:
    return _render(400, "csrf")


def handle_unexpected(error: Exception) -> tuple[str, int] | Response:
    log.exception("unhandled error", exc_info=error)
    return _render(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    for code in HANDLED:
        app.register_error_handler(code, handle_http)
    app.register_error_handler(InternalServerError, handle_http)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
