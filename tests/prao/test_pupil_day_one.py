"""The pupil's placement card: day-one instructions only once the workplace has said yes, and
the numbers a sick pupil calls at 07:30 as links a phone can tap."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from portal.accounts.models import Role
from portal.prao.models import AssignmentState
from portal.schools.pupils import services
from portal.templating import phone_links
from tests import factories

STARTED = "2027-03-17"  # the factory's period runs weeks 11–12 2027: it began on the 15th


@pytest.fixture
def placed(app, db, world):
    world.school_a.absence_contact = "Ring expeditionen på 0911-69 60 00 före 08:00."
    period = factories.PraoPeriodFactory(school=world.school_a)
    enrolment = factories.EnrolmentFactory(period=period)
    assignment = factories.AssignmentFactory(
        enrolment=enrolment, offer__placement__supervisor_name="Vera Vårdare",
        offer__placement__supervisor_phone="070-000 00 00")
    db.session.commit()
    with app.test_request_context():
        link = "/elev/" + services.make_link_token(enrolment)
    return assignment, link


@freeze_time(STARTED)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_an_unconfirmed_placement_tells_the_pupil_not_to_go_yet(client, placed, lang):
    """Hugo, placed by hand after a decline, read "Första dagen börjar 07:45, 2026-11-23"
    a week after that day, at a workplace that had not said yes."""
    _assignment, link = placed
    client.get(f"/sprak/{lang}")
    html = client.get(link).get_data(as_text=True)
    assert ("Gå inte dit förrän" if lang == "sv" else "Do not go there until") in html
    for day_one in (("Första dagen börjar", "Fråga efter", "Om du blir sjuk") if lang == "sv"
                    else ("The first day starts", "Ask for", "If you are ill")):
        assert day_one not in html


@freeze_time(STARTED)
def test_a_confirmed_placement_gives_day_one_and_tappable_numbers(client, db, placed):
    assignment, link = placed
    assignment.state = AssignmentState.CONFIRMED
    db.session.commit()
    html = client.get(link).get_data(as_text=True)
    assert "Första dagen börjar" in html and "Gå inte dit förrän" not in html
    sick = html[html.index("Om du blir sjuk"):]
    assert '<a class="text-nowrap" href="tel:0911696000">0911-69 60 00</a>' in sick
    assert '<a class="text-nowrap" href="tel:0700000000">070-000 00 00</a>' in sick


@freeze_time("2027-04-05")
def test_after_the_last_day_the_page_no_longer_says_what_to_do_if_ill(client, db, placed):
    """The prao is over: whom to call when ill the same morning is no longer the pupil's
    question."""
    assignment, link = placed
    assignment.state = AssignmentState.COMPLETED
    db.session.commit()
    html = client.get(link).get_data(as_text=True)
    assert "Om du blir sjuk" not in html and "0911-69 60 00" not in html


@freeze_time(STARTED)
def test_the_page_names_the_schools_counsellors_but_not_a_switched_off_one(
        client, db, world, placed):
    _assignment, link = placed
    gone = factories.UserFactory(role=Role.COUNSELLOR, name="Lars Lundberg",
                                 email="lars@exempel.se", active=False)
    gone.schools.append(world.school_a)
    db.session.commit()
    html = client.get(link).get_data(as_text=True)
    counsellor = world.users["counsellor"]
    assert counsellor.name in html and f'href="mailto:{counsellor.email}"' in html
    assert "Lars Lundberg" not in html and "lars@exempel.se" not in html


def test_a_schools_counsellors_are_found_by_an_index(db):
    """counsellor_school's key leads with the user: the school's own index is read, not
    every counsellor's link in the country."""
    from sqlalchemy import text

    from portal.prao.services import _counsellors_statement

    statement = str(_counsellors_statement().compile(
        db.session.get_bind(), compile_kwargs={"literal_binds": False}))
    if db.session.get_bind().dialect.name == "sqlite":
        plan = " ".join(str(r) for r in db.session.execute(
            text("EXPLAIN QUERY PLAN " + statement.replace("?", "1"))))
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(str(r) for r in db.session.execute(
            text("EXPLAIN " + statement.replace("%(school_id)s", "1"))))
    assert "ix_counsellor_school_school_id" in plan


@pytest.mark.parametrize(("text", "links"), [
    ("Ring 0911-69 60 00 före 08:00", ["0911696000"]),
    ("+46 70 123 45 67 eller 070-123 45 67", ["+46701234567", "0701234567"]),
    ("Vecka 11 2027, 2026-11-30 kl 08:00", []),  # dates and times are not numbers to call
    ("Org.nr 556016-0680", []),
])
def test_phone_numbers_in_a_free_text_become_links(text, links):
    shown = str(phone_links(text))
    assert [part.split('"')[0] for part in shown.split('href="tel:')[1:]] == links


def test_the_rest_of_the_text_stays_escaped():
    assert str(phone_links("<b>0911-12 34 56</b>")).startswith("&lt;b&gt;<a ")
