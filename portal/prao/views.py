"""Prao process pages: the employer's and the supervisor's confirmation, the counsellor's
placing by hand and review of own placements, the checklist, and the export of who goes
where. Thin: load and authorize, call a service, render or redirect."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from portal import clock
from portal.accounts.permissions import get_authorized, public, require
from portal.audit import audit_read
from portal.employers.models import Placement
from portal.extensions import db
from portal.formtools import PortalForm, choices
from portal.i18n import shown_label
from portal.main import services as start_pages
from portal.prao import checklist, days, export, links, overview, placing, services
from portal.prao.blueprint import bp
from portal.prao.checklist_cells import CellWriter
from portal.prao.forms import (
    FirstDayForm,
    OwnDecisionForm,
    OwnRiskForm,
    PlaceForm,
    RespondForm,
    TickForm,
)
from portal.prao.models import Assignment, AssignmentState
from portal.schools.models import Enrolment, PraoPeriod
from portal.schools.services import period_is_over
from portal.templating import iso_date
from portal.urls import page_number


def _state_text(state: AssignmentState) -> str:
    return {AssignmentState.CONFIRMED: _("bekräftad"), AssignmentState.DECLINED: _("avböjd"),
            # Read as "Alva är redan …": the state words of a badge would not fit.
            AssignmentState.IN_PROGRESS: _("på prao just nu"),
            AssignmentState.COMPLETED: _("klar med sin prao"),
            AssignmentState.CANCELLED: _("avbruten"),
            AssignmentState.PROPOSED: _("inte besvarad")}[state]


def _tell(outcome: services.Outcome, name: str, actor: services.Actor) -> None:
    if outcome.won and outcome.state is AssignmentState.CONFIRMED:
        flash(_("Tack! %(name)s är bekräftad.", name=name), "success")
    elif outcome.won:
        flash(_("Ni har tackat nej till %(name)s. Skolan får veta det.", name=name), "success")
    elif outcome.by and shown_label(outcome.by) == shown_label(actor.label):
        # Their own earlier answer (a second click, a reload; a link's in either language).
        flash(_("Ni har redan svarat: %(name)s är %(state)s.", name=name,
                state=_state_text(outcome.state)), "info")
    else:
        flash(_("Någon annan hann före: %(name)s är redan %(state)s (%(by)s).", name=name,
                state=_state_text(outcome.state),
                by=shown_label(outcome.by) if outcome.by else _("okänd")), "warning")


def _first_error(form: PortalForm) -> str:
    return next(str(message) for field in form for message in field.errors)


def _decide(assignment: Assignment, actor: services.Actor) -> str | None:
    """Confirm or decline from a posted form; the error message for the reason, if any."""
    name = assignment.enrolment.student.full_name
    form = RespondForm()
    if not form.validate():
        return _first_error(form)
    try:
        if form.decision.data == "confirm":
            outcome = services.confirm(assignment.id, assignment.placement_id, actor)
        else:
            outcome = services.decline(assignment.id, assignment.placement_id,
                                       form.reason.data or "", actor)
    except services.PraoError as error:
        return str(error.message)
    _tell(outcome, name, actor)
    return None


# --- the employer -------------------------------------------------------------------------

@bp.route("/arbetsgivare/elever")
@require("assignment.respond")
def employer_pupils() -> ResponseReturnValue:
    return _employer_page({}, 200)


def _employer_page(errors: dict[int, str], status: int) -> ResponseReturnValue:
    organisation_id = current_user.organisation_id
    pupils = services.employer_assignments(organisation_id, clock.today()) \
        if organisation_id else []
    audit_read("read_employer_pupils", current_user.organisation, pupils=len(pupils))
    return render_template("prao/employer_pupils.html", pupils=pupils, errors=errors,
                           reasons={k: request.form.get("reason", "") for k in errors},
                           action=lambda a: url_for("prao.employer_decide",
                                                    assignment_id=a.id)), status


@bp.route("/arbetsgivare/elever/<int:assignment_id>/svar", methods=["POST"])
@require("assignment.respond")
def employer_decide(assignment_id: int) -> ResponseReturnValue:
    # The start page's cards say so (RespondForm.back): the answer comes back there, and a
    # problem is shown there beside the reason, not on the pupils' page.
    from_start = request.form.get("back") == "start"
    if db.session.get(Assignment, assignment_id) is None:
        # A proposal the school withdrew is deleted: its open page's button lands here.
        flash(_("Förslaget finns inte längre: skolan har dragit tillbaka det. Eleverna som "
                "väntar på ert svar står nedan."), "warning")
        return redirect(url_for("main.start_employer"))
    assignment = get_authorized("assignment.respond", Assignment, assignment_id)
    error = _decide(assignment, services.Actor.of(current_user))
    if error:
        errors = {assignment_id: error}
        return _start_page(errors, 400) if from_start else _employer_page(errors, 400)
    return redirect(url_for("main.start_employer" if from_start else "prao.employer_pupils"))


def _start_page(errors: dict[int, str], status: int) -> ResponseReturnValue:
    """The employer's start page again, with the problem of an answer beside its field."""
    user = current_user._get_current_object()
    audit_read("read_employer_start", user.organisation)
    return render_template("main/start_employer.html",
                           **start_pages.employer_start(user, clock.today()), errors=errors,
                           reasons={k: request.form.get("reason", "") for k in errors}), status


@bp.route("/arbetsgivare/praoplatser/<int:placement_id>/forsta-dagen", methods=["GET", "POST"])
@require("first_day.edit")
def first_day(placement_id: int) -> ResponseReturnValue:
    placement = get_authorized("first_day.edit", Placement, placement_id)
    form = FirstDayForm(obj=placement)
    if form.validate_on_submit():
        form.populate_obj(placement)
        placement.first_day_ask_for = placement.first_day_ask_for.strip()
        placement.bring_and_wear = placement.bring_and_wear.strip()
        db.session.commit()
        flash(_("Informationen om första dagen är sparad. Eleverna ser den på sin sida."),
              "success")
        return redirect(url_for("main.start_employer"))
    return render_template("prao/first_day.html", form=form, placement=placement)


# --- the supervisor, through a signed link ----------------------------------------------------

@bp.route("/handledare/<token>", methods=["GET", "POST"])
@public
def supervisor(token: str) -> ResponseReturnValue:
    try:
        link = links.read_supervisor_token(token, clock.today())
    except links.LinkError as problem:
        return render_template("prao/link_problem.html", reason=problem.reason), 404
    pupils = services.supervisor_assignments(link)
    if not pupils:  # every pupil moved elsewhere, or a link for another workplace
        return render_template("prao/link_problem.html", reason="invalid"), 404
    placement = pupils[0].placement
    audit_read("read_supervisor_link", placement, pupils=len(pupils), detail="link")
    errors: dict[int, str] = {}
    if request.method == "POST":
        chosen = next((a for a in pupils if a.id == request.form.get("assignment", type=int)),
                      None)
        if chosen is None:
            abort(404)
        with force_locale("sv"):  # stored, and read by the Swedish school
            label = _("%(name)s (handledare, via länk)", name=placement.supervisor_name
                      or placement.organisation.name)
        error = _decide(chosen, services.Actor(None, label))
        if not error:
            return redirect(url_for("prao.supervisor", token=token))
        errors[chosen.id] = error
    return render_template("prao/supervisor.html", placement=placement,
                           pupils=[services.card_of(a) for a in pupils],
                           errors=errors, reasons={k: request.form.get("reason", "")
                                                   for k in errors},
                           action=lambda a: url_for("prao.supervisor", token=token),
                           ), 400 if errors else 200


# --- the counsellor: placing by hand and own placements ---------------------------------------

def _enrolment(period_id: int, enrolment_id: int) -> Enrolment:
    found = get_authorized("assignment.place", Enrolment, enrolment_id)
    if found.period_id != period_id:
        abort(404)
    return found


@bp.route("/perioder/<int:period_id>/elever/<int:enrolment_id>/placera",
          methods=["GET", "POST"])
@require("assignment.place")
def place(period_id: int, enrolment_id: int) -> ResponseReturnValue:
    enrolment = _enrolment(period_id, enrolment_id)
    options = placing.hand_options(enrolment)
    form = PlaceForm()
    form.offer.choices = choices([("", _("Välj en praoplats"))] + [(
        o.offer.id, _option_label(o)) for o in options])
    over = period_is_over(enrolment.period, clock.today())
    if not over and form.validate_on_submit():
        try:
            placing.place_by_hand(enrolment, form.offer.data, form.reason.data or "",
                                  current_user)
        except services.PraoError as error:
            getattr(form, error.field).errors.append(str(error.message))
        else:
            flash(_("Eleven är placerad. Arbetsgivaren har fått ett mejl för att bekräfta."),
                  "success")
            return redirect(url_for("schools.enrolment", period_id=period_id,
                                    enrolment_id=enrolment_id))
    audit_read("read_pupil_placing", enrolment)
    return render_template("prao/place.html", form=form, enrolment=enrolment,
                           options=options, over=over, period_over=placing.PERIOD_OVER), \
        400 if form.errors or (over and request.method == "POST") else 200


def _option_label(option: placing.HandOption) -> str:
    placement = option.offer.placement
    label = ngettext("%(title)s, %(org)s, %(city)s (%(num)d ledig)",
                     "%(title)s, %(org)s, %(city)s (%(num)d lediga)", option.offer.seats_free,
                     title=placement.title, org=placement.organisation.name, city=placement.city)
    if not option.covers_needs:
        label += " · " + _("saknar något eleven behöver")
    if option.declined is not None:
        reason = option.declined.decline_reason
        label += " · " + _("tackade nej till eleven %(day)s: %(reason)s",
                           day=iso_date(option.declined.decided_at),
                           reason=reason if len(reason) <= 80 else reason[:79] + "…")
    return label


def _warn_if_begun(period: PraoPeriod) -> None:
    """Approved after the period began: the days already gone count as missing, and ten
    days may be out of reach. The counsellor is told at once, not by the overview later."""
    gone = len(days.prao_days_until(period.first_day, period.last_day,
                                    clock.today() - timedelta(days=1)))
    if gone:
        left = days.count_prao_days(period.first_day, period.last_day) - gone
        flash(ngettext("Perioden har redan pågått %(num)d praodag: eleven hinner högst "
                       "%(left)d praodagar. Planera resten med eleven och arbetsplatsen.",
                       "Perioden har redan pågått %(num)d praodagar: eleven hinner högst "
                       "%(left)d praodagar. Planera resten med eleven och arbetsplatsen.",
                       gone, left=left), "warning")


@bp.route("/perioder/<int:period_id>/elever/<int:enrolment_id>/egen-plats", methods=["POST"])
@require("assignment.place")
def own_decision(period_id: int, enrolment_id: int) -> ResponseReturnValue:
    enrolment = _enrolment(period_id, enrolment_id)
    form = OwnDecisionForm()
    if form.action.data not in ("approve", "reject", "resend"):
        abort(400)
    action = form.action.data
    try:
        if not form.validate():
            raise services.PraoError("reason", _first_error(form))
        if action == "approve":
            placing.approve_own(enrolment, current_user)
            flash(_("Den egna praoplatsen är godkänd."), "success")
            _warn_if_begun(enrolment.period)
        elif action == "reject":
            placing.reject_own(enrolment, form.reason.data or "", current_user)
            flash(_("Den egna praoplatsen godkändes inte. Eleven behöver en plats."), "success")
        elif action == "resend":
            if placing.resend_own_link(enrolment, current_user):
                flash(_("Länken till riskbedömningen är skickad till arbetsplatsen igen."),
                      "success")
            else:
                flash(_("Länken till riskbedömningen skickades till arbetsplatsen för en "
                        "stund sedan, så den skickades inte igen nu. Vänta en minut om du "
                        "vill skicka den en gång till."), "info")
    except services.PraoError as error:
        flash(str(error.message), "danger")
    return redirect(url_for("schools.enrolment", period_id=period_id, enrolment_id=enrolment_id))


@bp.route("/egen-praoplats/<token>", methods=["GET", "POST"])
@public
def own_risk(token: str) -> ResponseReturnValue:
    try:
        link = links.read_own_risk_token(token, clock.today())
        placement, enrolment = placing.own_enrolment_for(link.placement_id, link.enrolment_id)
    except links.LinkError as error:
        return render_template("prao/link_problem.html", reason=error.reason), 404
    except LookupError:
        return render_template("prao/link_problem.html", reason="invalid"), 404
    form = OwnRiskForm(obj=placement)
    audit_read("read_own_risk_link", enrolment)
    if request.method == "GET":
        form.risk_confirmed.data = placement.risk_confirmed_at is not None
    if form.validate_on_submit():
        placing.save_own_risk(placement, form.to_data())
        flash(_("Tack! Riskbedömningen är sparad. Elevens studie- och yrkesvägledare "
                "granskar platsen."), "success")
        return redirect(url_for("prao.own_risk", token=token))
    return render_template("prao/own_risk.html", form=form, placement=placement,
                           enrolment=enrolment), 400 if form.errors else 200


# --- the checklist ------------------------------------------------------------------------------

def _period(period_id: int, action: str) -> PraoPeriod:
    return get_authorized(action, PraoPeriod, period_id)


@bp.route("/perioder/<int:period_id>/checklista")
@require("checklist.view")
def period_checklist(period_id: int) -> ResponseReturnValue:
    period = _period(period_id, "checklist.view")
    table = overview.period_checklist(period, clock.today(), current_user.id)
    audit_read("read_checklist", period)
    cells = CellWriter(period.id, generate_csrf(), table.steps)
    return render_template("prao/checklist.html", period=period, table=table, cells=cells,
                           owners=checklist.OWNER_LABELS, phases=checklist.PHASE_LABELS)


def _checklist_post(period_id: int, assignment_id: int) -> tuple[PraoPeriod, Assignment,
                                                                  TickForm | None]:
    """The period, the pupil's assignment in it and the posted step (None after flashing
    why the form is refused): what ticking and undoing a tick both begin with."""
    period = _period(period_id, "checklist.tick")
    assignment = get_authorized("checklist.tick", Assignment, assignment_id)
    if assignment.enrolment.period_id != period.id:
        abort(404)
    form = TickForm()
    if not form.validate():
        flash(_first_error(form), "danger")
        return period, assignment, None
    return period, assignment, form


def _back_to_checklist(period: PraoPeriod, assignment: Assignment) -> ResponseReturnValue:
    return redirect(url_for("prao.period_checklist", period_id=period.id)
                    + f"#elev-{assignment.id}")


@bp.route("/perioder/<int:period_id>/checklista/<int:assignment_id>", methods=["POST"])
@require("checklist.tick")
def tick(period_id: int, assignment_id: int) -> ResponseReturnValue:
    period, assignment, form = _checklist_post(period_id, assignment_id)
    if form is None:
        return redirect(url_for("prao.period_checklist", period_id=period.id))
    try:
        overview.tick(assignment, form.step.data or "", current_user, clock.today())
    except services.PraoError as error:
        flash(str(error.message), "danger")
    else:
        flash(_("Steget är avbockat."), "success")
    return _back_to_checklist(period, assignment)


@bp.route("/perioder/<int:period_id>/checklista/<int:assignment_id>/angra", methods=["POST"])
@require("checklist.tick")
def untick(period_id: int, assignment_id: int) -> ResponseReturnValue:
    period, assignment, form = _checklist_post(period_id, assignment_id)
    if form is None:
        return _back_to_checklist(period, assignment)
    try:
        undone = overview.untick(assignment, form.step.data or "", current_user, clock.today())
    except services.PraoError as error:
        flash(str(error.message), "danger")
    else:
        flash(_("Avbockningen är ångrad.") if undone
              else _("Steget var inte avbockat: inget ändrades."),
              "success" if undone else "info")
    return _back_to_checklist(period, assignment)


@bp.route("/samordnare/checklistor")
@require("checklist.region")
def region_checklist() -> ResponseReturnValue:
    return render_template("prao/region_checklist.html",
                           schools=overview.region_completion(
                               clock.today(), page_number(request.args)))


# --- who goes where -----------------------------------------------------------------------------

@bp.route("/perioder/<int:period_id>/praoplatser.<any(csv, xlsx):fmt>")
@require("placements.export")
def export_placements(period_id: int, fmt: str) -> ResponseReturnValue:
    period = _period(period_id, "placements.export")
    exported = export.export(period, fmt)
    return Response(exported.content, content_type=exported.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{exported.filename}"'})
