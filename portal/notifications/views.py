"""The outbox as the coordinator reads it: what was sent, what waits, what failed."""

from __future__ import annotations

import re

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.permissions import get_authorized, require
from portal.audit import audit_read
from portal.extensions import db
from portal.notifications import bp, worker
from portal.notifications.models import FailureReason, OutboxEmail, OutboxStatus
from portal.security import is_secret_url
from portal.urls import page_number

STATUS_FILTERS = {s.value: s for s in OutboxStatus}


def failure_text(email: OutboxEmail) -> str:
    """Why a failed email failed, in words the coordinator can act on."""
    if email.failure_reason is FailureReason.REFUSED:
        return _("Mottagarens e-postserver tog inte emot meddelandet, till exempel för att "
                 "adressen inte finns. Kontrollera adressen.")
    if email.failure_reason is FailureReason.GAVE_UP:
        return _("Meddelandet kunde inte lämnas över på %(hours)d timmar: e-postservern gick "
                 "inte att nå eller bad portalen vänta.",
                 hours=current_app.config["OUTBOX_RETRY_HOURS"])
    return _("Meddelandet kunde inte skickas.")


@bp.route("/utkorg")
@require("outbox.read")
def outbox() -> ResponseReturnValue:
    status = STATUS_FILTERS.get(request.args.get("status", ""))
    stmt = select(OutboxEmail).order_by(OutboxEmail.id.desc())
    if status is not None:
        stmt = stmt.where(OutboxEmail.status == status)
    page = db.paginate(stmt, page=page_number(request.args), per_page=50,
                       error_out=False)
    audit_read("read_outbox", None, detail=f"page {page.page}")
    return render_template("notifications/outbox.html", pagination=page, status=status,
                           failure_text=failure_text)


# Wide enough for every link the portal writes; a sentence's closing mark stays outside.
URL_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def masked_body(email: OutboxEmail) -> str:
    """The email as the coordinator may read it: a secret link (password reset, invitation,
    address verification, a pupil's link) would let the reader act as its recipient, so
    only the fact that one was sent, and to whom, is shown."""
    def mask(match: re.Match[str]) -> str:
        if not is_secret_url(match.group(0)):
            return match.group(0)
        return _("[personlig länk till %(recipient)s – visas inte i utkorgen]",
                 recipient=email.recipient)

    return URL_RE.sub(mask, email.body_text)


@bp.route("/utkorg/<int:email_id>")
@require("outbox.read")
def outbox_email(email_id: int) -> ResponseReturnValue:
    email = get_authorized("outbox.read", OutboxEmail, email_id)
    audit_read("read_outbox_email", email)
    return render_template("notifications/outbox_email.html", email=email,
                           body=masked_body(email), failure_text=failure_text)


@bp.route("/utkorg/<int:email_id>/forsok-igen", methods=["POST"])
@require("outbox.retry")
def retry(email_id: int) -> ResponseReturnValue:
    email = get_authorized("outbox.retry", OutboxEmail, email_id)
    if email.status is OutboxStatus.FAILED:
        worker.requeue(email)
        flash(_("Meddelandet skickas igen inom kort."), "success")
    return redirect(url_for("notifications.outbox_email", email_id=email.id))
