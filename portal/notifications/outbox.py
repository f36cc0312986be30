"""Writing to the outbox. Nothing here talks to SMTP: rows are added to the caller's
transaction, so an email exists exactly when the change that caused it was committed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale, get_translations
from jinja2 import Environment, Template
from jinja2.ext import InternationalizationExtension
from markupsafe import escape
from sqlalchemy import func, insert, select

from portal.db import utcnow
from portal.extensions import db
from portal.inputs import email_value
from portal.notifications.models import OutboxEmail
from portal.privacy import notice_url

# OutboxEmail.subject's length. A subject naming a person and an organisation (200
# characters each) can be longer; the body says it all anyway.
MAX_SUBJECT = 300


# An email of a kind to an address queued this recently is the same request again (a
# double click), whose first email is on its way.
REPEAT_WINDOW = timedelta(minutes=1)


def queued_just_now(kind: str, address: str) -> bool:
    """An email of this kind to the address is in the outbox from the last minute. Asked
    after taking the row the email is about, so that of two requests at once the second
    finds the first's email."""
    return db.session.scalar(select(OutboxEmail.id).where(
        OutboxEmail.kind == kind, OutboxEmail.recipient == address,
        OutboxEmail.created_at > utcnow() - REPEAT_WINDOW).limit(1)) is not None


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
    context.setdefault("privacy_url", notice_url())
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


def _batch_environment(app: Flask, language: str) -> Environment:
    """The email environment with `_` and `ngettext` bound to one language's catalogue,
    for enqueue_many: Flask-Babel's own callables look up the locale and its catalogue on
    every call, which for a morning's thousands of emails is most of the rendering. The
    same catalogue and the same newstyle gettext (escaping, %-formatting), so the same
    text."""
    envs: dict[str, Environment] = app.extensions.setdefault("email_jinja_batch", {})
    env = envs.get(language)
    if env is None:
        with force_locale(language):
            translations = get_translations()
        env = _email_environment(app).overlay(cache_size=100)
        env.globals = dict(env.globals)  # an overlay shares its parent's globals
        # The overlay's own binding of the i18n extension installs into env.globals (the
        # inherited env.install_gettext_callables would install into the parent's).
        i18n = env.extensions[InternationalizationExtension.identifier]
        i18n._install_callables(  # type: ignore[attr-defined]
            gettext=translations.ugettext, ngettext=translations.ungettext, newstyle=True,
            pgettext=translations.upgettext, npgettext=translations.unpgettext)
        envs[language] = env
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


@dataclass(frozen=True)
class Fill:
    """How a batch's emails differ, for enqueue_many: emails whose contexts have the same
    key differ only in the text fields `fields` names, so one rendering of the group with
    placeholders in those fields, filled in per email, gives every email of the group
    (as plain text in .txt parts, escaped in .html). A field is filled in only where the
    rendering would have put it unchanged (non-empty, already one line); any other email
    is rendered whole, and so is a group where the first email rendered whole differs
    from its filled-in copy (a template that transforms a field)."""

    key: Callable[[dict[str, Any]], Hashable]
    fields: Callable[[dict[str, Any]], dict[str, str]]  # field name -> this email's value
    blank: Callable[[dict[str, Any], dict[str, str]], dict[str, Any]]  # the context
    # with these placeholders in place of the fields


_PLACEHOLDER = "\ue000{}\ue001"  # private-use characters: never in a name, never escaped


def enqueue_many(template: str, messages: Iterable[tuple[str, dict[str, Any]]],
                 fill: Fill | None = None) -> int:
    """Queue one email per (recipient, context) from one template, each rendered as enqueue()
    renders it, in its recipient's language, in one INSERT: for the jobs that email
    thousands at a time (the morning links, the 10:00 alerts), where rendering through Flask
    and the ORM one by one would take longer than the rest of the job. With `fill`, each
    group of emails alike is rendered once (see Fill). Returns the number queued."""
    batch = list(messages)
    if not batch:
        return 0
    languages = _languages_of_users()
    by_language: dict[str, list[int]] = defaultdict(list)
    for index, (recipient, _context) in enumerate(batch):
        by_language[languages.get(recipient.strip().lower(), _default())].append(index)
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    shared = {"base_url": current_app.config["PORTAL_BASE_URL"],
              "contact_email": current_app.config["PORTAL_CONTACT_EMAIL"],
              "privacy_url": notice_url()}
    rows: dict[int, dict[str, str]] = {}
    for language, indexes in by_language.items():
        env = _batch_environment(app, language)
        subject_t, text_t, html_t = (env.get_template(f"emails/{template}.{part}")
                                     for part in ("subject.txt", "txt", "html"))
        parts = _Parts(subject_t, text_t, html_t, {**shared, "lang": language})
        # One switch of locale per language, not per message: Python code that a template
        # calls (a property translating its text) reads it.
        with force_locale(language):
            whole = _fill_groups(parts, batch, indexes, fill, rows) if fill else indexes
            for index in whole:
                rows[index] = parts.row(*batch[index])
    for row in rows.values():
        row["kind"] = template
    db.session.execute(insert(OutboxEmail), [rows[i] for i in range(len(batch))])
    return len(batch)


@dataclass(frozen=True)
class _Parts:
    subject: Template
    text: Template
    html: Template
    shared: dict[str, Any]

    def render(self, context: dict[str, Any]) -> tuple[str, str, str]:
        values = {**self.shared, **context}
        return (self.subject.render(values), self.text.render(values),
                self.html.render(values))

    def row(self, recipient: str, context: dict[str, Any]) -> dict[str, str]:
        return _row(recipient, *self.render(context))


def _row(recipient: str, subject: str, text: str, html: str) -> dict[str, str]:
    return {"recipient": recipient, "subject": _fit_subject(" ".join(subject.split())),
            "body_text": text, "body_html": html}


def _fill_groups(parts: _Parts, batch: list[tuple[str, dict[str, Any]]], indexes: list[int],
                 fill: Fill, rows: dict[int, dict[str, str]]) -> list[int]:
    """Render each group once and fill in its emails' fields into `rows`; returns the
    indexes left to render whole."""
    whole: list[int] = []
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for index in indexes:
        context = batch[index][1]
        if all(_fillable(value) for value in fill.fields(context).values()):
            groups[fill.key(context)].append(index)
        else:
            whole.append(index)
    for members in groups.values():
        first = batch[members[0]][1]
        names = list(fill.fields(first))
        marks = {name: _PLACEHOLDER.format(n) for n, name in enumerate(names)}
        rendered = parts.render(fill.blank(first, marks))

        def filled(index: int, rendered: tuple[str, str, str] = rendered,
                   marks: dict[str, str] = marks) -> dict[str, str]:
            recipient, context = batch[index]
            values = fill.fields(context)
            subject, text, html = rendered
            for name, mark in marks.items():
                subject = subject.replace(mark, values[name])
                text = text.replace(mark, values[name])
                html = html.replace(mark, escape(values[name]))
            return _row(recipient, subject, text, html)

        if filled(members[0]) != parts.row(*batch[members[0]]):
            whole.extend(members)  # the template does more with a field than show it
            continue
        for index in members:
            rows[index] = filled(index)
    return whole


def _fillable(value: str) -> bool:
    """Shown unchanged by the email environment (see inputs.email_value) and free of the
    placeholders' characters."""
    return bool(value) and email_value(value) == value and "\ue000" not in value \
        and "\ue001" not in value


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
