"""The rules for text a person typed, without Flask: NFKC normalisation, and the characters
no person types (control characters, bidi overrides, bytes that were not UTF-8) refused.
Forms (portal.formtools), the query string (portal.inputs) and the pupil import
(portal.schools.imports) all read text by these rules."""

from __future__ import annotations

import unicodedata
from enum import Enum

REPLACEMENT = "\ufffd"  # what an undecodable byte becomes
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
# Characters that reorder how text is shown (the "Trojan Source" trick): a name could look
# like another one. The marks U+200E/U+200F only hint a direction and stay allowed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class Problem(Enum):
    """Why a text is refused; the form layer turns each into a sentence."""

    LINE_BREAK = "line_break"
    CONTROL = "control"
    UNREADABLE = "unreadable"


def _problem_of(char: str, multiline: bool) -> Problem | None:
    if char == REPLACEMENT or unicodedata.category(char) == "Cs":
        return Problem.UNREADABLE
    if char in LINE_BREAKS:
        return None if multiline else Problem.LINE_BREAK
    if char == "\t":
        return None if multiline else Problem.CONTROL
    if char in BIDI_CONTROLS or unicodedata.category(char) == "Cc":
        return Problem.CONTROL
    return None


def text_problem(text: str, multiline: bool = False) -> Problem | None:
    """The first reason the text cannot be taken, or None. Newline and tab are allowed only
    in multi-line text; control characters, bidi overrides and U+FFFD never."""
    if text.isprintable() and REPLACEMENT not in text and not BIDI_CONTROLS.intersection(text):
        return None  # the common case, in C
    for char in text:
        problem = _problem_of(char, multiline)
        if problem is not None:
            return problem
    return None


def normalise(text: str, multiline: bool = False) -> str:
    """NFKC (full-width digits and letters become ASCII, ligatures are split, a no-break
    space is a space) and, in multi-line text, every line break as one newline."""
    text = unicodedata.normalize("NFKC", text)
    if multiline:
        text = text.replace("\r\n", "\n")
        text = "".join("\n" if char in LINE_BREAKS else char for char in text)
    return text


def without_refused(text: str, multiline: bool = False) -> str:
    """The text with what `text_problem` refuses taken out, to show back in the field
    beside the message (single-line: a line break becomes a space)."""
    kept = []
    for char in text:
        if _problem_of(char, multiline) is None:
            kept.append(char)
        elif char in LINE_BREAKS or char == "\t":
            kept.append(" ")
    return "".join(kept)


def one_line(text: str) -> str:
    """Any run of whitespace, line breaks included, as one space."""
    return " ".join(text.split())


def sendable_local_part(address: str) -> bool:
    """Whether an email can go to the address: the SMTP envelope carries only ASCII before
    the @ (kö@skola.se passes email_validator but not smtplib), while a domain of other
    letters (åre.se) goes out in punycode (Flask-Mail's sanitize_address)."""
    return address.rpartition("@")[0].isascii()
