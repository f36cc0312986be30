"""Checked in a security review and fine, kept as a guard: emailed links never take the
request's Host header."""

from __future__ import annotations

from sqlalchemy import select


def test_emailed_links_use_the_portal_address_whatever_the_host_header(app, db, world):
    """An attacker asking for a reset of someone else's password sends whatever Host
    header they like (their own browser, their own cookies)."""
    from portal.notifications.models import OutboxEmail
    from tests.conftest import CSRF_RE, new_client

    attacker = new_client(app)
    evil = {"base_url": "http://evil.example",
            "headers": {"X-Forwarded-Host": "evil.example"}}
    page = attacker.get("/losenord/glomt", **evil).get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    response = attacker.post("/losenord/glomt", data={
        "csrf_token": token, "email": world.users["employer"].email}, **evil)
    assert response.status_code == 302
    [email] = db.session.scalars(select(OutboxEmail)).all()
    assert email.kind == "password_reset"
    assert "evil.example" not in email.body_text + email.body_html
    assert "http://portal.test/losenord/aterstall/" in email.body_text
