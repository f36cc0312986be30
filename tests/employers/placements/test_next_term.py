"""Next term in one action: a past term's offers are copied to the same ISO weeks a year
later, overlaps and passed weeks are skipped, archived placements come back as drafts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.employers.models import Placement, PlacementOffer, PlacementStatus
from portal.employers.placements import services as service
from portal.weeks import monday, term_of
from tests import factories
from tests.conftest import post_form
from tests.employers.placement_support import this_monday, weeks_ahead

TODAY = date(2026, 11, 22)  # HT 2026: VT 2026 is past, VT 2027 still ahead


def _offer(placement, year: int, first: int, last: int | None = None, seats: int = 2,
           taken: int = 0) -> PlacementOffer:
    return factories.PlacementOfferFactory(
        placement=placement, first_week=monday(year, first),
        last_week=monday(year, last or first), seats=seats, seats_taken=taken)


def _weeks(placement: Placement) -> list[tuple[date, date, int, int]]:
    return [(o.first_week, o.last_week, o.seats, o.seats_taken) for o in placement.offers]


@pytest.fixture
def history(world, db):
    """Employer A's VT 2026 and HT 2025; employer B's VT 2026."""
    kitchen = factories.PlacementFactory(organisation=world.organisation_a, title="Kök")
    _offer(kitchen, 2026, 11, 12, seats=3, taken=3)
    _offer(kitchen, 2026, 20, seats=1)
    _offer(kitchen, 2027, 12, seats=4)  # already offered for next spring: week 11–12 overlaps
    shop = factories.PlacementFactory(organisation=world.organisation_a, title="Butik",
                                      status="archived")
    _offer(shop, 2026, 15, seats=2)
    autumn = factories.PlacementFactory(organisation=world.organisation_a, title="Höst")
    _offer(autumn, 2025, 45, seats=2)
    other = factories.PlacementFactory(organisation=world.organisation_b, title="B")
    _offer(other, 2026, 11, seats=5)
    db.session.commit()
    return kitchen, shop, autumn, other


def test_terms_that_have_begun_with_offers_newest_first(world, history):
    assert service.copyable_terms(world.organisation_a, TODAY) == ["VT 2026", "HT 2025"]
    assert service.copyable_terms(world.organisation_a, date(2026, 1, 10)) == ["HT 2025"]


def test_copy_a_term_to_the_same_weeks_next_year(world, db, history):
    kitchen, shop, autumn, other = history
    actor = world.users["employer"]
    result = service.copy_term(world.organisation_a, "VT 2026", actor, TODAY)
    assert (result.source, result.target) == ("VT 2026", "VT 2027")
    assert (result.copied, result.skipped_overlap, result.skipped_past, result.restored) == \
        (2, 1, 0, 1)
    db.session.expire_all()
    assert (monday(2027, 20), monday(2027, 20), 1, 0) in _weeks(kitchen)
    assert (monday(2027, 11), monday(2027, 12), 3, 0) not in _weeks(kitchen)
    assert _weeks(shop)[-1] == (monday(2027, 15), monday(2027, 15), 2, 0)
    assert shop.status is PlacementStatus.DRAFT  # back from the archive, to be checked again
    assert kitchen.status is PlacementStatus.PUBLISHED
    assert len(autumn.offers) == 1 and len(other.offers) == 1  # other term, other employer


def test_copying_twice_copies_nothing_the_second_time(world, db, history):
    actor = world.users["employer"]
    service.copy_term(world.organisation_a, "VT 2026", actor, TODAY)
    again = service.copy_term(world.organisation_a, "VT 2026", actor, TODAY)
    assert again.copied == 0 and again.skipped_overlap == 3


def test_weeks_that_have_passed_are_skipped(world, db, history):
    result = service.copy_term(world.organisation_a, "HT 2025", world.users["employer"], TODAY)
    assert (result.copied, result.skipped_past) == (0, 1)  # week 45 2026 is already over


def test_an_unknown_term_is_refused(world, db):
    with pytest.raises(service.FieldProblems):
        service.copy_term(world.organisation_a, "sommar", world.users["employer"], TODAY)


def test_employer_copies_last_years_term_in_one_action(client, login_as, world, db):
    target = weeks_ahead(4)
    if target.isocalendar()[1] == 53:
        target = weeks_ahead(5)
    year, week, _ = target.isocalendar()
    source = monday(year - 1, week)
    placement = factories.PlacementFactory(organisation=world.organisation_a, title="Verkstad")
    factories.PlacementOfferFactory(placement=placement, first_week=source, last_week=source,
                                    seats=6, seats_taken=6)
    db.session.commit()
    login_as("employer")
    term = term_of(source)
    page = client.get("/arbetsgivare/nasta-termin").get_data(as_text=True)
    assert f'<option value="{term}">' in page
    response = post_form(client, "/arbetsgivare/nasta-termin", {"term": term})
    assert response.headers["Location"] == "/arbetsgivare"
    html = client.get("/arbetsgivare").get_data(as_text=True)
    assert f"1 erbjudande kopierades från {term} till " in html
    copied = db.session.scalars(select(PlacementOffer).where(
        PlacementOffer.first_week >= this_monday())).one()
    assert (copied.placement_id, copied.first_week, copied.seats, copied.seats_taken) == \
        (placement.id, target, 6, 0)


def test_a_term_not_in_the_list_is_refused_beside_the_field(client, login_as, world, db):
    login_as("employer")
    response = post_form(client, "/arbetsgivare/nasta-termin", {"term": "VT 1999"})
    assert response.status_code == 200
    assert db.session.scalars(select(PlacementOffer)).all() == []


def test_terms_read_as_seasons_in_english(client, login_as, world, db, set_clock):
    from datetime import datetime

    set_clock(datetime(2026, 11, 22, 12))
    placement = factories.PlacementFactory(organisation=world.organisation_a)
    spring = date(2026, 3, 16)
    factories.PlacementOfferFactory(placement=placement, first_week=spring, last_week=spring)
    db.session.commit()
    login_as("employer")
    assert "VT 2026 till VT 2027" in client.get("/arbetsgivare/nasta-termin").get_data(
        as_text=True)
    client.get("/sprak/en?next=/")
    english = client.get("/arbetsgivare/nasta-termin").get_data(as_text=True)
    assert '<option value="VT 2026">Spring 2026 to Spring 2027</option>' in english
