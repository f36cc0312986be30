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
