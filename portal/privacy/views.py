"""The coordinator's audit log, a pupil's register extract and the public privacy notice.
Thin: check, call, show."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import current_app, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from portal.accounts.permissions import get_authorized, public, require
from portal.clock import now
from portal.formtools import reads_query
from portal.i18n import current_language
from portal.privacy import bp, services
from portal.privacy.actions import action_label, detail_label, object_label
from portal.privacy.extract import to_json, to_pdf
from portal.privacy.forms import AuditFilterForm
from portal.privacy.notice import notice_facts
from portal.schools.models import Student
from portal.urls import MAX_DB_ID


@bp.after_request
def _private(response: Response) -> Response:
    # The log and the extract name pupils: no cache keeps a copy. The notice is public.
    if request.endpoint != "privacy.notice":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/integritet")
@public
def notice() -> ResponseReturnValue:
    """The privacy notice, for pupils first (Article 12: clear words for a child)."""
    return render_template("privacy/notice.html", facts=notice_facts(current_app.config))


def _before_id() -> int | None:
    """The page: `fore` is the id the previous page ended at; unreadable means page one."""
    try:
        value = int(request.args.get("fore", ""))
    except ValueError:
        return None
    return value if 1 <= value <= MAX_DB_ID else None


@bp.route("/samordnare/logg")
@require("audit.read")
@reads_query(AuditFilterForm)
def audit_log() -> ResponseReturnValue:
    form = AuditFilterForm(request.args)
    valid = form.validate()
    page = services.audit_log(services.LogFilter(
        student_id=form.elev.data, user_email=form.anvandare.data or "",
        first_day=form.fran.data, last_day=form.till.data, before_id=_before_id())
    ) if valid else services.LogPage([], None)
    next_url = None
    if page.next_before is not None:
        args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "fore"}
        next_url = url_for("privacy.audit_log", **args, fore=page.next_before)
    return render_template("privacy/audit_log.html", form=form, page=page,
                           next_url=next_url, action_label=action_label,
                           object_label=object_label, detail_label=detail_label), \
        200 if valid else 400


@bp.route("/elever/<int:student_id>/registerutdrag.<any(pdf, json):fmt>")
@require("pupil.extract")
def extract(student_id: int, fmt: str) -> ResponseReturnValue:
    student = get_authorized("pupil.extract", Student, student_id)
    found = services.register_extract(student, now(), fmt, current_language())
    if fmt == "json":
        content, mimetype = to_json(found), "application/json"
    else:
        content, mimetype = to_pdf(found, current_language()), "application/pdf"
    return send_file(BytesIO(content), mimetype=mimetype, as_attachment=True,
                     download_name=f"registerutdrag-{student.id}.{fmt}")
