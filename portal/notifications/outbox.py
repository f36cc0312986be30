"""Writing to the outbox. Nothing here talks to SMTP: rows are added to the caller's
transaction, so an email exists exactly when the change that caused it was committed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale
from jinja2 import Environment
from sqlalchemy import func, insert, select

from portal.extensions import db
from portal.inputs import email_value
from portal.notifications.models import OutboxEmail

# OutboxEmail.subject's length. A subject naming a person and an organisation (200
# characters each) can be longer; the body says it all anyway.
MAX_SUBJECT = 300


def recipient_language(recipient: str) -> str:
    """The language a user chose for their emails; Swedish for an address without an account
    (pupils, guardians, supervisors) and for a language the portal no longer offers."""
    from portal.accounts.models import User

    with db.session.no_autoflush:  # the caller's half-made change is not ours to flush
        language = db.session.scalar(
            select(User.language).where(func.lower(User.email) == recipient.strip().lower()))
    return _offered(language)


def _offered(language: str | None) -> str:
    if language is not None and language in current_app.config["PORTAL_LANGUAGES"]:
        return language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def enqueue(recipient: str, template: str, language: str | None = None,
            **context: Any) -> OutboxEmail:
    """Render templates/emails/<template>.{subject,txt,html} in the recipient's language
    (`language`, else the one their account chose, else Swedish) and queue the email."""
    language = _offered(language) if language else recipient_language(recipient)
    context.setdefault("base_url", current_app.config["PORTAL_BASE_URL"])
    context.setdefault("contact_email", current_app.config["PORTAL_CONTACT_EMAIL"])
    context["lang"] = language
    with force_locale(language):
        subject = _render(f"emails/{template}.subject.txt", context).strip()
        text = _render(f"emails/{template}.txt", context)
        html = _render(f"emails/{template}.html", context)
    email = OutboxEmail(recipient=recipient, subject=_fit_subject(" ".join(subject.split())),
                        body_text=text, body_html=html, kind=template)
    db.session.add(email)
    return email


def _email_environment(app: Flask) -> Environment:
    """The app's templates, with every value put on one line unless the template marks it
    `|multiline`: a name carrying a line break cannot add lines of its own to an email (a
    fake "log in here" paragraph). Its own cache: the app's compiled templates lack this."""
    env = app.extensions.get("email_jinja")
    if env is None:
        env = app.jinja_env.overlay(finalize=email_value, cache_size=100)
        app.extensions["email_jinja"] = env
    return env


def _render(name: str, context: dict[str, Any]) -> str:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    values = dict(context)
    app.update_template_context(values)
    return _email_environment(app).get_template(name).render(values)


def _fit_subject(subject: str) -> str:
    if len(subject) <= MAX_SUBJECT:
        return subject
    return subject[:MAX_SUBJECT - 1].rstrip() + "…"


def enqueue_many(template: str, messages: Iterable[tuple[str, dict[str, Any]]]) -> int:
    """Queue one email per (recipient, context) from one template, each rendered as enqueue()
    renders it, in its recipient's language, in one INSERT: for the jobs that email
    thousands at a time (the morning links, the 10:00 alerts), where rendering through Flask
    and the ORM one by one would take longer than the rest of the job. Returns the number
    queued."""
    batch = list(messages)
    if not batch:
        return 0
    languages = _languages_of_users()
    by_language: dict[str, list[int]] = defaultdict(list)
    for index, (recipient, _context) in enumerate(batch):
        by_language[languages.get(recipient.strip().lower(), _default())].append(index)
    env = _email_environment(current_app._get_current_object())  # type: ignore[attr-defined]
    shared = {"base_url": current_app.config["PORTAL_BASE_URL"],
              "contact_email": current_app.config["PORTAL_CONTACT_EMAIL"]}
    subject_t, text_t, html_t = (env.get_template(f"emails/{template}.{part}")
                                 for part in ("subject.txt", "txt", "html"))
    rows: dict[int, dict[str, str]] = {}
    for language, indexes in by_language.items():
        # One switch of locale per language, not per message: gettext reads it at render.
        with force_locale(language):
            for index in indexes:
                recipient, context = batch[index]
                values = {**shared, **context, "lang": language}
                subject = " ".join(subject_t.render(values).split())
                rows[index] = {"recipient": recipient, "subject": _fit_subject(subject),
                               "body_text": text_t.render(values),
                               "body_html": html_t.render(values), "kind": template}
    db.session.execute(insert(OutboxEmail), [rows[i] for i in range(len(batch))])
    return len(batch)


def _default() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _languages_of_users() -> dict[str, str]:
    """Lower-cased address -> language, for every user who chose a language other than the
    default; everyone else (supervisors and guardians without an account too) is written to
    in the default. One query whatever the batch's size: those users are few, where an IN
    list of a morning's thousands of recipients would pass the databases' limits on bound
    parameters."""
    from portal.accounts.models import User

    with db.session.no_autoflush:  # the caller's half-made change is not ours to flush
        chosen = db.session.execute(select(func.lower(User.email), User.language)
                                    .where(User.language != _default())).all()
    return {email: _offered(language) for email, language in chosen}
