"""School pages: the coordinator's municipalities and schools, the counsellor's periods and
pupils, and the pupil's own page behind a personal link (no account, no password)."""

from __future__ import annotations

import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from portal.accounts.permissions import authorize, public, require
from portal.clock import today
from portal.employers.reference import sectors
from portal.extensions import db
from portal.formtools import choices
from portal.i18n import current_language
from portal.matching import services as matching
from portal.schools import bp, services
from portal.schools.forms import (
    STATE_LABELS,
    EnrolmentStateForm,
    MunicipalityForm,
    OwnPlacementForm,
    PeriodForm,
    SchoolForm,
)
from portal.schools.models import Enrolment, EnrolmentState, Municipality, PraoPeriod, School
from portal.schools.periods import MIN_PRAO_DAYS, Window, working_days
from portal.urls import page_number


def _field_error(form: object, error: services.SchoolError) -> None:
    getattr(form, error.field).errors.append(str(error.message))


# --- coordinator: municipalities and schools -------------------------------------------

def _save_municipality(form: MunicipalityForm,
                       municipality: Municipality | None) -> ResponseReturnValue | None:
    if not form.validate_on_submit():
        return None
    try:
        services.save_municipality(municipality, form.name.data, form.code.data, current_user)
    except services.SchoolError as error:
        _field_error(form, error)
        return None
    flash(_("Kommunen är sparad."), "success")
    return redirect(url_for("schools.municipalities"))


@bp.route("/samordnare/kommuner", methods=["GET", "POST"])
@require("municipality.manage")
def municipalities() -> ResponseReturnValue:
    form = MunicipalityForm()
    return _save_municipality(form, None) or render_template(
        "schools/municipalities.html", form=form, municipalities=services.municipalities())


@bp.route("/samordnare/kommuner/<int:municipality_id>", methods=["GET", "POST"])
@require("municipality.manage")
def municipality(municipality_id: int) -> ResponseReturnValue:
    found = db.session.get(Municipality, municipality_id)
    authorize("municipality.manage", found)
    form = MunicipalityForm(obj=found)
    return _save_municipality(form, found) or render_template(
        "schools/municipality.html", form=form, municipality=found)


def _school_form(school: School | None) -> SchoolForm:
    form = SchoolForm(obj=school)
    form.municipality.choices = choices([(0, _("Välj kommun"))] + [
        (m.id, m.name) for m in services.municipalities()])
    form.counsellors.choices = choices((c.id, f"{c.name} ({c.email})")
                                       for c in services.counsellors())
    if school is not None and request.method == "GET":
        form.municipality.data = school.municipality_id
        form.counsellors.data = [c.id for c in school.counsellors]
    return form


def _school_data(form: SchoolForm) -> services.SchoolData:
    return services.SchoolData(name=form.name.data, unit_code=form.unit_code.data,
                               address=form.address.data or "",
                               municipality_id=form.municipality.data,
                               counsellor_ids=form.counsellors.data or [])


def _save_school(form: SchoolForm, school: School | None) -> ResponseReturnValue | None:
    if not form.validate_on_submit():
        return None
    try:
        services.save_school(school, _school_data(form), current_user)
    except services.SchoolError as error:
        _field_error(form, error)
        return None
    flash(_("Skolan är sparad."), "success")
    return redirect(url_for("schools.schools"))


@bp.route("/samordnare/skolor", methods=["GET", "POST"])
@require("school.manage")
def schools() -> ResponseReturnValue:
    form = _school_form(None)
    return _save_school(form, None) or render_template(
        "schools/schools.html", form=form, schools=services.schools())


@bp.route("/samordnare/skolor/<int:school_id>", methods=["GET", "POST"])
@require("school.manage")
def edit_school(school_id: int) -> ResponseReturnValue:
    school = db.session.get(School, school_id)
    authorize("school.manage", school)
    form = _school_form(school)
    return _save_school(form, school) or render_template(
        "schools/edit_school.html", form=form, school=school)


# --- a school and its periods ----------------------------------------------------------

@bp.route("/skolor/<int:school_id>")
def school(school_id: int) -> ResponseReturnValue:
    school = db.session.get(School, school_id)
    authorize("school.view", school)
    return render_template("schools/school.html", school=school,
                           periods=services.periods_of([school.id]))


@bp.route("/skolor/<int:school_id>/perioder/ny", methods=["GET", "POST"])
@require("period.create")
def new_period(school_id: int) -> ResponseReturnValue:
    school = db.session.get(School, school_id)
    authorize("period.create", school)
    form = PeriodForm()
    if form.validate_on_submit():
        try:
            period = services.create_period(school, _period_data(form), current_user, today())
        except services.SchoolError as error:
            _field_error(form, error)
        else:
            flash(_("Perioden är skapad med %(n)d elever.", n=len(period.enrolments)),
                  "success")
            return redirect(url_for("schools.period", period_id=period.id))
    return render_template("schools/new_period.html", form=form, school=school)


def _period_data(form: PeriodForm) -> services.PeriodData:
    return services.PeriodData(name=form.name.data, grade=form.grade.data,
                               first_day=form.first_day.data, last_day=form.last_day.data,
                               wishes_open=form.wishes_open.data,
                               wishes_close=form.wishes_close.data)


def _period(period_id: int, action: str = "period.view") -> PraoPeriod:
    period = db.session.get(PraoPeriod, period_id)
    authorize(action, period)
    return period


@bp.route("/perioder/<int:period_id>")
@require("period.view")
def period(period_id: int) -> ResponseReturnValue:
    found = _period(period_id)
    return render_template(
        "schools/period.html", period=found, rows=services.overview(found),
        days=working_days(found.first_day, found.last_day), window=services.window_of(
            found, today()), labels=STATE_LABELS, min_days=MIN_PRAO_DAYS, windows=Window)


@bp.route("/perioder/<int:period_id>/hamta-elever", methods=["POST"])
@require("enrolment.manage")
def enrol(period_id: int) -> ResponseReturnValue:
    found = _period(period_id, "enrolment.manage")
    added = services.enrol_grade(found, current_user)
    flash(_("%(n)d elever lades till.", n=added), "success")
    return redirect(url_for("schools.period", period_id=found.id))


@bp.route("/perioder/<int:period_id>/skicka-lankar", methods=["POST"])
@require("enrolment.manage")
def email_links(period_id: int) -> ResponseReturnValue:
    found = _period(period_id, "enrolment.manage")
    reminder = request.form.get("reminder") == "1"
    sent = services.email_links(found, current_user, only_without_wishes=reminder)
    flash(_("%(n)d e-postmeddelanden ligger i utkorgen.", n=sent), "success")
    return redirect(url_for("schools.period", period_id=found.id))


@bp.route("/perioder/<int:period_id>/lankar")
@require("enrolment.manage")
def class_list(period_id: int) -> ResponseReturnValue:
    found = _period(period_id, "enrolment.manage")
    rows = [(row, services.pupil_url(row.enrolment)) for row in services.overview(found)
            if not row.enrolment.link_revoked]
    codes = {row.enrolment.id: Markup(segno.make(url, error="m").svg_inline(  # noqa: S704
        scale=2, title=_("QR-kod till länken"))) for row, url in rows}
    return render_template("schools/class_list.html", period=found, rows=rows, codes=codes)


@bp.route("/perioder/<int:period_id>/elever/<int:enrolment_id>", methods=["GET", "POST"])
@require("enrolment.manage")
def enrolment(period_id: int, enrolment_id: int) -> ResponseReturnValue:
    found = db.session.get(Enrolment, enrolment_id)
    authorize("enrolment.manage", found)
    if found.period_id != period_id:
        abort(404)
    form = EnrolmentStateForm(obj=found)
    if form.validate_on_submit():
        try:
            services.set_state(found, EnrolmentState(form.state.data), form.reason.data or "",
                               current_user)
        except services.SchoolError as error:
            _field_error(form, error)
        else:
            flash(_("Elevens läge är sparat."), "success")
            return redirect(url_for("schools.period", period_id=period_id))
    if request.method == "GET":
        form.state.data = found.state.value
        form.reason.data = found.exempt_reason
    return render_template("schools/enrolment.html", enrolment=found, form=form,
                           labels=STATE_LABELS)


@bp.route("/perioder/<int:period_id>/elever/<int:enrolment_id>/lank", methods=["POST"])
@require("enrolment.manage")
def enrolment_link(period_id: int, enrolment_id: int) -> ResponseReturnValue:
    found = db.session.get(Enrolment, enrolment_id)
    authorize("enrolment.manage", found)
    if found.period_id != period_id:
        abort(404)
    if request.form.get("action") == "revoke":
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


def _new_wish_list(enrolment: Enrolment, action: str, offer_id: int) -> list[int]:
    ids = [w.offer_id for w in enrolment.wishes]
    if action == "add" and offer_id not in ids:
        ids.append(offer_id)
    elif action == "remove" and offer_id in ids:
        ids.remove(offer_id)
    elif action in ("up", "down") and offer_id in ids:
        index = ids.index(offer_id)
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(ids):
            ids[index], ids[other] = ids[other], ids[index]
    return ids


@bp.route("/elev/<token>", methods=["GET", "POST"])
@public
def pupil_home(token: str) -> ResponseReturnValue:
    enrolment = _pupil(token)
    if isinstance(enrolment, tuple):
        return enrolment
    error = None
    if request.method == "POST":
        offer_id = request.form.get("offer", type=int) or 0
        try:
            services.set_wishes(enrolment, _new_wish_list(
                enrolment, request.form.get("action", ""), offer_id), today())
        except services.SchoolError as problem:
            error = str(problem.message)
        else:
            return redirect(url_for("schools.pupil_home", token=token,
                                    sector=request.args.get("sector", ""),
                                    q=request.args.get("q", ""),
                                    sida=request.args.get("sida", 1)) + "#mina-val")
    return _render_pupil(enrolment, token, error)


def _render_pupil(enrolment: Enrolment, token: str, error: str | None) -> ResponseReturnValue:
    sector, text = request.args.get("sector", ""), request.args.get("q", "")
    page = services.eligible_offers(enrolment, sector=sector, text=text,
                                    page=page_number(request.args))
    wished_ids = [w.offer_id for w in enrolment.wishes]
    counts = services.wish_counts([o.id for o in page.items] + wished_ids)
    lang = current_language()
    return render_template(
        "schools/pupil_home.html", enrolment=enrolment, token=token, page=page, counts=counts,
        wished_ids=wished_ids, error=error, window=services.window_of(enrolment.period, today()),
        windows=Window, sector=sector, text=text,
        sectors=[(s.code, s.label(lang)) for s in sectors()],
        suggest=services.gender_suggestion(enrolment, today()), states=EnrolmentState,
        outcome=matching.published_result(enrolment),
        max_wishes=services.MAX_WISHES), 400 if error else 200


@bp.route("/elev/<token>/egen-plats", methods=["GET", "POST"])
@public
def own_placement(token: str) -> ResponseReturnValue:
    enrolment = _pupil(token)
    if isinstance(enrolment, tuple):
        return enrolment
    if enrolment.state is not EnrolmentState.NEEDS_PLACEMENT:
        flash(_("Du har redan en plats eller är befriad från prao."), "info")
        return redirect(url_for("schools.pupil_home", token=token))
    form = OwnPlacementForm()
    if form.validate_on_submit():
        placement = services.register_own_placement(enrolment, services.OwnPlacementData(
            workplace=form.workplace.data, org_number=form.org_number.data,
            address=form.address.data, postal_code=form.postal_code.data, city=form.city.data,
            contact_name=form.contact_name.data, contact_email=form.contact_email.data,
            contact_phone=form.contact_phone.data, tasks=form.tasks.data))
        if placement is None:
            flash(_("Du har redan fått en praoplats, så den egna platsen sparades inte."),
                  "warning")
            return redirect(url_for("schools.pupil_home", token=token))
        flash(_("Bra jobbat! Din egna praoplats är registrerad. Din studie- och "
                "yrkesvägledare och arbetsplatsen får veta det."), "success")
        return redirect(url_for("schools.pupil_home", token=token))
    return render_template("schools/own_placement.html", form=form, token=token,
                           enrolment=enrolment)

