"""Writing to the outbox. Nothing here talks to SMTP: rows are added to the caller's
transaction, so an email exists exactly when the change that caused it was committed."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from portal.extensions import db
from portal.notifications.models import OutboxEmail

# OutboxEmail.subject's length. A subject naming a person and an organisation (200
# characters each) can be longer; the body says it all anyway.
MAX_SUBJECT = 300


def enqueue(recipient: str, template: str, **context: Any) -> OutboxEmail:
    """Render templates/emails/<template>.{subject,txt,html} in Swedish and queue the email."""
    context.setdefault("base_url", current_app.config["PORTAL_BASE_URL"])
    context.setdefault("contact_email", current_app.config["PORTAL_CONTACT_EMAIL"])
    with force_locale("sv"):
        subject = render_template(f"emails/{template}.subject.txt", **context).strip()
        text = render_template(f"emails/{template}.txt", **context)
        html = render_template(f"emails/{template}.html", **context)
    email = OutboxEmail(recipient=recipient, subject=_fit_subject(" ".join(subject.split())),
                        body_text=text, body_html=html, kind=template)
    db.session.add(email)
    return email


def _fit_subject(subject: str) -> str:
    if len(subject) <= MAX_SUBJECT:
        return subject
    return subject[:MAX_SUBJECT - 1].rstrip() + "…"
