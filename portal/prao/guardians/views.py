"""The counsellor's guardian letters (page, PDF, email) and the guardian's public page
behind the signed link, where the risk information is acknowledged."""

from __future__ import annotations

from io import BytesIO

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import get_authorized, public, require
from portal.audit import audit_read
from portal.prao.guardians import bp, services
from portal.prao.guardians.forms import AcknowledgeForm, GuardianEmailForm, SendLetterForm
from portal.prao.guardians.letter import LANGUAGE_NAMES, LETTER_LANGUAGES, language
from portal.prao.guardians.pdf import letter_pdf as render_letter_pdf
from portal.prao.models import Assignment
from portal.schools.models import PraoPeriod
from portal.urls import safe_next

ACTION = "guardians.letter"
FILE_NAMES = {"sv": "vardnadshavarbrev", "en": "guardian-letter"}


def _period(period_id: int) -> PraoPeriod:
    return get_authorized(ACTION, PraoPeriod, period_id)


def _assignment(assignment_id: int) -> Assignment:
    return get_authorized(ACTION, Assignment, assignment_id)


def _lang() -> str:
    return language(request.values.get("sprak"))


# --- the counsellor -----------------------------------------------------------------------

@bp.route("/perioder/<int:period_id>/vardnadshavare")
@require(ACTION)
def period_overview(period_id: int) -> ResponseReturnValue:
    period = _period(period_id)
    lang = _lang()
    audit_read("read_guardian_period", period)
    return render_template("prao/guardians/period.html", period=period, lang_choice=lang,
                           rows=services.period_rows(period), languages=LETTER_LANGUAGES,
                           language_names=LANGUAGE_NAMES, can_send=services.can_send,
                           form=SendLetterForm(lang=lang))


@bp.route("/perioder/<int:period_id>/vardnadshavare/skicka", methods=["POST"])
@require(ACTION)
def send_all(period_id: int) -> ResponseReturnValue:
    period = _period(period_id)
    form = SendLetterForm()
    if not form.validate():  # a control character in a hidden value: no browser sends that
        abort(400)
    lang = language(form.lang.data)
    sent = services.send_all(period, lang, current_user)
    if sent:
        flash(ngettext("%(num)d brev ligger i utkorgen.", "%(num)d brev ligger i utkorgen.",
                       sent), "success")
    else:  # a second click, or nothing left: "0 brev" said nothing
        flash(_("Inget brev skickades: de som kan skickas är redan skickade. Övriga väntar på "
                "arbetsgivarens bekräftelse eller på en e-postadress."), "info")
    return redirect(url_for("guardians.period_overview", period_id=period.id, sprak=lang))


def _render_letter(assignment: Assignment, lang: str,
                   email_form: GuardianEmailForm | None = None, staff_address: bool = False
                   ) -> str:
    student = assignment.enrolment.student
    audit_read("read_guardian_letter", assignment)
    return render_template(
        "prao/guardians/letter.html", assignment=assignment,
        letter=services.letter_for(assignment, lang), lang_choice=lang,
        languages=LETTER_LANGUAGES, language_names=LANGUAGE_NAMES,
        notice=services.email_notice(assignment.id), can_send=services.can_send(assignment),
        problem=services.letter_problem(assignment),
        send_form=SendLetterForm(lang=lang),
        email_form=email_form or GuardianEmailForm(guardian_email=student.guardian_email),
        staff_address=staff_address)


@bp.route("/uppdrag/<int:assignment_id>/vardnadshavarbrev")
@require(ACTION)
def letter(assignment_id: int) -> ResponseReturnValue:
    return _render_letter(_assignment(assignment_id), _lang())


@bp.route("/uppdrag/<int:assignment_id>/vardnadshavarbrev.pdf")
@require(ACTION)
def letter_pdf(assignment_id: int) -> ResponseReturnValue:
    assignment = _assignment(assignment_id)
    lang = _lang()
    problem = services.letter_problem(assignment)
    if problem is not None:  # no file that could be handed out by mistake
        flash(problem, "warning")
        return redirect(url_for("guardians.letter", assignment_id=assignment.id, sprak=lang))
    student = assignment.enrolment.student
    audit_read("guardian_letter_downloaded", assignment)
    content = render_letter_pdf(services.letter_for(assignment, lang))
    return send_file(BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{FILE_NAMES[lang]}-{student.first_name}-"
                                   f"{student.last_name}.pdf")


@bp.route("/uppdrag/<int:assignment_id>/vardnadshavarbrev/skicka", methods=["POST"])
@require(ACTION)
def send(assignment_id: int) -> ResponseReturnValue:
    assignment = _assignment(assignment_id)
    form = SendLetterForm()
    if not form.validate():
        abort(400)
    lang = language(form.lang.data)
    back = safe_next(form.next.data, url_for("guardians.letter", assignment_id=assignment.id,
                                             sprak=lang))
    try:
        notice = services.send_letter(assignment, lang, current_user)
    except services.GuardianError as error:
        flash(str(error.message), "danger")
    else:
        flash(_("Brevet ligger i utkorgen och skickas till %(email)s.", email=notice.email),
              "success")
    return redirect(back)


@bp.route("/uppdrag/<int:assignment_id>/vardnadshavare/e-post", methods=["POST"])
@require(ACTION)
def set_email(assignment_id: int) -> ResponseReturnValue:
    assignment = _assignment(assignment_id)
    form = GuardianEmailForm()
    if not form.validate_on_submit():
        return _render_letter(assignment, _lang(), email_form=form), 400
    try:
        services.set_guardian_email(assignment, form.guardian_email.data or "", current_user,
                                    staff_accepted=bool(form.staff_ok.data))
    except services.GuardianError as error:
        form.guardian_email.errors.append(str(error.message))
        return _render_letter(assignment, _lang(), email_form=form, staff_address=True), 400
    flash(_("Vårdnadshavarens e-postadress är sparad."), "success")
    return redirect(url_for("guardians.letter", assignment_id=assignment.id, sprak=_lang()))


# --- the guardian, through the signed link ------------------------------------------------

def _in_letter_language(lang: str, template: str, **context: object) -> str:
    """The guardian's page in the letter's language, unless they chose one themselves."""
    if session.get("lang") in current_app.config["PORTAL_LANGUAGES"]:
        return render_template(template, **context)
    with force_locale(lang):
        return render_template(template, lang=lang, **context)


@bp.route("/vardnadshavare/<token>", methods=["GET", "POST"])
@public
def acknowledge(token: str) -> ResponseReturnValue:
    try:
        notice, lang = services.notice_for_token(token)
    except services.LinkError as error:
        return render_template("prao/guardians/link_problem.html", reason=error.reason), 404
    form = AcknowledgeForm()
    if form.validate_on_submit():
        services.acknowledge(notice)  # the first click records; a later one changes nothing
        return redirect(url_for("guardians.acknowledge", token=token) + "#kvittens")
    assignment = services.assignment_of(notice)
    chosen = session.get("lang")
    if chosen in current_app.config["PORTAL_LANGUAGES"]:
        lang = str(chosen)  # the guardian switched language: the letter follows the page
    return _in_letter_language(lang, "prao/guardians/acknowledge.html", notice=notice,
                               letter=services.letter_as_sent(notice, assignment, lang),
                               form=form)
