from __future__ import annotations

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from portal.db import utcnow
from portal.notifications.worker import send_due
from tests.conftest import login, post_form

NEW_PASSWORD = "ny mening om sommarprao i skogen"
LINK_RE = re.compile(r"http://portal\.test(/losenord/aterstall/[^\s\"<]+)")


def _request_reset(client, email: str) -> None:
    response = post_form(client, "/losenord/glomt", {"email": email})
    assert response.status_code == 302


def _reset_link(mailbox, email: str) -> str:
    send_due()
    [message] = mailbox.to(email)
    assert message["Subject"] == "Välj ett nytt lösenord till Praoportalen"
    body = message.get_body(preferencelist=("plain",)).get_content()
    return LINK_RE.search(body).group(1)


def test_reset_link_arrives_by_email_and_sets_a_new_password(client, world, mailbox):
    email = world.users["counsellor"].email
    _request_reset(client, email)
    link = _reset_link(mailbox, email)
    response = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert login(client, email, NEW_PASSWORD).status_code == 302


def test_a_reset_asked_for_twice_at_once_sends_one_email(client, world, mailbox, set_clock):
    """A double click, or a second try a moment later: one email, whose link works. A
    minute later the person may well have lost it: a new one goes."""
    email = world.users["counsellor"].email
    set_clock(utcnow())
    _request_reset(client, email)
    _request_reset(client, email)
    send_due()
    assert len(mailbox.to(email)) == 1
    set_clock(utcnow() + timedelta(seconds=61))
    _request_reset(client, email)
    send_due()
    assert len(mailbox.to(email)) == 2


def test_unknown_email_gets_the_same_answer_and_no_email(client, world, mailbox):
    response = post_form(client, "/losenord/glomt", {"email": "ingen@exempel.se"},
                         follow_redirects=True)
    assert "Om adressen finns hos oss" in response.get_data(as_text=True)
    send_due()
    assert mailbox.messages == []


def test_reset_link_works_only_once(client, world, mailbox):
    email = world.users["counsellor"].email
    _request_reset(client, email)
    link = _reset_link(mailbox, email)
    post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = client.get(link)
    assert again.status_code == 400
    assert "Länken har redan använts" in again.get_data(as_text=True)
    reuse = post_form(client, link, {"password": "ett helt annat lösenord nu",
                                     "confirm": "ett helt annat lösenord nu"})
    assert reuse.status_code == 400
    assert login(client, email, "ett helt annat lösenord nu").status_code == 200


def test_reset_link_expires_after_one_hour(client, world, mailbox):
    email = world.users["counsellor"].email
    _request_reset(client, email)
    link = _reset_link(mailbox, email)
    with freeze_time(utcnow() + timedelta(minutes=59)):
        assert client.get(link).status_code == 200
    with freeze_time(utcnow() + timedelta(minutes=61)):
        expired = client.get(link)
    assert expired.status_code == 400
    assert "Länken har gått ut." in expired.get_data(as_text=True)


@pytest.mark.parametrize("tampered", ["abc", "x" * 400, "eyJ1IjoxfQ.bad.signature"])
def test_tampered_reset_link_is_refused(client, world, tampered):
    response = client.get(f"/losenord/aterstall/{tampered}")
    assert response.status_code == 400
    assert "Länken är inte giltig" in response.get_data(as_text=True)


def test_weak_new_password_is_explained_and_nothing_changes(client, world, mailbox):
    email = world.users["counsellor"].email
    _request_reset(client, email)
    link = _reset_link(mailbox, email)
    response = post_form(client, link, {"password": "password1234", "confirm": "password1234"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Lösenordet är för vanligt" in html and 'id="password-error"' in html
    assert client.get(link).status_code == 200  # the link still works
    assert login(client, email).status_code == 302  # the old password too


def test_mismatched_confirmation_is_explained(client, world, mailbox):
    email = world.users["counsellor"].email
    _request_reset(client, email)
    link = _reset_link(mailbox, email)
    response = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert "Lösenorden är inte likadana." in response.get_data(as_text=True)


def test_reset_ends_sessions_signed_in_with_the_old_password(client, app, world, mailbox):
    from tests.conftest import new_client

    email = world.users["counsellor"].email
    other_device = new_client(app)
    login(other_device, email)
    assert other_device.get("/syv").status_code == 200
    _request_reset(client, email)
    link = _reset_link(mailbox, email)
    post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert other_device.get("/syv").status_code == 302
