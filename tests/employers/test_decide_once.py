"""Every decision is made once: the second (a double click, a second coordinator, a second
member of the organisation) changes nothing, sends nothing and is told so in Swedish."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.employers.models import JoinStatus, OrganisationStatus, PlacementStatus
from portal.employers.services import request_join
from portal.notifications.models import OutboxEmail
from tests import factories
from tests.conftest import post_form

LOST = "Beslutet fattades nyss av någon annan – inget ändrades."


def _emails(db, kind: str) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxEmail)
                             .where(OutboxEmail.kind == kind))


def test_a_second_decision_on_an_organisation_changes_nothing(client, db, world, login_as):
    org = factories.OrganisationFactory(status=OrganisationStatus.PENDING,
                                        contact_email="bagare@bageriet.se")
    db.session.commit()
    login_as("coordinator")
    url = f"/samordnare/organisationer/{org.id}/granska"
    post_form(client, url, {"decision": "approve", "reason": ""})
    second = post_form(client, url, {"decision": "reject", "reason": "Nej."},
                       follow_redirects=True)
    assert LOST in second.get_data(as_text=True)
    db.session.refresh(org)
    assert org.status is OrganisationStatus.APPROVED and org.decision_reason == ""
    assert _emails(db, "organisation_decided") == 1


def test_a_decided_organisation_offers_no_decision_form(client, db, world, login_as):
    login_as("coordinator")
    html = client.get(f"/samordnare/organisationer/{world.organisation_b.id}/granska"
                      ).get_data(as_text=True)
    assert "Organisationen är redan granskad" in html and "Spara beslutet" not in html


def test_a_second_decision_on_a_placement_changes_nothing(client, db, world, login_as):
    placement = factories.PlacementFactory(organisation=world.organisation_a,
                                           municipality=world.municipality_a,
                                           status=PlacementStatus.PENDING, published_at=None)
    db.session.commit()
    login_as("coordinator")
    url = f"/samordnare/praoplatser/{placement.id}/granska"
    post_form(client, url, {"decision": "reject", "reason": "Beskriv mer."})
    second = post_form(client, url, {"decision": "approve"}, follow_redirects=True)
    assert LOST in second.get_data(as_text=True)
    db.session.refresh(placement)
    assert placement.status is PlacementStatus.DRAFT and placement.published_at is None
    recipients = db.session.scalars(select(OutboxEmail.recipient).where(
        OutboxEmail.kind == "placement_decided")).all()
    assert sorted(recipients) == sorted({world.users["employer"].email,
                                         world.organisation_a.contact_email})
    assert "Praoplatsen väntar inte på granskning" in client.get(url).get_data(as_text=True)


def test_a_join_request_decided_by_one_member_is_not_decided_again(client, db, world,
                                                                    login_as):
    newcomer = factories.UserFactory(role="employer", email="ny@foretag.se", organisation=None)
    join = request_join(newcomer, world.organisation_a)
    db.session.commit()
    login_as("employer")
    url = f"/arbetsgivare/forfragningar/{join.id}"
    post_form(client, url, {"decision": "reject"})
    second = post_form(client, url, {"decision": "approve"}, follow_redirects=True)
    assert LOST in second.get_data(as_text=True)
    db.session.refresh(join)
    db.session.refresh(newcomer)
    assert join.status is JoinStatus.REJECTED and newcomer.organisation_id is None
    assert _emails(db, "join_request_decided") == 1
