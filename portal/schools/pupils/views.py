"""Pupil pages: the counsellor's enrolments and personal links, and the pupil's own page
behind a personal link (no account, no password). Thin: check, call a service, show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

import segno
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal.accounts.permissions import get_authorized, public, require
from portal.audit import audit_read
from portal.clock import today
from portal.employers.reference import sector_codes, sectors
from portal.formtools import PortalForm
from portal.i18n import current_language
from portal.matching import services as matching
from portal.prao import overview as prao_overview
from portal.privacy.retention import pupil_retention
from portal.schools import services as schools
from portal.schools.blueprint import bp
from portal.schools.classnames import class_name
from portal.schools.models import Enrolment, EnrolmentState, OwnPlacementStatus, PraoPeriod
from portal.schools.periods import Window
from portal.schools.pupils import services
from portal.schools.pupils.forms import (
    STATE_LABELS,
    EmailLinksForm,
    EnrolmentStateForm,
    LinkForm,
    OwnPlacementForm,
    TakeBackOwnForm,
    WishForm,
)
from portal.urls import page_number


def _field_error(form: object, error: schools.SchoolError) -> None:
    getattr(form, error.field).errors.append(str(error.message))


def _first_error(form: PortalForm) -> str:
    return next(str(message) for field in form for message in field.errors)


def _period(period_id: int, action: str = "period.view") -> PraoPeriod:
    return get_authorized(action, PraoPeriod, period_id)


@bp.route("/perioder/<int:period_id>/hamta-elever", methods=["POST"])
@require("enrolment.manage")
def enrol(period_id: int) -> ResponseReturnValue:
    found = _period(period_id, "enrolment.manage")
    try:
        added = schools.enrol_grade(found, current_user, today())
    except schools.SchoolError as error:
        flash(str(error.message), "danger")
    else:
        flash(ngettext("%(num)d elev lades till.", "%(num)d elever lades till.", added),
              "success")
    return redirect(url_for("schools.period", period_id=found.id))


@bp.route("/perioder/<int:period_id>/skicka-lankar", methods=["POST"])
@require("enrolment.manage")
def email_links(period_id: int) -> ResponseReturnValue:
    found = _period(period_id, "enrolment.manage")
    form = EmailLinksForm()
    if not form.validate():
        flash(_first_error(form), "danger")
        return redirect(url_for("schools.period", period_id=found.id))
    try:
        sent, unreachable = services.email_links(found, current_user, today(),
                                                 only_without_wishes=form.reminder.data == "1")
    except schools.SchoolError as error:
        flash(str(error.message), "danger")
        return redirect(url_for("schools.period", period_id=found.id))
    if sent or not unreachable:
        flash(ngettext("%(num)d e-postmeddelande ligger i utkorgen.",
                       "%(num)d e-postmeddelanden ligger i utkorgen.", sent), "success")
    if unreachable:
        flash(ngettext("%(num)d elev har ingen e-postadress och fick inget mejl. Ge eleven "
                       "länken från klasslistan.",
                       "%(num)d elever har ingen e-postadress och fick inget mejl. Ge dem "
                       "länkarna från klasslistan.", unreachable), "warning")
    return redirect(url_for("schools.period", period_id=found.id))


@bp.route("/perioder/<int:period_id>/lankar")
@require("enrolment.manage")
def class_list(period_id: int) -> ResponseReturnValue:
    """Every pupil's link and QR code to cut out, or one class's (`klass`): a printout per
    class, and a large period's page is not made for every pupil at once."""
    found = _period(period_id, "enrolment.manage")
    active = [row for row in services.overview(found) if not row.enrolment.link_revoked]
    classes = sorted({row.enrolment.student.class_name for row in active} - {""})
    wanted = class_name(request.args.get("klass", ""))  # ?klass=8c finds 8C
    if wanted in classes:
        active = [row for row in active if row.enrolment.student.class_name == wanted]
    else:
        wanted = ""
    rows = [(row, services.pupil_url(row.enrolment)) for row in active]
    audit_read("read_class_list", found, pupils=len(rows))
    codes = {row.enrolment.id: Markup(segno.make(url, error="m").svg_inline(  # noqa: S704
        scale=2, title=_("QR-kod till länken"))) for row, url in rows}
    return render_template("schools/class_list.html", period=found, rows=rows, codes=codes,
                           classes=classes, wanted=wanted)


@bp.route("/perioder/<int:period_id>/elever/<int:enrolment_id>", methods=["GET", "POST"])
@require("enrolment.manage")
def enrolment(period_id: int, enrolment_id: int) -> ResponseReturnValue:
    found = get_authorized("enrolment.manage", Enrolment, enrolment_id)
    if found.period_id != period_id:
        abort(404)
    form = EnrolmentStateForm(obj=found)
    if form.validate_on_submit():
        try:
            services.set_state(found, EnrolmentState(form.state.data), form.reason.data or "",
                               current_user)
        except schools.SchoolError as error:
            _field_error(form, error)
        else:
            flash(_("Elevens läge är sparat."), "success")
            return redirect(url_for("schools.period", period_id=period_id))
    if request.method == "GET":
        form.state.data = found.state.value
        form.reason.data = found.exempt_reason
    audit_read("read_pupil", found)
    return render_template("schools/enrolment.html", enrolment=found, form=form,
                           labels=STATE_LABELS,
                           placement_info=prao_overview.enrolment_placement(found),
                           retention=pupil_retention(found.student,
                                                     current_app.config["RETENTION_MONTHS"]))


@bp.route("/perioder/<int:period_id>/elever/<int:enrolment_id>/lank", methods=["POST"])
@require("enrolment.manage")
def enrolment_link(period_id: int, enrolment_id: int) -> ResponseReturnValue:
    found = get_authorized("enrolment.manage", Enrolment, enrolment_id)
    if found.period_id != period_id:
        abort(404)
    form = LinkForm()
    if not form.validate():
        abort(400)
    if form.action.data == "revoke":
        services.revoke_link(found, current_user)
        flash(_("Länken fungerar inte längre."), "success")
    else:
        services.reissue_link(found, current_user)
        flash(_("En ny länk är skapad. Den gamla fungerar inte längre."), "success")
    return redirect(url_for("schools.enrolment", period_id=period_id, enrolment_id=found.id))


# --- the pupil's own page ----------------------------------------------------------------

def _pupil(token: str) -> Enrolment | tuple[str, int]:
    try:
        return services.enrolment_for_token(token)
    except services.LinkError as error:
        return render_template("schools/pupil_link_problem.html", reason=error.reason), 404


@bp.route("/elev/<token>", methods=["GET", "POST"])
@public
def pupil_home(token: str) -> ResponseReturnValue:
    enrolment = _pupil(token)
    if isinstance(enrolment, tuple):
        return enrolment
    error = None
    window_click = False
    if request.method == "POST":
        form = WishForm()
        if not form.validate():
            return _render_pupil(enrolment, token, _first_error(form))
        try:
            change = services.change_wishes(enrolment, form.action.data or "",
                                            form.offer.data or 0, today())
        except schools.SchoolError as problem:
            error = str(problem.message)
            window_click = problem.field == "window"
        else:
            if change is not None:  # said in the list, where the page opens (#mina-val)
                flash(_("%(title)s är borttagen från dina val.", title=change.title)
                      if change.rank is None else
                      _("%(title)s är nu ditt val %(n)d.", title=change.title, n=change.rank),
                      "wishes")
            return redirect(url_for("schools.pupil_home", token=token,
                                    sector=request.args.get("sector", ""),
                                    q=request.args.get("q", ""),
                                    sida=request.args.get("sida", 1)) + "#mina-val")
    return _render_pupil(enrolment, token, error, window_click)


def _render_pupil(enrolment: Enrolment, token: str, error: str | None,
                  window_click: bool = False) -> ResponseReturnValue:
    """`window_click`: `error` says the wish window is not open, which the page says
    where it tells the window anyway."""
    # The search box takes 200 characters; an edited address is cut to as many.
    sector, text = request.args.get("sector", ""), request.args.get("q", "")[:200]
    if sector and sector not in sector_codes():  # an edited address: every sector, and why
        sector, error = "", error or str(_("Välj en bransch i listan."))
    results = matching.published_results(enrolment)
    prao = prao_overview.pupil_placement(enrolment, results)
    # Once placed (or with an own placement, or exempt) the page is about the pupil's prao:
    # the offers, their wish counts and the gender tip are neither shown nor read.
    choosing = enrolment.state is EnrolmentState.NEEDS_PLACEMENT and not prao.assignment
    page = services.eligible_offers(enrolment, sector=sector, text=text,
                                    page=page_number(request.args)) if choosing else None
    wishes = services.wishes_with_offers(enrolment) if choosing else []
    lang = current_language()
    sector_list = [(s.code, s.label(lang)) for s in sectors()] if choosing else []
    # An own placement's request is shown only to a pupil who is neither placed nor waiting
    # for their own workplace: for the others it is not read.
    placed = prao.assignment is not None or prao.own_pending
    own_request = None if placed else services.own_placement_request(enrolment)
    own_asked = enrolment.state is EnrolmentState.OWN_PLACEMENT and own_request is not None \
        and own_request.status is OwnPlacementStatus.PENDING
    return render_template(
        "schools/pupil_home.html", enrolment=enrolment, token=token, page=page,
        wishes=wishes, wished_ids=[w.offer_id for w in wishes], error=error, windows=Window,
        window=services.window_of(enrolment.period, today()),
        sector=sector, text=text, choosing=choosing,
        sectors=sector_list, sector_names=dict(sector_list),
        suggest=choosing and services.gender_suggestion(enrolment, wishes, today()),
        states=EnrolmentState, outcome=results[0] if results else None,
        own_request=own_request, own_statuses=OwnPlacementStatus, own_asked=own_asked,
        window_click=window_click,
        take_back=prao.assignment is None and services.may_take_back_own(enrolment, today()),
        max_wishes=services.MAX_WISHES, prao=prao, csrf=_Once(generate_csrf), **_count_texts()
    ), 400 if error else 200


class _Once:
    """The CSRF token of a page with a form per offer and per wish: made when the first
    form is shown (a page without forms sets no token), then the same text each time, as
    `csrf_token()` gives within one request."""

    def __init__(self, make: Callable[[], str]) -> None:
        self._make = make
        self._value: str | None = None

    def __html__(self) -> str:
        if self._value is None:
            self._value = self._make()
        return self._value


def _count_texts() -> dict[str, Callable[[int], Markup]]:
    """The wish form's "3 har önskat" and "2 lediga platser", as the template's `ngettext` writes
    them (the catalogue's text as markup, the number put in) without the context that
    Jinja derives for each such call inside a loop: forty of them on a page of offers."""
    ngettext = get_translations().ungettext  # by this name, the texts are found as texts

    def wished(num: int) -> Markup:
        return Markup(ngettext("%(num)d har önskat", "%(num)d har önskat",  # noqa: S704
                                num)) % {"num": num}

    def seats(num: int) -> Markup:
        return Markup(ngettext("%(num)d ledig plats", "%(num)d lediga platser",  # noqa: S704
                               num)) % {"num": num}

    return {"wished_text": wished, "seats_text": seats}


OWN_PLACEMENT_MESSAGES = {
    services.OwnPlacementOutcome.REGISTERED: (_l(
        "Bra jobbat! Din egen praoplats är registrerad. Först kontrollerar samordnaren "
        "arbetsplatsen. Sedan får din kontaktperson ett mejl om riskbedömningen, och din "
        "studie- och yrkesvägledare godkänner platsen."), "success"),
    services.OwnPlacementOutcome.REQUESTED: (_l(
        "Bra jobbat! Arbetsplatsen finns redan i Praoportalen, så vi har bett dem bekräfta "
        "din egen praoplats. Svaret syns här på din sida."), "success"),
    services.OwnPlacementOutcome.HELD: (_l(
        "Bra jobbat! Arbetsplatsen finns i Praoportalen men är inte godkänd än. När "
        "samordnaren har godkänt den ber vi dem bekräfta din egen praoplats. Svaret syns här "
        "på din sida."), "success"),
    services.OwnPlacementOutcome.ALREADY: (_l(
        "Du har redan skickat in en egen praoplats, har en plats eller är befriad från prao. "
        "Inget nytt sparades."), "info"),
}


def _no_own_placement_form(enrolment: Enrolment) -> str:
    """Why the form is not shown again: a pupil back from sending it has a request waiting."""
    asked = services.own_placement_request(enrolment)
    if asked is not None and asked.status is OwnPlacementStatus.PENDING:
        return _("Du har redan skickat in din egen praoplats. Svaret från arbetsplatsen syns "
                 "på din sida.")
    return _("Du har redan en plats eller är befriad från prao.")


@bp.route("/elev/<token>/egen-plats", methods=["GET", "POST"])
@public
def own_placement(token: str) -> ResponseReturnValue:
    enrolment = _pupil(token)
    if isinstance(enrolment, tuple):
        return enrolment
    existing = services.editable_own_placement(enrolment)
    if enrolment.state is not EnrolmentState.NEEDS_PLACEMENT and existing is None:
        flash(_no_own_placement_form(enrolment), "info")
        return redirect(url_for("schools.pupil_home", token=token))
    form = OwnPlacementForm()
    if request.method == "GET" and existing is not None:
        form.process(data=asdict(services.own_placement_data(existing)))
    if form.validate_on_submit():
        data = _own_placement_data(form)
        if _fits(form, enrolment, data):
            try:
                return _save_own_placement(enrolment, data, token,
                                           correcting=existing is not None)
            except schools.SchoolError as error:  # said beside its field
                getattr(form, error.field).errors = [str(error.message)]
    return render_template("schools/own_placement.html", form=form, token=token,
                           enrolment=enrolment, correcting=existing is not None)


def _fits(form: OwnPlacementForm, enrolment: Enrolment,
          data: services.OwnPlacementData) -> bool:
    """The organisation number is the named workplace's, and the contact's address is not
    the pupil's own or a guardian's; otherwise why, beside the field."""
    number = services.number_of_another(data)
    if number is not None:
        form.org_number.errors = [number]
    contact = services.contact_problem(enrolment, data)
    if contact is not None:
        form.contact_email.errors = [contact]
    return number is None and contact is None


def _own_placement_data(form: OwnPlacementForm) -> services.OwnPlacementData:
    return services.OwnPlacementData(
        workplace=form.workplace.data, org_number=form.org_number.data,
        address=form.address.data, postal_code=form.postal_code.data, city=form.city.data,
        contact_name=form.contact_name.data, contact_email=form.contact_email.data,
        contact_phone=form.contact_phone.data, tasks=form.tasks.data)


def _save_own_placement(enrolment: Enrolment, data: services.OwnPlacementData, token: str,
                        correcting: bool) -> ResponseReturnValue:
    if not correcting:
        message, category = OWN_PLACEMENT_MESSAGES[services.register_own_placement(enrolment,
                                                                                   data)]
        flash(str(message), category)
        return redirect(url_for("schools.pupil_home", token=token))
    try:
        services.correct_own_placement(enrolment, data)
    except schools.SchoolError as error:
        if error.field == "contact_email":
            raise  # beside the field, on the form shown again
        flash(str(error.message), "warning")
    else:
        flash(_("Uppgifterna om din praoplats är ändrade."), "success")
    return redirect(url_for("schools.pupil_home", token=token, _anchor="din-egna-plats"))


@bp.route("/elev/<token>/egen-plats/angra", methods=["POST"])
@public
def take_back_own_placement(token: str) -> ResponseReturnValue:
    """The pupil's own placement no longer counts; they choose among the offers again. A
    second click (or a second tab) finds it taken back already and says the same."""
    enrolment = _pupil(token)
    if isinstance(enrolment, tuple):
        return enrolment
    if not TakeBackOwnForm().validate():
        abort(400)
    try:
        outcome = services.take_back_own_placement(enrolment, today())
    except schools.SchoolError as error:
        flash(str(error.message), "warning")
        return redirect(url_for("schools.pupil_home", token=token))
    if outcome is services.OwnEnd.APPROVED:
        flash(_("Din studie- och yrkesvägledare har precis godkänt platsen. Hör av dig till "
                "hen om du inte ska vara där."), "warning")
    elif outcome is services.OwnEnd.ANSWERED:
        flash(_("Arbetsplatsen svarade precis. Se efter här vad som gäller nu."), "warning")
    elif enrolment.state is EnrolmentState.NEEDS_PLACEMENT:
        flash(_("Klart! Den egna praoplatsen gäller inte längre. Nu kan du välja bland "
                "praoplatserna."), "success")
    return redirect(url_for("schools.pupil_home", token=token, _anchor="mina-val"))
