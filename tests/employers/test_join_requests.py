"""A second person from a registered organisation joins it with the contact's approval."""

from __future__ import annotations

from sqlalchemy import select

from portal.employers.models import JoinRequest, JoinStatus
from portal.employers.services import request_join
from portal.notifications.worker import send_due
from tests import factories
from tests.conftest import post_form


def _join(db, world, email="ny@foretag.se"):
    newcomer = factories.UserFactory(role="employer", email=email, organisation=None)
    join = request_join(newcomer, world.organisation_a)
    db.session.commit()
    return newcomer, join


def test_contact_approves_and_the_newcomer_joins(client, world, db, login_as, mailbox):
    newcomer, join = _join(db, world)
    login_as("employer")
    page = client.get("/arbetsgivare/forfragningar").get_data(as_text=True)
    assert "ny@foretag.se" in page
    response = post_form(client, f"/arbetsgivare/forfragningar/{join.id}",
                         {"decision": "approve"})
    assert response.status_code == 302
    db.session.refresh(newcomer)
    assert newcomer.organisation_id == world.organisation_a.id
    send_due()
    assert "Du är nu med i Arbetsgivare A" in mailbox.to("ny@foretag.se")[-1]["Subject"]


def test_coordinator_can_reject(client, world, db, login_as, mailbox):
    newcomer, join = _join(db, world)
    login_as("coordinator")
    assert "ny@foretag.se" in client.get("/samordnare/granskning").get_data(as_text=True)
    post_form(client, f"/arbetsgivare/forfragningar/{join.id}", {"decision": "reject"})
    db.session.refresh(join)
    db.session.refresh(newcomer)
    assert join.status is JoinStatus.REJECTED and newcomer.organisation_id is None
    send_due()
    assert "avslogs" in mailbox.to("ny@foretag.se")[-1]["Subject"]


def test_other_organisations_cannot_see_or_decide(client, world, db, login_as):
    other = factories.UserFactory(role="employer", email="b@b.se",
                                  organisation=world.organisation_b)
    db.session.commit()
    _, join = _join(db, world)
    from tests.conftest import login

    login(client, other.email)
    assert "ny@foretag.se" not in client.get("/arbetsgivare/forfragningar").get_data(
        as_text=True)
    response = post_form(client, f"/arbetsgivare/forfragningar/{join.id}",
                         {"decision": "approve"})
    assert response.status_code == 404
    assert db.session.scalars(select(JoinRequest)).one().status is JoinStatus.PENDING


def test_a_waiting_newcomer_sees_no_requests(client, world, db):
    newcomer, _ = _join(db, world)
    _join(db, world, email="tredje@foretag.se")
    from tests.conftest import login

    login(client, newcomer.email)
    page = client.get("/arbetsgivare/forfragningar").get_data(as_text=True)
    assert "tredje@foretag.se" not in page and "Inga förfrågningar väntar." in page


def test_a_member_of_an_organisation_not_yet_approved_leaves_the_decision_to_the_coordinator(
        app, client, world, db):
    from portal.employers.models import OrganisationStatus
    from tests.conftest import login, new_client

    # Whoever registered an organisation number first is not checked until the
    # coordinator approves the organisation: they must not let others in meanwhile.
    world.organisation_a.status = OrganisationStatus.PENDING
    _, join = _join(db, world)
    login(client, world.users["employer"].email)
    assert "ny@foretag.se" not in client.get("/arbetsgivare/forfragningar").get_data(
        as_text=True)
    assert "Förfrågningar om att gå med" not in client.get("/arbetsgivare").get_data(
        as_text=True)
    response = post_form(client, f"/arbetsgivare/forfragningar/{join.id}",
                         {"decision": "approve"})
    assert response.status_code == 404
    assert db.session.scalars(select(JoinRequest)).one().status is JoinStatus.PENDING
    coordinator = new_client(app)
    login(coordinator, world.users["coordinator"].email)
    assert post_form(coordinator, f"/arbetsgivare/forfragningar/{join.id}",
                     {"decision": "approve"}).status_code == 302
    db.session.refresh(join)
    assert join.status is JoinStatus.APPROVED
