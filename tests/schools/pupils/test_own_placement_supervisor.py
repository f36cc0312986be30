"""A pupil's own placement at an organisation the portal knows: the pupil types a contact
person, and that address could be the pupil's own. Once the organisation confirms, the
signed links for the pupil's attendance and evaluation go to the organisation's own
people, never to the typed address, until the organisation names the supervisor."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from portal.employers.models import Placement
from portal.feedback.reminders import send_evaluation_reminders
from portal.notifications.models import OutboxEmail
from portal.notifications.worker import send_due
from portal.prao import placing
from portal.prao.attendance.daily import send_morning_emails
from portal.prao.placing import OwnRiskData
from portal.schools.models import OwnPlacementRequest, OwnPlacementStatus
from portal.schools.pupils import services
from tests import factories
from tests.conftest import login, new_client, post_form
from tests.employers.placement_support import placement_form
from tests.prao.attendance.support import TUESDAY, at

IN_WINDOW = "2027-01-20"
TYPED = "alva@elev.se"  # the pupil's own address, typed as the contact person's
STAND_IN = "Ange elevens handledare"


@pytest.fixture
def pupil(app, db, world):
    period = factories.PraoPeriodFactory(school=world.school_a)
    enrolment = factories.EnrolmentFactory(period=period, student__first_name="Alva",
                                           student__last_name="Ek")
    db.session.commit()
    with app.test_request_context():
        link = "/elev/" + services.make_link_token(enrolment)
    return enrolment, link


def _ask(client, link, world, email=TYPED):
    return post_form(client, link + "/egen-plats", {
        "workplace": world.organisation_a.name, "org_number": world.organisation_a.org_number,
        "address": "Storgatan 1", "postal_code": "972 31", "city": "Luleå",
        "contact_name": "Mallory", "contact_email": email, "contact_phone": "070-111 22 33",
        "tasks": "Titta på"}, follow_redirects=True)


def _confirm(app, db, world):
    """The organisation's member confirms; the page the member lands on."""
    employer = new_client(app)
    login(employer, world.users["employer"].email)
    request = db.session.scalars(select(OwnPlacementRequest)).one()
    page = post_form(employer, f"/arbetsgivare/egna-praoplatser/{request.id}",
                     {"decision": "approve"}, follow_redirects=True)
    return employer, page.get_data(as_text=True)


def _assessed_and_approved(db, world, enrolment):
    """The risk assessment through the workplace's link, then the counsellor's approval."""
    db.session.expire_all()
    placement = db.session.get_one(Placement, enrolment.own_placement_id)
    placing.save_own_risk(placement, OwnRiskData(
        day_start=placement.day_start, day_end=placement.day_end,
        break_start=placement.break_start, break_minutes=placement.break_minutes,
        protective_equipment="Inga.", risk_hazards="Varma ytor.", risk_measures="Inte vid spisen.",
        risk_introduction="Rundtur.", risk_supervisor="Kim", first_day_start=None,
        first_day_ask_for="", bring_and_wear=""))
    placing.approve_own(enrolment, world.users["counsellor"])


def _member(world):
    """The organisation's member, as plain values (the test's session ends with requests)."""
    user = world.users["employer"]
    return SimpleNamespace(email=user.email, name=user.name)


def _subjects(mailbox, address):
    return [m["Subject"] for m in mailbox.to(address)]


def test_the_attendance_and_evaluation_links_go_to_the_member_who_confirmed(
        client, app, db, world, pupil, mailbox, set_clock):
    enrolment, link = pupil
    member = _member(world)
    with freeze_time(IN_WINDOW):
        _ask(client, link, world)
        _confirm(app, db, world)
        _assessed_and_approved(db, world, enrolment)
    set_clock(at(TUESDAY, 7, 5))
    send_morning_emails()
    send_due()
    assert mailbox.to(TYPED) == [], _subjects(mailbox, TYPED)
    morning = [m.get_body(("plain",)).get_content() for m in mailbox.to(member.email)]
    assert any("Alva Ek" in body and "/narvaro/" in body for body in morning)
    assert any(f"Hej {member.name}!" in body for body in morning)
    set_clock(at(date(2027, 3, 29), 9))  # the first working day after the period
    send_evaluation_reminders()
    assert db.session.scalar(select(OutboxEmail.recipient).where(
        OutboxEmail.kind == "supervisor_evaluation_reminder")) == member.email
    assert mailbox.to(TYPED) == []
    assert db.session.scalars(select(OutboxEmail.kind).where(
        OutboxEmail.recipient == TYPED)).all() == []


@freeze_time(IN_WINDOW)
def test_the_employer_sees_the_pupils_contact_and_names_the_supervisor(client, app, db, world,
                                                                       pupil, mailbox,
                                                                       set_clock):
    enrolment, link = pupil
    member = _member(world)
    _ask(client, link, world)
    employer = new_client(app)
    login(employer, member.email)
    asked = employer.get("/arbetsgivare/egna-praoplatser").get_data(as_text=True)
    assert "Kontaktpersonen har eleven skrivit in själv" in asked
    _, page = _confirm(app, db, world)
    # The member lands on the new placement, told to name the supervisor.
    assert "Ange elevens handledare och fyll i riskbedömningen" in page
    assert STAND_IN in page
    assert "Eleven skrev själv in den här kontaktpersonen: Mallory, 070-111 22 33, " \
        f"{TYPED}." in page
    assert f"står {member.name} ({member.email}) som handledare" in page
    db.session.refresh(enrolment)
    placement_id = enrolment.own_placement_id
    form_page = employer.get(f"/arbetsgivare/praoplatser/{placement_id}/andra").get_data(
        as_text=True)
    assert STAND_IN in form_page
    assert f'value="{member.email}"' in form_page
    assert f'value="{TYPED}"' not in form_page

    saved = post_form(employer, f"/arbetsgivare/praoplatser/{placement_id}/andra",
                      placement_form(world.municipality_a.id, supervisor_email="hanna@a.se"),
                      follow_redirects=True).get_data(as_text=True)
    assert "Ändringarna är sparade" in saved and STAND_IN not in saved
    assert "Hanna Handledare, 070-123 45 67, hanna@a.se" in saved
    placing.approve_own(enrolment, world.users["counsellor"])
    set_clock(at(TUESDAY, 7, 5))
    send_morning_emails()
    send_due()
    assert [m for m in mailbox.to("hanna@a.se") if "Alva Ek" in m.get_body(
        ("plain",)).get_content()]
    assert mailbox.to(TYPED) == []


@freeze_time(IN_WINDOW)
def test_a_pupil_who_changes_the_contact_after_the_confirmation_asks_the_organisation_again(
        client, app, db, world, pupil, mailbox):
    """The pupil's form after the organisation confirmed: what the pupil typed, and a change
    writes nothing into the organisation's account and mails nothing to a typed address."""
    enrolment, link = pupil
    _ask(client, link, world)
    _confirm(app, db, world)
    send_due()
    form = client.get(link + "/egen-plats").get_data(as_text=True)
    assert 'value="Mallory"' in form and f'value="{TYPED}"' in form
    _ask(client, link, world, email="mamma@hemma.se")
    send_due()
    assert mailbox.to("mamma@hemma.se") == [] and mailbox.to(TYPED) == []
    db.session.expire_all()
    assert db.session.scalars(select(Placement.id).where(
        Placement.supervisor_email.in_(["mamma@hemma.se", TYPED]))).all() == []
    request = db.session.scalars(select(OwnPlacementRequest)).one()
    assert (request.status, request.contact_email) == (OwnPlacementStatus.PENDING,
                                                       "mamma@hemma.se")
    assert enrolment.own_placement_id is None
    assert "Nu väntar vi på att de bekräftar det" in client.get(link).get_data(as_text=True)
    asked_again = [m for m in mailbox.to(world.users["employer"].email)
                   if "En elev vill göra prao" in m["Subject"]]
    assert len(asked_again) == 2
