"""The one place text from a browser is read, by the rules of portal.textrules: NFKC
normalisation, and the characters no person types (control characters, bidi overrides, bytes
that are not UTF-8) refused.

Forms apply these rules per field through `portal.formtools.PortalForm`, which puts the
message beside the field. The query string is checked here, before any view runs: a view
never sees a control character in `request.args`. Undecodable bytes in a query string or a
form body become U+FFFD instead of vanishing or staying percent-encoded, so the same rules
catch them."""

from __future__ import annotations

import re
import string
from typing import IO, TYPE_CHECKING

from flask import Flask, Request, current_app, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.formparser import FormDataParser
from werkzeug.utils import cached_property

from portal.textrules import normalise, one_line, text_problem

if TYPE_CHECKING:
    from werkzeug.formparser import t_parse_result

URLENCODED = "application/x-www-form-urlencoded"


class MultiLine(str):
    """A value an email template shows with its line breaks (`{{ reason|multiline }}`)."""


def multiline(value: object) -> object:
    return MultiLine(value) if isinstance(value, str) else value


# Whitespace that one_line() would change: two in a row, any but the plain space, or at
# either end (\s and str.split() know the same whitespace).
_NOT_ONE_LINE = re.compile(r"\s\s|[^\S ]|^\s|\s$")


def email_value(value: object) -> object:
    """Jinja's `finalize` for emails: a value is one line unless marked MultiLine."""
    if isinstance(value, MultiLine) or not isinstance(value, str):
        return value
    if (type(value) is str or type(value) is Markup) and not _NOT_ONE_LINE.search(value):
        return value  # already one line: most values, thousands per batch of emails
    if isinstance(value, Markup):
        return Markup(one_line(value))  # noqa: S704 - already safe; only spaces change
    return one_line(value)


# --- the request: undecodable bytes become U+FFFD; the query string is NFKC -------------

# A run of percent escapes is decoded as one, in C. The standard library's unquote walks the
# escapes one by one in Python, 55 ms for a field of 100,000 "Ö" (and 180 ms for a body at
# MAX_CONTENT_LENGTH): a few such requests a second would keep a worker busy. A lone escape
# between other characters ("%C3x%C3x…") is looked up instead, as the standard library does.
_ESCAPES = re.compile(r"((?:%[0-9A-Fa-f][0-9A-Fa-f])+)")  # {2} is slower in re
_ONE = {f"%{a}{b}": bytes([int(a + b, 16)]).decode("utf-8", "replace")
        for a in string.hexdigits for b in string.hexdigits}


def unquote_plus(text: str) -> str:
    """urllib.parse.unquote_plus(text, errors="replace"), the same answer for every text
    (tests/test_input_rules.py): an ASCII character between two runs ends any UTF-8
    sequence in both."""
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    parts = _ESCAPES.split(text)  # text, run, text, run, …, text
    parts[1::2] = [_ONE.get(run) or bytes.fromhex(run.replace("%", "")).decode("utf-8",
                                                                                "replace")
                   for run in parts[1::2]]
    return "".join(parts)


def _decoded_pairs(raw: bytes) -> list[tuple[str, str]]:
    """urllib.parse.parse_qsl(keep_blank_values=True, errors="replace") of the bytes read
    as UTF-8 (undecodable bytes U+FFFD)."""
    pairs = []
    for field in raw.decode("utf-8", "replace").split("&"):
        if field:
            name, _, value = field.partition("=")
            pairs.append((unquote_plus(name), unquote_plus(value)))
    return pairs


class ReplacingFormDataParser(FormDataParser):
    """Werkzeug drops a whole url-encoded body when one byte is not UTF-8 (the CSRF token
    goes with it) and keeps `%FF` as the literal text "%FF". Here both become U+FFFD, which
    the form refuses beside the field it was typed in."""

    def parse(self, stream: IO[bytes], mimetype: str, content_length: int | None,
              options: dict[str, str] | None = None) -> t_parse_result:
        if mimetype != URLENCODED:
            return super().parse(stream, mimetype, content_length, options)
        # The stream is already limited to MAX_CONTENT_LENGTH, as for Werkzeug's parser.
        items = _decoded_pairs(stream.read())
        return stream, self.cls(items), self.cls()


class PortalRequest(Request):
    form_data_parser_class = ReplacingFormDataParser

    @cached_property
    def args(self) -> ImmutableMultiDict[str, str]:
        return ImmutableMultiDict([(normalise(key), normalise(value))
                                   for key, value in _decoded_pairs(self.query_string)])


# --- the query string is refused before any view reads it ------------------------------

def _form_fields(endpoint: str | None) -> frozenset[str]:
    """The query parameters the endpoint's own filter form reads (and judges beside its
    fields); see `portal.formtools.reads_query`."""
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "query_form_fields", frozenset())


def refuse_hostile_query() -> ResponseReturnValue | None:
    left_to_form = _form_fields(request.endpoint)
    for key, value in request.args.items(multi=True):
        if text_problem(key) or (key not in left_to_form and text_problem(value)):
            return render_template("errors/error.html", code=400,
                                   description="characters"), 400
    return None


def init_app(app: Flask) -> None:
    app.request_class = PortalRequest
    app.before_request(refuse_hostile_query)
