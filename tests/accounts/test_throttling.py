"""Login throttling per IP and per account, with the same neutral message for everyone."""

from __future__ import annotations

from tests.conftest import login, new_client


def test_account_is_throttled_after_five_failures(client, app, world):
    email = world.users["coordinator"].email
    for _ in range(5):
        assert login(client, email, "fel-lösenord-igen-och-igen").status_code == 200
    blocked = login(client, email, "fel-lösenord-igen-och-igen")
    assert blocked.status_code == 429
    assert "För många försök" in blocked.get_data(as_text=True)
    # Even the right password waits: guessing cannot continue from another browser either.
    assert login(new_client(app), email).status_code == 429


def test_the_account_is_one_however_its_address_is_written(client, app, world):
    """Full-width letters and upper case reach the same account (the form reads text as
    NFKC), so they count against the same limit: not five more guesses per spelling."""
    email = world.users["coordinator"].email
    for _ in range(5):
        login(client, email, "fel-lösenord-igen-och-igen")
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c
                         for c in email[:3]) + email[3:]
    for spelling in (full_width, email.upper(), f"  {email} "):
        assert login(new_client(app), spelling).status_code == 429, spelling


def test_unknown_account_is_throttled_the_same_way(client, world):
    for _ in range(5):
        login(client, "finns.inte@exempel.se", "fel-lösenord-igen-och-igen")
    assert login(client, "finns.inte@exempel.se", "fel-lösenord-igen-och-igen").status_code == 429


def test_successful_logins_do_not_count(client, app, world):
    email = world.users["coordinator"].email
    for _ in range(8):
        assert login(new_client(app), email).status_code == 302


def test_other_accounts_are_not_blocked_by_someone_elses_failures(client, app, world):
    for _ in range(6):
        login(client, world.users["coordinator"].email, "fel-lösenord-igen-och-igen")
    assert login(client, world.users["council"].email).status_code == 302


def test_one_ip_is_throttled_across_accounts(client, app, world):
    for n in range(20):
        login(client, f"gissning{n}@exempel.se", "fel-lösenord-igen-och-igen")
    assert login(client, world.users["council"].email).status_code == 429
