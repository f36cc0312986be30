"""The mail worker: sends due outbox rows through Flask-Mail, one committed row at a time.

A worker first leases a row with one conditional UPDATE (committed), then sends it, then
records the outcome. Two workers never hold the same row: on PostgreSQL the choice skips
rows another worker is leasing (FOR UPDATE SKIP LOCKED); SQLite runs writes one at a
time. Should a worker die between sending and recording, its lease runs out and the row is
sent again: delivery is at least once, with the same Message-ID, never zero times.
Email survives outages: a server that cannot be reached, or answers "try later" (4xx),
leaves the row pending with a later next_attempt_at (exponential back-off, at most an hour
apart) for OUTBOX_RETRY_HOURS (72) from its first failure; only then is it given up. A
permanent refusal (a 5xx answer about this message) marks it failed at once. Either way the
coordinator sees why, and can queue it again. Nothing is ever deleted here.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import time
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import BadHeaderError, Message
from sqlalchemy import or_, select, update

from portal.db import utcnow
from portal.extensions import db, mail
from portal.notifications.models import FailureReason, OutboxEmail, OutboxStatus

log = logging.getLogger(__name__)

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
LEASE = timedelta(minutes=5)  # far longer than one SMTP conversation may take


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Leased:
    """A leased row's content, read and released before the slow SMTP conversation, so
    no database transaction stays open while the server answers (SQLite would lock)."""

    id: int
    recipient: str
    subject: str
    body_text: str
    body_html: str
    message_id: str
    attempts: int
    failing_since: datetime | None


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … capped at one hour."""
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def _lease_next(now: datetime) -> Leased | None:
    unleased = or_(OutboxEmail.leased_until.is_(None), OutboxEmail.leased_until < now)
    due = (
        select(OutboxEmail.id)
        .where(OutboxEmail.status == OutboxStatus.PENDING, OutboxEmail.next_attempt_at <= now,
               unleased)
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    lease = secrets.token_hex(16)
    db.session.execute(
        update(OutboxEmail).where(OutboxEmail.id == due, unleased)
        .values(lease=lease, leased_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    columns = [getattr(OutboxEmail, f.name) for f in fields(Leased)]
    row = db.session.execute(select(*columns).where(OutboxEmail.lease == lease)).one_or_none()
    db.session.commit()
    return Leased(*row) if row else None


def _message(email: Leased) -> Message:
    msg = Message(subject=email.subject, recipients=[email.recipient],
                  body=email.body_text, html=email.body_html or None)
    msg.msgId = email.message_id
    return msg


# Answers about the server or our own account there (sign-in, sender, greeting), not about
# one message: every email would get them, so they are waited out like an outage.
SERVER_PROBLEMS = (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused,
                   smtplib.SMTPHeloError, smtplib.SMTPNotSupportedError,
                   smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer about this message (no such mailbox, say) will not change by trying
    again; a 4xx may, and so may anything about the server itself."""
    if isinstance(error, SERVER_PROBLEMS):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    # An address with a non-ASCII local part (kö@skola.se passes the forms' validator) cannot
    # go through Flask-Mail's plain-ASCII envelope, now or later.
    return isinstance(error, BadHeaderError | UnicodeError)


def _server_problem(error: Exception) -> bool:
    # smtplib's errors are OSErrors too; these mean no email can go now: stop the round.
    if isinstance(error, SERVER_PROBLEMS):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _finish(email_id: int, **values: object) -> None:
    """Record the outcome and give the lease back, in one statement."""
    db.session.execute(
        update(OutboxEmail).where(OutboxEmail.id == email_id)
        .values(lease=None, leased_until=None, attempts=OutboxEmail.attempts + 1, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def retry_window() -> timedelta:
    return timedelta(hours=current_app.config["OUTBOX_RETRY_HOURS"])


def _failure_values(email: Leased, error: Exception, now: datetime) -> dict[str, object]:
    since = email.failing_since or now
    values: dict[str, object] = {"last_error": f"{type(error).__name__}: {error}"[:2000],
                                 "failing_since": since}
    if _is_permanent(error):
        values.update(status=OutboxStatus.FAILED, failure_reason=FailureReason.REFUSED)
    elif now >= since + retry_window():
        values.update(status=OutboxStatus.FAILED, failure_reason=FailureReason.GAVE_UP)
    else:
        values["next_attempt_at"] = now + backoff(email.attempts + 1)
    return values


def _deliver(email: Leased, now: datetime, report: SendReport) -> bool:
    """Try one row; returns False when the server cannot take any email now and the round
    should stop."""
    try:
        mail.send(_message(email))
    except (OSError, BadHeaderError, UnicodeError) as error:
        # Caught here, one row fails by itself; uncaught, it broke every jobs run's outbox step.
        values = _failure_values(email, error, now)
        _finish(email.id, **values)
        if values.get("status") is OutboxStatus.FAILED:
            report.failed += 1
        else:
            report.retried += 1
        log.warning("outbox %s not sent: %s", email.id, values["last_error"])
        return not _server_problem(error)
    _finish(email.id, status=OutboxStatus.SENT, sent_at=utcnow())
    report.sent += 1
    return True


def send_due(now: datetime | None = None, limit: int = 500) -> SendReport:
    """Send due rows (at most `limit`), each recorded on its own; stop early when the
    SMTP server cannot be reached, leaving the rest untouched for the next round."""
    report = SendReport()
    now = now or utcnow()
    for _ in range(limit):
        email = _lease_next(now)
        if email is None or not _deliver(email, now, report):
            break
    return report


def run_forever(interval: float, stop_after: int | None = None) -> None:
    """`flask mail send --loop`: poll the outbox until stopped."""
    rounds = 0
    while stop_after is None or rounds < stop_after:
        report = send_due()
        if report.sent or report.retried or report.failed:
            log.info("outbox: %s", report)
        rounds += 1
        time.sleep(interval)


def requeue(email: OutboxEmail) -> None:
    """The coordinator asks for a failed email to be tried again."""
    email.status = OutboxStatus.PENDING
    email.attempts = 0
    email.next_attempt_at = utcnow()
    email.failing_since = None  # a new retry window
    email.failure_reason = None
    db.session.commit()
