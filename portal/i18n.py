"""Language choice: Swedish unless the user chose English with the visible switch."""

from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_babel import get_locale

LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


def select_locale() -> str:
    if not has_request_context():  # the mail worker, the CLI: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in current_app.config["PORTAL_LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_language() -> str:
    """The language being written now: the reader's, or the one an email is forced into."""
    locale = get_locale()
    return locale.language if locale is not None else "sv"
