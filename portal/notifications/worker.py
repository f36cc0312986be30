"""The mail worker: sends due outbox rows through Flask-Mail, one committed row at a time.

Delivery is at least once. A row is marked sent in the same short transaction that sent it,
and on PostgreSQL the row is locked (FOR UPDATE SKIP LOCKED), so two workers never send
the same row. A failure leaves the row pending with a later next_attempt_at (exponential
back-off); after OUTBOX_MAX_ATTEMPTS it is marked failed and shown to the coordinator,
who can queue it again. Nothing is ever deleted here.
"""

from __future__ import annotations

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import BadHeaderError, Message
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db, mail
from portal.notifications.models import OutboxEmail, OutboxStatus

log = logging.getLogger(__name__)

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … capped at one hour."""
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def _claim_next(now: datetime) -> OutboxEmail | None:
    stmt = (
        select(OutboxEmail)
        .where(OutboxEmail.status == OutboxStatus.PENDING, OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return db.session.scalars(stmt).first()


def _message(email: OutboxEmail) -> Message:
    msg = Message(subject=email.subject, recipients=[email.recipient],
                  body=email.body_text, html=email.body_html or None)
    msg.msgId = email.message_id
    return msg


def _record_failure(email: OutboxEmail, error: Exception, now: datetime) -> bool:
    """Returns True when the row gave up (failed) rather than waiting for a retry."""
    email.attempts += 1
    email.last_error = f"{type(error).__name__}: {error}"[:2000]
    if email.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        email.status = OutboxStatus.FAILED
        return True
    email.next_attempt_at = now + backoff(email.attempts)
    return False


def _deliver(email: OutboxEmail, now: datetime, report: SendReport) -> bool:
    """Try one row; returns False when the server is unreachable and the round should stop."""
    try:
        mail.send(_message(email))
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as error:
        _count_failure(report, _record_failure(email, error, now))
        return False
    except (smtplib.SMTPException, BadHeaderError) as error:
        _count_failure(report, _record_failure(email, error, now))
        return True
    email.status = OutboxStatus.SENT
    email.sent_at = utcnow()
    email.attempts += 1
    report.sent += 1
    return True


def _count_failure(report: SendReport, gave_up: bool) -> None:
    if gave_up:
        report.failed += 1
    else:
        report.retried += 1


def send_due(now: datetime | None = None, limit: int = 500) -> SendReport:
    """Send due rows (at most `limit`), each committed on its own; stop early when the
    SMTP server cannot be reached, leaving the rest untouched for the next round."""
    report = SendReport()
    now = now or utcnow()
    for _ in range(limit):
        email = _claim_next(now)
        if email is None:
            db.session.rollback()
            break
        reachable = _deliver(email, now, report)
        if not reachable:
            log.warning("outbox %s not sent: %s", email.id, email.last_error)
        db.session.commit()
        if not reachable:
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
    db.session.commit()
