from __future__ import annotations

from tests import factories


def test_coordinator_sees_what_waits(client, login_as, db):
    factories.OrganisationFactory(status="pending")
    factories.OutboxEmailFactory(status="failed")
    db.session.commit()
    login_as("coordinator")
    html = client.get("/samordnare").get_data(as_text=True)
    assert "Organisationer som väntar på godkännande:</a> <strong>1</strong>" in html
    assert "inte gick att skicka:</a> <strong>1</strong>" in html


def test_counsellor_sees_own_schools_only(client, login_as, world):
    login_as("counsellor")
    html = client.get("/syv").get_data(as_text=True)
    assert world.school_a.name in html and world.school_b.name not in html


def test_employer_sees_organisation_status(client, login_as, world, db):
    world.organisation_a.status = "pending"
    db.session.commit()
    login_as("employer")
    html = client.get("/arbetsgivare").get_data(as_text=True)
    assert "Arbetsgivare A" in html and "Väntar på att samordnaren ska godkänna" in html


def test_council_member_of_one_municipality_sees_that_scope(client, login_as, world, db):
    world.users["council"].municipality = world.municipality_b
    db.session.commit()
    login_as("council")
    html = client.get("/rad").get_data(as_text=True)
    assert "Du ser rapporter för Piteå." in html
    assert "Skolor: 1" in html
