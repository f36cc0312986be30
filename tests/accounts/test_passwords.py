"""Password rules after NIST SP 800-63B: length and a block list, no composition rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.passwords import password_problem
from portal.notifications.models import OutboxEmail


@pytest.fixture(autouse=True)
def _request_context(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize("password", [
    "korta-ord",            # 9 characters
    "elva tecken",          # 11 characters
])
def test_shorter_than_twelve_is_refused(password):
    assert "minst 12 tecken" in password_problem(password)


@pytest.mark.parametrize("password", [
    "qwertyuiop123",        # on the common-passwords list with digits added
    "1q2w3e4r5t6y",         # on the list as it is
    "Lösenord123456",       # Swedish list, digits added
    "VälkommenVälkommen"[:9] + "123456",
])
def test_common_passwords_are_refused(password):
    assert "för vanligt" in password_problem(password)


@pytest.mark.parametrize("password", ["aaaaaaaaaaaaaa", "abababababab", "abcdefghijklmn"])
def test_repetitive_or_sequential_is_refused(password):
    assert "upprepade tecken" in password_problem(password)


def test_built_on_own_email_is_refused():
    assert "e-postadress" in password_problem("annasvensson2026!", "anna.svensson@skola.se"
                                              .replace(".", ""))
    assert "e-postadress" in password_problem("praoportalen2026")


@pytest.mark.parametrize("password", [
    "korvbröd i solen på stranden",   # a sentence, no digits or capitals needed
    "ny mening om sommarprao i skogen",  # mentions prao, but is far more than that
    "Ørjan ❤ Nguyễn fotograferar",     # any Unicode is fine
    "1234-5678-9012-3456-x",           # no composition rules
])
def test_long_uncommon_passwords_are_accepted(password):
    assert password_problem(password, "someone@skola.se") is None


def test_very_long_is_refused():
    assert "högst 128" in password_problem("ord " * 40)


@pytest.mark.parametrize(("password", "why"), [
    ("123456789012", "enkel följd"),                 # digits in a row
    ("qwertyuiopasdf", "vanliga ord"),               # a keyboard row, among the most used
    ("sommar2026sommar", "upprepar samma ord"),      # one Swedish word twice and a year
    ("mnbvcxzlkjhgfd", "tangentbordet"),             # a keyboard walk
    ("julaftonpåsk", "vanliga ord"),                 # Swedish words zxcvbn alone misses
    ("kärlekhjärta", "vanliga ord"),
])
def test_easily_guessed_passwords_are_refused_with_the_reason(password, why):
    problem = password_problem(password, "someone@skola.se")
    assert problem is not None and why in problem


def test_password_built_on_the_users_own_name_is_refused():
    assert "ditt namn" in password_problem("KarinLindqvist!!", "k.l@skola.se",
                                           "Karin Lindqvist")
    assert password_problem("KarinLindqvist!!", "k.l@skola.se", "Olle Berg") is None


def test_the_reason_is_beside_the_field_in_the_users_language(app, client, db, world):
    from portal.accounts import services
    from portal.accounts.models import Role
    from tests.conftest import post_form

    with app.test_request_context():
        services.invite_user(world.users["coordinator"], email="ny@skola.se", name="Ny Person",
                             role=Role.COUNCIL)
        link = db.session.scalars(select(OutboxEmail.body_text)).one()
    path = link[link.index("/inbjudan/"):].split()[0]
    response = post_form(client, path, {"password": "123456789012", "confirm": "123456789012"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="password-error"' in html and "enkel följd" in html
    client.get("/sprak/en")
    response = post_form(client, path, {"password": "123456789012", "confirm": "123456789012"})
    assert "simple sequence" in response.get_data(as_text=True)
