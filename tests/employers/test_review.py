"""The coordinator approves or rejects organisations and placements; the reason is emailed."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from portal.employers.models import OrganisationStatus, PlacementStatus, RegionSettings
from portal.extensions import db as _db
from portal.notifications.worker import send_due
from tests import factories
from tests.conftest import post_form, statements_sent


def test_approve_organisation_emails_the_contact(client, world, db, login_as, mailbox):
    org = factories.OrganisationFactory(status=OrganisationStatus.PENDING, name="Nya Bageriet",
                                        contact_email="bagare@bageriet.se")
    db.session.commit()
    login_as("coordinator")
    assert "Nya Bageriet" in client.get("/samordnare/granskning").get_data(as_text=True)
    response = post_form(client, f"/samordnare/organisationer/{org.id}/granska",
                         {"decision": "approve", "reason": ""})
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.status is OrganisationStatus.APPROVED
    send_due()
    assert mailbox.to("bagare@bageriet.se")[-1]["Subject"] == (
        "Nya Bageriet är godkänd på Praoportalen")


def test_rejection_needs_a_reason_which_is_emailed(client, world, db, login_as, mailbox):
    org = factories.OrganisationFactory(status=OrganisationStatus.PENDING,
                                        contact_email="x@x.se")
    db.session.commit()
    login_as("coordinator")
    url = f"/samordnare/organisationer/{org.id}/granska"
    missing = post_form(client, url, {"decision": "reject", "reason": "  "})
    assert "Skriv en motivering" in missing.get_data(as_text=True)
    db.session.refresh(org)
    assert org.status is OrganisationStatus.PENDING
    post_form(client, url, {"decision": "reject", "reason": "Vi når er inte på telefon."})
    db.session.refresh(org)
    assert org.status is OrganisationStatus.REJECTED
    send_due()
    body = mailbox.to("x@x.se")[-1].get_body(preferencelist=("plain",)).get_content()
    assert "Vi når er inte på telefon." in body


def test_approve_and_reject_placements(client, world, db, login_as, mailbox):
    good = factories.PlacementFactory(organisation=world.organisation_a,
                                      municipality=world.municipality_a,
                                      status=PlacementStatus.PENDING, published_at=None)
    bad = factories.PlacementFactory(organisation=world.organisation_a,
                                     status=PlacementStatus.PENDING, published_at=None)
    db.session.commit()
    login_as("coordinator")
    post_form(client, f"/samordnare/praoplatser/{good.id}/granska", {"decision": "approve"})
    post_form(client, f"/samordnare/praoplatser/{bad.id}/granska",
              {"decision": "reject", "reason": "Beskriv arbetsuppgifterna tydligare."})
    db.session.refresh(good)
    db.session.refresh(bad)
    assert good.status is PlacementStatus.PUBLISHED and good.published_at is not None
    assert bad.status is PlacementStatus.DRAFT
    assert bad.rejection_reason == "Beskriv arbetsuppgifterna tydligare."
    send_due()
    subjects = [m["Subject"] for m in mailbox.to(world.users["employer"].email)]
    assert any("är publicerad" in s for s in subjects)
    assert any("behöver ändras" in s for s in subjects)


def test_placement_without_risk_assessment_cannot_be_approved(client, world, db, login_as):
    placement = factories.PlacementFactory(organisation=world.organisation_a,
                                           status=PlacementStatus.PENDING,
                                           risk_confirmed_at=None, published_at=None)
    db.session.commit()
    login_as("coordinator")
    response = post_form(client, f"/samordnare/praoplatser/{placement.id}/granska",
                         {"decision": "approve"})
    assert "Riskbedömningen är inte bekräftad" in response.get_data(as_text=True)
    db.session.refresh(placement)
    assert placement.status is PlacementStatus.PENDING


def test_auto_publish_setting(client, world, db, login_as):
    from portal.employers.review import settings

    login_as("coordinator")
    assert settings().auto_publish_approved is False
    post_form(client, "/samordnare/installningar", {"auto_publish_approved": "y"})
    db.session.expire_all()
    assert settings().auto_publish_approved is True
    post_form(client, "/samordnare/installningar", {})
    db.session.expire_all()
    assert settings().auto_publish_approved is False


def test_showing_the_settings_writes_nothing(client, world, db, login_as):
    """Before any is saved the page shows the defaults without writing them: a page that
    wrote while it read failed with "database is locked" on SQLite whenever someone else
    saved at that moment (a pupil's wish, say)."""
    login_as("coordinator")
    with statements_sent(_db.engine, only=("INSERT", "UPDATE", "DELETE")) as writes:
        html = client.get("/samordnare/installningar").get_data(as_text=True)
    assert 'name="auto_publish_approved"' in html and "checked" not in html
    assert writes == []
    assert db.session.scalar(select(func.count()).select_from(RegionSettings)) == 0


def test_review_page_lists_weeks_and_seats_and_joins_contact_details_cleanly(client, world,
                                                                            db, login_as):
    placement = factories.PlacementFactory(
        organisation=world.organisation_a, status=PlacementStatus.PENDING, published_at=None,
        supervisor_name="Hanna Handledare", supervisor_phone="070-123 45 67",
        supervisor_email="")
    for first, last, seats in ((date(2027, 3, 15), date(2027, 3, 22), 2),
                               (date(2026, 11, 2), date(2026, 11, 2), 1)):
        factories.PlacementOfferFactory(placement=placement, first_week=first, last_week=last,
                                        seats=seats)
    db.session.commit()
    login_as("coordinator")
    html = client.get(f"/samordnare/praoplatser/{placement.id}/granska").get_data(as_text=True)
    supervisor = re.search(r"Handledare</dt><dd[^>]*>(.*?)</dd>", html, re.S).group(1)
    assert supervisor == "Hanna Handledare, 070-123 45 67"
    weeks = html[html.index('id="veckor"'):]
    assert re.findall(r"<li>(.*?)</li>", weeks)[:2] == [
        "vecka 45 2026: 1 plats", "vecka 11–12 2027: 2 platser"]

    bare = factories.PlacementFactory(organisation=world.organisation_a,
                                      status=PlacementStatus.PENDING, published_at=None)
    db.session.commit()
    html = client.get(f"/samordnare/praoplatser/{bare.id}/granska").get_data(as_text=True)
    assert "Inga veckor är inlagda." in html


def _own_placement_at_a_new_workplace(app, world):
    from portal.schools.pupils import services as pupils

    enrolment = factories.EnrolmentFactory(
        period=factories.PraoPeriodFactory(school=world.school_a),
        student=factories.StudentFactory(school=world.school_a, first_name="Ella",
                                         last_name="Sandberg"))
    with app.test_request_context():  # as from the pupil's form: the email carries a link
        pupils.register_own_placement(enrolment, pupils.OwnPlacementData(
            workplace="Salong Sax & Stil", org_number="559123-4009", address="Storgatan 21",
            postal_code="941 31", city="Piteå", contact_name="Petra Sax",
            contact_email="petra@saxochstil.example.se", contact_phone="070-111 22 33",
            tasks="Ta emot kunder."))
    return enrolment


def test_a_workplace_from_a_pupils_own_placement_says_so_in_the_queue(app, client, world, db,
                                                                       login_as):
    """The coordinator sees why an organisation nobody signed up for waits: a pupil of a
    named school found it through their own network. No pupil's name in the list."""
    factories.OrganisationFactory(status=OrganisationStatus.PENDING, name="Nya Bageriet")
    enrolment = _own_placement_at_a_new_workplace(app, world)
    login_as("coordinator")
    html = client.get("/samordnare/granskning").get_data(as_text=True)
    rows = {name: row for row in re.findall(r"<tr>.*?</tr>", html, re.S)
            for name in ("Salong Sax &amp; Stil", "Nya Bageriet") if name in row}
    school = world.school_a.name
    assert f"Från en elevs egen praoplats, {school}" in rows["Salong Sax &amp; Stil"]
    assert "egen praoplats" not in rows["Nya Bageriet"]
    assert "Sandberg" not in html
    review = client.get(re.search(r'href="(/samordnare/organisationer/\d+/granska)">Salong',
                                  html).group(1)).get_data(as_text=True)
    assert f"Registrerad från en elevs egen praoplats, {school}." in review
    assert f'href="/perioder/{enrolment.period_id}/elever/{enrolment.id}"' in review
    client.get("/sprak/en")
    english = client.get("/samordnare/granskning").get_data(as_text=True)
    assert f"From a pupil's own placement, {school}" in english
