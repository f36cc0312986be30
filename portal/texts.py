"""gettext for pure modules (the pupil import's reader): they import no Flask, yet inside the
app their messages come out in the reader's language. Flask-Babel is looked up when a message
is made, not when the module is imported; without Flask the Swedish source text is returned."""

from __future__ import annotations


def gettext(message: str, **params: object) -> str:
    try:
        from flask_babel import gettext as babel_gettext
    except ImportError:  # a pure caller without Flask installed: the Swedish source
        return message % params if params else message
    return babel_gettext(message, **params)


def language() -> str:
    """The reader's language inside the app ('sv' or 'en'); Swedish without Flask."""
    try:
        from flask_babel import get_locale
    except ImportError:
        return "sv"
    locale = get_locale()  # None outside an app context
    return locale.language if locale is not None else "sv"


def mark(message: str) -> str:
    """Marks a message for extraction (pybabel -k _l); whoever shows it translates it."""
    return message
