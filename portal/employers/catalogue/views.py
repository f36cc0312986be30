"""The public catalogue: search the region's praoplatser and read one, without logging in.
Importing this module also registers the upkeep of Placement.search_text (catalogue.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_number
from flask_babel import gettext as _

from portal.accounts.permissions import public
from portal.employers.blueprint import bp
from portal.employers.catalogue import services as catalogue
from portal.employers.catalogue.forms import CatalogueForm
from portal.employers.reference import features, features_mask, sectors
from portal.formtools import choices, reads_query
from portal.i18n import current_language
from portal.urls import page_number
from portal.weeks import week_label

WEEKS_TO_SUGGEST = 52


def _search_form() -> CatalogueForm:
    form = CatalogueForm(formdata=request.args)
    lang = current_language()
    form.bransch.choices = choices([("", _("Alla branscher"))]
                                   + [(s.code, s.label(lang)) for s in sectors()])
    form.kommun.choices = choices([("", _("Alla kommuner"))]
                                  + [(str(m.id), m.name) for m in catalogue.municipalities()])
    form.arskurs.choices = choices([("", _("Båda årskurserna")), ("8", _("Årskurs 8")),
                                    ("9", _("Årskurs 9"))])
    form.tillganglighet.choices = choices([(f.code, f.label(lang)) for f in features()])
    return form


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


def _page_url(form: CatalogueForm) -> Callable[[int], str]:
    """Links to other pages of the same search: every filter kept, repeated ones too, and
    nothing else (url_for would read a visitor's `_external` or `_anchor` as its own)."""
    args = {name: values for name, values in request.args.lists() if name in form}

    def url(page: int) -> str:
        return url_for("employers.catalogue_search", **args, sida=page)

    return url


@lru_cache(maxsize=8)
def _suggested_weeks(first: date, lang: str) -> tuple[tuple[str, str], ...]:
    """The coming year's weeks for the week field's list: ('11 2027', 'vecka 11, från 15
    mars'). The same all week long for everyone of a language, so made once (2 ms)."""
    mondays = [first + timedelta(weeks=n) for n in range(WEEKS_TO_SUGGEST)]
    return tuple((week_label(day), _("vecka %(week)d, från %(day)s", week=day.isocalendar()[1],
                                     day=format_date(day, "d MMMM")))
                 for day in mondays)


def _extra_filters_used(form: CatalogueForm) -> bool:
    fields = (form.bransch, form.kommun, form.vecka, form.arskurs, form.tillganglighet,
              form.lediga)
    return any(f.data for f in fields) or any(f.errors for f in fields)


@bp.route("/praoplatser")
@public
@reads_query(CatalogueForm)
def catalogue_search() -> ResponseReturnValue:
    form = _search_form()
    results = None
    if form.validate():
        page = page_number(request.args)
        results = catalogue.search(_query(form), page=page)
    return render_template(
        "employers/catalogue.html", form=form, results=results, page_url=_page_url(form),
        weeks=_suggested_weeks(catalogue.this_monday(), current_language()),
        open_filters=_extra_filters_used(form), week_label=week_label,
        count_cap=format_number(catalogue.COUNT_CAP))


@bp.route("/praoplatser/<int:placement_id>")
@public
def catalogue_placement(placement_id: int) -> ResponseReturnValue:
    placement = catalogue.public_placement(placement_id)
    if placement is None:
        abort(404)
    return render_template(
        "employers/catalogue_placement.html", placement=placement,
        features=catalogue.feature_entries(placement.features), week_label=week_label)
