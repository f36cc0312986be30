"""Certificates: the counsellor issues and downloads them, the pupil downloads theirs from
the personal page, and anyone holding one can check it on the public verification page."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.accounts.permissions import get_authorized, public, require
from portal.audit import audit_read
from portal.clock import today
from portal.extensions import db, limiter
from portal.formtools import reads_query
from portal.i18n import current_language
from portal.prao.certificates import bp, services
from portal.prao.certificates.forms import IssueForm, VerifyForm
from portal.prao.certificates.pdf import certificate_pdf
from portal.prao.models import Assignment, Certificate
from portal.schools.models import PraoPeriod
from portal.schools.pupils import services as schools
from portal.urls import safe_next

ACTION = "certificate.issue"
VERIFY_LIMIT = "10 per minute"


def _period(period_id: int) -> PraoPeriod:
    return get_authorized(ACTION, PraoPeriod, period_id)


def _assignment(assignment_id: int) -> Assignment:
    return get_authorized(ACTION, Assignment, assignment_id)


def _student_of(certificate: Certificate) -> int | None:
    assignment = db.session.get(Assignment, certificate.assignment_id)
    return assignment.enrolment.student_id if assignment is not None else None


def _facts(certificate: Certificate) -> dict[str, object]:
    """The snapshot with its days as dates, for the templates."""
    facts = dict(certificate.snapshot)
    facts["first_date"] = date.fromisoformat(str(facts["first_day"]))
    facts["last_date"] = date.fromisoformat(str(facts["last_day"]))
    return facts


def _pdf(certificate: Certificate) -> Response:
    audit_read("certificate_downloaded", certificate, student_id=_student_of(certificate))
    content = certificate_pdf(certificate, current_language())
    snapshot = certificate.snapshot
    name = f"{snapshot['first_name']}-{snapshot['last_name']}" if snapshot["first_name"] \
        else certificate.code
    return send_file(BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name=f"praointyg-{name}.pdf")


# --- the counsellor -----------------------------------------------------------------------

@bp.route("/perioder/<int:period_id>/intyg")
@require(ACTION)
def period_overview(period_id: int) -> ResponseReturnValue:
    period = _period(period_id)
    audit_read("read_certificate_period", period)
    return render_template("prao/certificates/period.html", period=period,
                           rows=services.period_rows(period, today()), form=IssueForm())


def _render_assignment(assignment: Assignment, error: str = "") -> str:
    attendance = services.attendance_of(assignment)
    certificate = services.certificate_of(assignment.id)
    audit_read("read_certificate", assignment)
    return render_template(
        "prao/certificates/assignment.html", assignment=assignment, certificate=certificate,
        attendance=attendance, error=error, form=IssueForm(),
        problems=[] if certificate else services.problems(assignment, today(), attendance),
        url=services.verification_url(certificate) if certificate else "",
        facts=_facts(certificate) if certificate else {}, grouped=services.grouped)


@bp.route("/uppdrag/<int:assignment_id>/intyg", methods=["GET", "POST"])
@require(ACTION)
def assignment(assignment_id: int) -> ResponseReturnValue:
    found = _assignment(assignment_id)
    form = IssueForm()
    if not form.validate_on_submit():
        return _render_assignment(found)
    try:
        _certificate, issued = services.issue(found, current_user, today())
    except services.CertificateError as error:
        return _render_assignment(found, str(error.message)), 400
    flash(_("Praointyget är utfärdat.") if issued else _("Praointyget var redan utfärdat."),
          "success")
    return redirect(safe_next(form.next.data, url_for("certificates.assignment",
                                                      assignment_id=found.id)))


@bp.route("/uppdrag/<int:assignment_id>/intyg.pdf")
@require(ACTION)
def pdf(assignment_id: int) -> ResponseReturnValue:
    certificate = services.certificate_of(_assignment(assignment_id).id)
    if certificate is None:
        abort(404)
    return _pdf(certificate)


# --- the pupil ----------------------------------------------------------------------------

@bp.route("/elev/<token>/intyg.pdf")
@public
def pupil_pdf(token: str) -> ResponseReturnValue:
    try:
        enrolment = schools.enrolment_for_token(token)
    except schools.LinkError as error:
        return render_template("schools/pupil_link_problem.html", reason=error.reason), 404
    certificate = services.for_enrolment(enrolment)
    if certificate is None:
        abort(404)
    return _pdf(certificate)


# --- anyone holding a certificate ---------------------------------------------------------

@bp.route("/intyg")
@public
@reads_query(VerifyForm)
def verify_form() -> ResponseReturnValue:
    form = VerifyForm(request.args)
    if "kod" not in request.args:
        return render_template("prao/certificates/verify_form.html", form=form)
    if form.validate():
        code = services.normalize_code(form.kod.data)
        if code is not None:
            return redirect(url_for("certificates.verify", code=code))
        form.kod.errors.append(_("Det är ingen kontrollkod. Koden har 26 tecken: bokstäver "
                                 "och siffrorna 2–7."))
    return render_template("prao/certificates/verify_form.html", form=form), 400


@bp.route("/intyg/<code>")
@public
@limiter.limit(lambda: current_app.config.get("CERTIFICATE_VERIFY_LIMIT", VERIFY_LIMIT))
def verify(code: str) -> ResponseReturnValue:
    certificate = services.find_by_code(code)
    if certificate is None:
        return render_template("prao/certificates/verify.html", certificate=None,
                               form=VerifyForm(kod=code[:64])), 404
    audit_read("certificate_verified", certificate, student_id=_student_of(certificate),
               detail="public check")
    return render_template("prao/certificates/verify.html", certificate=certificate,
                           facts=_facts(certificate), grouped=services.grouped)
