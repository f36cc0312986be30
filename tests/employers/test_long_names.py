"""An email subject built from two names of 200 characters overflowed VARCHAR(300)
(found in a security review)."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import post_form


def test_join_request_with_long_names_registers_and_queues_a_short_subject(client, db, world):
    from portal.employers.models import JoinRequest
    from portal.notifications.models import OutboxEmail

    world.organisation_a.name = "Å" * 200
    db.session.commit()
    password = "kanelbullar och kaffe varje fredag"
    response = post_form(client, "/arbetsgivare/registrera", {
        "organisation_name": "Ett annat namn", "org_number": world.organisation_a.org_number,
        "sector": "hospitality", "visiting_address": "Storgatan 12", "postal_code": "972 31",
        "city": "Luleå", "municipality": str(world.municipality_a.id),
        "contact_name": "Ö" * 200, "email": "lang@exempel.se", "phone": "070-123 45 67",
        "password": password, "confirm": password})
    assert response.status_code == 302
    assert db.session.scalars(select(JoinRequest)).one().user.email == "lang@exempel.se"
    subjects = db.session.scalars(select(OutboxEmail.subject).where(
        OutboxEmail.kind == "join_request_received")).all()
    assert subjects and all(len(s) <= 300 and s.endswith("…") for s in subjects)
