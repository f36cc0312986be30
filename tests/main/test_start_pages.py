from __future__ import annotations

import re

from portal.employers.services import request_join
from tests import factories
from tests.conftest import login


def test_coordinator_sees_what_waits(client, login_as, db):
    factories.OrganisationFactory(status="pending")
    factories.OutboxEmailFactory(status="failed")
    db.session.commit()
    login_as("coordinator")
    html = client.get("/samordnare").get_data(as_text=True)
    assert "Organisationer som väntar på godkännande:</a> <strong>1</strong>" in html
    assert "inte gick att skicka:</a> <strong>1</strong>" in html


def test_coordinators_to_do_counts_placements_and_join_requests_with_links(client, login_as,
                                                                          world, db):
    factories.PlacementFactory(status="pending")
    factories.PlacementFactory(status="pending")
    factories.PlacementFactory(status="draft")
    newcomer = factories.UserFactory(role="employer", email="ny@foretag.se", organisation=None)
    request_join(newcomer, world.organisation_b)
    db.session.commit()
    login_as("coordinator")
    html = client.get("/samordnare").get_data(as_text=True)
    placements = re.search(r'<a href="([^"]+)">Praoplatser som väntar på granskning:</a> '
                           r'<strong>(\d+)</strong>', html)
    joins = re.search(r'<a href="([^"]+)">Förfrågningar om att gå med som väntar på beslut:'
                      r'</a> <strong>(\d+)</strong>', html)
    assert placements.groups() == ("/samordnare/granskning#praoplatser", "2")
    assert joins.groups() == ("/samordnare/granskning#forfragningar", "1")
    queue = client.get("/samordnare/granskning").get_data(as_text=True)
    assert 'id="praoplatser"' in queue and 'id="forfragningar"' in queue
    assert "ny@foretag.se" in queue


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


def test_employer_sees_requests_to_join_their_organisation_and_the_link(client, login_as,
                                                                        world, db):
    login_as("employer")
    html = client.get("/arbetsgivare").get_data(as_text=True)
    assert '<a href="/arbetsgivare/forfragningar">Förfrågningar om att gå med</a>' in html
    assert "förfrågan om att gå med i organisationen" not in html

    for email in ("ett@foretag.se", "tva@foretag.se"):
        request_join(factories.UserFactory(role="employer", email=email, organisation=None),
                     world.organisation_a)
    request_join(factories.UserFactory(role="employer", email="b@foretag.se",
                                       organisation=None), world.organisation_b)
    db.session.commit()
    html = client.get("/arbetsgivare").get_data(as_text=True)
    waiting = html[html.index("Det här väntar på dig med praoplatserna"):]
    assert re.search(r'<a href="/arbetsgivare/forfragningar">2 förfrågningar om att gå med i '
                     r'organisationen</a>', waiting)
    assert "Förfrågningar om att gå med (2)" in html
    assert "Inget väntar på dig med praoplatserna just nu" not in html


def test_employer_waiting_to_join_sees_their_request_not_a_dead_end(client, world, db):
    newcomer = factories.UserFactory(role="employer", email="ny@foretag.se", organisation=None)
    request_join(newcomer, world.organisation_a)
    db.session.commit()
    login(client, newcomer.email)
    html = client.get("/arbetsgivare").get_data(as_text=True)
    assert "Din förfrågan om att gå med i Arbetsgivare A väntar på beslut." in html
    assert "inte kopplat till någon organisation" not in html
