"""Language choice: Swedish unless the user chose English with the visible switch."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.support import Translations
from flask import current_app, has_request_context, session
from flask_babel import get_locale, gettext

from portal.texts import mark as _l

LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


def select_locale() -> str:
    if not has_request_context():  # the mail worker, the CLI: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if isinstance(chosen, str) and chosen in current_app.config["PORTAL_LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_language() -> str:
    """The language being written now: the reader's, or the one an email is forced into."""
    locale = get_locale()
    return locale.language if locale is not None else "sv"


# --- labels the portal wrote for someone without an account ------------------------------
# Who answered through a link is stored as a label, written in the language of whoever used
# the link ("Anders Byggare (handledare, via länk)"). Shown as stored, an English reader saw
# Swedish and a Swedish reader English. These are the labels' texts (msgids); a stored label
# that reads as one of them in any of the portal's languages is shown in the reader's.

LINK_LABELS = (
    _l("%(name)s (handledare, via länk)"),
    _l("Handledare %(email)s (länk)"),
    _l("Eleven (länk)"),
    _l("Vårdnadshavare (länk)"),
    _l("Gallrat konto"),  # portal.privacy.retention.PURGED_ACCOUNT
)
_PARAMETER = re.compile(r"%\((\w+)\)s")


def _pattern(text: str) -> re.Pattern[str]:
    parts = _PARAMETER.split(text)  # literal, name, literal, name, literal …
    return re.compile("".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+)"
                              for index, part in enumerate(parts)), re.DOTALL)


@cache
def _label_patterns(languages: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    directory = Path(__file__).parent / "translations"
    found: list[tuple[str, re.Pattern[str]]] = []
    for msgid in LINK_LABELS:
        forms = {msgid} | {Translations.load(str(directory), [language]).gettext(msgid)
                           for language in languages}
        found.extend((msgid, _pattern(form)) for form in sorted(forms))
    return tuple(found)


def shown_label(label: str) -> str:
    """A stored label in the reader's language when the portal wrote it, else as stored (a
    user's or an organisation's name)."""
    if not label:  # no label is none of the portal's (each has text of its own)
        return label
    for msgid, pattern in _label_patterns(tuple(current_app.config["PORTAL_LANGUAGES"])):
        match = pattern.fullmatch(label)
        if match is not None:
            return gettext(msgid, **match.groupdict())
    return label


def term_label(term: str) -> str:
    """A term as stored ("HT 2026", "VT 2027") in the reader's language: "Autumn 2026"."""
    kind, _space, year = term.partition(" ")
    if kind == "HT":
        return gettext("HT %(year)s", year=year)
    if kind == "VT":
        return gettext("VT %(year)s", year=year)
    return term
