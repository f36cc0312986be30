"""The same form posted four times at the same moment (a double click, an impatient user,
two tabs) to every form that creates or decides something: one row, one email, never an
error page, and whoever lost a decision is told so. Real threads with their own database
connections; on PostgreSQL (and on SQLite once it takes concurrent writers)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from portal import clock
from portal.accounts.models import Role, User
from portal.audit import AuditEvent
from portal.employers.models import (
    CalendarEntry,
    JoinRequest,
    Organisation,
    OrganisationStatus,
    Placement,
    PlacementOffer,
    PlacementStatus,
)
from portal.employers.services import request_join
from portal.extensions import db
from portal.notifications.models import OutboxEmail
from portal.prao.days import is_prao_day
from portal.prao.models import AssignmentState, FollowUp, Incident
from portal.privacy import services as privacy
from portal.schools.models import (
    Enrolment,
    EnrolmentState,
    Municipality,
    OwnPlacementRequest,
    PraoPeriod,
    School,
    Wish,
)
from portal.schools.pupils.services import make_link_token
from portal.weeks import monday_of, week_label
from tests import factories
from tests.races import Answer, browser, needs_concurrent_writers, post_at_once, run_threads

TIMES = 4
TODAY = clock.today()
SOON = monday_of(TODAY) + timedelta(weeks=8)  # a prao week two months ahead
LOST = "Beslutet fattades nyss av någon annan – inget ändrades."
PASSWORD = "kanelbullar och kaffe varje fredag"


@dataclass(frozen=True)
class Region:
    app: Flask
    municipality_id: int
    school_id: int
    organisation_id: int
    period_id: int
    enrolment_id: int
    offer_id: int
    pupil_link: str


@pytest.fixture
def region(separate_app: Flask) -> Region:
    """One school with a counsellor and a grade-8 period whose wish window is open; one
    approved organisation (contact address kontakt@a.se) with an employer and an offer in
    the period's week; a coordinator."""
    needs_concurrent_writers(separate_app)
    with separate_app.app_context():
        municipality = factories.MunicipalityFactory(name="Luleå", code="2580")
        school = factories.SchoolFactory(municipality=municipality, name="Skola A")
        organisation = factories.OrganisationFactory(name="Arbetsgivare A",
                                                     contact_email="kontakt@a.se")
        factories.UserFactory(role=Role.COORDINATOR, email="samordnare@exempel.se")
        factories.UserFactory(role=Role.COUNSELLOR, email="syv@exempel.se", schools=[school])
        factories.UserFactory(role=Role.EMPLOYER, email="chef@a.se", organisation=organisation)
        period = factories.PraoPeriodFactory(
            school=school, first_day=SOON, last_day=SOON + timedelta(days=4),
            wishes_open=TODAY - timedelta(days=1), wishes_close=TODAY + timedelta(days=14))
        enrolment = factories.EnrolmentFactory(period=period)
        offer = factories.PlacementOfferFactory(
            placement__organisation=organisation, placement__municipality=municipality,
            first_week=SOON, last_week=SOON)
        db.session.commit()
        found = Region(separate_app, municipality.id, school.id, organisation.id, period.id,
                       enrolment.id, offer.id, "/elev/" + make_link_token(enrolment))
        db.session.remove()
    return found


def _count(region: Region, stmt) -> int:  # noqa: ANN001 - any SELECT of one count
    with region.app.app_context():
        found = db.session.scalar(stmt)
        db.session.remove()
    return found


def _rows(region: Region, model: type, *where: object) -> int:
    return _count(region, select(func.count()).select_from(model).where(*where))


def _emails(region: Region, kind: str) -> int:
    return _rows(region, OutboxEmail, OutboxEmail.kind == kind)


def _no_error_page(answers: list[Answer]) -> None:
    assert len(answers) == TIMES
    assert all(a.status in (200, 302) for a in answers), [a.status for a in answers]


# --- forms that create something -------------------------------------------------------

def test_a_wish_added_four_times_at_once_is_one_wish(region):
    tab = browser(region.app, page=region.pupil_link)
    answers = post_at_once(tab, region.pupil_link, {"action": "add",
                                                     "offer": str(region.offer_id)})
    _no_error_page(answers)
    assert _rows(region, Wish, Wish.enrolment_id == region.enrolment_id) == 1


def test_two_different_wishes_at_once_both_count(region):
    with region.app.app_context():
        other = factories.PlacementOfferFactory(
            placement__organisation_id=region.organisation_id,
            placement__municipality_id=region.municipality_id, first_week=SOON, last_week=SOON)
        db.session.commit()
        offers = [region.offer_id, other.id]
        db.session.remove()
    tab = browser(region.app, page=region.pupil_link)
    clicks = [lambda offer_id=offer_id: tab.copy().post(region.pupil_link, data={
        "csrf_token": tab.csrf, "action": "add", "offer": str(offer_id)}) for offer_id in offers]
    run_threads(clicks)
    wished = _count(region, select(func.count(Wish.offer_id.distinct())).where(
        Wish.enrolment_id == region.enrolment_id))
    assert wished == 2  # each click applied to the list the other left, never to a stale one


def test_one_registration_sent_four_times_is_one_account_and_one_email(region):
    tab = browser(region.app, page="/arbetsgivare/registrera")
    answers = post_at_once(tab, "/arbetsgivare/registrera", {
        "organisation_name": "Kaffe & Kaka AB", "org_number": "556123-4500",
        "sector": "hospitality", "visiting_address": "Storgatan 12", "postal_code": "972 31",
        "city": "Luleå", "municipality": str(region.municipality_id),
        "contact_name": "Karin Kaffe", "email": "karin@kaffe.se", "phone": "070-123 45 67",
        "password": PASSWORD, "confirm": PASSWORD})
    _no_error_page(answers)
    assert _rows(region, Organisation, Organisation.org_number == "556123-4500") == 1
    assert _rows(region, User, User.email == "karin@kaffe.se") == 1
    assert _rows(region, JoinRequest) == 0
    assert _emails(region, "verify_email") == 1
    # Every click is told to check the email, none that it asked to join its own
    # organisation.
    assert all("bett dess kontaktperson" not in a.page for a in answers)


def test_one_invitation_sent_four_times_is_one_account_and_one_email(region):
    tab = browser(region.app, "samordnare@exempel.se", "/anvandare/bjud-in")
    answers = post_at_once(tab, "/anvandare/bjud-in", {
        "name": "Nina Ny", "email": "nina@skola.se", "role": "counsellor",
        "schools": [str(region.school_id)], "municipality": "0"})
    _no_error_page(answers)
    assert _rows(region, User, User.email == "nina@skola.se") == 1
    assert _emails(region, "invitation") == 1
    # Every click is answered as the one that sent it, not "the account exists".
    assert all("Inbjudan till nina@skola.se ligger i utkorgen" in a.page for a in answers)


def _user_id(region: Region, email: str) -> int:
    return _count(region, select(User.id).where(User.email == email))


def test_an_account_switched_off_four_times_at_once_is_switched_off_once(region):
    counsellor = _user_id(region, "syv@exempel.se")
    tab = browser(region.app, "samordnare@exempel.se", f"/anvandare/{counsellor}")
    answers = post_at_once(tab, f"/anvandare/{counsellor}/stang-av", {})
    _no_error_page(answers)
    assert sum("är avstängd och utloggad överallt" in a.page for a in answers) == 1
    assert sum("var redan avstängd" in a.page for a in answers) == TIMES - 1
    assert _rows(region, AuditEvent, AuditEvent.action == "user_blocked") == 1


def test_a_rejected_organisation_sent_back_four_times_at_once_is_sent_back_once(region):
    with region.app.app_context():
        organisation = db.session.get(Organisation, region.organisation_id)
        organisation.status = OrganisationStatus.REJECTED
        db.session.commit()
        db.session.remove()
    url = f"/organisationer/{region.organisation_id}/andra"
    tab = browser(region.app, "chef@a.se", url)
    answers = post_at_once(tab, url, {
        "organisation_name": "Arbetsgivare A", "sector": "hospitality",
        "visiting_address": "Storgatan 12", "postal_code": "972 31", "city": "Luleå",
        "municipality": str(region.municipality_id), "contact_name": "Kim Kontakt",
        "contact_email": "kontakt@a.se", "contact_phone": "0920-123 45", "resubmit": "y"})
    _no_error_page(answers)
    assert sum("skickad till samordnaren för granskning igen" in a.page for a in answers) == 1
    assert sum("väntar redan på granskning" in a.page for a in answers) == TIMES - 1
    assert _rows(region, AuditEvent, AuditEvent.action == "organisation_resubmitted") == 1


def test_one_incident_sent_four_times_at_once_is_one_incident_and_one_email_each(region):
    """The employer's pupil this week; the same report clicked four times."""
    this_monday = monday_of(TODAY)
    with region.app.app_context():
        school = db.session.get(School, region.school_id)
        period = factories.PraoPeriodFactory(
            school=school, grade=9, first_day=this_monday - timedelta(weeks=1),
            last_day=this_monday + timedelta(days=4))
        offer = db.session.get(PlacementOffer, region.offer_id)
        assignment = factories.AssignmentFactory(
            enrolment__period=period, enrolment__student__school=school,
            offer=offer, placement=offer.placement, state=AssignmentState.CONFIRMED)
        db.session.commit()
        url = f"/arbetsgivare/narvaro/elev/{assignment.id}/tillbud"
        db.session.remove()
    tab = browser(region.app, "chef@a.se", url)
    answers = post_at_once(tab, url, {
        "kind": "near_miss", "severity": "minor",
        "day": (this_monday - timedelta(weeks=1)).isoformat(), "at": "09:15",
        "what": "En hylla lossnade nära eleven."})
    _no_error_page(answers)
    assert all("Händelsen är rapporterad" in a.page for a in answers)
    assert _rows(region, Incident) == 1
    with region.app.app_context():
        recipients = db.session.scalars(select(OutboxEmail.recipient).where(
            OutboxEmail.kind == "incident_reported")).all()
        db.session.remove()
    assert sorted(recipients) == ["samordnare@exempel.se", "syv@exempel.se"]


def test_one_follow_up_sent_four_times_at_once_is_one_follow_up(region):
    """The counsellor's pupil this week; the same contact logged with four clicks."""
    this_monday = monday_of(TODAY)
    with region.app.app_context():
        school = db.session.get(School, region.school_id)
        period = factories.PraoPeriodFactory(
            school=school, grade=9, first_day=this_monday,
            last_day=this_monday + timedelta(days=4))
        offer = db.session.get(PlacementOffer, region.offer_id)
        assignment = factories.AssignmentFactory(
            enrolment__period=period, enrolment__student__school=school,
            offer=offer, placement=offer.placement, state=AssignmentState.CONFIRMED)
        db.session.commit()
        page = f"/uppfoljning/{assignment.id}"
        db.session.remove()
    tab = browser(region.app, "syv@exempel.se", page)
    answers = post_at_once(tab, page + "/kontakt", {
        "kind": "contact", "enjoys": "Ja", "note": "Ringde handledaren."})
    _no_error_page(answers)
    assert all("Uppföljningen är sparad." in a.page for a in answers)
    assert _rows(region, FollowUp) == 1
    assert _rows(region, AuditEvent, AuditEvent.action == "follow_up_logged") == 1


def test_a_password_reset_sent_three_times_at_once_is_one_email(region):
    tab = browser(region.app, page="/losenord/glomt")
    # Three at once: a fourth would meet the limit of resets per account.
    answers = post_at_once(tab, "/losenord/glomt", {"email": "samordnare@exempel.se"}, times=3)
    assert [a.status for a in answers] == [302, 302, 302]  # each sent on to the login page
    assert _emails(region, "password_reset") == 1


def test_one_calendar_entry_sent_four_times_is_one_entry(region):
    tab = browser(region.app, "samordnare@exempel.se", "/kalender/ny")
    answers = post_at_once(tab, "/kalender/ny", {
        "school": str(region.school_id), "weeks": week_label(SOON + timedelta(weeks=4)),
        "pupils": "40"})
    _no_error_page(answers)
    assert sum("Praoveckorna är inlagda i kalendern." in a.page for a in answers) == TIMES
    assert _rows(region, CalendarEntry) == 1


def test_one_new_school_sent_four_times_is_one_school(region):
    tab = browser(region.app, "samordnare@exempel.se", "/samordnare/skolor")
    answers = post_at_once(tab, "/samordnare/skolor", {
        "name": "Nya skolan", "unit_code": "87654321", "address": "Vägen 1",
        "municipality": str(region.municipality_id)})
    _no_error_page(answers)
    assert sum("Skolan är sparad." in a.page for a in answers) == TIMES
    assert _rows(region, School, School.unit_code == "87654321") == 1


def test_one_new_municipality_sent_four_times_is_one_municipality(region):
    tab = browser(region.app, "samordnare@exempel.se", "/samordnare/kommuner")
    answers = post_at_once(tab, "/samordnare/kommuner", {"name": "Boden", "code": "2582"})
    _no_error_page(answers)
    assert sum("Kommunen är sparad." in a.page for a in answers) == TIMES
    assert _rows(region, Municipality, Municipality.code == "2582") == 1


def _prao_monday(monday: date) -> date:
    """That Monday, or the next one of a week without a holiday: a period starts and ends
    on a prao day, and the real clock decides which weeks these tests use."""
    while not all(is_prao_day(monday + timedelta(days=n)) for n in range(5)):
        monday += timedelta(weeks=1)
    return monday


def test_one_new_period_sent_four_times_is_one_period(region):
    first = _prao_monday(SOON + timedelta(weeks=10))
    url = f"/skolor/{region.school_id}/perioder/ny"
    tab = browser(region.app, "syv@exempel.se", url)
    answers = post_at_once(tab, url, {
        "name": "Prao åk 9", "grade": "9", "first_day": first.isoformat(),
        "last_day": (first + timedelta(days=4)).isoformat(),
        "wishes_open": TODAY.isoformat(), "wishes_close": (first - timedelta(days=7)).isoformat(),
        "short_ok": "y"})  # five prao days, accepted
    _no_error_page(answers)
    assert sum("Perioden är skapad" in a.page for a in answers) == TIMES
    assert _rows(region, PraoPeriod, PraoPeriod.grade == 9) == 1


def test_two_different_periods_over_the_same_days_at_once_make_one(region):
    first = _prao_monday(SOON + timedelta(weeks=12))
    url = f"/skolor/{region.school_id}/perioder/ny"
    tab = browser(region.app, "syv@exempel.se", url)
    answers: list[Answer] = []
    barrier = threading.Barrier(2)

    def send(offset: int) -> None:
        client = tab.copy()
        barrier.wait()
        start = first + timedelta(days=offset)
        answer = client.post(url, data={
            "csrf_token": tab.csrf, "name": f"Prao åk 9 ({offset})", "grade": "9",
            "first_day": start.isoformat(), "last_day": (first + timedelta(days=4)).isoformat(),
            "wishes_open": TODAY.isoformat(),
            "wishes_close": (first - timedelta(days=7)).isoformat(), "short_ok": "y"},
            follow_redirects=True)
        answers.append(Answer(answer.status_code, answer.get_data(as_text=True)))

    run_threads([lambda: send(0), lambda: send(1)])
    assert sorted(a.status for a in answers) == [200, 200]
    assert sum("Perioden är skapad" in a.page for a in answers) == 1
    assert sum("har redan en period de dagarna" in a.page for a in answers) == 1
    assert _rows(region, PraoPeriod, PraoPeriod.grade == 9) == 1


def test_one_new_placement_form_sent_four_times_is_one_draft(region):
    from tests.employers.placement_support import placement_form

    tab = browser(region.app, "chef@a.se", "/arbetsgivare/praoplatser/ny")
    token = _form_token(tab)
    answers = post_at_once(tab, "/arbetsgivare/praoplatser/ny", {
        **placement_form(region.municipality_id, title="Bagare i bageriet"),
        "form_token": token})
    _no_error_page(answers)
    assert _rows(region, Placement, Placement.title == "Bagare i bageriet") == 1


def _form_token(tab) -> str:  # noqa: ANN001
    import re

    page = tab.copy().get("/arbetsgivare/praoplatser/ny").get_data(as_text=True)
    match = re.search(r'name="form_token"[^>]*value="([^"]+)"', page)
    assert match, "the placement form carries a one-time token"
    return match.group(1)


OWN_PLACEMENT = {"address": "Bagargatan 1", "postal_code": "972 31", "city": "Luleå",
                 "contact_name": "Mormor Bagare", "contact_email": "mormor@bageri.se",
                 "contact_phone": "070-111 22 33", "tasks": "Baka bullar"}


def test_one_own_placement_sent_four_times_is_one_placement_and_one_email(region):
    url = region.pupil_link + "/egen-plats"
    answers = post_at_once(browser(region.app, page=url), url, {
        "workplace": "Mormors bageri", "org_number": "556123-4500", **OWN_PLACEMENT})
    _no_error_page(answers)
    # A repeat that arrives while the first is saved is told so; one that arrives after it
    # finds the saved placement and has nothing to correct.
    assert sum("en plats eller är befriad" in a.page
               or "Uppgifterna om din praoplats är ändrade" in a.page
               for a in answers) == TIMES - 1
    assert _rows(region, Organisation, Organisation.org_number == "556123-4500") == 1
    assert _rows(region, Placement, Placement.title == "Mormors bageri") == 1
    # The risk-assessment link waits for the coordinator's approval of the workplace.
    assert _emails(region, "own_placement") == 0


def test_one_own_placement_at_a_known_organisation_sent_four_times_asks_once(region):
    url = region.pupil_link + "/egen-plats"
    number = _count(region, select(Organisation.org_number).where(
        Organisation.id == region.organisation_id))
    answers = post_at_once(browser(region.app, page=url), url, {
        "workplace": "Arbetsgivare A", "org_number": number, **OWN_PLACEMENT})
    _no_error_page(answers)
    assert _rows(region, OwnPlacementRequest) == 1
    # One email to each registered contact: the employer and the contact address.
    assert _emails(region, "own_placement_request") == 2


# --- decisions -----------------------------------------------------------------------

def _pending_organisation(region: Region) -> int:
    with region.app.app_context():
        organisation = factories.OrganisationFactory(status=OrganisationStatus.PENDING,
                                                     contact_email="ny@bageri.se")
        db.session.commit()
        found = organisation.id
        db.session.remove()
    return found


def _decided_once(answers: list[Answer], success: str) -> None:
    _no_error_page(answers)
    assert sum(success in a.page for a in answers) == 1
    assert sum(LOST in a.page for a in answers) == TIMES - 1


def test_an_organisation_is_decided_once_and_emailed_once(region):
    organisation_id = _pending_organisation(region)
    url = f"/samordnare/organisationer/{organisation_id}/granska"
    tab = browser(region.app, "samordnare@exempel.se", url)
    answers = post_at_once(tab, url, {"decision": "approve", "reason": ""})
    _decided_once(answers, "är sparat och skickas med e-post")
    assert _emails(region, "organisation_decided") == 1


def test_a_placement_is_decided_once_and_emailed_once(region):
    with region.app.app_context():
        placement = factories.PlacementFactory(
            organisation=db.session.get(Organisation, region.organisation_id),
            municipality=db.session.get(Municipality, region.municipality_id),
            status=PlacementStatus.PENDING, published_at=None)
        db.session.commit()
        url = f"/samordnare/praoplatser/{placement.id}/granska"
        db.session.remove()
    tab = browser(region.app, "samordnare@exempel.se", url)
    answers = post_at_once(tab, url, {"decision": "reject", "reason": "Beskriv mer."})
    _decided_once(answers, "är sparat och skickas med e-post")
    # The organisation's employer and its contact address, once each.
    assert _emails(region, "placement_decided") == 2


def test_a_join_request_is_decided_once_and_emailed_once(region):
    with region.app.app_context():
        newcomer = factories.UserFactory(role=Role.EMPLOYER, email="ny@a.se", organisation=None)
        request_join(newcomer, db.session.get(Organisation, region.organisation_id))
        db.session.commit()
        join_id = db.session.scalars(select(JoinRequest.id)).one()
        db.session.remove()
    tab = browser(region.app, "chef@a.se", "/arbetsgivare/forfragningar")
    answers = post_at_once(tab, f"/arbetsgivare/forfragningar/{join_id}",
                           {"decision": "approve"})
    _decided_once(answers, "är nu med i organisationen")
    assert _emails(region, "join_request_decided") == 1


def test_an_own_placement_request_is_confirmed_once(region):
    with region.app.app_context():
        enrolment = db.session.get(Enrolment, region.enrolment_id)
        enrolment.state = EnrolmentState.OWN_PLACEMENT
        request = OwnPlacementRequest(enrolment=enrolment, organisation_id=region.organisation_id,
                                      workplace="Arbetsgivare A", tasks="Baka")
        db.session.add(request)
        db.session.commit()
        url = f"/arbetsgivare/egna-praoplatser/{request.id}"
        db.session.remove()
    tab = browser(region.app, "chef@a.se", "/arbetsgivare/egna-praoplatser")
    answers = post_at_once(tab, url, {"decision": "approve"})
    _decided_once(answers, "Praoplatsen finns nu bland era utkast")
    assert _rows(region, Placement, Placement.title == "Arbetsgivare A") == 1


@pytest.mark.parametrize("export", ["pupils", "placements", "extract"])
def test_an_export_while_another_request_writes_is_answered_and_logged(region, monkeypatch,
                                                                     export):
    """A download reads, then logs that it was made. Someone else's save in between made
    SQLite refuse the log row ("database is locked") and the counsellor got an error page."""
    from portal.prao import export as placements
    from portal.schools.imports import export as pupils

    with region.app.app_context():
        student_id = db.session.get(Enrolment, region.enrolment_id).student_id
        db.session.remove()
    module, name, url = {
        "pupils": (pupils, "pupil_rows", f"/skolor/{region.school_id}/elever/elevlista.csv"),
        "placements": (placements, "rows", f"/perioder/{region.period_id}/praoplatser.csv"),
        "extract": (privacy, "_student_row", f"/elever/{student_id}/registerutdrag.json"),
    }[export]
    read = getattr(module, name)

    def read_while_someone_saves(*args: object) -> object:
        found = read(*args)
        with db.engine.connect() as other:  # another request's save, committed
            other.execute(update(School).where(School.id == region.school_id)
                          .values(name="Skola A, nytt namn"))
            other.commit()
        return found

    monkeypatch.setattr(module, name, read_while_someone_saves)
    tab = browser(region.app, "syv@exempel.se", "/")
    response = tab.copy().get(url)
    assert response.status_code == 200
    logged = {"pupils": "pupils_exported", "placements": "placements_exported",
              "extract": "register_extract"}[export]
    assert _count(region, select(func.count()).select_from(AuditEvent)
                  .where(AuditEvent.action == logged)) == 1
