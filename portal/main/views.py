"""Public pages, the language switch and each role's start page."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.accounts.permissions import public, require
from portal.audit import audit_read
from portal.clock import today
from portal.main import bp, services
from portal.prao import services as prao
from portal.prao.attendance import overview as attendance
from portal.reports import services as reports
from portal.schools import services as school_services
from portal.urls import safe_next

START_PAGES = {
    Role.COORDINATOR: "main.start_coordinator",
    Role.COUNSELLOR: "main.start_counsellor",
    Role.EMPLOYER: "main.start_employer",
    Role.COUNCIL: "main.start_council",
}


@bp.route("/")
@public
def index() -> ResponseReturnValue:
    return render_template("main/index.html")


@bp.route("/tillganglighet")
@public
def accessibility() -> ResponseReturnValue:
    return render_template("main/accessibility.html")


@bp.route("/kontakt")
@public
def contact() -> ResponseReturnValue:
    return render_template("main/contact.html",
                           contact_email=current_app.config["PORTAL_CONTACT_EMAIL"])


@bp.route("/sprak/<code>")
@public
def set_language(code: str) -> ResponseReturnValue:
    if code not in current_app.config["PORTAL_LANGUAGES"]:
        abort(404)
    session["lang"] = code
    if current_user.is_authenticated:
        accounts.set_language(current_user, code)
    return redirect(safe_next(request.args.get("next"), url_for("main.index")))


@bp.route("/start")
@login_required
def start() -> ResponseReturnValue:
    return redirect(url_for(START_PAGES[current_user.role]))


@bp.route("/samordnare")
@require("start.coordinator")
def start_coordinator() -> ResponseReturnValue:
    return render_template("main/start_coordinator.html",
                           summary=services.coordinator_summary())


@bp.route("/syv")
@require("start.counsellor")
def start_counsellor() -> ResponseReturnValue:
    schools = school_services.schools_of(current_user)
    audit_read("read_counsellor_start", None, detail="schools " + ",".join(
        str(s.id) for s in schools))
    return render_template("main/start_counsellor.html", schools=schools,
                           periods=school_services.period_lines([s.id for s in schools]),
                           declined=prao.declined_waiting([s.id for s in schools]),
                           alerts=attendance.open_alerts([s.id for s in schools]))


@bp.route("/arbetsgivare")
@require("start.employer")
def start_employer() -> ResponseReturnValue:
    # The user itself, not the proxy: each read of current_user resolves it again.
    user = current_user._get_current_object()
    audit_read("read_employer_start", user.organisation)
    return render_template("main/start_employer.html", **services.employer_start(user, today()),
                           errors={}, reasons={})


@bp.route("/rad")
@require("start.council")
def start_council() -> ResponseReturnValue:
    return render_template("main/start_council.html", summary=services.council_summary(
        current_user.municipality), figure=reports.headline_text, target=reports.target_text,
        bound=reports.bound_text, mark=reports.headline_mark)
