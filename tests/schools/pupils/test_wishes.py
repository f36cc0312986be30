"""Ranked wishes through the personal link: at most five, no duplicates, only placements
that fit the period's weeks, the pupil's grade and needs, and only inside the window."""

from __future__ import annotations

import re
from datetime import date

import pytest
from freezegun import freeze_time

from portal.employers.reference import features_mask
from portal.schools.models import EnrolmentState, Wish
from portal.schools.pupils import services
from tests import factories
from tests.conftest import post_form

IN_WINDOW = "2027-01-20"


def _link(app, enrolment) -> str:
    with app.test_request_context():
        return "/elev/" + services.make_link_token(enrolment)


@pytest.fixture
def setup(app, db, world):
    period = factories.PraoPeriodFactory(school=world.school_a)  # weeks 11–12 2027, grade 8
    enrolment = factories.EnrolmentFactory(period=period)
    offers = [factories.PlacementOfferFactory(placement__title=f"Plats {n}") for n in range(7)]
    db.session.commit()
    return enrolment, offers, _link(app, enrolment)


def _act(client, link, action, offer):
    return post_form(client, link, {"action": action, "offer": str(offer.id)})


@freeze_time(IN_WINDOW)
def test_rank_up_to_five_and_reorder(client, db, setup):
    enrolment, offers, link = setup
    for offer in offers[:3]:
        assert _act(client, link, "add", offer).status_code == 302
    _act(client, link, "up", offers[2])
    _act(client, link, "remove", offers[0])
    db.session.refresh(enrolment)
    assert [w.offer_id for w in enrolment.wishes] == [offers[2].id, offers[1].id]
    assert [w.rank for w in enrolment.wishes] == [1, 2]
    page = client.get(link).get_data(as_text=True)
    assert "Mina val (2 av 5)" in page and "Lägg till som val 3" in page
    # Two placements may share a title: the button names the workplace too.
    offer = offers[3]
    assert (f'aria-label="Lägg till som val 3: {offer.placement.title}, '
            f'{offer.placement.organisation.name}"') in page


def _said_in_the_list(client, response) -> list[str]:
    """The status messages in the pupil's list (#mina-val), where the page opens again."""
    assert response.status_code == 302 and response.headers["Location"].endswith("#mina-val")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    section = page[page.index('id="mina-val"'):]
    section = section[:section.index("</section>")]
    return re.findall(r'role="status">([^<]*)<', section)


@freeze_time(IN_WINDOW)
def test_each_button_says_in_the_list_what_changed(client, db, setup):
    """A screen reader hears the change: added, moved, removed (and nothing twice)."""
    enrolment, offers, link = setup
    assert _said_in_the_list(client, _act(client, link, "add", offers[0])) == [
        "Plats 0 är nu ditt val 1."]
    assert _said_in_the_list(client, _act(client, link, "add", offers[1])) == [
        "Plats 1 är nu ditt val 2."]
    assert _said_in_the_list(client, _act(client, link, "up", offers[1])) == [
        "Plats 1 är nu ditt val 1."]
    assert _said_in_the_list(client, _act(client, link, "down", offers[1])) == [
        "Plats 1 är nu ditt val 2."]
    assert _said_in_the_list(client, _act(client, link, "remove", offers[0])) == [
        "Plats 0 är borttagen från dina val."]
    assert "är nu ditt val" not in client.get(link).get_data(as_text=True)  # said once
    client.get("/sprak/en")
    assert _said_in_the_list(client, _act(client, link, "add", offers[2])) == [
        "Plats 2 is now your choice 2."]
    assert _said_in_the_list(client, _act(client, link, "remove", offers[2])) == [
        "Plats 2 has been removed from your choices."]


@freeze_time(IN_WINDOW)
def test_more_than_five_is_refused(client, db, setup):
    enrolment, offers, link = setup
    for offer in offers[:5]:
        _act(client, link, "add", offer)
    response = _act(client, link, "add", offers[5])
    assert response.status_code == 400
    assert "högst 5 platser" in response.get_data(as_text=True)
    db.session.refresh(enrolment)
    assert len(enrolment.wishes) == 5


@freeze_time(IN_WINDOW)
def test_duplicates_are_refused_by_the_service(db, setup):
    enrolment, offers, _ = setup
    with pytest.raises(services.SchoolError, match="två gånger"):
        services.set_wishes(enrolment, [offers[0].id, offers[0].id], date(2027, 1, 20))


@freeze_time(IN_WINDOW)
def test_offer_outside_the_period_weeks_grade_or_needs_is_refused(client, db, world, setup):
    enrolment, _, link = setup
    wrong_weeks = factories.PlacementOfferFactory(first_week=date(2027, 4, 5),
                                                  last_week=date(2027, 4, 12))
    ninth_only = factories.PlacementOfferFactory(placement__accepts_grade_8=False)
    enrolment.student.needs = features_mask(["step_free"])
    no_ramp = factories.PlacementOfferFactory(placement__features=0)
    ramp = factories.PlacementOfferFactory(placement__features=features_mask(
        ["step_free", "elevator"]))
    draft = factories.PlacementOfferFactory(placement__status="draft")
    db.session.commit()
    for offer in (wrong_weeks, ninth_only, no_ramp, draft):
        response = _act(client, link, "add", offer)
        assert response.status_code == 400, offer.placement.title
        assert "passar inte din period" in response.get_data(as_text=True)
    assert _act(client, link, "add", ramp).status_code == 302
    listing = client.get(link).get_data(as_text=True)
    assert ramp.placement.title in listing and no_ramp.placement.title not in listing


def test_window_before_and_after(client, db, setup):
    enrolment, offers, link = setup
    with freeze_time("2027-01-10"):
        early = _act(client, link, "add", offers[0]).get_data(as_text=True)
        assert early.count("Du kan börja välja den 2027-01-11") == 1 and "stängt" not in early
        assert "Du kan börja välja den 2027-01-11" in client.get(link).get_data(as_text=True)
    with freeze_time("2027-02-05"):
        assert _act(client, link, "add", offers[0]).status_code == 302  # last day counts
    with freeze_time("2027-02-06"):
        assert _act(client, link, "add", offers[1]).status_code == 400
        assert "Tiden för att välja är slut" in client.get(link).get_data(as_text=True)
    db.session.refresh(enrolment)
    assert [w.offer_id for w in enrolment.wishes] == [offers[0].id]


@freeze_time(IN_WINDOW)
def test_the_pupil_is_told_that_choices_are_saved_as_they_are_made(client, setup):
    """There is no button to send the list: the page says so, and until when it can change."""
    _, offers, link = setup
    saved = "Dina val sparas direkt, du behöver inte skicka något. Du kan ändra dem fram " \
        "till och med den 2027-02-05."
    assert saved in client.get(link).get_data(as_text=True)
    _act(client, link, "add", offers[0])
    assert saved in client.get(link).get_data(as_text=True)
    client.get("/sprak/en")
    assert "Your choices are saved straight away, there is nothing to send. You can change " \
        "them until 2027-02-05." in client.get(link).get_data(as_text=True)


def test_after_the_window_the_page_is_about_the_choices_made(client, db, setup):
    """A click on a page left open past the last day: one message in plain words (no
    "önskefönster"), and the page no longer asks the pupil to choose or how to rank."""
    _, offers, link = setup
    with freeze_time(IN_WINDOW):
        _act(client, link, "add", offers[0])
    with freeze_time("2027-02-06"):
        stale = _act(client, link, "remove", offers[0])
        html = stale.get_data(as_text=True)
        assert stale.status_code == 400
        assert html.count("Tiden för att välja är slut") == 1
        assert "Tiden för att välja är slut, så ingenting ändrades. Dina val är sparade som de " \
            "står här." in html
        assert "fönstret" not in html.lower() and "alert-danger" not in html
        for page in (html, client.get(link).get_data(as_text=True)):
            assert _title(page).startswith("Dina val") and "Välj praoplats" not in _title(page)
            assert "Så funkar det" not in page and "fuska med ordningen" not in page
            assert "Dina val sparas direkt" not in page
            assert "Mina val (1 av 5)" in page and offers[0].placement.title in page
        client.get("/sprak/en")
        english = _act(client, link, "remove", offers[0]).get_data(as_text=True)
        assert _title(english).startswith("Your choices")
        assert "The time for choosing is over, so nothing was changed." in english
        assert "window" not in english.lower() and "How it works" not in english


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


@freeze_time(IN_WINDOW)
def test_page_shows_wishes_against_seats_and_explains_honest_ranking(client, app, db, world,
                                                                     setup):
    enrolment, offers, link = setup
    other = factories.EnrolmentFactory(period=enrolment.period)
    db.session.commit()
    _act(client, _link(app, other), "add", offers[0])
    html = client.get(link).get_data(as_text=True)
    assert "1 har önskat, 2 lediga platser" in html
    assert "Det lönar sig aldrig att fuska med ordningen" in html


@freeze_time(IN_WINDOW)
def test_after_a_round_the_list_shows_free_seats_and_no_full_placement(client, db, setup):
    """A second chance to wish, after a round: a placement whose seats are all booked is
    not offered (the catalogue calls it fully booked), one with a seat left says how many are
    left, and a full one cannot be added by an old page's button. A wish made before the
    placement filled stays, and can still be moved."""
    enrolment, offers, link = setup
    _act(client, link, "add", offers[0])
    _act(client, link, "add", offers[1])
    offers[0].seats_taken = offers[0].seats  # booked by the round meanwhile
    offers[2].seats_taken = offers[2].seats
    offers[3].seats, offers[3].seats_taken = 3, 1
    db.session.commit()
    page = client.get(link).get_data(as_text=True)
    listed = page[page.index('id="platser-rubrik"'):]
    assert "Plats 2" not in listed and "Plats 3" in listed
    assert "5 platser passar din period" in page and "2 lediga platser" in listed
    refused = _act(client, link, "add", offers[2])
    assert refused.status_code == 400
    assert "Platsen är fullbokad." in refused.get_data(as_text=True)
    assert _act(client, link, "up", offers[1]).status_code == 302
    db.session.refresh(enrolment)
    assert [w.offer_id for w in enrolment.wishes] == [offers[1].id, offers[0].id]


@freeze_time(IN_WINDOW)
def test_a_workplace_that_said_no_is_not_offered_to_the_pupil_again(client, db, setup):
    """Declined by a workplace, the pupil chooses again: that workplace's placement says it
    has said no, and has no button to add it; a crafted request is refused."""
    from portal.prao.models import AssignmentState

    enrolment, offers, link = setup
    factories.AssignmentFactory(enrolment=enrolment, offer=offers[4],
                                placement=offers[4].placement, state=AssignmentState.DECLINED)
    db.session.commit()
    page = client.get(link).get_data(as_text=True)
    assert "Arbetsplatsen kunde inte ta emot dig. Välj nya platser nedan" in page
    assert "ordnar din praoplats" not in page  # the counsellor's part comes after the wishes
    item = page[page.index("Plats 4"):]
    item = item[:item.index("</li>")]
    assert "Arbetsplatsen har redan tackat nej till dig." in item and "Lägg till" not in item
    refused = _act(client, link, "add", offers[4])
    assert refused.status_code == 400
    assert "Den arbetsplatsen har redan tackat nej till dig." in refused.get_data(as_text=True)
    assert _act(client, link, "add", offers[5]).status_code == 302
    client.get("/sprak/en")
    english = client.get(link).get_data(as_text=True)
    assert "This workplace has already said no to you." in english
    assert "2 places available" in english


@freeze_time(IN_WINDOW)
def test_gender_suggestion_is_a_suggestion(client, app, db, world, setup):
    enrolment, offers, link = setup
    last_year = factories.PraoPeriodFactory(school=world.school_a, first_day=date(2026, 3, 16),
                                            last_day=date(2026, 3, 20),
                                            wishes_open=date(2026, 1, 1),
                                            wishes_close=date(2026, 2, 1))
    construction = factories.PlacementOfferFactory(placement__sector="construction")
    for _ in range(10):
        old = factories.EnrolmentFactory(period=last_year, student__gender="boy")
        db.session.add(Wish(enrolment=old, offer=construction, rank=1))
    enrolment.student.gender = "boy"
    this_year = factories.PlacementOfferFactory(placement__sector="construction")
    db.session.commit()
    assert _act(client, link, "add", this_year).status_code == 302
    assert "Tips: nästan alla som valde" in client.get(link).get_data(as_text=True)
    enrolment.student.gender = "girl"
    db.session.commit()
    assert "Tips: nästan alla som valde" not in client.get(link).get_data(as_text=True)


@freeze_time(IN_WINDOW)
def test_the_wish_form_lists_and_counts_the_pupils_county(client, db, world, setup):
    """A pupil in Luleå (county 25) sees Piteå's placement and those without a municipality,
    not Stockholm's: it is neither listed nor counted, and a crafted wish for it is refused."""
    enrolment, offers, link = setup
    stockholm = factories.MunicipalityFactory(name="Stockholm", code="0180")
    far = factories.PlacementOfferFactory(placement__title="Plats i Stockholm",
                                          placement__municipality=stockholm)
    near = factories.PlacementOfferFactory(placement__title="Plats i Piteå",
                                           placement__municipality=world.municipality_b)
    db.session.commit()
    html = client.get(link).get_data(as_text=True)
    assert "Plats i Piteå" in html and "Plats 0" in html
    assert "Plats i Stockholm" not in html
    assert "8 platser passar din period" in html  # the seven of the setup and Piteå's
    assert _act(client, link, "add", far).status_code == 400
    assert _act(client, link, "add", near).status_code == 302
    db.session.refresh(enrolment)
    assert [w.offer_id for w in enrolment.wishes] == [near.id]


@freeze_time(IN_WINDOW)
def test_every_page_of_the_wish_form_counts_all_the_pupils_offers(client, db, world, setup):
    """Twenty offers a page, counted in the same query as the page; a page past the end
    lists nothing and still says how many there are."""
    _enrolment, _offers, link = setup
    for n in range(20):
        factories.PlacementOfferFactory(placement__title=f"Extra {n:02d}")
    db.session.commit()
    first = client.get(link).get_data(as_text=True)
    second = client.get(f"{link}?sida=2").get_data(as_text=True)
    beyond = client.get(f"{link}?sida=9").get_data(as_text=True)
    for page in (first, second, beyond):
        assert "27 platser passar din period" in page  # the seven of the setup and 20
    assert "Sida 1 av 2" in first and "Sida 2 av 2" in second
    assert "Extra 19" in first and "Plats 0" not in first  # by title: Extra before Plats
    assert "Plats 0" in second and "Extra" not in second and "Extra" not in beyond


@freeze_time(IN_WINDOW)
def test_gender_suggestion_counts_the_pupils_own_municipality(client, app, db, world, setup):
    """Last year's wishes elsewhere (Piteå, the other municipality) suggest nothing to a
    pupil in Luleå; the same wishes at another school in Luleå do."""
    enrolment, offers, link = setup
    construction = factories.PlacementOfferFactory(placement__sector="construction")
    elsewhere = factories.PraoPeriodFactory(school=world.school_b, first_day=date(2026, 3, 16),
                                            last_day=date(2026, 3, 20),
                                            wishes_open=date(2026, 1, 1),
                                            wishes_close=date(2026, 2, 1))
    for _ in range(10):
        old = factories.EnrolmentFactory(period=elsewhere, student__gender="boy")
        db.session.add(Wish(enrolment=old, offer=construction, rank=1))
    enrolment.student.gender = "boy"
    this_year = factories.PlacementOfferFactory(placement__sector="construction")
    db.session.commit()
    assert _act(client, link, "add", this_year).status_code == 302
    assert "Tips: nästan alla som valde" not in client.get(link).get_data(as_text=True)
    neighbour = factories.SchoolFactory(name="Skola C", municipality=world.municipality_a)
    nearby = factories.PraoPeriodFactory(school=neighbour, first_day=date(2026, 3, 16),
                                         last_day=date(2026, 3, 20),
                                         wishes_open=date(2026, 1, 1),
                                         wishes_close=date(2026, 2, 1))
    for _ in range(10):
        old = factories.EnrolmentFactory(period=nearby, student__gender="boy")
        db.session.add(Wish(enrolment=old, offer=construction, rank=1))
    db.session.commit()
    assert "Tips: nästan alla som valde" in client.get(link).get_data(as_text=True)


@freeze_time(IN_WINDOW)
def test_own_placement_registers_the_workplace_for_approval(client, db, setup, mailbox):
    from portal.notifications.worker import send_due

    enrolment, _, link = setup
    response = post_form(client, link + "/egen-plats", {
        "workplace": "Mormors bageri", "org_number": "556123-4500", "address": "Bagargatan 1",
        "postal_code": "972 31", "city": "Luleå", "contact_name": "Mormor Bagare",
        "contact_email": "mormor@bageri.se", "contact_phone": "070-111 22 33",
        "tasks": "Baka bullar"})
    assert response.status_code == 302
    db.session.refresh(enrolment)
    assert enrolment.state is EnrolmentState.OWN_PLACEMENT
    placement = db.session.get(services.Placement, enrolment.own_placement_id)
    assert placement.organisation.status.value == "pending"
    assert placement.status.value == "draft" and placement.risk_confirmed_at is None
    send_due()
    assert mailbox.to("mormor@bageri.se") == []  # once the coordinator has approved it
    assert "egen praoplats" in client.get(link).get_data(as_text=True)


@freeze_time(IN_WINDOW)
def test_own_placement_with_bad_org_number_is_explained(client, db, setup):
    _, _, link = setup
    response = post_form(client, link + "/egen-plats", {"workplace": "X",
                                                        "org_number": "123"})
    html = response.get_data(as_text=True)
    assert 'id="org_number-error"' in html and "Organisationsnumret stämmer inte" in html


@freeze_time(IN_WINDOW)
def test_pupil_searches_placements_with_swedish_stemming(client, db, setup):
    enrolment, offers, link = setup
    shop = factories.PlacementOfferFactory(placement__title="Kassa och lager i en butik",
                                           placement__description="Du hjälper kunder.")
    db.session.commit()
    html = client.get(link + "?q=butiker").get_data(as_text=True)
    assert shop.placement.title in html and offers[0].placement.title not in html
    assert "1 praoplats matchar ”butiker”." in html
    assert client.get(link + "?q=" + "%22*(" * 50).status_code == 200  # hostile input


@freeze_time(IN_WINDOW)
def test_which_offers_fit_is_kept_a_while_but_seats_and_wishes_are_read_now(
        app, client, db, setup):
    """Which offers fit a prao week is the same for all its pupils: kept for
    SHARED_FIGURES_MAX_AGE seconds. Seats are read on every view, and a wish for an offer
    published meanwhile is checked against the database, not the kept list."""
    _enrolment, offers, link = setup
    app.config["SHARED_FIGURES_MAX_AGE"] = 60
    try:
        assert "7 platser passar din period" in client.get(link).get_data(as_text=True)
        new = factories.PlacementOfferFactory(placement__title="Nyss publicerad")
        offers[0].seats = 9
        db.session.commit()
        kept = client.get(link).get_data(as_text=True)
        assert "7 platser passar din period" in kept and "Nyss publicerad" not in kept
        assert "9 lediga platser" in kept
        assert _act(client, link, "add", new).status_code == 302
        app.config["SHARED_FIGURES_MAX_AGE"] = 0  # as when the kept list has grown old
        assert "8 platser passar din period" in client.get(link).get_data(as_text=True)
    finally:
        app.config["SHARED_FIGURES_MAX_AGE"] = 0


@freeze_time(IN_WINDOW)
def test_the_wish_form_takes_the_same_few_queries_with_one_wish_or_five(client, db, setup):
    """The pupil, period and school in one query; the wishes with their offers, placements,
    organisations and wish counts in one; the page of offers with theirs in one: no query
    per wish or offer. The counsellors are not read (not shown while choosing), nor the
    published results twice."""
    from tests.employers.placement_support import count_queries

    enrolment, offers, link = setup

    def queries() -> int:
        with count_queries() as statements:
            page = client.get(link).get_data(as_text=True)
        assert "Mina val (" in page and "Plats 6" in page  # the wishes and the offers
        return len(statements)

    _act(client, link, "add", offers[0])
    one = queries()
    for offer in offers[1:5]:
        _act(client, link, "add", offer)
    assert one == queries() == 9  # 23 before, then 12
