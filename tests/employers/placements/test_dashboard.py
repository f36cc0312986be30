"""The employer's start page: my placements with status, seats booked and free per week,
and what waits for me. A fixed number of queries whatever the number of placements."""

from __future__ import annotations

import re

from portal.employers.calendar import services as calendar
from portal.employers.placements import services as service
from tests import factories
from tests.employers.placement_support import count_queries, weeks_ahead


def _row(html: str, offer_id: int) -> list[str]:
    row = re.search(rf'<tr id="erbjudande-{offer_id}">(.*?)</tr>', html, re.S)
    assert row, f"offer {offer_id} is not on the page"
    return re.findall(r'<td class="text-end">(\d+)</td>', row.group(1))


def test_my_placements_with_seats_booked_and_free_per_week(client, login_as, world, db):
    kitchen = factories.PlacementFactory(organisation=world.organisation_a, title="Kök")
    soon = factories.PlacementOfferFactory(placement=kitchen, first_week=weeks_ahead(2),
                                           last_week=weeks_ahead(3), seats=5, seats_taken=2)
    later = factories.PlacementOfferFactory(placement=kitchen, first_week=weeks_ahead(10),
                                            last_week=weeks_ahead(10), seats=1, seats_taken=1)
    past = factories.PlacementOfferFactory(placement=kitchen, first_week=weeks_ahead(-5),
                                           last_week=weeks_ahead(-4), seats=9, seats_taken=9)
    draft = factories.PlacementFactory(organisation=world.organisation_a, title="Lager",
                                       status="draft")
    factories.PlacementFactory(organisation=world.organisation_b, title="Någon annans")
    db.session.commit()
    login_as("employer")
    html = client.get("/arbetsgivare").get_data(as_text=True)
    assert _row(html, soon.id) == ["5", "2", "3"]
    assert _row(html, later.id) == ["1", "1", "0"]
    assert f'id="erbjudande-{past.id}"' not in html  # over already
    assert "Kommande veckor: 6 platser, varav 3 bokade och 3 lediga." in html
    kitchen_rows = re.search(rf'<tbody id="praoplats-{kitchen.id}">(.*?)</tbody>', html, re.S)
    assert "Publicerad" in kitchen_rows.group(1)
    draft_rows = re.search(rf'<tbody id="praoplats-{draft.id}">(.*?)</tbody>', html, re.S)
    assert "Utkast" in draft_rows.group(1) and "Inga kommande veckor" in draft_rows.group(1)
    assert "Någon annans" not in html


def _week_six_short(world, schools) -> None:
    """In week 6 each of the schools expects 25 pupils; another employer offers 3 seats."""
    for school in schools:
        factories.CalendarEntryFactory(school=school, first_week=weeks_ahead(6),
                                       last_week=weeks_ahead(6), pupils=25)
    factories.PlacementOfferFactory(placement=factories.PlacementFactory(
        organisation=world.organisation_b), first_week=weeks_ahead(6),
        last_week=weeks_ahead(6), seats=3)


def test_what_waits_for_me(client, login_as, world, db):
    factories.PlacementFactory(organisation=world.organisation_a, title="Utan riskbedömning",
                               status="draft", risk_confirmed_at=None)
    factories.PlacementFactory(organisation=world.organisation_a, title="Tillbakaskickad",
                               status="draft", rejection_reason="Ange skyddsskor.")
    factories.PlacementFactory(organisation=world.organisation_a, title="Klar och publicerad")
    _week_six_short(world, schools=(world.school_a, world.school_b))  # 50 pupils, 3 seats
    db.session.commit()
    login_as("employer")
    html = client.get("/arbetsgivare").get_data(as_text=True)
    waiting = html.split("Det här väntar på dig med praoplatserna", 1)[1].split(
        "Mina praoplatser", 1)[0]
    assert "Utan riskbedömning" in waiting and "riskbedömningen för minderåriga är inte klar" \
        in waiting
    assert "Tillbakaskickad" in waiting and "Ange skyddsskor." in waiting
    assert "Klar och publicerad" not in waiting
    assert "Veckor där skolorna behöver fler platser" in waiting
    week_row = re.search(r"<tr>\s*<th scope=\"row\">([^<]+)</th>(.*?)</tr>", waiting, re.S)
    assert re.findall(r'<td class="text-end">(\d+)</td>', week_row.group(2)) == \
        ["2", "50", "3", "47", "0"]


def _short_week_cells(html: str) -> list[str]:
    table = re.search(r'id="behov-veckor".*?</table>', html, re.S)
    assert table, "no short weeks on the page"
    return re.findall(r'<td class="text-end">(\d+)</td>', table.group(0))


def test_the_start_page_keeps_the_countys_short_weeks_but_reads_own_seats_afresh(
        app, client, login_as, world, db):
    """The county's weeks are the same for every employer there: the start page keeps them
    for SHARED_FIGURES_MAX_AGE seconds. The employer's own seats are always read."""
    _week_six_short(world, schools=(world.school_a,))  # 25 pupils, 3 seats
    db.session.commit()
    login_as("employer")
    app.config["SHARED_FIGURES_MAX_AGE"] = 60
    try:
        assert _short_week_cells(client.get("/arbetsgivare").get_data(as_text=True)) == \
            ["1", "25", "3", "22", "0"]
        factories.PlacementOfferFactory(placement=factories.PlacementFactory(
            organisation=world.organisation_a), first_week=weeks_ahead(6),
            last_week=weeks_ahead(6), seats=10)
        db.session.commit()
        # Own seats at once; the county's free seats as kept a moment ago.
        assert _short_week_cells(client.get("/arbetsgivare").get_data(as_text=True)) == \
            ["1", "25", "3", "22", "10"]
        app.config["SHARED_FIGURES_MAX_AGE"] = 0  # as when the kept weeks have grown old
        assert _short_week_cells(client.get("/arbetsgivare").get_data(as_text=True)) == \
            ["1", "25", "13", "12", "10"]
    finally:
        app.config["SHARED_FIGURES_MAX_AGE"] = 0


def test_nothing_waits_for_a_tidy_employer(client, login_as, world, db):
    factories.PlacementFactory(organisation=world.organisation_a)
    db.session.commit()
    login_as("employer")
    page = client.get("/arbetsgivare").get_data(as_text=True)
    assert "Inget väntar på dig med praoplatserna just nu." in page


def test_the_dashboard_takes_four_queries_whatever_the_number_of_placements_one_when_kept(
        app, world, db):
    """The placements with their offers in one query (the own seats per week are counted
    from them), and the county's weeks: three queries, none while they are kept."""
    def queries() -> int:
        db.session.expire_all()
        db.session.refresh(world.organisation_a)
        with count_queries() as statements:
            board = service.dashboard(world.organisation_a)
            [p.risk_complete for p in board.placements]
            [board.upcoming(p) for p in board.placements]
        return len(statements)

    factories.PlacementFactory(organisation=world.organisation_a)
    db.session.commit()
    small = queries()
    for n in range(15):
        placement = factories.PlacementFactory(organisation=world.organisation_a)
        factories.PlacementOfferFactory(placement=placement, first_week=weeks_ahead(n),
                                        last_week=weeks_ahead(n))
    db.session.commit()
    assert small == queries() == 4
    app.config["SHARED_FIGURES_MAX_AGE"] = 60
    calendar._region_weeks.clear()  # what earlier tests left kept
    try:
        assert queries() == 4
        assert queries() == 1
    finally:
        app.config["SHARED_FIGURES_MAX_AGE"] = 0
