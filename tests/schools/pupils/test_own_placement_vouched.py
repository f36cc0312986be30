"""A pupil's own placement at a workplace new to the portal: the pupil types the contact
person, whose address gets the signed link to fill in the minor's risk assessment (and later
the morning attendance links). That address is nobody's word but the pupil's until the
coordinator has checked the workplace: the link goes out when the coordinator approves the
organisation, and the pupil's own or a guardian's address is refused on the form."""

from __future__ import annotations

import re

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from portal.employers.models import Organisation, OrganisationStatus, Placement
from portal.notifications.models import OutboxEmail
from portal.notifications.worker import send_due
from portal.prao.models import Assignment
from portal.schools.models import EnrolmentState
from portal.schools.pupils import services
from tests import factories
from tests.conftest import login, new_client, post_form
from tests.employers.placement_support import form_values

IN_WINDOW = "2027-01-20"
CONTACT = "mormor@bageri.se"
OWN = {"workplace": "Mormors bageri", "org_number": "556123-4500", "address": "Bagargatan 1",
       "postal_code": "972 31", "city": "Luleå", "contact_name": "Mormor Bagare",
       "contact_email": CONTACT, "contact_phone": "070-111 22 33", "tasks": "Baka bullar"}
WAITS = "Länken till riskbedömningen skickas när samordnaren har godkänt arbetsplatsen."
RESEND = "Skicka länken till riskbedömningen igen"


@pytest.fixture
def pupil(app, db, world):
    period = factories.PraoPeriodFactory(school=world.school_a)
    enrolment = factories.EnrolmentFactory(period=period, student__first_name="Saga",
                                           student__email="saga@elev.se",
                                           student__guardian_email="mamma@hemma.se")
    db.session.commit()
    with app.test_request_context():
        link = "/elev/" + services.make_link_token(enrolment)
    return enrolment, link


def _staff(app, world):
    """Signed in within the test's frozen day (a session from another day is not kept)."""
    counsellor, coordinator = new_client(app), new_client(app)
    login(counsellor, world.users["counsellor"].email)
    login(coordinator, world.users["coordinator"].email)
    return counsellor, coordinator


def _register(client, link, **changes):
    return post_form(client, link + "/egen-plats", {**OWN, **changes})


def _risk_emails(db, address=CONTACT) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxEmail.body_text).where(
        OutboxEmail.kind == "own_placement", OutboxEmail.recipient == address)))


def _organisation(db) -> Organisation:
    db.session.expire_all()
    return db.session.scalars(select(Organisation).where(
        Organisation.org_number == "556123-4500")).one()


def _approve(coordinator, db):
    return post_form(coordinator,
                     f"/samordnare/organisationer/{_organisation(db).id}/granska",
                     {"decision": "approve", "reason": ""}, follow_redirects=True)


def _enrolment_url(enrolment) -> str:
    return f"/perioder/{enrolment.period_id}/elever/{enrolment.id}"


@freeze_time(IN_WINDOW)
def test_the_risk_link_waits_until_the_coordinator_has_approved_the_workplace(
        app, client, db, world, pupil, mailbox):
    enrolment, link = pupil
    counsellor, coordinator = _staff(app, world)
    assert _register(client, link).status_code == 302
    send_due()
    # Nothing goes to the address the pupil typed before anyone has checked it.
    assert mailbox.to(CONTACT) == [] and _risk_emails(db) == []
    pupil_page = client.get(link).get_data(as_text=True)
    assert "Först kontrollerar samordnaren arbetsplatsen. Sedan får din kontaktperson ett " \
        "mejl om riskbedömningen." in pupil_page
    # The counsellor sees why, and has no button that would send it anyway.
    page = counsellor.get(_enrolment_url(enrolment)).get_data(as_text=True)
    assert WAITS in page and RESEND not in page and "Godkänn den egna platsen" not in page
    tried = post_form(counsellor, _enrolment_url(enrolment) + "/egen-plats",
                      {"action": "resend"}, follow_redirects=True).get_data(as_text=True)
    assert WAITS in tried and _risk_emails(db) == []

    # The coordinator's review says what approving sends, and to which address.
    review = coordinator.get(f"/samordnare/organisationer/{_organisation(db).id}/granska")
    review_page = review.get_data(as_text=True)
    assert "Kontrollera kontaktpersonen innan du godkänner" in review_page
    assert f"Eleven har själv skrivit in kontaktpersonen: Mormor Bagare, {CONTACT}, " \
        "070-111 22 33." in review_page
    _approve(coordinator, db)
    _approve(coordinator, db)  # a double click: decided once, sent once
    send_due()
    (body,) = _risk_emails(db)
    assert "/egen-praoplats/" in body
    assert sum("/egen-praoplats/" in m.get_body(("plain",)).get_content()
               for m in mailbox.to(CONTACT)) == 1

    # Now the counsellor may send it again: a double click sends it once more, not twice.
    with freeze_time("2027-01-20 00:10"):
        page = counsellor.get(_enrolment_url(enrolment)).get_data(as_text=True)
        assert WAITS not in page and RESEND in page
        for _ in range(2):
            post_form(counsellor, _enrolment_url(enrolment) + "/egen-plats",
                      {"action": "resend"})
    assert len(_risk_emails(db)) == 2


@freeze_time(IN_WINDOW)
@pytest.mark.parametrize(("typed", "message"), [
    ("Saga@Elev.se", "Det här är din egen e-postadress."),
    ("MAMMA@hemma.se", "Det här är din vårdnadshavares e-postadress."),
])
def test_the_pupils_own_or_a_guardians_address_is_refused_beside_the_field(
        client, db, pupil, typed, message):
    enrolment, link = pupil
    response = _register(client, link, contact_email=typed)
    html = response.get_data(as_text=True)
    error = re.search(r'id="contact_email-error"[^>]*>(.*?)</div>', html, re.S)
    assert error is not None and message in error.group(1)
    db.session.expire_all()
    assert enrolment.state is EnrolmentState.NEEDS_PLACEMENT
    assert db.session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.org_number == "556123-4500")) == 0

    # Nor can a registered one be corrected to it.
    assert _register(client, link).status_code == 302
    corrected = _register(client, link, contact_email=typed).get_data(as_text=True)
    assert message in corrected
    db.session.expire_all()
    assert db.session.get_one(Placement, enrolment.own_placement_id).supervisor_email == CONTACT


@freeze_time(IN_WINDOW)
def test_an_assessment_made_before_the_approval_waits_for_it_too(app, client, db, world,
                                                                 pupil):
    """A link sent before this rule (the old code mailed it at once) may have been used:
    the counsellor approves only once the coordinator has approved the workplace, which
    is then not asked for the assessment again."""
    enrolment, link = pupil
    counsellor, coordinator = _staff(app, world)
    _register(client, link)
    db.session.refresh(enrolment)
    placement = db.session.get_one(Placement, enrolment.own_placement_id)
    for name in ("risk_hazards", "risk_measures", "risk_introduction", "risk_supervisor"):
        setattr(placement, name, "Ifyllt via länken.")
    placement.risk_confirmed_at = placement.created_at
    db.session.commit()
    url = _enrolment_url(enrolment)
    page = counsellor.get(url).get_data(as_text=True)
    assert WAITS in page and "Godkänn den egna platsen" not in page
    refused = post_form(counsellor, url + "/egen-plats", {"action": "approve"},
                        follow_redirects=True).get_data(as_text=True)
    assert WAITS in refused
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0

    _approve(coordinator, db)
    assert _risk_emails(db) == []  # done already: nothing to ask
    post_form(counsellor, url + "/egen-plats", {"action": "approve"})
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 1


@freeze_time(IN_WINDOW)
def test_after_the_approval_the_pupil_cannot_swap_in_another_contact(app, client, db, world,
                                                                     pupil, mailbox):
    enrolment, link = pupil
    _, coordinator = _staff(app, world)
    _register(client, link)
    _approve(coordinator, db)
    response = _register(client, link, contact_email="kompis@exempel.se")
    html = response.get_data(as_text=True)
    error = re.search(r'id="contact_email-error"[^>]*>(.*?)</div>', html, re.S)
    assert error is not None and "Arbetsplatsen är redan godkänd med den kontaktperson du " \
        "skrev först." in error.group(1)
    send_due()
    assert mailbox.to("kompis@exempel.se") == []
    db.session.expire_all()
    assert db.session.get_one(Placement, enrolment.own_placement_id).supervisor_email == CONTACT


@freeze_time(IN_WINDOW)
def test_the_risk_form_opens_on_hours_a_minor_may_work_and_saves_them_as_they_are(
        app, client, db, world, pupil):
    enrolment, link = pupil
    _, coordinator = _staff(app, world)
    _register(client, link)
    _approve(coordinator, db)
    (body,) = _risk_emails(db)
    url = re.search(r"http://portal\.test(/egen-praoplats/\S+)", body).group(1)
    workplace = new_client(app)
    values = form_values(workplace.get(url).get_data(as_text=True), "risk_hazards")
    assert (values["day_start"], values["day_end"], values["break_start"],
            values["break_minutes"]) == ("08:00", "15:00", "11:30", "30")
    values.update(risk_hazards="Varma ugnar.", risk_measures="Eleven bakar inte vid ugnen.",
                  risk_introduction="Rundtur första morgonen.", risk_supervisor="Mormor",
                  risk_confirmed="y")
    values.pop("csrf_token", None)
    saved = post_form(workplace, url, values)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.expire_all()
    placement = db.session.get_one(Placement, enrolment.own_placement_id)
    assert placement.risk_confirmed_at is not None
    assert placement.organisation.status is OrganisationStatus.APPROVED
