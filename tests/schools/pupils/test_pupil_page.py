"""The pupil's own page as the pupil meets it: their own placement shown and correctable
until the counsellor approves it, a title that follows where they are, no catalogue once
placed, and a search that says what it did not find."""

from __future__ import annotations

import re

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from portal.employers.models import Organisation, OrganisationStatus, Placement
from portal.employers.placements.services import RISK_FIELDS
from portal.notifications.models import OutboxEmail
from portal.prao import placing
from portal.schools.models import EnrolmentState
from portal.schools.pupils import services
from tests import factories
from tests.conftest import new_client, post_form

IN_WINDOW = "2027-01-20"
OWN = {"workplace": "Mormors bageri", "org_number": "556123-4500", "address": "Bagargatan 1",
       "postal_code": "972 31", "city": "Luleå", "contact_name": "Mormor Bagare",
       "contact_email": "mormor@bageri.se", "contact_phone": "070-111 22 33",
       "tasks": "Baka bullar"}


@pytest.fixture
def pupil(app, db, world):
    period = factories.PraoPeriodFactory(school=world.school_a)  # weeks 11–12 2027, grade 8
    enrolment = factories.EnrolmentFactory(period=period, student__first_name="Saga")
    factories.PlacementOfferFactory(placement__title="Snickare i möbelverkstad")
    db.session.commit()
    with app.test_request_context():
        link = "/elev/" + services.make_link_token(enrolment)
    return enrolment, link


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def _risk_links(db) -> list[str]:
    bodies = db.session.scalars(select(OutboxEmail.body_text).where(
        OutboxEmail.kind == "own_placement").order_by(OutboxEmail.id)).all()
    return [re.search(r"http://portal\.test(/egen-praoplats/\S+)", b).group(1) for b in bodies]


def _risk_assessed(db, enrolment) -> Placement:
    """As the workplace leaves it after the risk-assessment link (which it got once the
    coordinator had approved it)."""
    db.session.refresh(enrolment)
    placement = db.session.get(Placement, enrolment.own_placement_id)
    placement.organisation.status = OrganisationStatus.APPROVED
    for name in RISK_FIELDS:
        setattr(placement, name, "Ifyllt av arbetsplatsen.")
    placement.risk_confirmed_at = placement.created_at
    db.session.commit()
    return placement


def _register(client, link, **changes):
    return post_form(client, link + "/egen-plats", {**OWN, **changes})


@freeze_time(IN_WINDOW)
def test_pupil_choosing_has_the_choosing_title_and_the_catalogue(client, pupil):
    _, link = pupil
    html = client.get(link).get_data(as_text=True)
    assert _title(html).startswith("Välj praoplats")
    assert "Praoplatser som passar dig" in html and "Snickare i möbelverkstad" in html


@freeze_time(IN_WINDOW)
def test_a_search_without_hits_names_the_search(client, pupil):
    _, link = pupil
    html = client.get(link + "?q=snickare").get_data(as_text=True)
    assert "1 praoplats matchar ”snickare”." in html
    html = client.get(link + "?q=astronaut").get_data(as_text=True)
    assert "Ingen praoplats matchar ”astronaut”." in html
    assert "0 platser passar" not in html
    hostile = client.get(link + "?q=<b>fet</b>").get_data(as_text=True)
    assert "Ingen praoplats matchar ”&lt;b&gt;fet&lt;/b&gt;”." in hostile


@freeze_time(IN_WINDOW)
def test_a_search_without_diacritics_finds_the_placement(client, pupil):
    """A pupil whose phone has no å, ä or ö: the catalogue's search, diacritics optional."""
    _, link = pupil
    for typed in ("mobelverkstad", "möbelverkstad", "mobel"):
        html = client.get(link, query_string={"q": typed}).get_data(as_text=True)
        assert f"1 praoplats matchar ”{typed}”." in html, typed


@freeze_time(IN_WINDOW)
def test_an_edited_sector_in_the_address_is_explained_and_every_sector_shown(client, pupil):
    _, link = pupil
    response = client.get(link + "?sector=zzz")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Välj en bransch i listan." in html
    assert "Snickare i möbelverkstad" in html  # the search went on without the sector


@freeze_time(IN_WINDOW)
def test_placed_pupil_reads_about_their_prao_not_the_catalogue(client, db, pupil):
    enrolment, link = pupil
    factories.AssignmentFactory(enrolment=enrolment, offer__placement__title="Köket")
    enrolment.state = EnrolmentState.ASSIGNED
    db.session.commit()
    html = client.get(link).get_data(as_text=True)
    assert _title(html).startswith("Din prao")
    assert "Din praoplats" in html
    assert "Praoplatser som passar dig" not in html and "Snickare i möbelverkstad" not in html


@freeze_time(IN_WINDOW)
def test_a_placed_pupils_page_reads_the_placement_with_the_assignment(client, db, pupil):
    """The pupil, period and school with the enrolment; the assignments with their
    placement and organisation, whether a certificate was issued and which the pupil has
    evaluated; the published result; the school's counsellors: no query for what the
    first ones carry, and no own placement's request, which a placed pupil is not shown
    (12 before, then 7 while the evaluation looked for the assignments again and the
    request was read, then 5 while the certificate had a query of its own)."""
    from tests.employers.placement_support import count_queries

    enrolment, link = pupil
    factories.AssignmentFactory(enrolment=enrolment, offer__placement__title="Köket")
    enrolment.state = EnrolmentState.ASSIGNED
    db.session.commit()
    client.get(link)
    with count_queries() as statements:
        html = client.get(link).get_data(as_text=True)
    assert "Köket" in html
    assert len(statements) == 4


@freeze_time(IN_WINDOW)
def test_pupil_sees_their_own_placement_as_entered(client, db, pupil):
    enrolment, link = pupil
    assert _register(client, link).status_code == 302
    html = client.get(link).get_data(as_text=True)
    assert _title(html).startswith("Din prao")
    section = re.search(r'<section[^>]*id="din-egna-plats".*?</section>', html, re.S).group(0)
    for entered in ("Mormors bageri", "556123-4500", "Bagargatan 1", "972 31 Luleå",
                    "Mormor Bagare", "070-111 22 33", "mormor@bageri.se", "Baka bullar",
                    "Först kontrollerar samordnaren arbetsplatsen."):
        assert entered in section, entered
    assert f'href="{link}/egen-plats">Ändra uppgifterna</a>' in section
    assert "Praoplatser som passar dig" not in html

    form = client.get(link + "/egen-plats").get_data(as_text=True)
    assert "<h1>Ändra din egen praoplats</h1>" in form
    assert 'value="Bagargatan 1"' in form and "Baka bullar</textarea>" in form


@freeze_time(IN_WINDOW)
def test_pupil_corrects_a_typo_in_place(client, db, pupil):
    enrolment, link = pupil
    _register(client, link)
    db.session.refresh(enrolment)
    placement_id = enrolment.own_placement_id

    response = _register(client, link, workplace="Mormors Bageri AB",
                         contact_phone="070-111 22 44")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Uppgifterna om din praoplats är ändrade." in page
    assert "Mormors Bageri AB" in page and "070-111 22 44" in page
    db.session.expire_all()
    assert enrolment.own_placement_id == placement_id  # the workplace's link still works
    assert db.session.get(Placement, placement_id).organisation.name == "Mormors Bageri AB"
    assert _risk_links(db) == []  # nothing before the coordinator has approved it


@freeze_time(IN_WINDOW)
def test_another_contact_address_before_the_approval_is_the_one_the_link_goes_to(
        app, client, db, world, pupil):
    from portal.employers import review

    enrolment, link = pupil
    _register(client, link, contact_email="mormor@fel.se")
    _register(client, link, contact_email="mormor@bageri.se")
    assert _risk_links(db) == []
    db.session.refresh(enrolment)
    with app.test_request_context():
        review.decide_organisation(db.session.get_one(Placement, enrolment.own_placement_id)
                                   .organisation, world.users["coordinator"], True, "")

    (new,) = _risk_links(db)
    recipients = db.session.scalars(select(OutboxEmail.recipient).where(
        OutboxEmail.kind == "own_placement").order_by(OutboxEmail.id)).all()
    assert recipients == ["mormor@bageri.se"]
    workplace = new_client(app)
    assert workplace.get(new).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Placement)) == 2  # + the offer's
    assert db.session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.org_number == "556123-4500")) == 1


@freeze_time(IN_WINDOW)
def test_a_mistyped_organisationsnummer_leaves_no_organisation_behind(client, db, pupil):
    enrolment, link = pupil
    _register(client, link, org_number="556677-8899")
    _register(client, link)  # the right number
    numbers = set(db.session.scalars(select(Organisation.org_number)))
    assert "556677-8899" not in numbers and "556123-4500" in numbers
    db.session.refresh(enrolment)
    placement = db.session.get(Placement, enrolment.own_placement_id)
    assert placement.organisation.org_number == "556123-4500"


@freeze_time(IN_WINDOW)
def test_new_tasks_after_the_risk_assessment_ask_the_workplace_again(client, db, pupil):
    enrolment, link = pupil
    _register(client, link)
    placement = _risk_assessed(db, enrolment)
    assert "Klar. Nu ska din studie- och yrkesvägledare godkänna platsen." in client.get(
        link).get_data(as_text=True)

    _register(client, link, tasks="Baka bullar och stå i kassan")
    db.session.refresh(placement)
    assert placement.risk_confirmed_at is None
    assert len(_risk_links(db)) == 1  # to the approved workplace's registered contact


@freeze_time(IN_WINDOW)
def test_an_approved_own_placement_can_no_longer_be_changed_by_the_pupil(client, db, world,
                                                                         pupil):
    enrolment, link = pupil
    _register(client, link)
    placement = _risk_assessed(db, enrolment)
    placing.approve_own(enrolment, world.users["counsellor"])

    form = client.get(link + "/egen-plats")
    assert form.status_code == 302
    refused = post_form(client, link + "/egen-plats", {**OWN, "workplace": "Något annat"},
                        follow_redirects=True)
    assert "Du har redan en plats" in refused.get_data(as_text=True)
    db.session.refresh(placement)
    assert placement.organisation.name == "Mormors bageri"
    html = client.get(link).get_data(as_text=True)
    assert "Din praoplats" in html and "Ändra uppgifterna" not in html
