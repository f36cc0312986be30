"""Email is never lost: it is an outbox row first, and the worker delivers each row once,
through a real SMTP server, also when that server is down for a while."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.db import utcnow
from portal.notifications import messages
from portal.notifications.models import OutboxEmail, OutboxStatus
from portal.notifications.worker import backoff, send_due
from tests import factories
from tests.conftest import post_form


def _status_counts(db) -> dict[OutboxStatus, int]:
    rows = db.session.execute(select(OutboxEmail.status, func.count())
                              .group_by(OutboxEmail.status)).all()
    return dict(rows)


def test_pending_email_is_delivered_with_swedish_text_and_html(db, mailbox, world):
    email = factories.OutboxEmailFactory(recipient="elev@skola.se")
    db.session.commit()
    report = send_due()
    assert report.sent == 1
    [message] = mailbox.to("elev@skola.se")
    assert message["Subject"] == email.subject
    assert message["Message-ID"] == email.message_id
    assert "å, ä och ö" in message.get_body(preferencelist=("plain",)).get_content()
    assert "<p>Hej!</p>" in message.get_body(preferencelist=("html",)).get_content()
    db.session.refresh(email)
    assert email.status is OutboxStatus.SENT and email.sent_at is not None


def test_smtp_down_loses_nothing_and_back_up_delivers_each_once(db, mailbox, smtp_server):
    emails = [factories.OutboxEmailFactory() for _ in range(3)]
    db.session.commit()
    smtp_server.stop()
    try:
        down = send_due()
    finally:
        smtp_server.start()
    assert down.sent == 0 and down.retried == 1  # the round stops at the first refusal
    assert _status_counts(db) == {OutboxStatus.PENDING: 3}
    first = db.session.get(OutboxEmail, emails[0].id)
    assert first.attempts == 1 and "Connection refused" in first.last_error
    assert first.next_attempt_at > utcnow()

    # Back up, and the retry time has come: every message arrives exactly once.
    later = utcnow() + timedelta(minutes=5)
    assert send_due(now=later).sent == 3
    assert send_due(now=later + timedelta(hours=2)).sent == 0
    received = sorted(m["Message-ID"] for m in mailbox.messages)
    assert received == sorted(e.message_id for e in emails)
    assert _status_counts(db) == {OutboxStatus.SENT: 3}


def test_message_is_not_retried_before_its_time(db, mailbox, smtp_server):
    factories.OutboxEmailFactory()
    db.session.commit()
    smtp_server.stop()
    try:
        send_due()
    finally:
        smtp_server.start()
    assert send_due().sent == 0  # too early
    assert send_due(now=utcnow() + backoff(1) + timedelta(seconds=1)).sent == 1


def test_unknown_mailbox_fails_at_once_and_does_not_stop_the_others(db, mailbox):
    mailbox.refuse["slutat@skola.se"] = "550 5.1.1 No such user"
    gone = factories.OutboxEmailFactory(recipient="slutat@skola.se")
    factories.OutboxEmailFactory(recipient="ok@skola.se")
    db.session.commit()
    report = send_due()
    assert (report.sent, report.failed) == (1, 1)
    assert len(mailbox.to("ok@skola.se")) == 1
    db.session.refresh(gone)
    assert gone.status is OutboxStatus.FAILED and "No such user" in gone.last_error


def test_an_address_that_cannot_be_sent_fails_alone(db, mailbox):
    """A non-ASCII local part passes the email validator but not the SMTP envelope: that row
    fails with the reason, the rest of the round is still delivered."""
    odd = factories.OutboxEmailFactory(recipient="kö@skola.se")
    factories.OutboxEmailFactory(recipient="ok@skola.se")
    db.session.commit()
    report = send_due()
    assert (report.sent, report.failed) == (1, 1)
    assert len(mailbox.to("ok@skola.se")) == 1
    db.session.refresh(odd)
    assert odd.status is OutboxStatus.FAILED and "UnicodeEncodeError" in odd.last_error


def test_a_domain_of_swedish_letters_is_delivered_in_punycode(db, mailbox):
    """The forms take anna@åre.se (only a local part of such letters is refused): it goes
    out, its domain spelt as the SMTP envelope must."""
    email = factories.OutboxEmailFactory(recipient="anna@åre.se")
    db.session.commit()
    assert send_due().sent == 1
    assert len(mailbox.to("anna@xn--re-xia.se")) == 1
    db.session.refresh(email)
    assert email.status is OutboxStatus.SENT


def test_temporary_refusal_is_retried_later(db, mailbox):
    mailbox.refuse["full@skola.se"] = "452 4.2.2 Mailbox full"
    email = factories.OutboxEmailFactory(recipient="full@skola.se")
    db.session.commit()
    assert send_due().retried == 1
    mailbox.refuse.clear()
    assert send_due(now=utcnow() + timedelta(minutes=1)).sent == 1
    db.session.refresh(email)
    assert email.status is OutboxStatus.SENT and email.attempts == 2


def _smtp_down_for(smtp_server, start, hours: float, every_minutes: int = 5):
    """The worker keeps running (as cron would) while the server is down."""
    smtp_server.stop()
    try:
        for step in range(int(hours * 60 / every_minutes)):
            send_due(now=start + timedelta(minutes=step * every_minutes))
    finally:
        smtp_server.start()


def test_a_five_hour_outage_delivers_every_email_once_and_fails_none(db, mailbox, smtp_server):
    emails = [factories.OutboxEmailFactory() for _ in range(3)]
    db.session.commit()
    start = utcnow()
    _smtp_down_for(smtp_server, start, hours=5.5, every_minutes=1)
    assert _status_counts(db) == {OutboxStatus.PENDING: 3}
    back = start + timedelta(hours=7)  # back-off is at most an hour: every row is due
    assert send_due(now=back).sent == 3
    assert send_due(now=back + timedelta(hours=2)).sent == 0
    assert sorted(m["Message-ID"] for m in mailbox.messages) == sorted(
        e.message_id for e in emails)
    assert _status_counts(db) == {OutboxStatus.SENT: 3}


def test_backoff_never_waits_more_than_an_hour_in_an_outage(db, mailbox, smtp_server):
    email = factories.OutboxEmailFactory()
    db.session.commit()
    start = utcnow()
    _smtp_down_for(smtp_server, start, hours=10, every_minutes=10)
    db.session.refresh(email)
    assert email.next_attempt_at - start <= timedelta(hours=11)
    assert email.status is OutboxStatus.PENDING


def test_gives_up_after_the_retry_window_says_why_and_can_be_requeued(
        app, client, db, mailbox, login_as, smtp_server):
    window = timedelta(hours=app.config["OUTBOX_RETRY_HOURS"])
    assert window >= timedelta(hours=72)
    email = factories.OutboxEmailFactory()
    db.session.commit()
    start = utcnow()
    smtp_server.stop()
    try:
        assert send_due(now=start).retried == 1
        assert send_due(now=start + window - timedelta(minutes=1)).retried == 1
        assert send_due(now=start + window).failed == 1
    finally:
        smtp_server.start()
    db.session.refresh(email)
    assert email.status is OutboxStatus.FAILED

    login_as("coordinator")
    page = client.get("/utkorg?status=failed").get_data(as_text=True)
    assert email.subject in page
    assert "kunde inte lämnas över på 72 timmar" in page
    response = post_form(client, f"/utkorg/{email.id}/forsok-igen", {})
    assert response.status_code == 302
    db.session.refresh(email)
    assert email.failing_since is None and email.failure_reason is None  # a new window
    assert send_due().sent == 1
    assert len(mailbox.messages) == 1


def test_permanent_refusal_is_explained_in_the_failed_list(client, db, mailbox, login_as):
    mailbox.refuse["slutat@skola.se"] = "550 5.1.1 No such user"
    email = factories.OutboxEmailFactory(recipient="slutat@skola.se")
    db.session.commit()
    assert send_due().failed == 1
    login_as("coordinator")
    listing = client.get("/utkorg?status=failed").get_data(as_text=True)
    assert "tog inte emot meddelandet" in listing
    detail = client.get(f"/utkorg/{email.id}").get_data(as_text=True)
    assert "Kontrollera adressen" in detail and "No such user" in detail


def test_a_refused_sign_in_is_waited_out_like_an_outage(db, mailbox, monkeypatch):
    """535 (our SMTP password is wrong) is about the server, not the message: every email
    would get it, so none is failed for it and the round stops."""
    import smtplib

    from portal.extensions import mail

    for _ in range(3):
        factories.OutboxEmailFactory()
    db.session.commit()

    def refuse(message):
        raise smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication failed")

    monkeypatch.setattr(mail, "send", refuse)
    report = send_due()
    assert (report.failed, report.retried) == (0, 1)
    assert _status_counts(db) == {OutboxStatus.PENDING: 3}


def test_backoff_grows_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(30) == timedelta(hours=1)


def test_email_is_only_queued_when_the_change_commits(app, db, world):
    user = world.users["coordinator"]
    with app.test_request_context():
        messages.password_reset(user, "http://portal.test/x")
    db.session.rollback()
    assert _status_counts(db) == {}


def test_coordinator_reads_the_outbox(client, db, login_as):
    factories.OutboxEmailFactory(subject="Inbjudan till Nina", body_text="Hej Nina, välkommen")
    db.session.commit()
    login_as("coordinator")
    listing = client.get("/utkorg").get_data(as_text=True)
    assert "Inbjudan till Nina" in listing
    email_id = db.session.scalars(select(OutboxEmail.id)).one()
    detail = client.get(f"/utkorg/{email_id}").get_data(as_text=True)
    assert "Hej Nina, välkommen" in detail


def test_outbox_lists_are_paginated(client, db, login_as):
    for _ in range(55):
        factories.OutboxEmailFactory()
    db.session.commit()
    login_as("coordinator")
    first = client.get("/utkorg").get_data(as_text=True)
    assert "Sida 1 av 2" in first
    second = client.get("/utkorg?sida=2").get_data(as_text=True)
    assert second.count("<tr>") == 5 + 1  # five rows and the header


def test_mail_send_command_reports_counts(app, db, mailbox):
    factories.OutboxEmailFactory()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0
    assert "skickade 1" in result.output


def test_mail_send_loop_keeps_sending(app, db, mailbox, monkeypatch):
    from portal.notifications import worker

    factories.OutboxEmailFactory(recipient="forsta@skola.se")
    db.session.commit()
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 1:  # a new message arrives while the worker waits
            factories.OutboxEmailFactory(recipient="andra@skola.se")
            db.session.commit()

    monkeypatch.setattr(worker.time, "sleep", sleep)
    worker.run_forever(interval=2.5, stop_after=2)
    assert sleeps == [2.5, 2.5]
    assert [m["X-Envelope-To"] for m in mailbox.messages] == ["forsta@skola.se", "andra@skola.se"]
