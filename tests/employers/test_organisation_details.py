"""The employer keeps the organisation's details current, and a rejected organisation is
corrected and sent back to the coordinator's review."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit import AuditEvent
from portal.employers.models import OrganisationStatus
from tests.conftest import login, new_client, post_form


def _details(world, **changes):
    return {"organisation_name": "Arbetsgivare A", "sector": "hospitality",
            "visiting_address": "Storgatan 1", "postal_code": "972 31", "city": "Luleå",
            "municipality": str(world.municipality_a.id), "contact_name": "Kim Kontakt",
            "contact_email": "kim@a.se", "contact_phone": "0920-123 45",
            **changes}


def test_the_employer_changes_the_contact_and_schools_see_the_new_one(client, world, db,
                                                                      login_as):
    login_as("employer")
    org = world.organisation_a
    form = client.get(f"/organisationer/{org.id}/andra").get_data(as_text=True)
    assert f'value="{org.visiting_address}"' in form  # the form shows what is saved
    saved = post_form(client, f"/organisationer/{org.id}/andra",
                      _details(world, contact_name="Ny Kontakt", contact_email="NY@A.se"),
                      follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "Uppgifterna är sparade." in page and "Ny Kontakt, ny@a.se" in page
    db.session.refresh(org)
    assert org.status is OrganisationStatus.APPROVED  # an approved one stays approved
    [event] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "organisation_updated")).all()
    assert "contact_name" in event.detail and "contact_email" in event.detail


def test_a_wrong_postal_code_is_told_beside_the_field_and_nothing_is_saved(client, world, db,
                                                                           login_as):
    login_as("employer")
    org = world.organisation_a
    before = org.city
    refused = post_form(client, f"/organisationer/{org.id}/andra",
                        _details(world, postal_code="9723", city="Boden"))
    assert refused.status_code == 200
    assert "Skriv postnumret som 123 45." in refused.get_data(as_text=True)
    db.session.refresh(org)
    assert org.city == before


def test_a_rejected_organisation_is_corrected_and_reviewed_again(app, client, world, db,
                                                                 login_as):
    org = world.organisation_a
    org.status = OrganisationStatus.REJECTED
    org.decision_reason = "Besöksadressen saknar gatunummer."
    db.session.commit()
    login_as("employer")
    page = client.get(f"/organisationer/{org.id}").get_data(as_text=True)
    assert "Besöksadressen saknar gatunummer." in page
    assert "Rätta och skicka för granskning igen" in page
    sent = post_form(client, f"/organisationer/{org.id}/andra",
                     _details(world, visiting_address="Storgatan 12", resubmit="y"),
                     follow_redirects=True)
    assert "skickad till samordnaren för granskning igen" in sent.get_data(as_text=True)
    db.session.refresh(org)
    assert org.status is OrganisationStatus.PENDING and org.visiting_address == "Storgatan 12"
    again = post_form(client, f"/organisationer/{org.id}/andra",
                      _details(world, visiting_address="Storgatan 12", resubmit="y"),
                      follow_redirects=True)
    assert "väntar redan på granskning" in again.get_data(as_text=True)

    coordinator = new_client(app)
    login(coordinator, world.users["coordinator"].email)
    assert "Arbetsgivare A" in coordinator.get("/samordnare/granskning").get_data(as_text=True)
    review = coordinator.get(f"/samordnare/organisationer/{org.id}/granska")
    assert "avslogs tidigare med motiveringen: Besöksadressen saknar gatunummer." in \
        review.get_data(as_text=True)


def test_another_organisation_cannot_be_changed(client, world, db, login_as):
    login_as("employer")
    other = world.organisation_b
    response = post_form(client, f"/organisationer/{other.id}/andra",
                         _details(world, organisation_name="Kapad AB"))
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.name == "Arbetsgivare B"


def test_a_new_name_is_found_in_the_catalogue(client, world, db, login_as):
    from tests import factories

    factories.PlacementOfferFactory(placement__organisation=world.organisation_a,
                                    placement__title="Köket")
    db.session.commit()
    login_as("employer")
    post_form(client, f"/organisationer/{world.organisation_a.id}/andra",
              _details(world, organisation_name="Nordpolens Bageri"))
    found = client.get("/praoplatser", query_string={"q": "Nordpolens"}).get_data(as_text=True)
    assert "Köket" in found and "Nordpolens Bageri" in found
