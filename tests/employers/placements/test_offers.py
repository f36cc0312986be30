"""Offers: the weeks and seats of a placement. Bad weeks and seats are explained beside the
field and nothing is half-saved; booked seats are never given away."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.employers.models import PlacementOffer
from portal.weeks import monday, monday_of, week_label
from tests import factories
from tests.conftest import post_form
from tests.employers.placement_support import NEXT_YEAR, next_year_week, this_monday


def _error_beside(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no message beside {field}"
    return re.sub(r"<[^>]+>", "", match.group(1))


def _offers(db) -> list[tuple[date, date, int]]:
    db.session.expire_all()  # what the requests committed, not what this session remembers
    return [(o.first_week, o.last_week, o.seats) for o in db.session.scalars(
        select(PlacementOffer).order_by(PlacementOffer.first_week))]


@pytest.fixture
def placement(client, login_as, world, db):
    login_as("employer")
    placement = factories.PlacementFactory(organisation=world.organisation_a,
                                           municipality=world.municipality_a)
    db.session.commit()
    return placement


def _add(client, placement, weeks: str, seats: str = "3", **kwargs):
    return post_form(client, f"/arbetsgivare/praoplatser/{placement.id}/veckor/ny",
                     {"weeks": weeks, "seats": seats}, **kwargs)


@pytest.mark.parametrize(("text", "first", "last"), [
    (f"11–12 {NEXT_YEAR}", 11, 12),
    (f"vecka 45 {NEXT_YEAR}", 45, 45),
    (f"v. 3-4 {NEXT_YEAR}", 3, 4),
])
def test_weeks_are_written_as_the_school_year_speaks(client, placement, db, text, first, last):
    response = _add(client, placement, text, follow_redirects=True)
    assert "platser vecka" in response.get_data(as_text=True)
    assert _offers(db) == [(monday(NEXT_YEAR, first), monday(NEXT_YEAR, last), 3)]


def test_the_placement_page_shows_the_weeks_and_seats(client, placement, db):
    factories.PlacementOfferFactory(placement=placement, first_week=next_year_week(11),
                                    last_week=next_year_week(12), seats=4, seats_taken=1)
    db.session.commit()
    html = client.get(f"/arbetsgivare/praoplatser/{placement.id}").get_data(as_text=True)
    row = re.search(r'<tr id="erbjudande-\d+">(.*?)</tr>', html, re.S).group(1)
    assert f"vecka 11–12 {NEXT_YEAR}" in row
    assert re.findall(r'<td class="text-end">(\d+)</td>', row) == ["4", "1", "3"]


@pytest.mark.parametrize(("weeks", "seats", "field", "message"), [
    (f"11–12 {NEXT_YEAR}", "0", "seats", "Antalet platser måste vara minst 1."),
    (f"11–12 {NEXT_YEAR}", "-2", "seats", "Antalet platser måste vara minst 1."),
    (f"11–12 {NEXT_YEAR}", "51", "seats", "Högst 50 platser per erbjudande."),
    (f"11–12 {NEXT_YEAR}", "två", "seats", "Skriv antalet platser med siffror"),
    (f"11–12 {NEXT_YEAR}", "", "seats", "Skriv hur många platser."),
    ("nästa vecka", "3", "weeks", "Skriv veckorna som 11–12 2027"),
    ("", "3", "weeks", "Skriv vilka veckor"),
    (f"54 {NEXT_YEAR}", "3", "weeks", "Den veckan finns inte det året."),
    ("52 99999", "3", "weeks", "Kontrollera årtalet"),  # not "the format"
    ("10 0001", "3", "weeks", "Kontrollera årtalet"),  # not "week 10 1 has been"
    (f"10–15 {NEXT_YEAR}", "3", "weeks", "Högst 4 veckor i följd."),
    (f"12–11 {NEXT_YEAR}", "3", "weeks", "Skriv den första veckan först"),  # not "4 weeks"
    (f"11–12 {clock.today().year - 1}", "3", "weeks", "har redan varit"),
])
def test_bad_weeks_and_seats_are_explained_and_nothing_is_saved(client, placement, db, weeks,
                                                                 seats, field, message):
    response = _add(client, placement, weeks, seats)
    assert response.status_code == 200
    assert message in _error_beside(response.get_data(as_text=True), field)
    assert _offers(db) == []


@pytest.mark.parametrize("seats", ["abc", "1.5", "１２３x"])
def test_seats_that_are_not_a_number_get_that_one_message(client, placement, db, seats):
    html = _add(client, placement, f"11–12 {NEXT_YEAR}", seats).get_data(as_text=True)
    assert _error_beside(html, "seats").strip() == \
        "Fel: Skriv antalet platser med siffror, till exempel 2."
    assert _offers(db) == []


def test_last_week_is_in_the_past_but_this_week_is_not(client, placement, db):
    year, week, _ = this_monday().isocalendar()
    assert _add(client, placement, f"{week} {year}").status_code == 302
    last_year, last_week, _ = date.fromordinal(this_monday().toordinal() - 7).isocalendar()
    html = _add(client, placement, f"{last_week} {last_year}").get_data(as_text=True)
    assert f"Vecka {last_week} {last_year} har redan varit" in _error_beside(html, "weeks")


@pytest.mark.parametrize("years", [-2, 2])
def test_this_week_is_the_portal_clocks(client, placement, db, set_clock, years):
    """"Now" is the portal's clock, never the machine's: with the clock two years behind
    or ahead, that week may be offered and the week before has been."""
    now = date(clock.today().year + years, 9, 6)  # early September, two years off
    set_clock(datetime.combine(now, time(9, 0)))
    year, week, _ = monday_of(now).isocalendar()
    assert _add(client, placement, f"{week} {year}").status_code == 302
    before, before_week, _ = (monday_of(now) - timedelta(days=7)).isocalendar()
    html = _add(client, placement, f"{before_week} {before}").get_data(as_text=True)
    assert f"Vecka {before_week} {before} har redan varit" in _error_beside(html, "weeks")
    page = client.get(f"/arbetsgivare/praoplatser/{placement.id}").get_data(as_text=True)
    assert "har varit" not in page  # the offer just added is this week's, not a past one


def test_overlapping_weeks_of_the_same_placement_are_refused(client, placement, db):
    assert _add(client, placement, f"11–12 {NEXT_YEAR}").status_code == 302
    html = _add(client, placement, f"12–13 {NEXT_YEAR}").get_data(as_text=True)
    assert f"krockar med erbjudandet för vecka 11–12 {NEXT_YEAR}" in _error_beside(html, "weeks")
    assert len(_offers(db)) == 1
    assert _add(client, placement, f"13–14 {NEXT_YEAR}").status_code == 302


def test_another_placement_may_offer_the_same_weeks(client, placement, world, db):
    other = factories.PlacementFactory(organisation=world.organisation_a)
    db.session.commit()
    assert _add(client, placement, f"11–12 {NEXT_YEAR}").status_code == 302
    assert _add(client, other, f"11–12 {NEXT_YEAR}").status_code == 302


def test_edit_an_offer(client, placement, db):
    offer = factories.PlacementOfferFactory(placement=placement, first_week=next_year_week(11),
                                            last_week=next_year_week(12), seats=2)
    db.session.commit()
    page = client.get(f"/arbetsgivare/veckor/{offer.id}/andra").get_data(as_text=True)
    assert f'value="11–12 {NEXT_YEAR}"' in page
    response = post_form(client, f"/arbetsgivare/veckor/{offer.id}/andra",
                         {"weeks": f"20 {NEXT_YEAR}", "seats": "5"})
    assert response.status_code == 302
    assert _offers(db) == [(next_year_week(20), next_year_week(20), 5)]


def test_seats_never_go_below_those_already_booked(client, placement, db):
    offer = factories.PlacementOfferFactory(placement=placement, first_week=next_year_week(11),
                                            last_week=next_year_week(12), seats=4, seats_taken=3)
    db.session.commit()
    url = f"/arbetsgivare/veckor/{offer.id}/andra"
    html = post_form(client, url, {"weeks": f"11–12 {NEXT_YEAR}", "seats": "2"}
                     ).get_data(as_text=True)
    assert "3 platser är redan bokade" in _error_beside(html, "seats")
    html = post_form(client, url, {"weeks": f"14–15 {NEXT_YEAR}", "seats": "4"}
                     ).get_data(as_text=True)
    assert "Elever är redan bokade" in _error_beside(html, "weeks")
    assert post_form(client, url, {"weeks": f"11–12 {NEXT_YEAR}", "seats": "3"}
                     ).status_code == 302
    db.session.refresh(offer)
    assert (offer.first_week, offer.seats, offer.seats_taken) == (next_year_week(11), 3, 3)


def test_an_edit_may_not_overlap_another_offer(client, placement, db):
    factories.PlacementOfferFactory(placement=placement, first_week=next_year_week(11),
                                    last_week=next_year_week(12))
    offer = factories.PlacementOfferFactory(placement=placement, first_week=next_year_week(20),
                                            last_week=next_year_week(20))
    db.session.commit()
    html = post_form(client, f"/arbetsgivare/veckor/{offer.id}/andra",
                     {"weeks": f"12 {NEXT_YEAR}", "seats": "2"}).get_data(as_text=True)
    assert "krockar" in _error_beside(html, "weeks")
    db.session.refresh(offer)
    assert offer.first_week == next_year_week(20)


def test_remove_an_offer_but_not_one_with_booked_pupils(client, placement, db):
    free = factories.PlacementOfferFactory(placement=placement, first_week=next_year_week(11),
                                           last_week=next_year_week(11))
    booked = factories.PlacementOfferFactory(placement=placement, first_week=next_year_week(20),
                                             last_week=next_year_week(20), seats_taken=1)
    db.session.commit()
    booked_id = booked.id
    assert post_form(client, f"/arbetsgivare/veckor/{free.id}/ta-bort", {}).status_code == 302
    html = post_form(client, f"/arbetsgivare/veckor/{booked_id}/ta-bort", {}
                     ).get_data(as_text=True)
    assert "Veckorna kan inte tas bort" in html
    assert [o[0] for o in _offers(db)] == [next_year_week(20)]


def test_no_new_weeks_on_an_archived_placement(client, placement, db):
    placement.status = "archived"
    db.session.commit()
    html = _add(client, placement, f"11–12 {NEXT_YEAR}").get_data(as_text=True)
    assert "Praoplatsen är arkiverad" in _error_beside(html, "weeks")
    assert db.session.scalar(select(func.count()).select_from(PlacementOffer)) == 0


def test_weeks_that_have_ended_are_history_and_stay_as_they_were(client, placement, db):
    # A started block may still get its seats changed; one that has ended is counted in
    # its school year's reports and no longer changes.
    last_term = this_monday() - timedelta(weeks=10)
    ended = factories.PlacementOfferFactory(placement=placement, first_week=last_term,
                                            last_week=last_term + timedelta(weeks=1), seats=6,
                                            seats_taken=0)
    running = factories.PlacementOfferFactory(placement=placement, first_week=this_monday(),
                                              last_week=this_monday() + timedelta(weeks=1),
                                              seats=2)
    db.session.commit()
    detail = client.get(f"/arbetsgivare/praoplatser/{placement.id}").get_data(as_text=True)
    assert f"/arbetsgivare/veckor/{ended.id}/andra" not in detail
    assert f"/arbetsgivare/veckor/{ended.id}/ta-bort" not in detail
    assert "Kan inte ändras" in detail
    assert f"/arbetsgivare/veckor/{running.id}/andra" in detail
    url = f"/arbetsgivare/veckor/{ended.id}/andra"
    opened = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "Veckorna har redan varit" in opened
    weeks = week_label(ended.first_week, ended.last_week)
    sent = post_form(client, url, {"weeks": weeks, "seats": "1"}, follow_redirects=True)
    assert "Veckorna har redan varit" in sent.get_data(as_text=True)
    removed = post_form(client, f"/arbetsgivare/veckor/{ended.id}/ta-bort", {},
                        follow_redirects=True).get_data(as_text=True)
    assert "Veckorna har redan varit" in removed
    assert post_form(client, f"/arbetsgivare/veckor/{running.id}/andra",
                     {"weeks": week_label(running.first_week, running.last_week),
                      "seats": "3"}).status_code == 302
    assert (ended.first_week, ended.first_week + timedelta(weeks=1), 6) in _offers(db)
    assert (running.first_week, running.last_week, 3) in _offers(db)
