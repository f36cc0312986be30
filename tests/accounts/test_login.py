from __future__ import annotations

from portal.audit import AuditEvent
from tests import factories
from tests.conftest import login, new_client, post_form


def test_each_role_lands_on_its_start_page(client, world):
    expected = {"coordinator": "/samordnare", "counsellor": "/syv",
                "employer": "/arbetsgivare", "council": "/rad"}
    for role, path in expected.items():
        fresh = new_client(client.application)
        response = login(fresh, world.users[role].email)
        assert response.headers["Location"] == "/start"
        start = fresh.get("/start")
        assert start.headers["Location"] == path
        page = fresh.get(path)
        assert page.status_code == 200
        assert world.users[role].name in page.get_data(as_text=True)


def test_email_is_case_insensitive(client, world):
    response = login(client, "SAMORDNARE@Exempel.SE")
    assert response.status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_message(client, world):
    wrong = login(client, world.users["coordinator"].email, "fel-lösenord-helt-klart")
    unknown = login(client, "ingen@exempel.se", "fel-lösenord-helt-klart")
    assert wrong.status_code == unknown.status_code == 200
    for response in (wrong, unknown):
        html = response.get_data(as_text=True)
        assert "Fel e-postadress eller lösenord." in html
        assert 'aria-invalid="true"' in html
    assert client.get("/samordnare").status_code == 302  # still signed out


def test_login_keeps_the_typed_email(client, world):
    response = login(client, "samordnare@exempel.se", "fel-lösenord-helt-klart")
    assert 'value="samordnare@exempel.se"' in response.get_data(as_text=True)


def test_empty_fields_are_explained_beside_each_field(client, world):
    html = post_form(client, "/logga-in", {"email": "", "password": ""}).get_data(as_text=True)
    assert 'id="email-error"' in html and "Fyll i en e-postadress." in html
    assert 'id="password-error"' in html and "Fyll i ditt lösenord." in html


def test_login_starts_a_new_session(client, world):
    client.get("/logga-in")
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    login(client, world.users["coordinator"].email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{world.users['coordinator'].id}:")


def test_login_is_audited(client, world, db):
    login(client, world.users["employer"].email)
    events = db.session.query(AuditEvent).filter_by(action="login").all()
    assert [e.user_id for e in events] == [world.users["employer"].id]


def test_logout_ends_the_session(client, login_as):
    login_as("coordinator")
    assert client.get("/samordnare").status_code == 200
    response = post_form(client, "/logga-ut", {})
    assert response.status_code == 302
    assert client.get("/samordnare").status_code == 302


def test_logout_needs_post_with_csrf(client, login_as):
    login_as("coordinator")
    assert client.get("/logga-ut").status_code == 405
    assert client.post("/logga-ut").status_code == 400
    assert client.get("/samordnare").status_code == 200


def test_inactive_user_cannot_log_in(client, world, db):
    world.users["council"].active = False
    db.session.commit()
    response = login(client, world.users["council"].email)
    assert response.status_code == 200  # the form again, not signed in
    assert "Ditt konto är avstängt." in response.get_data(as_text=True)
    assert client.get("/rad").status_code == 302


def test_password_change_ends_other_sessions(client, app, world, db):
    login(client, world.users["coordinator"].email)
    assert client.get("/samordnare").status_code == 200
    world.users["coordinator"].session_token = "rotated"
    db.session.commit()
    assert client.get("/samordnare").status_code == 302


def test_redirect_after_login_stays_on_site(client, world):
    email = world.users["coordinator"].email
    token_page = client.get("/logga-in?next=https://evil.example/")
    assert token_page.status_code == 200
    response = post_form(client, "/logga-in?next=https://evil.example/",
                         {"email": email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/start"
    client2 = new_client(client.application)
    response = post_form(client2, "/logga-in?next=/utkorg",
                         {"email": email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/utkorg"


def test_anonymous_user_is_sent_to_login_with_return_address(client, world):
    response = client.get("/utkorg")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in?next=")


def test_logout_ends_every_copy_of_the_session_cookie(client, app, login_as):
    """A copied cookie (another tab, a stolen copy) dies with the sign-out, even though
    the copy is still validly signed: the user's session token is rotated."""
    login_as("coordinator")
    copy = new_client(app)
    for cookie in client._cookies.values():
        copy.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    assert copy.get("/anvandare").status_code == 200
    assert post_form(client, "/logga-ut", {}).status_code == 302
    response = copy.get("/anvandare")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]
