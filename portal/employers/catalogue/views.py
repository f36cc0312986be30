"""The public catalogue: search the region's praoplatser and read one, without logging in.
Importing this module also registers the upkeep of Placement.search_text (catalogue.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from flask import abort, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_number, get_translations
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import Field, UnboundField

from portal import clock
from portal.accounts.permissions import public
from portal.employers.blueprint import bp
from portal.employers.catalogue import services as catalogue
from portal.employers.catalogue.forms import CatalogueForm
from portal.employers.reference import features, features_mask, sectors
from portal.formtools import SharedChoices, choices, reads_query, render_form_field
from portal.i18n import current_language
from portal.kept import Kept
from portal.urls import page_number
from portal.weeks import week_label

WEEKS_TO_SUGGEST = 52
# The address's parameters that make a search: the form's fields and the page. A link to a
# placement carries them, so that the placement's page can link back to the same results.
SEARCH_ARGS = frozenset(
    {name for name, value in vars(CatalogueForm).items() if isinstance(value, UnboundField)}
    | {"sida"})


@lru_cache(maxsize=4)
def _fixed_choices(lang: str) -> tuple[list[SelectChoice], ...]:
    """Sectors, grades and features: the same lists for every request of a language, built
    once per process (they come from files in the repository)."""
    return (SharedChoices([("", _("Alla branscher"))]
                          + [(s.code, s.label(lang)) for s in sectors()]),
            SharedChoices([("", _("Båda årskurserna")), ("8", _("Årskurs 8")),
                           ("9", _("Årskurs 9"))]),
            choices([(f.code, f.label(lang)) for f in features()]))


@lru_cache(maxsize=16)
def _municipality_choices(rows: tuple[tuple[int, str], ...], lang: str) -> SharedChoices:
    """Built once for each list of municipalities the database holds (a coordinator may add
    one at any time, so the rows are still read again: see municipality_rows)."""
    return SharedChoices([("", _("Alla kommuner"))] + [(str(id_), name) for id_, name in rows])


def _search_form() -> CatalogueForm:
    form = CatalogueForm(formdata=request.args)
    lang = current_language()
    form.bransch.choices, form.arskurs.choices, form.tillganglighet.choices = \
        _fixed_choices(lang)
    form.municipalities = catalogue.municipality_rows()
    form.kommun.choices = _municipality_choices(form.municipalities, lang)
    return form


def _search_args(args: MultiDict[str, str]) -> list[tuple[str, str]]:
    """The search's own parameters of an address, repeated ones too, and nothing else."""
    return [(name, value) for name, value in args.items(multi=True) if name in SEARCH_ARGS]


def _query(form: CatalogueForm) -> catalogue.CatalogueQuery:
    return catalogue.CatalogueQuery(
        text=form.q.data or "",
        sector=form.bransch.data or None,
        municipality_id=int(form.kommun.data) if form.kommun.data else None,
        weeks=form.weeks,
        grade=int(form.arskurs.data) if form.arskurs.data else None,
        features=features_mask(form.tillganglighet.data or []),
        free_seats_only=bool(form.lediga.data),
    )


def _placement_suffix(results: catalogue.CataloguePage | None) -> str:
    """The query string that links to placements carry: this search and its page."""
    kept = [(name, value) for name, value in _search_args(request.args) if name != "sida"]
    if results is not None and results.page > 1:
        kept.append(("sida", str(results.page)))
    return f"?{urlencode(kept)}" if kept else ""


def _page_url(form: CatalogueForm) -> Callable[[int], str]:
    """Links to other pages of the same search: every filter kept, repeated ones too, and
    nothing else (url_for would read a visitor's `_external` or `_anchor` as its own)."""
    args: dict[str, Any] = {name: values for name, values in request.args.lists()
                            if name in form}

    def url(page: int) -> str:
        return url_for("employers.catalogue_search", **args, sida=page)

    return url


@lru_cache(maxsize=8)
def _suggested_weeks(first: date, lang: str) -> Markup:
    """The coming year's weeks as the week field's list's <option>s: value '11 2027', text
    'vecka 11, från 15 mars'. The same all week long for everyone of a language, so
    written once (2 ms)."""
    mondays = [first + timedelta(weeks=n) for n in range(WEEKS_TO_SUGGEST)]
    return Markup("").join(
        Markup('<option value="{}">{}</option>').format(
            week_label(day), _("vecka %(week)d, från %(day)s", week=day.isocalendar()[1],
                               day=format_date(day, "d MMMM")))
        for day in mondays)


# The search form as HTML, by language, the coming week, the municipalities and the search:
# rendering its fields and the 52 weeks' list was a fifth of the page's own work
# (benchmarks/catalogue.py). A form with errors is not kept. Bounded: emptied when full.
_FILTERS_KEPT = 512
_filters_kept: dict[tuple[Any, ...], Markup] = {}


def _filters(form: CatalogueForm) -> Markup:
    lang, first = current_language(), catalogue.this_monday()
    key = (lang, first, form.municipalities,
           tuple(arg for arg in _search_args(request.args) if arg[0] != "sida"))
    kept = None if form.errors else _filters_kept.get(key)
    if kept is not None:
        return kept
    html = Markup(render_template(  # noqa: S704 - a template's own (escaped) output
        "employers/_catalogue_form.html", form=form, fields=_fields(form, lang),
        weeks=_suggested_weeks(first, lang), open_filters=_extra_filters_used(form)))
    if not form.errors:
        if len(_filters_kept) >= _FILTERS_KEPT:
            _filters_kept.clear()
        _filters_kept[key] = html
    return html


# Each field's HTML (render_form_field's), by language, field and its values in the address
# (and the municipalities for theirs): a search the form above has not seen shares most of
# its fields with others (the same municipality, no sector), and writing all seven was
# two fifths of such a search's work. A field with an error is not kept.
_FIELDS_KEPT = 2048
_fields_kept: dict[tuple[Any, ...], Markup] = {}


def _fields(form: CatalogueForm, lang: str) -> dict[str, Markup]:
    return {field.name: _field(field, lang, form.municipalities) for field in form}


def _field(field: Field, lang: str, municipalities: tuple[tuple[int, str], ...]) -> Markup:
    key = (lang, field.name, tuple(request.args.getlist(field.name)),
           municipalities if field.name == "kommun" else ())
    kept = None if field.errors else _fields_kept.get(key)
    if kept is not None:
        return kept
    html = render_form_field(field)
    if not field.errors:
        if len(_fields_kept) >= _FIELDS_KEPT:
            _fields_kept.clear()
        _fields_kept[key] = html
    return html


# --- the result cards -------------------------------------------------------------------
# What every card writes the same way for the same values, written once per language:
# through the template's own calls each card and offer cost a few dozen calls.

class _SectorNames(dict[str, str]):
    """Sector names by code; an unknown code is shown as itself (as sector_label does)."""

    def __missing__(self, code: str) -> str:
        return code


@lru_cache(maxsize=4)
def _sector_names(lang: str) -> _SectorNames:
    names = _SectorNames()
    for sector in sectors():
        names.setdefault(sector.code, sector.label(lang))
    return names


def _translated(text: str) -> Markup:
    """A translation as Jinja's newstyle gettext trusts it under autoescape: the catalogue's
    own text; values formatted into it with % are escaped."""
    return Markup(text)  # noqa: S704 - the translation catalogue's text, as in templates


@lru_cache(maxsize=4096)
def _offer_texts(first: date, last: date, seats_free: int, lang: str) -> tuple[Markup, Markup]:
    """An offer's weeks and free seats, as the template's gettext wrote them."""
    translations = get_translations()
    weeks = _translated(translations.gettext("vecka %(weeks)s")) % {
        "weeks": week_label(first, last)}
    if seats_free > 0:
        seats = _translated(translations.ngettext(
            "%(num)d ledig plats", "%(num)d lediga platser", seats_free)) % {"num": seats_free}
    else:
        seats = _translated(translations.gettext("fullbokad")) % {}
    return weeks, seats


def _card_helpers(lang: str) -> dict[str, Any]:
    def offer_texts(offer: catalogue.OfferCard) -> tuple[Markup, Markup]:
        return _offer_texts(offer.first_week, offer.last_week, offer.seats_free, lang)

    return {"sector_label": _sector_names(lang).__getitem__, "offer_texts": offer_texts}


def _extra_filters_used(form: CatalogueForm) -> bool:
    fields = (form.bransch, form.kommun, form.vecka, form.arskurs, form.tillganglighet,
              form.lediga)
    return any(f.data for f in fields) or any(f.errors for f in fields)


# A search's page as every visitor without an account sees it, kept as long as the offers on
# it are (SHARED_FIGURES_MAX_AGE, portal/kept.py) and shared by every process the same way:
# the catalogue is the public page most read at once (a class searching in a lesson), and
# writing the page is most of a search's work. Kept by the address, the language and the
# day (the weeks offered start from today). A signed-in reader's page names the reader; a
# page with a message to show is one reader's; neither is kept.
_pages_kept: Kept[str] = Kept(512, name="catalogue-page-1")
_LONGEST_KEPT_QUERY = 2000


def _page_for_anyone() -> bool:
    return not current_user.is_authenticated and not session.get("_flashes") \
        and len(request.query_string) <= _LONGEST_KEPT_QUERY


@bp.route("/praoplatser")
@public
@reads_query(CatalogueForm)
def catalogue_search() -> ResponseReturnValue:
    if not _page_for_anyone():
        return _catalogue_page()
    key = (request.query_string.decode("latin-1"), current_language(), clock.today())
    return _pages_kept.get(key, _catalogue_page)


def _catalogue_page() -> str:
    form = _search_form()
    results = None
    if form.validate():
        page = page_number(request.args)
        results = catalogue.search(_query(form), page=page)
    return render_template(
        "employers/catalogue.html", form=form, results=results, page_url=_page_url(form),
        search_form=_filters(form), count_cap=format_number(catalogue.COUNT_CAP),
        search_suffix=_placement_suffix(results), **_card_helpers(current_language()))


def _back_to_search(args: MultiDict[str, str]) -> str | None:
    """The results the visitor came from, when the address carries a search."""
    kept = MultiDict(_search_args(args))
    if not kept:
        return None
    values: dict[str, Any] = kept.to_dict(flat=False)
    return url_for("employers.catalogue_search", **values)


@bp.route("/praoplatser/<int:placement_id>")
@public
def catalogue_placement(placement_id: int) -> ResponseReturnValue:
    placement = catalogue.public_placement(placement_id)
    if placement is None:
        abort(404)
    return render_template(
        "employers/catalogue_placement.html", placement=placement,
        features=catalogue.feature_entries(placement.features), week_label=week_label,
        back_url=_back_to_search(request.args))
