"""Weeks pupils have wished for or been placed in stay, with the reason told; offers lie at
most two years ahead, like the schools' prao periods."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.employers.models import PlacementOffer
from portal.matching.models import MatchingRun, MatchResult, ResultSource
from portal.schools.models import Wish
from portal.weeks import monday_of, week_label
from tests import factories
from tests.conftest import post_form
from tests.employers.placement_support import next_year_week
from tests.employers.placements.test_offers import _error_beside


@pytest.fixture
def offer(client, login_as, world, db):
    login_as("employer")
    placement = factories.PlacementFactory(organisation=world.organisation_a,
                                           municipality=world.municipality_a)
    found = factories.PlacementOfferFactory(placement=placement, first_week=next_year_week(11),
                                            last_week=next_year_week(12))
    db.session.commit()
    return found


def _wish(offer, pupils: int) -> None:
    period = factories.PraoPeriodFactory()
    for _ in range(pupils):
        enrolment = factories.EnrolmentFactory(period=period)
        enrolment.wishes.append(Wish(offer=offer, rank=1))


def _still_there(db, offer_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(PlacementOffer, offer_id) is not None


def test_weeks_pupils_wished_for_are_kept_and_the_employer_told_how_many(client, db, offer):
    _wish(offer, 2)
    db.session.commit()
    response = post_form(client, f"/arbetsgivare/veckor/{offer.id}/ta-bort", {})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Veckorna kan inte tas bort" in html
    assert "2 elever har önskat de här veckorna" in html
    assert "Minska antalet platser i stället" in html
    assert _still_there(db, offer.id)
    assert db.session.scalar(select(func.count()).select_from(Wish)) == 2


def test_weeks_in_a_matching_round_are_kept(client, db, world, offer):
    run = MatchingRun(created_by_id=world.users["coordinator"].id, seed=1)
    enrolment = factories.EnrolmentFactory()
    db.session.add(MatchResult(run=run, enrolment=enrolment, offer_id=offer.id, lottery=1,
                               source=ResultSource.FIRST_ROUND))
    db.session.commit()
    html = post_form(client, f"/arbetsgivare/veckor/{offer.id}/ta-bort", {}
                     ).get_data(as_text=True)
    assert "finns med i en matchning av elever" in html
    assert _still_there(db, offer.id)


def test_weeks_nobody_wished_for_are_removed(client, db, offer):
    offer_id = offer.id
    assert post_form(client, f"/arbetsgivare/veckor/{offer_id}/ta-bort", {}).status_code == 302
    assert not _still_there(db, offer_id)


def test_the_database_refuses_to_remove_an_offer_under_a_wish(db, offer):
    """The rule behind the message, for any code path that forgets to ask first."""
    _wish(offer, 1)
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(delete(PlacementOffer).where(PlacementOffer.id == offer.id))


@pytest.mark.parametrize("weeks", [
    week_label(monday_of(clock.today() + timedelta(days=365 * 3))), "11–12 9999"])
def test_offers_lie_at_most_two_years_ahead(client, db, offer, weeks):
    html = post_form(client, f"/arbetsgivare/praoplatser/{offer.placement_id}/veckor/ny",
                     {"weeks": weeks, "seats": "2"}).get_data(as_text=True)
    assert "högst 2 år fram i tiden" in _error_beside(html, "weeks")
    assert db.session.scalar(select(func.count()).select_from(PlacementOffer)) == 1


def test_an_offer_cannot_be_moved_more_than_two_years_ahead(client, db, offer):
    week = monday_of(clock.today() + timedelta(days=365 * 2 + 14))
    html = post_form(client, f"/arbetsgivare/veckor/{offer.id}/andra",
                     {"weeks": week_label(week), "seats": "2"}).get_data(as_text=True)
    assert "högst 2 år fram i tiden" in _error_beside(html, "weeks")


def test_an_offer_almost_two_years_ahead_is_fine(client, db, offer):
    week = monday_of(clock.today() + timedelta(days=365 * 2 - 7))
    response = post_form(client, f"/arbetsgivare/praoplatser/{offer.placement_id}/veckor/ny",
                         {"weeks": week_label(week), "seats": "2"})
    assert response.status_code == 302
