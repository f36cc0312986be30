"""What every template can use: the permission check, the language, the role names and the
date filters.

Dates and times follow Swedish conventions in both languages (2027-03-15, 14:05, a moment
read in Europe/Stockholm); only month and day names, where a text spells them out, are in
the reader's language ("15 mars 2027", "15 March 2027"). Every template and every text
made in Python formats a date through these functions, never through the locale's own
short formats ("3/15/27, 2:05 PM")."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from babel.dates import format_date as babel_format_date
from flask import Flask, request, url_for
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

from portal.accounts.models import Role
from portal.accounts.permissions import can
from portal.clock import local
from portal.employers.reference import sector_label
from portal.formtools import render_form_field
from portal.i18n import LANGUAGE_NAMES, current_language, shown_label
from portal.inputs import multiline

ROLE_LABELS = {
    Role.COORDINATOR: _l("Samordnare"),
    Role.COUNSELLOR: _l("Studie- och yrkesvägledare"),
    Role.EMPLOYER: _l("Arbetsgivare"),
    Role.COUNCIL: _l("Samverkansrådet"),
}


def _language_switch() -> dict[str, str]:
    """The other language and the link that switches to it, back to this same page."""
    other = "en" if current_language() == "sv" else "sv"
    target = request.full_path.rstrip("?") if request else "/"
    return {"code": other, "name": LANGUAGE_NAMES[other],
            "url": url_for("main.set_language", code=other, next=target)}


def page_url(page: int) -> str:
    """This page's address with another page number, every filter kept (repeated ones too).
    A query key that would collide with url_for's own arguments is never taken from the
    query: its options (`_external`, `_anchor` …), `endpoint`, the page number and the
    path's own values (`/matchning/3?run_id=1` keeps run 3)."""
    view_args = request.view_args or {}
    taken = {"endpoint", "sida", *view_args}
    args: dict[str, Any] = {key: values for key, values in request.args.lists()
                            if not key.startswith("_") and key not in taken}
    if request.endpoint is None:  # only a routed page has other pages
        raise RuntimeError("page_url() needs a request that matched a route")
    return url_for(request.endpoint, **view_args, **args, sida=page)


def _local(value: datetime) -> datetime:
    """A stored moment (UTC; naive ones are UTC too) as Swedish local time."""
    return local(value if value.tzinfo else value.replace(tzinfo=UTC))


def _day(value: date | datetime) -> date:
    return _local(value).date() if isinstance(value, datetime) else value


def iso_date(value: date | datetime | None) -> str:
    """2027-03-15."""
    return _day(value).isoformat() if value is not None else ""


def iso_datetime(value: datetime | None) -> str:
    """2027-03-15 14:05, in Stockholm."""
    return f"{_local(value):%Y-%m-%d %H:%M}" if value is not None else ""


def clock_time(value: time | datetime | None) -> str:
    """14:05 (24-hour clock; a moment read in Stockholm)."""
    if value is None:
        return ""
    return f"{_local(value) if isinstance(value, datetime) else value:%H:%M}"


def long_date(value: date | datetime | None, lang: str | None = None) -> str:
    """15 mars 2027 / 15 March 2027: day, month's name in the language, year."""
    if value is None:
        return ""
    return babel_format_date(_day(value), "d MMMM y", locale=lang or current_language())


def long_day(value: date | datetime | None, lang: str | None = None) -> str:
    """tisdag 16 mars / Tuesday 16 March: the day a page is about, named in full."""
    if value is None:
        return ""
    return babel_format_date(_day(value), "EEEE d MMMM", locale=lang or current_language())


def short_day(value: date | datetime | None, lang: str | None = None) -> str:
    """mån 15 mars / Mon 15 Mar: a day in a list of days."""
    if value is None:
        return ""
    return babel_format_date(_day(value), "EEE d MMM", locale=lang or current_language())


DATE_FILTERS = {"date": iso_date, "datetime": iso_datetime, "time": clock_time,
                "long_date": long_date, "long_day": long_day, "short_day": short_day}


@lru_cache(maxsize=16)
def _escaped(rows: tuple[tuple[Any, str], ...]) -> tuple[tuple[Any, str, str], ...]:
    return tuple((value, str(escape(value)), str(escape(label))) for value, label in rows)


def option_tags(rows: Iterable[tuple[Any, str]], selected: Any = None) -> Markup:
    """The <option> tags of a long select (a country's 290 municipalities), the one whose
    value equals `selected` marked: a Jinja loop with a test and two escapes per option
    was a third of the council report page's time. The rows' escaped texts are kept, since
    the same rows (kept a minute by whoever read them) come back on every page."""
    return Markup("".join(  # noqa: S704 - every value and label escaped in _escaped
        f'<option value="{value_html}"{" selected" if value == selected else ""}>'
        f"{label_html}</option>" for value, value_html, label_html in _escaped(tuple(rows))))


def _page_gettext() -> dict[str, object]:
    """`_`, `gettext` and `ngettext` for one rendering, bound to the catalogue of the
    language it is rendered in. Flask-Babel's own, installed in the environment, look up
    the locale and its catalogue on every call: a page of search results makes a hundred
    such calls. The same catalogue and the same text as Jinja's own newstyle wrapping
    (escaped, %-formatted), in one call instead of three: `_` is these, not Jinja's alias
    that looks `gettext` up again, and the catalogue is called directly, not through the
    context. Macros imported without context keep Flask-Babel's."""
    translations = get_translations()
    gettext = _newstyle_gettext(translations.ugettext)
    return {"_": gettext, "gettext": gettext,
            "ngettext": _newstyle_ngettext(translations.ungettext)}


def _formatted(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    """As Jinja's newstyle gettext: escaped when autoescaping, always %-formatted (a text
    without variables and without % is left as it is, which formatting would give too)."""
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - as Jinja's: the catalogue's own text
    return text % variables if variables or "%" in text else text


def _newstyle_gettext(func: Callable[[str], str]) -> Callable[..., str]:
    @pass_eval_context
    def gettext(__eval_ctx: EvalContext, __string: str, **variables: Any) -> str:
        return _formatted(__eval_ctx, func(__string), variables)

    return gettext


def _newstyle_ngettext(func: Callable[[str, str, int], str]) -> Callable[..., str]:
    @pass_eval_context
    def ngettext(__eval_ctx: EvalContext, __singular: str, __plural: str, __num: int,
                 **variables: Any) -> str:
        variables.setdefault("num", __num)
        return _formatted(__eval_ctx, func(__singular, __plural, __num), variables)

    return ngettext


# A phone number as Swedes write it in a free text: "0911-69 60 00", "070 000 00 00",
# "+46 70 000 00 00". Seven digits at least, so a date or a time is not one.
_PHONE = re.compile(r"(?<![\w+])(?:\+46[ -]?|0)\d{1,3}(?:[ -]?\d){5,9}(?!\w)")


def phone_links(text: str | None) -> Markup:
    """The text, escaped, with each phone number a tel: link that does not wrap: a pupil
    who is sick at 07:30 taps it instead of copying "070-" and "000 00 00" off two lines."""
    found, out, last = str(text or ""), [], 0
    for match in _PHONE.finditer(found):
        number = match.group(0)
        out += [escape(found[last:match.start()]), Markup(
            '<a class="text-nowrap" href="tel:{}">{}</a>').format(
                re.sub(r"[ -]", "", number), number)]
        last = match.end()
    out.append(escape(found[last:]))
    return Markup("").join(out)


def init_app(app: Flask) -> None:
    app.add_template_filter(phone_links)
    app.add_template_filter(multiline)  # emails: keep this value's lines
    app.add_template_filter(shown_label, "who")  # a stored "… (via länk)" in the reader's language
    app.jinja_env.filters.update(DATE_FILTERS)
    # Globals, not context: the imported form macros see globals only.
    app.jinja_env.globals.update(render_form_field=render_form_field, option_tags=option_tags)

    @app.context_processor
    def inject() -> dict[str, object]:
        # The user itself, not the proxy, which resolves it again on every attribute read.
        user = current_user._get_current_object()
        return {
            **_page_gettext(),
            "can": lambda action, obj=None: can(user, action, obj),
            "lang": current_language(),
            "language_switch": _language_switch,
            "page_url": page_url,
            "role_label": lambda role: ROLE_LABELS.get(role, role),
            "sector_label": lambda code: sector_label(code, current_language()),
        }
