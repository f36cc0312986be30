"""The employer's placements, their weeks and seats, next term in one action. Thin: check,
call a service, show."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from portal import clock
from portal.accounts.permissions import authorize, get_authorized, require
from portal.employers.blueprint import bp
from portal.employers.models import Placement, PlacementOffer, PlacementStatus
from portal.employers.placements import services as service
from portal.employers.placements.forms import (
    NextTermForm,
    OfferForm,
    PlacementForm,
)
from portal.employers.reference import feature_codes, features, sectors
from portal.extensions import db
from portal.formtools import choices
from portal.i18n import current_language, term_label
from portal.schools.models import Municipality, OwnPlacementRequest
from portal.schools.pupils import services as pupils
from portal.weeks import monday_of, week_label


@bp.app_template_global("week_label")
def _week_label(first: date, last: date | None = None) -> str:
    return week_label(first, last)


def _attach(form: FlaskForm, error: service.FieldProblems) -> None:
    for name, messages in error.problems.items():
        getattr(form, name).errors.extend(messages)


# --- placements --------------------------------------------------------------------

def _placement(placement_id: int, action: str) -> Placement:
    return get_authorized(action, Placement, placement_id)


def _placement_form(defaults: dict[str, object]) -> PlacementForm:
    form = PlacementForm(data=defaults)
    lang = current_language()
    form.sector.choices = choices([("", _("Välj bransch"))]
                                  + [(s.code, s.label(lang)) for s in sectors()])
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.name))
    form.municipality.choices = choices([(0, _("Välj kommun"))]
                                        + [(m.id, m.name) for m in municipalities])
    form.grades.choices = choices([(8, _("Årskurs 8")), (9, _("Årskurs 9"))])
    form.features.choices = choices([(f.code, f.label(lang)) for f in features()])
    return form


def _defaults_from(placement: Placement) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(placement, name) for name in service.TEXT_FIELDS}
    values.update(
        postal_code=placement.postal_code, municipality=placement.municipality_id or 0,
        latitude=placement.latitude, longitude=placement.longitude,
        day_start=placement.day_start, day_end=placement.day_end,
        break_start=placement.break_start, break_minutes=placement.break_minutes,
        grades=[g for g, ok in ((8, placement.accepts_grade_8), (9, placement.accepts_grade_9))
                if ok],
        features=feature_codes(placement.features),
        risk_confirmed=placement.risk_confirmed_at is not None)
    return values


@bp.route("/arbetsgivare/praoplatser/ny", methods=["GET", "POST"])
@require("placement.create")
def placement_new() -> ResponseReturnValue:
    authorize("placement.create", current_user.organisation)
    form = _placement_form(service.new_placement_defaults(current_user.organisation))
    if form.validate_on_submit():
        try:
            placement = service.create_placement(current_user.organisation, form.to_data(),
                                                 current_user, form.form_token.data or "")
        except service.FieldProblems as error:
            _attach(form, error)
        else:
            flash(_("Praoplatsen är sparad som utkast. Lägg till veckor och platser och skicka "
                    "den sedan för granskning."), "success")
            return redirect(url_for("employers.placement_detail", placement_id=placement.id))
    return render_template("employers/placement_form.html", form=form, placement=None)


def _show(placement: Placement, refused: service.Refused | None = None,
          heading: str = "") -> ResponseReturnValue:
    """The placement page; after a refused action, with the reasons at the top."""
    own = pupils.is_pupils_own(placement)
    if refused is None and own:
        # A pupil's own placement: the counsellor approves it; it is never published.
        problems = service.own_placement_problems(placement)
        heading = _("Det här behöver göras innan elevens studie- och yrkesvägledare kan "
                    "godkänna platsen")
    elif refused is None and placement.status in (PlacementStatus.DRAFT,
                                                  PlacementStatus.ARCHIVED):
        problems = service.publishable_problems(placement)
        heading = _("Det här behöver göras innan praoplatsen kan skickas för granskning")
    else:
        problems = refused.problems if refused else []
    codes = feature_codes(placement.features)
    lang = current_language()
    return render_template(
        "employers/placement_detail.html", placement=placement, problems=problems,
        problems_heading=heading, refused=refused is not None, offer_form=OfferForm(),
        features=[f.label(lang) for f in features() if f.code in codes],
        this_week=monday_of(clock.today()), pupils_contact=_pupils_contact(placement),
        pupils_own=own)


def _pupils_contact(placement: Placement) -> OwnPlacementRequest | None:
    """The contact a pupil typed, shown beside a stand-in supervisor so the organisation
    can name the right one (read only while the supervisor is still to be named)."""
    return None if placement.supervisor_named else pupils.confirmed_request(placement)


@bp.route("/arbetsgivare/praoplatser/<int:placement_id>")
def placement_detail(placement_id: int) -> ResponseReturnValue:
    return _show(_placement(placement_id, "placement.view"))


OUTCOME_MESSAGES = {
    service.SaveOutcome.SAVED: (_l("Ändringarna är sparade."), "success"),
    service.SaveOutcome.SENT_FOR_REVIEW: (_l(
        "Ändringarna är sparade. Eftersom innehållet ändrades granskar samordnaren "
        "praoplatsen igen innan den visas i katalogen."), "info"),
    service.SaveOutcome.BACK_TO_DRAFT: (_l(
        "Ändringarna är sparade, men praoplatsen är nu ett utkast eftersom något som krävs "
        "saknas. Se listan nedan."), "warning"),
}


@bp.route("/arbetsgivare/praoplatser/<int:placement_id>/andra", methods=["GET", "POST"])
def placement_edit(placement_id: int) -> ResponseReturnValue:
    placement = _placement(placement_id, "placement.edit")
    form = _placement_form(_defaults_from(placement))
    if form.validate_on_submit():
        try:
            outcome = service.update_placement(placement, form.to_data(), current_user)
        except service.FieldProblems as error:
            _attach(form, error)
        else:
            message, category = OUTCOME_MESSAGES[outcome]
            flash(str(message), category)
            return redirect(url_for("employers.placement_detail", placement_id=placement.id))
    return render_template("employers/placement_form.html", form=form, placement=placement,
                           pupils_contact=_pupils_contact(placement))


@bp.route("/arbetsgivare/praoplatser/<int:placement_id>/skicka", methods=["POST"])
def placement_submit(placement_id: int) -> ResponseReturnValue:
    placement = _placement(placement_id, "placement.edit")
    if pupils.is_pupils_own(placement):
        return _show(placement, service.Refused([_(
            "Det här är en elevs egen praoplats. Den visas inte i katalogen och skickas inte "
            "för granskning: elevens studie- och yrkesvägledare godkänner den när "
            "riskbedömningen är gjord.")]), _("Praoplatsen kan inte skickas för granskning"))
    try:
        status = service.submit_placement(placement, current_user)
    except service.Refused as refused:
        return _show(placement, refused, _("Praoplatsen kan inte skickas för granskning än"))
    if status is PlacementStatus.PUBLISHED:
        flash(_("Praoplatsen är publicerad och syns för skolorna i katalogen."), "success")
    else:
        flash(_("Praoplatsen är skickad för granskning. Du får besked med e-post när "
                "samordnaren har granskat den."), "success")
    return redirect(url_for("employers.placement_detail", placement_id=placement.id))


@bp.route("/arbetsgivare/praoplatser/<int:placement_id>/arkivera", methods=["POST"])
def placement_archive(placement_id: int) -> ResponseReturnValue:
    placement = _placement(placement_id, "placement.edit")
    try:
        service.archive_placement(placement, current_user)
    except service.Refused as refused:
        return _show(placement, refused, _("Praoplatsen kan inte arkiveras"))
    flash(_("Praoplatsen är arkiverad och visas inte längre i katalogen."), "success")
    return redirect(url_for("employers.placement_detail", placement_id=placement.id))


# --- offers: weeks and seats -------------------------------------------------------

def _offer(offer_id: int) -> PlacementOffer:
    return get_authorized("offer.edit", PlacementOffer, offer_id)


def _after_offer(placement: Placement, message: str) -> ResponseReturnValue:
    flash(message, "success")
    return redirect(url_for("employers.placement_detail", placement_id=placement.id,
                            _anchor="veckor"))


@bp.route("/arbetsgivare/praoplatser/<int:placement_id>/veckor/ny", methods=["GET", "POST"])
def offer_new(placement_id: int) -> ResponseReturnValue:
    placement = _placement(placement_id, "offer.edit")
    if pupils.is_pupils_own(placement):
        # Weeks and seats are what the catalogue offers to every school; a pupil's own
        # placement is never in it (the page has no form for them: this is a direct request).
        return _show(placement, service.Refused([_(
            "Det här är en elevs egen praoplats. Den visas inte i katalogen, så den har inga "
            "veckor och platser som skolorna kan välja: eleven är hos er under sin "
            "praoperiod.")]), _("Det går inte att lägga till veckor"))
    form = OfferForm()
    if form.validate_on_submit():
        try:
            offer = service.add_offer(placement, form.weeks.data, form.seats.data, current_user)
        except service.FieldProblems as error:
            _attach(form, error)
        except service.Refused as refused:
            form.weeks.errors.extend(refused.problems)
        else:
            return _after_offer(placement, ngettext("%(num)d plats vecka %(weeks)s är tillagd.",
                                                    "%(num)d platser vecka %(weeks)s är tillagda.",
                                                    offer.seats, weeks=week_label(
                                                        offer.first_week, offer.last_week)))
    return render_template("employers/placement_offer.html", form=form, placement=placement,
                           offer=None)


@bp.route("/arbetsgivare/veckor/<int:offer_id>/andra", methods=["GET", "POST"])
def offer_edit(offer_id: int) -> ResponseReturnValue:
    offer = _offer(offer_id)
    if service.offer_has_ended(offer):
        flash(str(service.ENDED), "info")
        return redirect(url_for("employers.placement_detail", placement_id=offer.placement_id,
                                _anchor="veckor"))
    form = OfferForm(data={"weeks": week_label(offer.first_week, offer.last_week),
                           "seats": offer.seats})
    if form.validate_on_submit():
        try:
            service.update_offer(offer, form.weeks.data, form.seats.data, current_user)
        except service.FieldProblems as error:
            _attach(form, error)
        else:
            return _after_offer(offer.placement, _("Veckorna och platserna är ändrade."))
    return render_template("employers/placement_offer.html", form=form,
                           placement=offer.placement, offer=offer)


@bp.route("/arbetsgivare/veckor/<int:offer_id>/ta-bort", methods=["POST"])
def offer_delete(offer_id: int) -> ResponseReturnValue:
    offer = _offer(offer_id)
    placement = offer.placement
    try:
        service.remove_offer(offer, current_user)
    except service.Refused as refused:
        return _show(placement, refused, _("Veckorna kan inte tas bort"))
    return _after_offer(placement, _("Veckorna är borttagna."))


# --- next term in one action -------------------------------------------------------

@bp.route("/arbetsgivare/nasta-termin", methods=["GET", "POST"])
@require("placement.copy_term")
def next_term() -> ResponseReturnValue:
    organisation = current_user.organisation
    authorize("placement.copy_term", organisation)
    form = NextTermForm()
    terms = service.copyable_terms(organisation)
    form.term.choices = choices(
        [(t, _("%(source)s till %(target)s", source=term_label(t),
               target=term_label(service.next_year_term(t)))) for t in terms])
    if form.validate_on_submit():
        try:
            result = service.copy_term(organisation, form.term.data, current_user)
        except service.FieldProblems as error:
            _attach(form, error)
        else:
            flash(" ".join(_copy_summary(result)), "success" if result.copied else "info")
            return redirect(url_for("main.start_employer"))
    return render_template("employers/placement_next_term.html", form=form, terms=terms)


def _copy_summary(result: service.CopyResult) -> list[str]:
    lines = [ngettext("%(num)d erbjudande kopierades från %(source)s till %(target)s.",
                      "%(num)d erbjudanden kopierades från %(source)s till %(target)s.",
                      result.copied, source=term_label(result.source),
                      target=term_label(result.target))]
    if result.skipped_overlap:
        lines.append(ngettext(
            "%(num)d hoppades över eftersom praoplatsen redan har platser de veckorna.",
            "%(num)d hoppades över eftersom praoplatserna redan har platser de veckorna.",
            result.skipped_overlap))
    if result.skipped_past:
        lines.append(ngettext("%(num)d hoppades över eftersom veckan redan har varit.",
                              "%(num)d hoppades över eftersom veckorna redan har varit.",
                              result.skipped_past))
    if result.restored:
        lines.append(ngettext(
            "%(num)d arkiverad praoplats är tillbaka som utkast: kontrollera den och skicka "
            "den för granskning.",
            "%(num)d arkiverade praoplatser är tillbaka som utkast: kontrollera dem och skicka "
            "dem för granskning.", result.restored))
    return lines
