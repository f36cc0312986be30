"""A pupil's own placement at an organisation the portal knows: the pupil types a contact
person, and that address could be the pupil's own. Once the organisation confirms, the
signed links for the pupil's attendance and evaluation go to the organisation's own
people, never to the typed address, until the organisation names the supervisor."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

from freezegun import freeze_time
from sqlalchemy import select

from portal.employers.models import Placement, PlacementOffer
from portal.feedback.reminders import send_evaluation_reminders
from portal.notifications.models import OutboxEmail
from portal.notifications.worker import send_due
from portal.prao import placing
from portal.prao.attendance.daily import send_morning_emails
from portal.prao.placing import OwnRiskData
from portal.schools.models import OwnPlacementRequest, OwnPlacementStatus
from tests.conftest import login, new_client, post_form
from tests.employers.placement_support import form_values, placement_form
from tests.prao.attendance.support import TUESDAY, at

IN_WINDOW = "2027-01-20"
TYPED = "alva@elev.se"  # the pupil's own address, typed as the contact person's
STAND_IN = "Ange elevens handledare"


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


@freeze_time(IN_WINDOW)
def test_the_employer_names_the_supervisor_on_the_form_as_it_opens(client, app, db, world,
                                                                  pupil):
    """The draft opens on hours a minor may work (with a break), so the employer only types
    the supervisor and saves: nothing else on the form to fix first."""
    enrolment, link = pupil
    _ask(client, link, world)
    employer, _ = _confirm(app, db, world)
    db.session.refresh(enrolment)
    url = f"/arbetsgivare/praoplatser/{enrolment.own_placement_id}/andra"
    values = form_values(employer.get(url).get_data(as_text=True), "supervisor_name")
    assert (values["break_start"], values["break_minutes"]) == ("11:30", "30")
    values.update(supervisor_name="Hanna Handledare", supervisor_phone="070-123 45 67",
                  supervisor_email="hanna@a.se")
    values.pop("csrf_token", None)
    saved = post_form(employer, url, values, follow_redirects=True).get_data(as_text=True)
    assert "Ändringarna är sparade" in saved and STAND_IN not in saved
    assert "Hanna Handledare, 070-123 45 67, hanna@a.se" in saved
    db.session.expire_all()
    assert db.session.get_one(Placement, enrolment.own_placement_id).supervisor_named


@freeze_time(IN_WINDOW)
def test_the_pupils_page_tells_what_she_typed_from_the_supervisor_the_workplace_gave(
        client, app, db, world, pupil):
    enrolment, link = pupil
    member = _member(world)
    _ask(client, link, world)
    employer, _ = _confirm(app, db, world)
    page = client.get(link).get_data(as_text=True)
    typed = re.search(r'id="din-kontaktperson"[^>]*>(.*?)</dd>', page, re.S).group(1)
    given = re.search(r'id="handledare-fran-arbetsplatsen"[^>]*>(.*?)</dd>', page,
                      re.S).group(1)
    assert "Kontaktperson som du skrev in" in page
    assert typed.strip() == f"Mallory, 070-111 22 33, {TYPED}"
    assert "Arbetsplatsen har inte bestämt vem som blir din handledare än." in given
    assert member.email in given and "(arbetsplatsen har angett)" in given
    assert TYPED not in given

    db.session.refresh(enrolment)
    post_form(employer, f"/arbetsgivare/praoplatser/{enrolment.own_placement_id}/andra",
              placement_form(world.municipality_a.id, supervisor_email="hanna@a.se"))
    page = client.get(link).get_data(as_text=True)
    given = re.search(r'id="handledare-fran-arbetsplatsen"[^>]*>(.*?)</dd>', page,
                      re.S).group(1)
    assert given.strip() == "Hanna Handledare, 070-123 45 67, hanna@a.se (arbetsplatsen har " \
        "angett)"


@freeze_time(IN_WINDOW)
def test_an_own_placement_is_not_sent_for_the_coordinators_review(client, app, db, world,
                                                                  pupil):
    """The counsellor approves a pupil's own placement; it is never published, so the
    employer is not offered "Skicka för granskning" but told who approves it."""
    enrolment, link = pupil
    _ask(client, link, world)
    employer, page = _confirm(app, db, world)
    assert "Skicka för granskning" not in page
    assert "Det här är en elevs egen praoplats." in page
    assert "innan elevens studie- och yrkesvägledare kan godkänna platsen" in page
    assert "Beskriv praoplatsen." not in page  # the catalogue's needs are not asked for
    db.session.refresh(enrolment)
    refused = post_form(employer, f"/arbetsgivare/praoplatser/{enrolment.own_placement_id}"
                        "/skicka", {}).get_data(as_text=True)
    assert "skickas inte för granskning: elevens studie- och yrkesvägledare" in refused
    db.session.expire_all()
    assert db.session.get_one(Placement, enrolment.own_placement_id).status.value == "draft"


@freeze_time(IN_WINDOW)
def test_an_own_placement_has_no_weeks_and_seats_to_add(client, app, db, world, pupil):
    """Weeks and seats are what the catalogue offers every school; a pupil's own placement
    is never in it: the page has no form for them, and a direct post is refused."""
    enrolment, link = pupil
    _ask(client, link, world)
    employer, page = _confirm(app, db, world)
    assert "Lägg till veckor" not in page and "Inga veckor ännu" not in page
    db.session.refresh(enrolment)
    url = f"/arbetsgivare/praoplatser/{enrolment.own_placement_id}/veckor/ny"
    for response in (employer.get(url), post_form(employer, url, {"weeks": "12", "seats": "2"})):
        refused = response.get_data(as_text=True)
        assert "Det går inte att lägga till veckor" in refused
        assert "Den visas inte i katalogen, så den har inga veckor och platser" in refused
    db.session.expire_all()
    assert db.session.scalars(select(PlacementOffer).where(
        PlacementOffer.placement_id == enrolment.own_placement_id)).all() == []


@freeze_time(IN_WINDOW)
def test_the_counsellor_sees_whose_contact_is_whose(client, app, db, world, pupil):
    """The counsellor's enrolment page labels the contact the pupil typed and the
    supervisor the workplace gave (a stand-in until it names one), as the pupil's page
    does: one "Kontakt:" line showed the stand-in as if the pupil had typed it."""
    enrolment, link = pupil
    member = _member(world)
    counsellor = new_client(app)
    login(counsellor, world.users["counsellor"].email)
    url = f"/perioder/{enrolment.period_id}/elever/{enrolment.id}"
    _ask(client, link, world)

    def lines():
        page = counsellor.get(url).get_data(as_text=True)
        typed = re.search(r'id="elevens-kontaktperson"[^>]*>(.*?)</p>', page, re.S).group(1)
        given = re.search(r'id="handledare-fran-arbetsplatsen"[^>]*>(.*?)</p>', page, re.S)
        return " ".join(typed.split()), given and " ".join(given.group(1).split())

    # Before the organisation confirms: only what the pupil typed, said to be that.
    assert lines() == (f"Kontaktperson som eleven skrev in: Mallory, 070-111 22 33, {TYPED}",
                       None)
    employer, _ = _confirm(app, db, world)
    typed, given = lines()
    assert typed == f"Kontaktperson som eleven skrev in: Mallory, 070-111 22 33, {TYPED}"
    assert given.startswith("Handledare: Arbetsplatsen har inte angett elevens handledare än.")
    assert member.email in given and "(arbetsplatsen har angett)" in given
    assert TYPED not in given

    db.session.refresh(enrolment)
    post_form(employer, f"/arbetsgivare/praoplatser/{enrolment.own_placement_id}/andra",
              placement_form(world.municipality_a.id, supervisor_email="hanna@a.se"))
    assert lines()[1] == "Handledare: Hanna Handledare, 070-123 45 67, hanna@a.se " \
        "(arbetsplatsen har angett)"


@freeze_time(IN_WINDOW)
def test_after_approval_the_counsellor_still_sees_the_supervisor_is_a_stand_in(
        client, app, db, world, pupil):
    """Approved, the placement is the pupil's placement: the counsellor's page still says
    that the workplace has not named the supervisor, until it does."""
    enrolment, link = pupil
    counsellor = new_client(app)
    login(counsellor, world.users["counsellor"].email)
    url = f"/perioder/{enrolment.period_id}/elever/{enrolment.id}"
    _ask(client, link, world)
    employer, _ = _confirm(app, db, world)
    db.session.refresh(enrolment)
    _assessed_and_approved(db, world, enrolment)
    db.session.commit()
    page = counsellor.get(url).get_data(as_text=True)
    assert "Egen plats, godkänd." in page
    assert 'id="handledare-star-i"' in page
    assert "Arbetsplatsen har inte angett elevens handledare än." in page
    db.session.refresh(enrolment)
    post_form(employer, f"/arbetsgivare/praoplatser/{enrolment.own_placement_id}/andra",
              placement_form(world.municipality_a.id, supervisor_email="hanna@a.se"))
    page = counsellor.get(url).get_data(as_text=True)
    assert "Handledare: Hanna Handledare, 070-123 45 67, hanna@a.se" in page
    assert "Arbetsplatsen har inte angett elevens handledare än." not in page
