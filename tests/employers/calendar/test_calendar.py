"""The regional prao calendar: per week, how many schools hold prao and how many seats the
region's published placements give, aggregated in SQL with a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.employers.calendar import services as service
from portal.employers.models import CalendarEntry, Placement, PlacementOffer, PlacementStatus
from portal.matching import services as matching
from portal.matching.engine import Step
from portal.schools.models import EnrolmentState, Wish
from portal.weeks import week_label
from tests import factories
from tests.conftest import post_form
from tests.employers.placement_support import count_queries, this_monday


def w(n: int):
    return this_monday() + timedelta(weeks=n)


def _figures(week: service.CalendarWeek) -> tuple[int, int, int, int, int]:
    return week.schools, week.pupils, week.seats, week.seats_free, week.own_seats


@pytest.fixture
def region(world, db):
    """School A has prao in weeks 2–3 (40 pupils), school B in week 3 (30 pupils)."""
    factories.CalendarEntryFactory(school=world.school_a, first_week=w(2), last_week=w(3),
                                   pupils=40)
    factories.CalendarEntryFactory(school=world.school_b, first_week=w(3), last_week=w(3),
                                   pupils=30)
    factories.CalendarEntryFactory(school=world.school_b, first_week=w(-3), last_week=w(-2),
                                   pupils=99)  # over already
    a_published = factories.PlacementFactory(organisation=world.organisation_a)
    a_draft = factories.PlacementFactory(organisation=world.organisation_a, status="draft")
    a_archived = factories.PlacementFactory(organisation=world.organisation_a,
                                            status="archived")
    b_published = factories.PlacementFactory(organisation=world.organisation_b)
    b_pending = factories.PlacementFactory(organisation=world.organisation_b, status="pending")
    for placement, first, last, seats, taken in [
        (a_published, 2, 3, 5, 0),
        (a_draft, 3, 3, 7, 0),
        (a_archived, 3, 3, 3, 0),
        (b_published, 3, 3, 10, 4),
        (b_pending, 3, 3, 20, 0),
        (b_published, 60, 60, 8, 0),  # beyond the 52 weeks shown
    ]:
        factories.PlacementOfferFactory(placement=placement, first_week=w(first),
                                        last_week=w(last), seats=seats, seats_taken=taken)
    db.session.commit()
    return world


def test_each_week_counts_schools_pupils_and_published_seats(region):
    weeks = service.regional_calendar(region.organisation_a)
    assert len(weeks) == 52 and weeks[0].monday == this_monday()
    by_week = {week.monday: week for week in weeks}
    # week 2: school A; only A's published offer counts for the region, and is A's own
    assert _figures(by_week[w(2)]) == (1, 40, 5, 5, 5)
    # week 3: both schools; published seats 5 + 10 (4 taken); A's own: published 5 + draft 7
    assert _figures(by_week[w(3)]) == (2, 70, 15, 11, 12)
    assert by_week[w(3)].shortage == 59
    assert _figures(by_week[w(4)]) == (0, 0, 0, 0, 0)
    assert by_week[w(0)].shortage == 0


def test_without_an_organisation_there_are_no_own_seats(region):
    week = {wk.monday: wk for wk in service.regional_calendar()}[w(3)]
    assert _figures(week) == (2, 70, 15, 11, 0)


def test_own_seats_from_offers_already_read_are_the_ones_sql_counts(region, db):
    """The start page counts the employer's own seats from the offers it has just read
    (placements not archived); the calendar page reads them summed per block of weeks.
    Week by week equal:
    5 in week 2, 5 + 7 (draft) in week 3, none from the archived one or beyond 52 weeks."""
    offers = db.session.scalars(select(PlacementOffer).join(Placement).where(
        Placement.organisation_id == region.organisation_a.id,
        Placement.status != PlacementStatus.ARCHIVED)).all()
    from_offers = service.regional_calendar(region.organisation_a, own_offers=offers)
    in_sql = service.regional_calendar(region.organisation_a)
    assert [w.own_seats for w in from_offers] == [w.own_seats for w in in_sql]
    assert [w.own_seats for w in from_offers][:5] == [0, 0, 5, 12, 0]


def test_the_calendar_takes_four_queries_whatever_the_size(world, db):
    def queries() -> int:
        db.session.refresh(world.organisation_a)  # loaded outside the count
        with count_queries() as statements:
            service.regional_calendar(world.organisation_a)
        return len(statements)

    small = queries()
    for n in range(40):
        placement = factories.PlacementFactory(organisation=world.organisation_b)
        factories.PlacementOfferFactory(placement=placement, first_week=w(n % 10),
                                        last_week=w(n % 10 + 1))
        factories.CalendarEntryFactory(school=factories.SchoolFactory(), first_week=w(n % 7),
                                       last_week=w(n % 7))
    db.session.commit()
    assert small == queries() == 4


def test_an_employer_sees_its_own_county(region, db):
    """Organisation A in Luleå (county 25) counts Luleå's and Piteå's schools and seats, not
    Stockholm's; the coordinator's calendar (no organisation) counts the whole region."""
    stockholm = factories.MunicipalityFactory(name="Stockholm", code="0180")
    far = factories.SchoolFactory(name="Skola S", municipality=stockholm)
    factories.CalendarEntryFactory(school=far, first_week=w(3), last_week=w(3), pupils=50)
    for placement in (factories.PlacementFactory(organisation=region.organisation_b,
                                                 municipality=stockholm),
                      factories.PlacementFactory(organisation=region.organisation_b,
                                                 municipality=region.municipality_b)):
        factories.PlacementOfferFactory(placement=placement, first_week=w(3), last_week=w(3),
                                        seats=6, seats_taken=0)
    region.organisation_a.municipality = region.municipality_a
    db.session.commit()
    week = service.regional_calendar(region.organisation_a)[3]
    # Own seats (5 published, 7 draft) wherever they are; published seats of placements
    # without a municipality are not the county's.
    assert _figures(week) == (2, 70, 6, 6, 12)
    assert _figures(service.regional_calendar()[3]) == (3, 120, 27, 23, 0)


def test_school_periods_feed_the_calendar_and_replace_its_entry(world, db):
    period = factories.PraoPeriodFactory(school=world.school_a, first_day=w(2),
                                         last_day=w(3) + timedelta(days=4))
    for _ in range(4):
        factories.EnrolmentFactory(period=period)
    factories.EnrolmentFactory(period=period, state="exempt")
    factories.CalendarEntryFactory(school=world.school_a, first_week=w(2), last_week=w(2),
                                   pupils=30)
    factories.CalendarEntryFactory(school=world.school_b, first_week=w(3), last_week=w(3),
                                   pupils=20)
    db.session.commit()
    weeks = {week.monday: week for week in service.regional_calendar(today=w(0))}
    assert (weeks[w(2)].schools, weeks[w(2)].pupils) == (1, 4)  # the period, not the entry
    assert (weeks[w(3)].schools, weeks[w(3)].pupils) == (2, 24)


def test_employer_sees_the_weeks_but_not_which_schools(client, login_as, region):
    login_as("employer")
    html = client.get("/kalender").get_data(as_text=True)
    row = re.search(rf'<tr id="vecka-{w(3).isoformat()}">(.*?)</tr>', html, re.S).group(1)
    assert week_label(w(3)) in row
    assert re.findall(r'<td class="text-end">(\d+)</td>', row) == ["2", "70", "15", "11", "12"]
    assert "59 platser saknas" in row
    assert region.school_a.name not in html and "Lägg in en skolas praoveckor" not in html


def test_coordinator_enters_and_removes_a_schools_prao_weeks(client, login_as, world, db):
    login_as("coordinator")
    year, week, _ = w(5).isocalendar()
    response = post_form(client, "/kalender/ny", {"school": world.school_b.id,
                                                  "weeks": f"{week} {year}", "pupils": "55"},
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Praoveckorna är inlagda i kalendern." in html and world.school_b.name in html
    entry = db.session.scalars(select(CalendarEntry)).one()
    assert (entry.school_id, entry.first_week, entry.pupils) == (world.school_b.id, w(5), 55)
    assert post_form(client, f"/kalender/{entry.id}/ta-bort", {}).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(CalendarEntry)).all() == []


@pytest.mark.parametrize(("weeks", "pupils", "field", "message"), [
    ("förra veckan", "20", "weeks", "Skriv veckorna som"),
    ("past", "20", "weeks", "har redan varit"),
    ("ahead", "0", "pupils", "mellan 1 och 1000"),
    ("ahead", "många", "pupils", "Skriv antalet elever med siffror"),
    ("overlap", "20", "weeks", "har redan prao vecka"),
])
def test_bad_calendar_input_is_explained(client, login_as, world, db, weeks, pupils, field,
                                         message):
    factories.CalendarEntryFactory(school=world.school_a, first_week=w(8), last_week=w(9))
    db.session.commit()
    texts = {"past": w(-1), "ahead": w(12), "overlap": w(9)}
    if weeks in texts:
        year, number, _ = texts[weeks].isocalendar()
        weeks = f"{number} {year}"
    login_as("coordinator")
    html = post_form(client, "/kalender/ny", {"school": world.school_a.id, "weeks": weeks,
                                              "pupils": pupils}).get_data(as_text=True)
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', html, re.S)
    assert match and message in match.group(1)
    assert len(db.session.scalars(select(CalendarEntry)).all()) == 1


def test_pupils_placed_by_a_published_round_no_longer_count_as_short(app, client, login_as,
                                                                     world, db):
    """Four pupils, two seats: once the round is published two pupils hold the two seats,
    and the week lacks two seats, not four. Pupils with their own placement or exempt
    never counted."""
    period = factories.PraoPeriodFactory(
        school=world.school_a, first_day=w(2), last_day=w(2) + timedelta(days=4),
        wishes_open=w(-3), wishes_close=w(-1))
    offer = factories.PlacementOfferFactory(placement__organisation=world.organisation_b,
                                            first_week=w(2), last_week=w(2), seats=2)
    for _ in range(4):
        db.session.add(Wish(enrolment=factories.EnrolmentFactory(period=period), offer=offer,
                            rank=1))
    factories.EnrolmentFactory(period=period, state=EnrolmentState.OWN_PLACEMENT)
    factories.EnrolmentFactory(period=period, state=EnrolmentState.EXEMPT)
    db.session.commit()

    def week_two() -> service.CalendarWeek:
        return {wk.monday: wk for wk in service.regional_calendar(today=w(0))}[w(2)]

    assert (week_two().pupils, week_two().seats_free, week_two().shortage) == (4, 2, 2)
    counsellor = world.users["counsellor"]
    run = matching.start_round(counsellor, [period], "none", last_step=Step.FIRST, seed=1)
    with app.test_request_context():  # the emails carry links
        assert matching.publish(run.id, counsellor).placed == 2
    assert (week_two().pupils, week_two().seats_free, week_two().shortage) == (2, 0, 2)

    login_as("employer")
    html = client.get("/kalender").get_data(as_text=True)
    row = re.search(rf'<tr id="vecka-{w(2).isoformat()}">(.*?)</tr>', html, re.S).group(1)
    assert "2 platser saknas" in row and "4 platser saknas" not in row
    start = client.get("/arbetsgivare").get_data(as_text=True)
    short = re.search(r'id="behov-veckor".*?</table>', start, re.S).group(0)
    assert re.findall(r'<td class="text-end">(\d+)</td>', short) == ["1", "2", "0", "2", "0"]
