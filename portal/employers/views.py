"""Employer registration and verification, join requests, the organisation page, and the
coordinator's review queue and settings."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.accounts.permissions import get_authorized, public, require
from portal.accounts.services import AccountError, normalize_email
from portal.audit import audit_read
from portal.concurrency import AlreadyDecided
from portal.employers import review, services
from portal.employers.blueprint import bp
from portal.employers.forms import (
    DecisionForm,
    JoinDecisionForm,
    OrganisationForm,
    RegistrationForm,
    SettingsForm,
)
from portal.employers.models import (
    JoinRequest,
    Organisation,
    OrganisationStatus,
    Placement,
    PlacementStatus,
)
from portal.employers.placements.services import publishable_problems
from portal.employers.reference import sectors
from portal.extensions import db, limiter
from portal.formtools import choices
from portal.i18n import current_language
from portal.schools.models import Municipality, OwnPlacementRequest
from portal.schools.pupils import services as pupils


def _decided_elsewhere() -> None:
    """What the request that lost a race to decide is told (a second person, a double click)."""
    flash(_("Beslutet fattades nyss av någon annan – inget ändrades."), "warning")


@bp.route("/organisationer/<int:organisation_id>")
def organisation(organisation_id: int) -> ResponseReturnValue:
    organisation = get_authorized("organisation.view", Organisation, organisation_id)
    return render_template("employers/organisation.html", organisation=organisation)


def _organisation_form(organisation: Organisation) -> OrganisationForm:
    form = OrganisationForm(data=None if request.method == "POST" else {
        "organisation_name": organisation.name, "sector": organisation.sector,
        "visiting_address": organisation.visiting_address,
        "postal_code": organisation.postal_code, "city": organisation.city,
        "municipality": organisation.municipality_id or 0,
        "contact_name": organisation.contact_name, "contact_email": organisation.contact_email,
        "contact_phone": organisation.contact_phone})
    _place_choices(form)
    return form


def _details(form: OrganisationForm) -> services.OrganisationDetails:
    return services.OrganisationDetails(
        name=form.organisation_name.data, sector=form.sector.data,
        visiting_address=form.visiting_address.data, postal_code=form.postal_code.data,
        city=form.city.data, municipality_id=form.municipality.data,
        contact_name=form.contact_name.data, contact_email=form.contact_email.data,
        contact_phone=form.contact_phone.data)


@bp.route("/organisationer/<int:organisation_id>/andra", methods=["GET", "POST"])
@require("organisation.edit")
def edit_organisation(organisation_id: int) -> ResponseReturnValue:
    organisation = get_authorized("organisation.edit", Organisation, organisation_id)
    form = _organisation_form(organisation)
    if form.validate_on_submit():
        resubmit = bool(form.resubmit.data)
        resubmitted = services.update_organisation(
            current_user, organisation.id, _details(form), resubmit=resubmit)
        if resubmitted:
            flash(_("Organisationen är skickad till samordnaren för granskning igen. Du får ett "
                    "mejl när den är granskad."), "success")
        elif resubmit and organisation.status is OrganisationStatus.PENDING:
            flash(_("Uppgifterna är sparade. Organisationen väntar redan på granskning."), "info")
        else:
            flash(_("Uppgifterna är sparade."), "success")
        return redirect(url_for("employers.organisation", organisation_id=organisation.id))
    return render_template("employers/organisation_form.html", organisation=organisation,
                           form=form)


def _place_choices(form: RegistrationForm | OrganisationForm) -> None:
    lang = current_language()
    form.sector.choices = choices([("", _("Välj bransch"))]
                                  + [(s.code, s.label(lang)) for s in sectors()])
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.name))
    form.municipality.choices = choices([("", _("Välj kommun"))]
                                        + [(m.id, m.name) for m in municipalities])


def _registration_form() -> RegistrationForm:
    form = RegistrationForm()
    lang = current_language()
    _place_choices(form)
    if not form.is_submitted():  # emails in the language the page is read in, unless changed
        form.language.data = lang
    return form


def _registration_data(form: RegistrationForm) -> services.Registration:
    return services.Registration(
        organisation_name=form.organisation_name.data, org_number=form.org_number.data,
        sector=form.sector.data, visiting_address=form.visiting_address.data,
        postal_code=form.postal_code.data, city=form.city.data,
        municipality_id=form.municipality.data, contact_name=form.contact_name.data,
        email=form.email.data, phone=form.phone.data, password=form.password.data,
        language=form.language.data)


def _registration_address() -> str:
    return "register-address:" + normalize_email(request.form.get("email", ""))


@bp.route("/arbetsgivare/registrera", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_LIMIT_PER_ADDRESS"], methods=["POST"],
               key_func=_registration_address, deduct_when=lambda r: r.status_code == 302)
@public
def register() -> ResponseReturnValue:
    form = _registration_form()
    if form.validate_on_submit():
        try:
            outcome = services.register(_registration_data(form), request.remote_addr or "")
        except AccountError as error:
            getattr(form, error.field).errors.append(str(error.message))
        else:
            return redirect(url_for("employers.registered", typ=outcome.value))
    return render_template("employers/register.html", form=form)


@bp.route("/arbetsgivare/registrera/klart")
@public
def registered() -> ResponseReturnValue:
    joined = request.args.get("typ") == services.RegistrationOutcome.JOIN_REQUESTED.value
    return render_template("employers/registered.html", joined=joined)


@bp.route("/arbetsgivare/bekrafta/<token>")
@public
def verify_email(token: str) -> ResponseReturnValue:
    user, problem = accounts.token_user_or_none(token)
    if user is None:
        return render_template("accounts/link_problem.html", reason=problem,
                               purpose="verify"), 400
    flash(_("Tack! Din e-postadress är bekräftad. Nu kan du logga in."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/arbetsgivare/forfragningar")
@require("join.list")
def join_requests() -> ResponseReturnValue:
    if current_user.role is Role.COORDINATOR:
        requests = services.join_requests_for(None)
    elif current_user.organisation is not None and current_user.organisation.approved:
        requests = services.join_requests_for(current_user.organisation_id)
    else:
        # Waiting to join, or an organisation not approved yet: the coordinator decides.
        requests = []
    return render_template("employers/join_requests.html", requests=requests,
                           form=JoinDecisionForm())


@bp.route("/arbetsgivare/forfragningar/<int:join_id>", methods=["POST"])
@require("join.decide")
def decide_join(join_id: int) -> ResponseReturnValue:
    join = get_authorized("join.decide", JoinRequest, join_id)
    form = JoinDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.decide_join(join, current_user, approve=form.decision.data == "approve")
    except AlreadyDecided:
        _decided_elsewhere()
    else:
        flash(_("%(name)s är nu med i organisationen.", name=join.user.name)
              if form.decision.data == "approve"
              else _("Förfrågan från %(name)s är avslagen.", name=join.user.name), "success")
    back = "employers.review_queue" if current_user.role is Role.COORDINATOR \
        else "employers.join_requests"
    return redirect(url_for(back))


@bp.route("/arbetsgivare/egna-praoplatser")
@require("own_request.decide")
def own_placement_requests() -> ResponseReturnValue:
    requests = (pupils.own_placement_requests(current_user.organisation_id)
                if current_user.organisation_id is not None else [])
    audit_read("read_own_placement_requests", current_user.organisation,
               pupils=len(requests))
    return render_template("employers/own_placement_requests.html", requests=requests,
                           form=JoinDecisionForm())


@bp.route("/arbetsgivare/egna-praoplatser/<int:request_id>", methods=["POST"])
@require("own_request.decide")
def decide_own_placement(request_id: int) -> ResponseReturnValue:
    own = get_authorized("own_request.decide", OwnPlacementRequest, request_id)
    form = JoinDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    confirm = form.decision.data == "approve"
    try:
        placement = pupils.decide_own_placement(own, current_user, confirm)
    except AlreadyDecided:
        _decided_elsewhere()
        return redirect(url_for("employers.own_placement_requests"))
    if placement is None:
        flash(_("Ni har avböjt. Eleven får veta det på sin sida."), "success")
        return redirect(url_for("employers.own_placement_requests"))
    # On to the placement: its supervisor is still to be named, and its risk assessment.
    flash(_("Tack! Praoplatsen finns nu bland era utkast. Ange elevens handledare och fyll i "
            "riskbedömningen innan praon börjar."), "success")
    return redirect(url_for("employers.placement_detail", placement_id=placement.id))


@bp.route("/samordnare/granskning")
@require("review.queue")
def review_queue() -> ResponseReturnValue:
    return render_template("employers/review_queue.html", queue=review.queue(),
                           join_form=JoinDecisionForm())


@bp.route("/samordnare/organisationer/<int:organisation_id>/granska", methods=["GET", "POST"])
@require("review.decide")
def review_organisation(organisation_id: int) -> ResponseReturnValue:
    organisation = get_authorized("review.decide", Organisation, organisation_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            review.decide_organisation(organisation, current_user,
                                       form.decision.data == "approve", form.reason.data or "")
        except AlreadyDecided:
            _decided_elsewhere()
        else:
            flash(_("Beslutet om %(name)s är sparat och skickas med e-post.",
                    name=organisation.name), "success")
        return redirect(url_for("employers.review_queue"))
    return render_template("employers/review_organisation.html", organisation=organisation,
                           form=form, members=services.organisation_members(organisation),
                           own_origins=review.own_origins([organisation.id]).get(
                               organisation.id, []))


@bp.route("/samordnare/praoplatser/<int:placement_id>/granska", methods=["GET", "POST"])
@require("review.decide")
def review_placement(placement_id: int) -> ResponseReturnValue:
    placement = get_authorized("review.decide", Placement, placement_id)
    form = DecisionForm()
    if form.validate_on_submit():
        approve = form.decision.data == "approve"
        problems = publishable_problems(placement) if approve else []
        if problems:
            form.decision.errors.extend(str(p) for p in problems)
        else:
            try:
                review.decide_placement(placement, current_user, approve,
                                        form.reason.data or "")
            except AlreadyDecided:
                _decided_elsewhere()
            else:
                flash(_("Beslutet om %(title)s är sparat och skickas med e-post.",
                        title=placement.title), "success")
            return redirect(url_for("employers.review_queue"))
    return render_template("employers/review_placement.html", placement=placement, form=form,
                           statuses=PlacementStatus, org_statuses=OrganisationStatus)


@bp.route("/samordnare/installningar", methods=["GET", "POST"])
@require("settings.edit")
def settings() -> ResponseReturnValue:
    current = review.settings()
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        review.set_auto_publish(current_user, form.auto_publish_approved.data)
        flash(_("Inställningen är sparad."), "success")
        return redirect(url_for("employers.settings"))
    return render_template("employers/settings.html", form=form)

