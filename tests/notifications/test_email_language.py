"""Each email is written in its recipient's language: the one a user chose (when invited, when
registering, or by switching the page language while signed in), Swedish for everyone
without an account, and Swedish for pupils whoever sends them."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.employers.services import request_join
from portal.notifications.worker import send_due
from tests import factories
from tests.conftest import login, new_client, post_form


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def test_an_english_speaking_employer_gets_english_and_a_swedish_one_swedish(db, world, mailbox):
    english = factories.UserFactory(role="employer", email="ann@foretag.se", language="en",
                                    organisation=world.organisation_a)
    swedish = world.users["employer"]  # same organisation, Swedish by default
    newcomer = factories.UserFactory(role="employer", email="ny@foretag.se", organisation=None)
    db.session.commit()
    request_join(newcomer, world.organisation_a)
    db.session.commit()
    send_due()

    [to_english] = mailbox.to(english.email)
    assert to_english["Subject"] == (f"{newcomer.name} wants to join Arbetsgivare A on "
                                     "Praoportalen")
    assert "has registered on Praoportalen with the organisation number" in _body(to_english)
    assert "Approve or decline the request" in _html(to_english)
    assert '<html lang="en">' in _html(to_english) and "Questions:" in _html(to_english)
    assert "Hej" not in _body(to_english) and "förfrågan" not in _body(to_english)

    [to_swedish] = mailbox.to(swedish.email)
    assert to_swedish["Subject"] == f"{newcomer.name} vill gå med i Arbetsgivare A på Praoportalen"
    assert "har registrerat sig på Praoportalen" in _body(to_swedish)
    assert '<html lang="sv">' in _html(to_swedish) and "Frågor:" in _html(to_swedish)


def test_switching_language_while_signed_in_changes_the_users_emails(client, app, db, world,
                                                                     login_as, mailbox):
    user = login_as("employer")
    assert client.get("/sprak/en?next=/kontakt").status_code == 302
    db.session.refresh(user)
    assert user.language == "en"

    post_form(new_client(app), "/losenord/glomt", {"email": user.email})
    send_due()
    [message] = mailbox.to(user.email)
    assert message["Subject"] == "Choose a new password for Praoportalen"
    assert "The link is valid for one hour and can only be used once." in _body(message)

    client.get("/sprak/sv")
    db.session.refresh(user)
    assert user.language == "sv"


def test_switching_before_signing_in_is_kept_and_a_stored_choice_comes_back(app, db, world):
    user = world.users["counsellor"]
    browser = new_client(app)
    browser.get("/sprak/en")
    login(browser, user.email)
    db.session.refresh(user)
    assert user.language == "en"

    # A new browser that never switched: the user's stored language is theirs again.
    other = new_client(app)
    login(other, user.email)
    assert '<html lang="en">' in other.get("/syv").get_data(as_text=True)


def test_the_coordinator_chooses_the_invited_users_language(client, db, world, login_as,
                                                            mailbox):
    login_as("coordinator")
    form = client.get("/anvandare/bjud-in").get_data(as_text=True)
    assert 'name="language"' in form and '<option lang="en" value="en">English</option>' in form
    post_form(client, "/anvandare/bjud-in", {
        "name": "Nina New", "email": "nina@skola.se", "role": "counsellor",
        "schools": [str(world.school_a.id)], "municipality": "0", "language": "en"})
    invitee = db.session.scalars(select(User).filter_by(email="nina@skola.se")).one()
    assert invitee.language == "en"
    send_due()
    [message] = mailbox.to("nina@skola.se")
    assert message["Subject"] == "You are invited to Praoportalen"
    assert "Hi Nina New!" in _body(message) and "Choose your password here:" in _body(message)


def test_an_employer_registering_in_english_gets_english_email(client, db, world, mailbox):
    client.get("/sprak/en")
    page = client.get("/arbetsgivare/registrera").get_data(as_text=True)
    assert '<option lang="en" selected value="en">English</option>' in page
    password = "kanelbullar och kaffe varje fredag"
    post_form(client, "/arbetsgivare/registrera", {
        "organisation_name": "Coffee & Cake AB", "org_number": "556123-4500",
        "sector": "hospitality", "visiting_address": "Storgatan 12", "postal_code": "972 31",
        "city": "Luleå", "municipality": str(world.municipality_a.id),
        "contact_name": "Karin Kaffe", "email": "karin@kaffe.se", "phone": "070-123 45 67",
        "password": password, "confirm": password, "language": "en"})
    send_due()
    [message] = mailbox.to("karin@kaffe.se")
    assert message["Subject"] == "Confirm your email address for Praoportalen"
    assert "Thank you for wanting to take prao pupils." in _body(message)


def test_pupils_get_swedish_even_from_an_english_speaking_counsellor(client, db, world,
                                                                    login_as, mailbox):
    period = factories.PraoPeriodFactory(school=world.school_a)
    factories.EnrolmentFactory(period=period, student__email="elev1@skola.se")
    db.session.commit()
    client.get("/sprak/en")
    login_as("counsellor")
    post_form(client, f"/perioder/{period.id}/skicka-lankar", {})
    send_due()
    [message] = mailbox.to("elev1@skola.se")
    assert message["Subject"] == "Din länk för att välja praoplats"
    assert "Här är din personliga länk till Praoportalen." in _body(message)
    assert '<html lang="sv">' in _html(message)


def test_an_unknown_or_withdrawn_language_falls_back_to_swedish(db, world, mailbox):
    user = world.users["employer"]
    user.language = "fi"  # no longer offered
    db.session.commit()
    from portal.notifications.outbox import recipient_language

    assert recipient_language(user.email.upper()) == "sv"
    assert recipient_language("nobody@example.se") == "sv"
