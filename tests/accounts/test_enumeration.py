"""No enumeration: the registration form and the password-reset form give a stranger the
same answer, in the same time, whether an address has an account or not; both are
throttled per address and per client."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import event, func, select

from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.employers.models import Organisation
from portal.notifications.models import OutboxEmail
from tests.conftest import new_client, post_form

PASSWORD = "kanelbullar och kaffe varje fredag"
REGISTER = "/arbetsgivare/registrera"


def _form(world, **overrides):
    return {"organisation_name": "Kaffe & Kaka AB", "org_number": "556123-4500",
            "sector": "hospitality", "visiting_address": "Storgatan 12", "postal_code": "972 31",
            "city": "Luleå", "municipality": str(world.municipality_a.id),
            "contact_name": "Karin Kaffe", "email": "karin@kaffe.se", "phone": "070-123 45 67",
            "password": PASSWORD, "confirm": PASSWORD, **overrides}


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _answer(app, form) -> tuple[int, str, str]:
    """Status, redirect target and the page a stranger then sees, from a fresh browser."""
    browser = new_client(app)
    response = post_form(browser, REGISTER, form)
    page = browser.get(response.headers.get("Location", REGISTER))
    return response.status_code, response.headers.get("Location", ""), page.get_data(
        as_text=True)


@pytest.mark.parametrize("organisation", ["new", "registered"])
def test_registration_with_a_known_address_answers_as_with_a_new_one(app, db, world,
                                                                      organisation):
    if organisation == "new":
        numbers = ("556123-4500", "556677-8899")
    else:
        numbers = (world.organisation_b.org_number,) * 2
    known = world.users["employer"].email
    new = _answer(app, _form(world, org_number=numbers[0], email="ny.person@kaffe.se"))
    before = (_count(db, User), _count(db, Organisation))
    again = _answer(app, _form(world, org_number=numbers[1], email=known.upper(),
                               organisation_name="Annat AB"))
    assert again == new and new[0] == 302
    assert (_count(db, User), _count(db, Organisation)) == before  # nothing created


def test_the_owner_of_a_known_address_is_told_someone_tried(app, client, db, world):
    owner = world.users["employer"]
    post_form(client, REGISTER, _form(world, email=owner.email))
    [email] = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.kind == "registration_attempted")).all()
    assert email.recipient == owner.email
    assert "försökte just registrera" in email.body_text and "/losenord/glomt" in email.body_text


def test_known_and_new_address_cost_the_same_password_hashing(app, client, db, world,
                                                               monkeypatch):
    from portal.accounts import services

    calls: list[str] = []
    original = services.generate_password_hash
    monkeypatch.setattr(services, "generate_password_hash",
                        lambda password, *a, **k: calls.append(password) or original(password))
    post_form(client, REGISTER, _form(world, email="ny.person@kaffe.se"))
    post_form(new_client(app), REGISTER, _form(world, email=world.users["employer"].email,
                                               org_number="556677-8899"))
    assert calls == [PASSWORD, PASSWORD]


def test_registration_is_throttled_per_address(app, db, world, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_LIMIT_PER_ADDRESS", "2 per hour")
    known = world.users["employer"].email
    statuses = [post_form(new_client(app), REGISTER, _form(world, email=known),
                          environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
                for n in range(3)]
    assert statuses == [302, 302, 429]
    assert _count(db, OutboxEmail) == 2  # the owner is not flooded


def test_registration_is_throttled_per_client_counting_every_post(app, client, db, world,
                                                                  monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_LIMIT_PER_IP", "3 per hour")
    for n in range(3):  # refused forms count as well: probing costs the same
        post_form(client, REGISTER, _form(world, email=f"gissning{n}@exempel.se", phone="x"))
    response = post_form(client, REGISTER, _form(world, email="ny.person@kaffe.se"))
    assert response.status_code == 429


def _statements(db) -> tuple[Counter[str], object]:
    seen: Counter[str] = Counter()

    def count(conn, cursor, statement, *args) -> None:
        seen[statement.split(None, 1)[0].upper()] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    return seen, count


def test_reset_for_an_unknown_address_does_the_same_work(app, client, db, world,
                                                         monkeypatch):
    """Same answer, and the same work behind it (no timed test): a link is signed and the
    email rendered for an unknown address too; only the email is never kept."""
    from portal.accounts import services
    from portal.notifications import outbox

    work: list[str] = []
    sign, render = services.make_token, outbox._render
    monkeypatch.setattr(services, "make_token", lambda *a: work.append("sign") or sign(*a))
    monkeypatch.setattr(outbox, "_render",
                        lambda *a, **k: work.append(a[0]) or render(*a, **k))
    answers, costs = [], []
    for email in (world.users["council"].email, "ingen.alls@exempel.se"):
        work.clear()
        seen, listener = _statements(db)
        try:
            response = post_form(new_client(app), "/losenord/glomt", {"email": email})
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        answers.append((response.status_code, response.headers["Location"]))
        costs.append((list(work), seen["SELECT"], seen["INSERT"] > 0))
    assert answers[0] == answers[1]
    assert costs[0] == costs[1]
    assert costs[0][0] == ["sign", "emails/password_reset.subject.txt",
                           "emails/password_reset.txt", "emails/password_reset.html"]
    kinds = db.session.scalars(select(OutboxEmail.recipient)).all()
    assert kinds == [world.users["council"].email]  # the unknown address got nothing
    assert _count(db, AuditEvent) == 2


@pytest.mark.parametrize("address", ["council", "ingen.alls@exempel.se"])
def test_password_reset_is_throttled_per_account(app, db, world, address):
    email = world.users[address].email if address in world.users else address
    statuses = [post_form(new_client(app), "/losenord/glomt", {"email": email},
                          environ_base={"REMOTE_ADDR": f"10.0.1.{n}"}).status_code
                for n in range(4)]
    assert statuses == [302, 302, 302, 429]  # the same for a known and an unknown address
    # One email: the repeats within a minute find the link already on its way.
    assert _count(db, OutboxEmail) == (1 if address == "council" else 0)
