"""A pupil's own placement at an organisation the portal already knows writes nothing into
that organisation's account: its registered contacts are asked, by email, to confirm or
decline on a page of their own. At most one request per enrolment."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from portal.employers.models import Placement
from portal.employers.services import organisation_by_number
from portal.notifications.worker import send_due
from portal.schools.models import (
    Enrolment,
    EnrolmentState,
    OwnPlacementRequest,
    OwnPlacementStatus,
)
from portal.schools.pupils import services
from tests import factories
from tests.conftest import login, new_client, post_form
from tests.test_hostile_input import error_beside

IN_WINDOW = "2027-01-20"
CONFIRMED = "Praoplatsen finns nu bland era utkast"


def _own_placement(client, link, org_number, email="mallory@exempel.se", workplace=None):
    """The pupil names the workplace as it is registered, when it is."""
    known = organisation_by_number(org_number)
    if workplace is None:
        workplace = known.name if known is not None else "Mormors bageri"
    return post_form(client, link + "/egen-plats", {
        "workplace": workplace, "org_number": org_number,
        "address": "Storgatan 1", "postal_code": "972 31", "city": "Luleå",
        "contact_name": "Mallory", "contact_email": email, "contact_phone": "070-111 22 33",
        "tasks": "Titta på"}, follow_redirects=True)


def _placements(db, organisation) -> int:
    return db.session.scalar(select(func.count()).select_from(Placement).where(
        Placement.organisation_id == organisation.id))


@freeze_time(IN_WINDOW)
def test_a_number_that_belongs_to_another_workplace_is_questioned_not_sent(client, db, world,
                                                                          pupil, mailbox):
    """One mistyped digit can be another registered organisation's number: the pupil is
    asked to check it, and nothing about the pupil reaches that organisation."""
    enrolment, link = pupil
    known = world.organisation_a
    page = _own_placement(client, link, known.org_number, workplace="Mammas Firma AB")
    html = page.get_data(as_text=True)
    assert f"Organisationsnumret hör till {known.name}. Kontrollera numret" in \
        error_beside(html, "org_number")
    assert db.session.scalar(select(func.count()).select_from(OwnPlacementRequest)) == 0
    db.session.refresh(enrolment)
    assert enrolment.state is EnrolmentState.NEEDS_PLACEMENT
    send_due()
    assert mailbox.messages == []
    # The registered name in other words is the same workplace.
    assert services.names_agree("Bygg i Norrbotten", "Norrbottens Bygg AB")
    assert services.names_agree("ica maxi", "ICA Maxi Stormarknad Luleå")
    assert not services.names_agree("Mammas Firma AB", "Norrbottens Bygg AB")


@freeze_time(IN_WINDOW)
def test_naming_a_known_organisation_asks_its_registered_contacts(client, db, world, pupil,
                                                                  mailbox):
    enrolment, link = pupil
    known = world.organisation_a
    before = _placements(db, known)
    page = _own_placement(client, link, known.org_number).get_data(as_text=True)
    assert "vi har bett dem bekräfta" in page
    assert "Nu väntar vi på att de bekräftar det" in page and known.name in page
    assert _placements(db, known) == before  # nothing written into their account
    back = client.get(link + "/egen-plats", follow_redirects=True).get_data(as_text=True)
    assert "Du har redan skickat in din egen praoplats. Svaret från arbetsplatsen" in back
    request = db.session.scalars(select(OwnPlacementRequest)).one()
    assert (request.organisation_id, request.status) == (known.id, OwnPlacementStatus.PENDING)
    db.session.refresh(enrolment)
    assert enrolment.state is EnrolmentState.OWN_PLACEMENT and enrolment.own_placement_id is None
    send_due()
    assert mailbox.to("mallory@exempel.se") == []  # never the address the pupil typed
    for contact in (world.users["employer"].email, known.contact_email):
        message = mailbox.to(contact)[0]
        assert message["Subject"] == (f"En elev vill göra prao hos {known.name} – bekräfta "
                                      "eller avböj")
        assert "/arbetsgivare/egna-praoplatser" in message.get_body(
            preferencelist=("plain",)).get_content()


@freeze_time(IN_WINDOW)
def test_a_member_confirms_and_the_placement_is_created_in_their_account(client, app, db,
                                                                         world, pupil):
    enrolment, link = pupil
    _own_placement(client, link, world.organisation_a.org_number)
    employer = new_client(app)
    login(employer, world.users["employer"].email)
    page = employer.get("/arbetsgivare/egna-praoplatser").get_data(as_text=True)
    assert "Alva Ek" in page and "Titta på" in page
    request = db.session.scalars(select(OwnPlacementRequest)).one()
    done = post_form(employer, f"/arbetsgivare/egna-praoplatser/{request.id}",
                     {"decision": "approve"}, follow_redirects=True)
    assert CONFIRMED in done.get_data(as_text=True)
    db.session.expire_all()
    placement = db.session.get(Placement, enrolment.own_placement_id)
    assert placement.organisation_id == world.organisation_a.id
    assert placement.status.value == "draft" and placement.tasks == "Titta på"
    assert enrolment.state is EnrolmentState.OWN_PLACEMENT
    assert "Du har en egen praoplats" in client.get(link).get_data(as_text=True)


@freeze_time(IN_WINDOW)
def test_a_decline_gives_the_pupil_their_wishes_back(client, app, db, world, pupil):
    enrolment, link = pupil
    offer = factories.PlacementOfferFactory()
    db.session.commit()
    post_form(client, link, {"action": "add", "offer": str(offer.id)})
    _own_placement(client, link, world.organisation_a.org_number)
    employer = new_client(app)
    login(employer, world.users["employer"].email)
    request = db.session.scalars(select(OwnPlacementRequest)).one()
    post_form(employer, f"/arbetsgivare/egna-praoplatser/{request.id}", {"decision": "reject"})
    db.session.expire_all()
    assert enrolment.state is EnrolmentState.NEEDS_PLACEMENT
    assert [w.offer_id for w in enrolment.wishes] == [offer.id]
    assert _placements(db, world.organisation_a) == 0
    page = client.get(link).get_data(as_text=True)
    assert f"{world.organisation_a.name} kunde inte bekräfta din egen praoplats" in page
    # Asking again, even another organisation, replaces the one request of the enrolment.
    _own_placement(client, link, world.organisation_b.org_number)
    again = db.session.scalars(select(OwnPlacementRequest)).one()
    assert (again.organisation_id, again.status) == (world.organisation_b.id,
                                                     OwnPlacementStatus.PENDING)


@freeze_time(IN_WINDOW)
def test_another_organisation_cannot_see_or_decide_the_request(client, app, db, world, pupil):
    _, link = pupil
    _own_placement(client, link, world.organisation_a.org_number)
    outsider = factories.UserFactory(role="employer", email="b@b.se",
                                     organisation=world.organisation_b)
    db.session.commit()
    browser = new_client(app)
    login(browser, outsider.email)
    assert "Alva" not in browser.get("/arbetsgivare/egna-praoplatser").get_data(as_text=True)
    request = db.session.scalars(select(OwnPlacementRequest)).one()
    response = post_form(browser, f"/arbetsgivare/egna-praoplatser/{request.id}",
                         {"decision": "approve"})
    assert response.status_code == 404
    db.session.refresh(request)
    assert request.status is OwnPlacementStatus.PENDING


@freeze_time(IN_WINDOW)
def test_the_same_own_placement_sent_twice_registers_once(client, db, pupil):
    enrolment, link = pupil
    _own_placement(client, link, "556123-4500", email="mormor@bageri.se")
    again = _own_placement(client, link, "556123-4500", email="mormor@bageri.se")
    # The second submit finds the registered placement and changes nothing.
    assert "Uppgifterna om din praoplats är ändrade" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Placement).where(
        Placement.title == "Mormors bageri")) == 1


@freeze_time(IN_WINDOW)
def test_the_counsellor_can_take_back_a_request_nobody_answers(client, app, db, world, pupil):
    enrolment, link = pupil
    _own_placement(client, link, world.organisation_a.org_number)
    counsellor = new_client(app)
    login(counsellor, world.users["counsellor"].email)
    response = post_form(counsellor, f"/perioder/{enrolment.period_id}/elever/{enrolment.id}",
                         {"state": "needs_placement", "reason": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert enrolment.state is EnrolmentState.NEEDS_PLACEMENT
    request = db.session.scalars(select(OwnPlacementRequest)).one()
    assert request.status is OwnPlacementStatus.WITHDRAWN
    employer = new_client(app)
    login(employer, world.users["employer"].email)
    late = post_form(employer, f"/arbetsgivare/egna-praoplatser/{request.id}",
                     {"decision": "approve"}, follow_redirects=True)
    assert "Beslutet fattades nyss av någon annan" in late.get_data(as_text=True)
    assert _placements(db, world.organisation_a) == 0


def test_a_counsellor_change_made_from_a_stale_state_is_refused(db, world):
    """A round published (or an own placement registered) between loading the pupil and
    saving the counsellor's change wins; the counsellor's change is not written over it."""
    from portal.schools.services import SchoolError

    enrolment = factories.EnrolmentFactory(period__school=world.school_a)
    db.session.commit()
    db.session.execute(Enrolment.__table__.update().where(Enrolment.id == enrolment.id)
                       .values(state=EnrolmentState.ASSIGNED.value))  # the other request
    db.session.commit()
    # What this request loaded a moment before the other one committed.
    set_committed_value(enrolment, "state", EnrolmentState.NEEDS_PLACEMENT)
    with pytest.raises(SchoolError, match="ändrades nyss av någon annan"):
        services.set_state(enrolment, EnrolmentState.EXEMPT, "Sjuk", world.users["counsellor"])
    db.session.expire_all()
    assert enrolment.state is EnrolmentState.ASSIGNED


@freeze_time(IN_WINDOW)
def test_an_organisation_not_yet_approved_is_asked_only_once_the_coordinator_approves_it(
        client, app, db, world, pupil, mailbox):
    from portal.accounts.models import Role
    from portal.employers import review
    from portal.employers.models import OrganisationStatus

    enrolment, link = pupil
    # Anyone may register an organisation number first: until the coordinator has
    # approved the organisation, no pupil's details go to its contacts.
    pending = factories.OrganisationFactory(status=OrganisationStatus.PENDING,
                                            contact_email="kontakt@nytt.se")
    factories.UserFactory(role=Role.EMPLOYER, organisation=pending, email="forst@nytt.se")
    db.session.commit()
    page = _own_placement(client, link, pending.org_number).get_data(as_text=True)
    assert "är inte godkänd än" in page
    send_due()
    assert mailbox.to("forst@nytt.se") == [] and mailbox.to("kontakt@nytt.se") == []
    employer = new_client(app)
    login(employer, "forst@nytt.se")
    assert "Alva" not in employer.get("/arbetsgivare/egna-praoplatser").get_data(as_text=True)
    request = db.session.scalars(select(OwnPlacementRequest)).one()
    refused = post_form(employer, f"/arbetsgivare/egna-praoplatser/{request.id}",
                        {"decision": "approve"})
    assert refused.status_code == 404
    assert "Elevers egna praoplatser" not in employer.get("/arbetsgivare").get_data(
        as_text=True)

    review.decide_organisation(pending, world.users["coordinator"], True, "")
    send_due()
    for address in ("forst@nytt.se", "kontakt@nytt.se"):
        assert [m["Subject"] for m in mailbox.to(address)
                if "En elev vill göra prao" in m["Subject"]] == [
            f"En elev vill göra prao hos {pending.name} – bekräfta eller avböj"]
    start = employer.get("/arbetsgivare").get_data(as_text=True)
    assert "Elevers egna praoplatser att bekräfta (1)" in start
    assert "Alva Ek" in employer.get("/arbetsgivare/egna-praoplatser").get_data(as_text=True)
    done = post_form(employer, f"/arbetsgivare/egna-praoplatser/{request.id}",
                     {"decision": "approve"}, follow_redirects=True)
    assert CONFIRMED in done.get_data(as_text=True)


@freeze_time(IN_WINDOW)
def test_an_org_number_of_ten_digits_that_do_not_add_up_is_told_so(client, db, world, pupil):
    """Ten digits with a wrong check digit: the pupil did type ten digits, so the message
    says the number does not add up and to compare it with the workplace's; too few
    digits are told as such."""
    _, link = pupil
    wrong = _own_placement(client, link, "123456-7890").get_data(as_text=True)
    assert "Organisationsnumret går inte ihop: den sista siffran stämmer inte" in wrong
    assert "Det är tio siffror" not in wrong
    short = _own_placement(client, link, "12345-678").get_data(as_text=True)
    assert "Organisationsnumret stämmer inte. Det är tio siffror" in short


@freeze_time(IN_WINDOW)
def test_the_browser_does_not_offer_the_pupils_own_details_as_the_contact_persons(client,
                                                                                  pupil):
    """autocomplete="email" (or "name", "tel") means the user's own: the pupil's browser
    would fill in the pupil's address, and the risk assessment would go to the pupil."""
    page = client.get(pupil[1] + "/egen-plats").get_data(as_text=True)
    for name in ("contact_name", "contact_email", "contact_phone"):
        tag = page[page.rindex("<input", 0, page.index(f'name="{name}"')):]
        tag = tag[:tag.index(">")]
        assert 'autocomplete="off"' in tag, name


@freeze_time(IN_WINDOW)
def test_the_risk_link_sent_again_goes_to_the_organisations_contacts_not_the_typed_one(
        client, app, db, world, pupil, mailbox):
    """A pupil may type her own address as the contact's. The organisation confirms through
    its registered contacts; the counsellor's "send the link again" then sent the signed
    risk-assessment link, the minor's safety check, to the address the pupil typed."""
    enrolment, link = pupil
    _own_placement(client, link, world.organisation_a.org_number, email="alva@elev.se")
    request = db.session.scalars(select(OwnPlacementRequest)).one()
    employer = new_client(app)
    login(employer, world.users["employer"].email)
    post_form(employer, f"/arbetsgivare/egna-praoplatser/{request.id}", {"decision": "approve"})
    send_due()
    counsellor = new_client(app)
    login(counsellor, world.users["counsellor"].email)
    url = f"/perioder/{enrolment.period_id}/elever/{enrolment.id}/egen-plats"
    page = post_form(counsellor, url, {"action": "resend"}, follow_redirects=True)
    assert "Länken till riskbedömningen är skickad" in page.get_data(as_text=True)
    post_form(counsellor, url, {"action": "resend"})  # a double click: the same email once
    send_due()
    assert mailbox.to("alva@elev.se") == []
    for contact in (world.users["employer"].email, world.organisation_a.contact_email):
        assert sum("/egen-praoplats/" in m.get_body(preferencelist=("plain",)).get_content()
                   for m in mailbox.to(contact)) == 1
