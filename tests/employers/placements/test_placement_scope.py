"""Employer A can neither see nor change employer B's placements, drafts and offers: every
route answers 404, GET and POST, and B's data stays exactly as it was."""

from __future__ import annotations

import pytest

from portal import clock
from portal.employers.models import Placement, PlacementStatus
from portal.weeks import monday
from tests import factories
from tests.conftest import post_form
from tests.employers.placement_support import NEXT_YEAR, next_year_week, placement_form


@pytest.fixture
def b_things(world, db):
    """Employer B's draft and published placement, each with an offer."""
    draft = factories.PlacementFactory(organisation=world.organisation_b, status="draft",
                                       title="B:s utkast", municipality=world.municipality_b)
    published = factories.PlacementFactory(organisation=world.organisation_b,
                                           title="B:s publicerade")
    offers = [factories.PlacementOfferFactory(placement=p, first_week=next_year_week(11),
                                              last_week=next_year_week(12), seats=4)
              for p in (draft, published)]
    db.session.commit()
    return draft, published, offers


def _snapshot(db, placement: Placement) -> tuple:
    db.session.expire_all()
    placement = db.session.get(Placement, placement.id)
    return (placement.title, placement.status, placement.description, placement.risk_confirmed_at,
            [(o.id, o.first_week, o.last_week, o.seats) for o in placement.offers])


def _routes(world, placement, offer) -> list[tuple[str, str, dict]]:
    base = f"/arbetsgivare/praoplatser/{placement.id}"
    weeks = {"weeks": f"30 {NEXT_YEAR}", "seats": "9"}
    return [
        ("GET", base, {}),
        ("GET", f"{base}/andra", {}),
        ("POST", f"{base}/andra", placement_form(world.municipality_a.id, title="Kapad")),
        ("POST", f"{base}/skicka", {}),
        ("POST", f"{base}/arkivera", {}),
        ("GET", f"{base}/veckor/ny", {}),
        ("POST", f"{base}/veckor/ny", weeks),
        ("GET", f"/arbetsgivare/veckor/{offer.id}/andra", {}),
        ("POST", f"/arbetsgivare/veckor/{offer.id}/andra", weeks),
        ("POST", f"/arbetsgivare/veckor/{offer.id}/ta-bort", {}),
    ]


@pytest.mark.parametrize("which", ["draft", "published"])
def test_employer_a_gets_404_everywhere_for_b(client, login_as, world, db, b_things, which):
    draft, published, offers = b_things
    placement, offer = (draft, offers[0]) if which == "draft" else (published, offers[1])
    before = _snapshot(db, placement)
    login_as("employer")
    for method, url, data in _routes(world, placement, offer):
        response = client.get(url) if method == "GET" else post_form(client, url, data)
        assert response.status_code == 404, f"{method} {url}"
        assert placement.title not in response.get_data(as_text=True)
    assert _snapshot(db, placement) == before


def test_b_is_not_on_a_s_dashboard_or_in_a_s_next_term(client, login_as, world, db, b_things):
    last_year = monday(clock.today().year - 1, 11)
    factories.PlacementOfferFactory(placement=b_things[1], first_week=last_year,
                                    last_week=last_year)
    db.session.commit()
    login_as("employer")
    html = client.get("/arbetsgivare").get_data(as_text=True)
    assert "B:s utkast" not in html and "B:s publicerade" not in html
    page = client.get("/arbetsgivare/nasta-termin").get_data(as_text=True)
    assert "Det finns ingen tidigare termin" in page


def test_coordinator_may_read_but_not_change_a_placement(client, login_as, world, db,
                                                         b_things):
    draft, _published, offers = b_things
    login_as("coordinator")
    assert client.get(f"/arbetsgivare/praoplatser/{draft.id}").status_code == 200
    before = _snapshot(db, draft)
    for method, url, data in _routes(world, draft, offers[0])[1:]:
        response = client.get(url) if method == "GET" else post_form(client, url, data)
        assert response.status_code == 403, f"{method} {url}"
    assert _snapshot(db, draft) == before
    assert draft.status is PlacementStatus.DRAFT
