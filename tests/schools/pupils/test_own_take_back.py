"""A pupil's own placement that nobody has approved is never a dead end. Whichever way it
was registered (a new workplace, or a request to an organisation the portal knows, approved
by the coordinator or not): the pupil can take it back and choose among the offers while
the wish window is open, and is told whom to ask; the counsellor sees it on the pupil's page,
what it waits for, and can say no, which sends the pupil back to choosing."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.employers import review
from portal.employers.models import Organisation, OrganisationStatus, Placement
from portal.notifications.worker import send_due
from portal.schools.models import EnrolmentState, OwnPlacementRequest, OwnPlacementStatus
from portal.schools.pupils import services
from tests import factories
from tests.conftest import login, new_client, post_form

IN_WINDOW = "2027-01-20"
AFTER_WINDOW = "2027-02-08"
UNDO = "Ångra och välj bland praoplatserna"
BACK = "Klart! Den egna praoplatsen gäller inte längre. Nu kan du välja bland praoplatserna."


@pytest.fixture
def pupil(app, db, world):
    world.users["counsellor"].name = "Sara Syv"
    period = factories.PraoPeriodFactory(school=world.school_a)  # wishes until 2027-02-05
    enrolment = factories.EnrolmentFactory(period=period, student__first_name="Åke",
                                           student__last_name="Berg")
    factories.PlacementOfferFactory(placement__title="Snickare i möbelverkstad")
    db.session.commit()
    with app.test_request_context():
        link = "/elev/" + services.make_link_token(enrolment)
    return enrolment, link


@pytest.fixture
def kaffestugan(db):
    """Known to the portal, not yet approved by the coordinator (as in the demo)."""
    organisation = factories.OrganisationFactory(name="Kaffestugan i Luleå AB",
                                                 org_number="556123-4500",
                                                 status=OrganisationStatus.PENDING,
                                                 contact_email="kaffe@exempel.se")
    factories.UserFactory(role=Role.EMPLOYER, organisation=organisation, email="kim@exempel.se")
    db.session.commit()
    return organisation


def _claim(client, link, workplace="Kaffestugan i Luleå AB", org_number="556123-4500"):
    return post_form(client, link + "/egen-plats", {
        "workplace": workplace, "org_number": org_number, "address": "Storgatan 12",
        "postal_code": "972 31", "city": "Luleå", "contact_name": "Kim Kaffe",
        "contact_email": "kim.kaffe@exempel.se", "contact_phone": "070-111 22 33",
        "tasks": "Baka och servera"}, follow_redirects=True)


def _undo(client, link):
    return post_form(client, link + "/egen-plats/angra", {}, follow_redirects=True)


@freeze_time(IN_WINDOW)
def test_a_pupil_takes_back_a_claim_at_an_organisation_not_yet_approved(client, db, world,
                                                                        pupil, kaffestugan,
                                                                        mailbox):
    enrolment, link = pupil
    page = _claim(client, link).get_data(as_text=True)
    assert "Du har berättat att du ska göra prao hos Kaffestugan" in page
    # The way back, until when, and whom to ask.
    assert UNDO in page and "Det går fram till och med den 2027-02-05" in page
    assert "Är något fel med din egen praoplats" in page and "Sara Syv" in page
    assert "syv@exempel.se" in page

    first = _undo(client, link).get_data(as_text=True)
    again = _undo(client, link).get_data(as_text=True)  # a double click
    for answer in (first, again):
        assert BACK in answer
        assert "Praoplatser som passar dig" in answer and "Snickare i möbelverkstad" in answer
        assert "Du har berättat att du ska göra prao" not in answer and UNDO not in answer
    db.session.expire_all()
    assert enrolment.state is EnrolmentState.NEEDS_PLACEMENT
    request = db.session.scalars(select(OwnPlacementRequest)).one()
    assert request.status is OwnPlacementStatus.WITHDRAWN and request.decided_by_id is None
    # The pupil can choose, and could name a workplace again.
    assert "Jag har redan ordnat en egen praoplats" in again
    assert "Arbetsplatsens namn" in client.get(link + "/egen-plats").get_data(as_text=True)

    # Approved later, the organisation is not asked about a pupil who took it back.
    review.decide_organisation(kaffestugan, world.users["coordinator"], True, "")
    send_due()
    assert not [m for address in ("kim@exempel.se", "kaffe@exempel.se")
                for m in mailbox.to(address) if "En elev vill göra prao" in m["Subject"]]


@freeze_time(IN_WINDOW)
def test_a_new_workplace_taken_back_goes_with_the_organisation_made_for_it(client, db, pupil):
    enrolment, link = pupil
    page = _claim(client, link, workplace="Mormors bageri",
                  org_number="556677-8899").get_data(as_text=True)
    assert "Din egen praoplats" in page and UNDO in page and "Sara Syv" in page
    db.session.refresh(enrolment)
    placement_id = enrolment.own_placement_id
    assert placement_id is not None
    assert BACK in _undo(client, link).get_data(as_text=True)
    db.session.expire_all()
    assert enrolment.state is EnrolmentState.NEEDS_PLACEMENT
    assert enrolment.own_placement_id is None
    assert db.session.get(Placement, placement_id) is None
    assert db.session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.name == "Mormors bageri")) == 0


@freeze_time(IN_WINDOW)
def test_the_way_back_in_english(client, pupil, kaffestugan):
    _, link = pupil
    _claim(client, link)
    client.get("/sprak/en")
    page = client.get(link).get_data(as_text=True)
    assert "Have your plans changed?" in page and "Undo and choose from the placements" in page
    assert "Is something wrong with your own placement" in page
    assert "Done! Your own placement no longer counts." in _undo(client, link).get_data(
        as_text=True)


def test_after_the_wish_window_the_pupil_asks_the_counsellor(client, db, pupil, kaffestugan):
    enrolment, link = pupil
    with freeze_time(IN_WINDOW):
        _claim(client, link)
    with freeze_time(AFTER_WINDOW):
        page = client.get(link).get_data(as_text=True)
        assert UNDO not in page
        assert "Ska du inte vara på platsen? Hör av dig till din studie- och yrkesvägledare." \
            in page and "Sara Syv" in page
        refused = _undo(client, link).get_data(as_text=True)
        assert "Tiden för att välja är slut, så du kan inte ångra" in refused
    db.session.expire_all()
    assert enrolment.state is EnrolmentState.OWN_PLACEMENT


@freeze_time(IN_WINDOW)
def test_once_the_counsellor_approved_it_the_placement_stands(client, db, world, pupil):
    from tests.schools.pupils.test_pupil_page import _risk_assessed

    enrolment, link = pupil
    _claim(client, link, workplace="Mormors bageri", org_number="556677-8899")
    stale = new_client(client.application)  # the pupil's page, open since before
    _risk_assessed(db, enrolment)
    from portal.prao import placing

    placing.approve_own(enrolment, world.users["counsellor"])
    page = client.get(link).get_data(as_text=True)
    assert UNDO not in page and "Din praoplats" in page
    late = _undo(stale, link).get_data(as_text=True)
    assert "Din studie- och yrkesvägledare har precis godkänt platsen" in late
    db.session.expire_all()
    assert enrolment.state is EnrolmentState.OWN_PLACEMENT and enrolment.own_placement_id


# --- the counsellor's side ------------------------------------------------------------------

@freeze_time(IN_WINDOW)
def test_the_counsellor_sees_and_can_refuse_a_claim_at_an_unapproved_organisation(
        client, app, db, world, pupil, kaffestugan):
    enrolment, link = pupil
    _claim(client, link)
    counsellor = new_client(app)
    login(counsellor, world.users["counsellor"].email)
    url = f"/perioder/{enrolment.period_id}/elever/{enrolment.id}"
    page = counsellor.get(url).get_data(as_text=True)
    assert "Egen praoplats:" in page and "Kaffestugan i Luleå AB" in page
    assert "Baka och servera" in page and "Kim Kaffe" in page
    assert "Väntar på att samordnaren godkänner arbetsgivaren" in page
    assert "Ingen praoplats." not in page
    assert "Godkänn den egna platsen" not in page and 'value="reject"' in page
    early = post_form(counsellor, url + "/egen-plats", {"action": "approve"},
                      follow_redirects=True).get_data(as_text=True)
    assert early.count("Väntar på att samordnaren godkänner arbetsgivaren") == 2  # told, shown

    review.decide_organisation(kaffestugan, world.users["coordinator"], True, "")
    page = counsellor.get(url).get_data(as_text=True)
    assert "Väntar på att arbetsgivaren bekräftar platsen i Praoportalen" in page

    no_reason = post_form(counsellor, url + "/egen-plats", {"action": "reject"},
                          follow_redirects=True).get_data(as_text=True)
    assert "Skriv varför platsen inte godkänns." in no_reason
    done = post_form(counsellor, url + "/egen-plats",
                     {"action": "reject", "reason": "Eleven ska vara i skolans kök."},
                     follow_redirects=True).get_data(as_text=True)
    assert "Den egna praoplatsen godkändes inte. Eleven behöver en plats." in done
    twice = post_form(counsellor, url + "/egen-plats",
                      {"action": "reject", "reason": "Eleven ska vara i skolans kök."},
                      follow_redirects=True).get_data(as_text=True)
    assert "Eleven har ingen egen praoplats att granska." in twice
    db.session.expire_all()
    assert enrolment.state is EnrolmentState.NEEDS_PLACEMENT
    request = db.session.scalars(select(OwnPlacementRequest)).one()
    assert (request.status, request.decided_by_id) == (OwnPlacementStatus.WITHDRAWN,
                                                       world.users["counsellor"].id)
    chooser = client.get(link).get_data(as_text=True)
    assert "Praoplatser som passar dig" in chooser
    # The pupil is told why, in the counsellor's words (they were only in the audit log).
    assert "Din egen praoplats godkändes inte" in chooser
    assert "Eleven ska vara i skolans kök." in chooser
    # The organisation's confirmation after that changes nothing.
    employer = new_client(app)
    login(employer, "kim@exempel.se")
    late = post_form(employer, f"/arbetsgivare/egna-praoplatser/{request.id}",
                     {"decision": "approve"}, follow_redirects=True)
    assert late.status_code in (200, 404)
    db.session.expire_all()
    assert enrolment.state is EnrolmentState.NEEDS_PLACEMENT and not enrolment.own_placement_id
    # Another own placement: the old reason is no longer the pupil's news.
    _claim(client, link, workplace="Mormors bageri", org_number="556016-0680")
    db.session.expire_all()
    assert enrolment.state is EnrolmentState.OWN_PLACEMENT and enrolment.own_refusal == ""


@freeze_time(IN_WINDOW)
def test_a_refusal_is_old_news_once_the_pupil_is_placed_and_not_shown_again(
        app, client, db, world, pupil, kaffestugan):
    """Placed by hand after the refusal, then declined by the employer: the pupil chooses
    again, and the page does not lead with a reason weeks out of date."""
    from portal.prao import placing
    from portal.prao import services as prao
    from portal.prao.services import Actor

    enrolment, link = pupil
    _claim(client, link)
    counsellor = world.users["counsellor"]
    placing.reject_own(enrolment, "Eleven ska vara i skolans kök.", counsellor)
    assert "Eleven ska vara i skolans kök." in client.get(link).get_data(as_text=True)
    offer = db.session.scalars(select(factories.PlacementOffer)).first()
    with app.test_request_context():  # the employer's email has links
        assignment = placing.place_by_hand(enrolment, offer.id, "", counsellor)
        prao.decline(assignment.id, assignment.placement_id, "Vi har fullt.",
                     Actor.of(counsellor))
    db.session.expire_all()
    assert enrolment.state is EnrolmentState.NEEDS_PLACEMENT
    page = client.get(link).get_data(as_text=True)
    assert "Praoplatser som passar dig" in page
    assert "godkändes inte" not in page and "skolans kök" not in page


@freeze_time(IN_WINDOW)
def test_the_counsellor_reads_what_a_request_waits_for_in_english(client, app, db, world,
                                                                  pupil, kaffestugan):
    enrolment, link = pupil
    _claim(client, link)
    counsellor = new_client(app)
    login(counsellor, world.users["counsellor"].email)
    counsellor.get("/sprak/en")
    page = counsellor.get(f"/perioder/{enrolment.period_id}/elever/{enrolment.id}").get_data(
        as_text=True)
    assert "Waiting for the coordinator to approve the employer." in page
    assert "The pupil can then choose from the placements again and sees the reason on their" \
        " page." in page
    kaffestugan.status = OrganisationStatus.REJECTED
    db.session.commit()
    page = counsellor.get(f"/perioder/{enrolment.period_id}/elever/{enrolment.id}").get_data(
        as_text=True)
    assert "The coordinator has not approved the employer" in page


@freeze_time(IN_WINDOW)
def test_a_pupil_who_takes_a_new_workplace_back_finds_the_wishes_as_they_were(client, db,
                                                                              pupil):
    """A tester's pupil ranked two placements, registered her own placement at a workplace
    the portal did not know, and lost the ranking for good."""
    enrolment, link = pupil
    offers = [factories.PlacementOfferFactory(placement__title=title)
              for title in ("Bagare", "Florist")]
    db.session.commit()
    for offer in offers:
        post_form(client, link, {"action": "add", "offer": str(offer.id)})
    _claim(client, link, workplace="Mormors bageri", org_number="556016-0680")
    assert BACK in _undo(client, link).get_data(as_text=True)
    db.session.refresh(enrolment)
    assert [w.offer_id for w in enrolment.wishes] == [o.id for o in offers]


@freeze_time(IN_WINDOW)
def test_an_organisation_the_coordinator_rejects_sends_its_waiting_pupils_back_to_choosing(
        client, db, world, pupil, kaffestugan):
    """Before, the request stayed pending for good and the pupil read "Nu väntar vi…"."""
    enrolment, link = pupil
    _claim(client, link)
    review.decide_organisation(kaffestugan, world.users["coordinator"], False, "Okänd firma")
    request = db.session.scalars(select(OwnPlacementRequest)).one()
    db.session.refresh(request)
    db.session.refresh(enrolment)
    assert request.status is OwnPlacementStatus.DECLINED
    assert enrolment.state is EnrolmentState.NEEDS_PLACEMENT
    page = client.get(link).get_data(as_text=True)
    assert "Nu väntar vi" not in page and "Mina val" in page
    assert "Kaffestugan i Luleå AB kunde inte bekräfta din egen praoplats" in page


def test_once_the_window_has_closed_a_refused_pupil_is_not_sent_to_choose(
        client, db, world, pupil):
    """Refused by the counsellor, or not confirmed by the workplace, after the wish
    window: there is nothing below to choose, so the page sends the pupil to the
    counsellor instead."""
    enrolment, link = pupil
    enrolment.own_refusal = "Eleven ska vara i skolans kök."
    db.session.commit()
    with freeze_time(IN_WINDOW):
        during = client.get(link).get_data(as_text=True)
    assert "Välj bland platserna nedan, eller prata med din studie- och yrkesvägledare." \
        in during
    with freeze_time(AFTER_WINDOW):
        after = client.get(link).get_data(as_text=True)
    assert "Eleven ska vara i skolans kök." in after
    assert "Välj bland platserna nedan" not in after
    assert "Prata med din studie- och yrkesvägledare om en plats." in after
    enrolment.own_refusal = ""
    db.session.add(OwnPlacementRequest(
        enrolment=enrolment, organisation=world.organisation_a, workplace="Kaffestugan",
        status=OwnPlacementStatus.DECLINED))
    db.session.commit()
    with freeze_time(AFTER_WINDOW):
        declined = client.get(link).get_data(as_text=True)
    assert (f"{world.organisation_a.name} kunde inte bekräfta din egen praoplats. Prata med "
            "din studie- och yrkesvägledare om en plats.") in declined
    assert "Välj bland platserna nedan" not in declined
