"""Hostile or odd input on the school pages, found in a security review: refused with a
message, never a 500, nothing half-saved. Each ran red before its fix, on PostgreSQL at least:
that is where integer overflow raises instead of matching nothing."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from tests import factories
from tests.conftest import post_form

TOO_BIG = "99999999999"  # beyond PostgreSQL's INTEGER (int4)
FAR_TOO_BIG = "9" * 24  # beyond BIGINT as well


# --- a pupil's wish form with an offer id no row can have is refused, not a 500 -----------

def _pupil_link(app, enrolment) -> str:
    from portal.schools.pupils import services

    with app.test_request_context():
        return "/elev/" + services.make_link_token(enrolment)


@pytest.fixture
def pupil(app, db, world):
    period = factories.PraoPeriodFactory(school=world.school_a)  # wishes open Jan 11 – Feb 5 2027
    enrolment = factories.EnrolmentFactory(period=period)
    offer = factories.PlacementOfferFactory()
    db.session.commit()
    return enrolment, offer, _pupil_link(app, enrolment)


@freeze_time("2027-01-20")
@pytest.mark.parametrize("offer", [TOO_BIG, FAR_TOO_BIG, "-1", "abc", ""])
def test_wish_for_an_impossible_offer_id_is_refused(client, db, pupil, offer):
    enrolment, real_offer, link = pupil
    added = post_form(client, link, {"action": "add", "offer": str(real_offer.id)})
    assert added.status_code == 302
    response = post_form(client, link, {"action": "add", "offer": offer})
    assert response.status_code == 400
    assert "Välj bland platserna i listan" in response.get_data(as_text=True)
    db.session.refresh(enrolment)
    assert [w.offer_id for w in enrolment.wishes] == [real_offer.id]  # nothing half-saved


# --- a trailing newline passes a `$` pattern and then overflows the column: a 500 --------

OWN_PLACEMENT = {"workplace": "Bageriet", "org_number": "556677-8899", "address": "Gatan 1",
                 "postal_code": "972 31", "city": "Luleå", "contact_name": "Kim",
                 "contact_email": "kim@bageriet.se", "contact_phone": "070-123 45 67",
                 "tasks": "Baka bröd."}


@pytest.mark.parametrize("field, value", [("postal_code", "972 31\n"),
                                          ("contact_phone", "070-123 45 67\n")])
def test_own_placement_with_a_trailing_newline_is_shown_again(client, db, pupil, field, value):
    from portal.employers.models import Placement

    enrolment, _, link = pupil
    before = db.session.scalar(select(func.count()).select_from(Placement))
    response = post_form(client, link + "/egen-plats", {**OWN_PLACEMENT, field: value})
    assert response.status_code == 200
    db.session.refresh(enrolment)
    assert enrolment.own_placement_id is None
    assert db.session.scalar(select(func.count()).select_from(Placement)) == before


def test_municipality_code_with_a_trailing_newline_is_refused(client, db, login_as):
    login_as("coordinator")
    response = post_form(client, "/samordnare/kommuner", {"name": "Boden", "code": "2582\n"})
    assert response.status_code == 200
    assert "Kommunkoden är fyra siffror" in response.get_data(as_text=True)


def test_school_unit_code_with_a_trailing_newline_is_refused(client, db, world, login_as):
    login_as("coordinator")
    response = post_form(client, "/samordnare/skolor", {
        "name": "Ny skola", "unit_code": "12345678\n",
        "municipality": str(world.municipality_a.id)})
    assert response.status_code == 200
    assert "Skolenhetskoden är åtta siffror" in response.get_data(as_text=True)


# --- a pupil who has a placement cannot be put back in the queue by a crafted form --------

@pytest.mark.parametrize("state", ["assigned", "own_placement"])
@pytest.mark.parametrize("new_state", ["needs_placement", "exempt"])
def test_state_of_a_placed_pupil_cannot_be_changed_by_a_crafted_form(
        client, db, world, login_as, state, new_state):
    from portal.schools.models import EnrolmentState

    period = factories.PraoPeriodFactory(school=world.school_a)
    enrolment = factories.EnrolmentFactory(period=period, state=EnrolmentState(state))
    db.session.commit()
    login_as("counsellor")
    response = post_form(client, f"/perioder/{period.id}/elever/{enrolment.id}",
                         {"state": new_state, "reason": "Sjuk"})
    assert response.status_code == 200
    assert "redan en praoplats" in response.get_data(as_text=True)
    db.session.refresh(enrolment)
    assert enrolment.state is EnrolmentState(state)


# --- a mistyped year makes a period of decades; years of working days count as prao days ---

PERIOD = {"name": "Prao vt 2027", "grade": "8", "first_day": "2027-03-15",
          "last_day": "2027-03-25", "wishes_open": "2027-01-11", "wishes_close": "2027-02-05"}


@freeze_time("2026-11-22")
@pytest.mark.parametrize("overrides, field, message", [
    ({"last_day": "9999-12-31"}, "last_day", "högst 8 veckor"),
    ({"last_day": "2072-03-26"}, "last_day", "högst 8 veckor"),
    ({"first_day": "9999-03-15", "last_day": "9999-03-26"}, "first_day", "högst 2 år"),
    ({"wishes_open": "0001-01-01"}, "wishes_open", "högst ett år före"),
])
def test_period_dates_far_away_are_refused(client, db, world, login_as, overrides, field,
                                           message):
    from portal.schools.models import PraoPeriod

    login_as("counsellor")
    html = post_form(client, f"/skolor/{world.school_a.id}/perioder/ny",
                     {**PERIOD, **overrides}).get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert db.session.scalars(select(PraoPeriod)).first() is None


# --- the wish buttons and the link emails go through their forms: a crafted value is refused

def _wish_rows(db) -> list[tuple[int, int, int]]:
    from portal.schools.models import Wish

    db.session.expire_all()
    rows = db.session.execute(select(Wish.id, Wish.offer_id, Wish.rank))
    return sorted(tuple(row) for row in rows)


@freeze_time("2027-01-20")
@pytest.mark.parametrize(("data", "message"), [
    ({"action": "explode"}, "Använd knapparna på sidan"),
    ({"action": "add\x00"}, "osynligt tecken"),
    ({"offer": "1\x00"}, "osynligt tecken"),
    ({"offer": "1.5"}, "Välj bland platserna i listan"),
    ({"action": "remove", "offer": "OTHER"}, "finns inte (längre) bland dina val"),
    ({"action": "up", "offer": "OTHER"}, "finns inte (längre) bland dina val"),
])
def test_a_crafted_wish_button_is_refused_and_writes_nothing(client, db, world, pupil, data,
                                                             message):
    enrolment, real_offer, link = pupil
    other = factories.EnrolmentFactory(period=enrolment.period)  # another pupil's wish
    other_offer = factories.PlacementOfferFactory()
    db.session.commit()
    assert post_form(client, link, {"action": "add", "offer": str(real_offer.id)}
                     ).status_code == 302
    from portal.schools.models import Wish

    db.session.add(Wish(enrolment_id=other.id, offer_id=other_offer.id, rank=1))
    db.session.commit()
    before = _wish_rows(db)
    sent = {"action": "add", "offer": str(real_offer.id), **data}
    sent["offer"] = sent["offer"].replace("OTHER", str(other_offer.id))
    response = post_form(client, link, sent)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _wish_rows(db) == before  # not even rewritten as it was


@freeze_time("2027-01-20")
def test_a_repeated_wish_click_rewrites_nothing(client, db, pupil):
    enrolment, real_offer, link = pupil
    form = {"action": "add", "offer": str(real_offer.id)}
    assert post_form(client, link, form).status_code == 302
    before = _wish_rows(db)
    assert post_form(client, link, form).status_code == 302  # the double click
    assert post_form(client, link, {"action": "up", "offer": str(real_offer.id)}
                     ).status_code == 302  # first already
    assert _wish_rows(db) == before


@pytest.mark.parametrize(("reminder", "message"), [("2", "Välj en av knapparna på sidan."),
                                                    ("1\x00", "osynligt tecken")])
def test_a_crafted_link_email_button_is_refused_and_sends_nothing(client, login_as, db, world,
                                                                  reminder, message):
    from portal.notifications.models import OutboxEmail

    period = factories.PraoPeriodFactory(school=world.school_a)
    factories.EnrolmentFactory(period=period, student__email="elev@skola.se")
    db.session.commit()
    login_as("counsellor")
    url = f"/perioder/{period.id}/skicka-lankar"
    page = post_form(client, url, {"reminder": reminder}, follow_redirects=True)
    assert message in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0
    sent = post_form(client, url, {}, follow_redirects=True)
    assert "1 e-postmeddelande ligger i utkorgen." in sent.get_data(as_text=True)
