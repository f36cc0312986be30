from __future__ import annotations

import re
from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.db import utcnow
from portal.notifications.models import OutboxEmail
from portal.notifications.worker import send_due
from tests.conftest import login, new_client, post_form

PASSWORD = "blåbär och lingon i september"
LINK_RE = re.compile(r"http://portal\.test(/inbjudan/[^\s\"<]+)")


def _invite(client, **data):
    form = {"name": "Nina Ny", "email": "Nina.Ny@Skola.se", "role": "counsellor",
            "municipality": "0", **data}
    return post_form(client, "/anvandare/bjud-in", form)


def _invitation_link(mailbox, email):
    send_due()
    [message] = mailbox.to(email)
    assert message["Subject"] == "Du är inbjuden till Praoportalen"
    return LINK_RE.search(message.get_body(preferencelist=("plain",)).get_content()).group(1)


def test_coordinator_invites_a_counsellor_who_chooses_a_password(client, app, world, mailbox,
                                                                 login_as, db):
    login_as("coordinator")
    response = _invite(client, schools=[str(world.school_b.id)])
    assert response.status_code == 302
    invitee = db.session.scalars(select(User).filter_by(email="nina.ny@skola.se")).one()
    assert invitee.role is Role.COUNSELLOR and invitee.password_hash is None
    assert [s.id for s in invitee.schools] == [world.school_b.id]

    link = _invitation_link(mailbox, "nina.ny@skola.se")
    browser = new_client(app)
    page = browser.get(link)
    assert "Välkommen till Praoportalen, Nina Ny!" in page.get_data(as_text=True)
    accepted = post_form(browser, link, {"password": PASSWORD, "confirm": PASSWORD})
    assert accepted.headers["Location"] == "/start"
    assert browser.get("/syv").status_code == 200  # signed in straight away
    assert login(new_client(app), "nina.ny@skola.se", PASSWORD).status_code == 302


def test_invitation_link_works_once(client, app, world, mailbox, login_as):
    login_as("coordinator")
    _invite(client, role="council", municipality=str(world.municipality_a.id))
    link = _invitation_link(mailbox, "nina.ny@skola.se")
    browser = new_client(app)
    post_form(browser, link, {"password": PASSWORD, "confirm": PASSWORD})
    again = new_client(app).get(link)
    assert again.status_code == 400
    assert "redan använts" in again.get_data(as_text=True)


def test_invitation_expires_after_fourteen_days(client, app, world, mailbox, login_as):
    login_as("coordinator")
    _invite(client, role="coordinator")
    link = _invitation_link(mailbox, "nina.ny@skola.se")
    with freeze_time(utcnow() + timedelta(days=15)):
        response = new_client(app).get(link)
    assert response.status_code == 400 and "gått ut" in response.get_data(as_text=True)


def test_counsellor_needs_a_school(client, world, login_as, db):
    login_as("coordinator")
    response = _invite(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="schools-error"' in html and "Välj minst en skola" in html
    assert db.session.scalars(select(User).filter_by(email="nina.ny@skola.se")).first() is None
    assert db.session.scalars(select(OutboxEmail)).first() is None  # nothing half-saved


def test_existing_email_in_any_case_is_refused(client, world, login_as, db):
    login_as("coordinator")
    response = _invite(client, email="SYV@exempel.se", schools=[str(world.school_a.id)])
    assert "Det finns redan ett konto" in response.get_data(as_text=True)
    assert db.session.scalars(select(OutboxEmail)).first() is None


def test_employer_role_cannot_be_invited(client, world, login_as, db):
    login_as("coordinator")
    response = _invite(client, role="employer")
    assert 'id="role-error"' in response.get_data(as_text=True)
    assert db.session.scalars(select(User).filter_by(email="nina.ny@skola.se")).first() is None


def test_oversized_name_is_refused_beside_the_field(client, world, login_as):
    login_as("coordinator")
    response = _invite(client, name="Å" * 201, schools=[str(world.school_a.id)])
    html = response.get_data(as_text=True)
    assert 'id="name-error"' in html and "högst 200 tecken" in html


def test_an_invitation_sent_again_at_once_is_sent_later_the_address_is_taken(
        client, world, login_as, db, set_clock):
    """A reload or a second click just after is the same invitation: it is in the outbox
    once, and the answer says so. Ten minutes later, the address is simply taken."""
    login_as("coordinator")
    first = _invite(client, schools=[str(world.school_a.id)])
    assert first.status_code == 302
    again = _invite(client, schools=[str(world.school_a.id)])
    assert again.status_code == 302
    assert "ligger i utkorgen" in client.get(again.location).get_data(as_text=True)
    assert len(db.session.scalars(select(OutboxEmail)).all()) == 1
    set_clock(utcnow() + timedelta(minutes=11))
    late = _invite(client, schools=[str(world.school_a.id)])
    assert "Det finns redan ett konto" in late.get_data(as_text=True)
    assert len(db.session.scalars(select(OutboxEmail)).all()) == 1


def test_an_invitation_that_never_arrived_or_expired_is_sent_again(
        client, app, world, mailbox, login_as, db, set_clock):
    """A probe found an invited person locked out for good: the link had expired, the
    address was taken and a password reset sends nothing to an account without one."""
    login_as("coordinator")
    _invite(client, role="coordinator")
    invitee = db.session.scalars(select(User).filter_by(email="nina.ny@skola.se")).one()
    _invitation_link(mailbox, "nina.ny@skola.se")
    mailbox.messages.clear()
    set_clock(utcnow() + timedelta(days=15))  # the first link has expired
    page = client.get(f"/anvandare/{invitee.id}").get_data(as_text=True)
    assert "Skicka inbjudan igen" in page
    sent = post_form(client, f"/anvandare/{invitee.id}/bjud-in-igen", {})
    assert "En ny inbjudan till nina.ny@skola.se ligger i utkorgen" in client.get(
        sent.location).get_data(as_text=True)
    twice = post_form(client, f"/anvandare/{invitee.id}/bjud-in-igen", {})  # a double click
    assert "Ingen ny skickades" in client.get(twice.location).get_data(as_text=True)
    link = _invitation_link(mailbox, "nina.ny@skola.se")  # exactly one new email
    browser = new_client(app)
    post_form(browser, link, {"password": PASSWORD, "confirm": PASSWORD})
    assert login(new_client(app), "nina.ny@skola.se", PASSWORD).status_code == 302
    assert "Skicka inbjudan igen" not in client.get(
        f"/anvandare/{invitee.id}").get_data(as_text=True)
    refused = post_form(client, f"/anvandare/{invitee.id}/bjud-in-igen", {})
    assert "behöver ingen ny inbjudan" in client.get(refused.location).get_data(as_text=True)
