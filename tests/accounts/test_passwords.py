"""Password rules after NIST SP 800-63B: length and a block list, no composition rules."""

from __future__ import annotations

import pytest

from portal.accounts.passwords import password_problem


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
