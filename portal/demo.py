"""Demo data: a small region to click through. Idempotent: running it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from portal import clock
from portal.accounts.models import Role, User
from portal.clock import today
from portal.db import Base, utcnow
from portal.employers import review
from portal.employers.models import (
    Organisation,
    OrganisationStatus,
    Placement,
    PlacementOffer,
    PlacementStatus,
)
from portal.employers.reference import features_mask
from portal.extensions import db
from portal.feedback import services as feedback
from portal.feedback.models import Audience
from portal.feedback.reminders import send_evaluation_reminders
from portal.matching import engine
from portal.matching import services as matching
from portal.prao import overview, placing
from portal.prao import services as prao
from portal.prao.attendance import daily
from portal.prao.attendance import services as attendance
from portal.prao.attendance.services import Reporter
from portal.prao.certificates import services as certificates
from portal.prao.days import prao_days
from portal.prao.guardians import services as guardians
from portal.prao.models import (
    Assignment,
    AttendanceStatus,
    FollowUpKind,
    IncidentKind,
    IncidentSeverity,
)
from portal.prao.services import Actor
from portal.reports import demo as reports_demo
from portal.schools.models import (
    Enrolment,
    EnrolmentState,
    Gender,
    Municipality,
    PraoPeriod,
    School,
    Student,
)
from portal.schools.periods import MIN_PRAO_DAYS
from portal.schools.pupils import services as pupils
from portal.weeks import monday, monday_of

DEMO_PASSWORD = "visa-mig-portalen-2026"  # noqa: S105 - documented demo login, never production


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    note: str


MUNICIPALITIES = [("Luleå", "2580"), ("Piteå", "2581")]
# Piteå asks guardians to acknowledge the risk information: the checklist shows that step.
MUNICIPALITY_SETTINGS: dict[str, dict[str, object]] = {"2581": {"guardian_ack_required": True}}
SCHOOLS = [
    ("2580", "Bergsskolan", "12345678", "Skolgatan 1, 972 31 Luleå"),
    ("2580", "Hertsöskolan", "23456789", "Hertsövägen 10, 973 45 Luleå"),
    ("2581", "Strömbackaskolan 7–9", "34567890", "Strömbackavägen 2, 941 50 Piteå"),
    ("2581", "Christinaskolan", "45678901", "Storgatan 40, 941 32 Piteå"),
]
ORGANISATIONS = [
    ("Norrbottens Bygg AB", "556677-8899", OrganisationStatus.APPROVED, "construction",
     "Industrigatan 4", "973 45", "Luleå", "2580", "Anders Byggare", "bygg@demo.praoportalen.se"),
    ("Piteå Vård och Omsorg", "802480-1238", OrganisationStatus.APPROVED, "health",
     "Sjukhusvägen 2", "941 50", "Piteå", "2581", "Vera Vårdare", "vard@demo.praoportalen.se"),
    ("Kaffestugan i Luleå AB", "556123-4500", OrganisationStatus.PENDING, "hospitality",
     "Storgatan 12", "972 31", "Luleå", "2580", "Kim Kaffe", "kaffe@demo.praoportalen.se"),
]
PLACEMENTS = [
    ("556677-8899", "Snickare på bygget", "construction",
     "Följ med ett arbetslag som bygger flerbostadshus. Du får se hur ett hus växer fram.",
     "Mäta och såga virke, hjälpa till med enkla monteringar, städa arbetsplatsen.",
     "Fall från höjd, buller, vassa verktyg.", "Eleven arbetar bara på marknivå, med hörselskydd "
     "och skyddsskor som vi lånar ut. Inga motordrivna sågar.", [(11, 12, 2), (45, 46, 2)]),
    ("802480-1238", "Undersköterska i hemtjänsten", "health",
     "Du följer en undersköterska på hembesök hos äldre och ser hur omsorg fungerar.",
     "Hjälpa till med inköp, promenader, samtal och enklare hushållssysslor.",
     "Tunga lyft, smitta.", "Eleven lyfter inte och deltar inte i personlig omvårdnad.",
     [(11, 12, 3)]),
]
# (email, name, role, scope: "schools" -> unit codes, "org" -> organisation number)
USERS: list[tuple[str, str, Role, dict[str, Any]]] = [
    ("samordnare@demo.praoportalen.se", "Sara Samordnare", Role.COORDINATOR, {}),
    ("syv.bergsskolan@demo.praoportalen.se", "Bo Berg", Role.COUNSELLOR,
     {"schools": ["12345678"]}),
    ("syv.stromback@demo.praoportalen.se", "Stina Ström", Role.COUNSELLOR,
     {"schools": ["34567890", "45678901"]}),
    ("bygg@demo.praoportalen.se", "Anders Byggare", Role.EMPLOYER, {"org": "556677-8899"}),
    ("vard@demo.praoportalen.se", "Vera Vårdare", Role.EMPLOYER, {"org": "802480-1238"}),
    ("kaffe@demo.praoportalen.se", "Kim Kaffe", Role.EMPLOYER, {"org": "556123-4500"}),
    ("rad@demo.praoportalen.se", "Rune Rådsledamot", Role.COUNCIL, {}),
]
# A counsellor who has left Bergsskolan: the account is switched off, so the coordinator's
# user list shows one, and nobody can sign in with it.
FORMER_COUNSELLOR = ("tidigare.syv@demo.praoportalen.se", "Lars Lundberg", "12345678")
SCHOOL_SETTINGS: dict[str, dict[str, object]] = {
    "34567890": {"absence_contact": "Ring expeditionen på 0911-69 60 00 före 08.00.",
                 "alert_guardians_on_absence": True},
    "45678901": {"absence_contact": "Anmäl i Skolappen eller ring 0911-69 61 00."},
}
# Day one on the pupil's page: when to come, whom to ask for, what to bring and wear.
DAY_ONE: dict[str, dict[str, object]] = {
    "556677-8899": {"first_day_start": time(7, 45),
                    "first_day_ask_for": "Anders Byggare i byggboden vid infarten",
                    "bring_and_wear": "Oömma kläder efter väder och matlåda.",
                    "protective_equipment": "Hjälm, skyddsskor och hörselskydd lånar du av oss."},
    "802480-1238": {"first_day_start": time(8, 0),
                    "first_day_ask_for": "Vera Vårdare på hemtjänstens kontor, entréplanet",
                    "bring_and_wear": "Bekväma skor och kläder för att vara ute. Arbetskläder "
                                      "får du låna."},
}
NOTES = {
    "556123-4500": "organisationen väntar på godkännande",
    "12345678": "Bergsskolan",
    "34567890": "Strömbackaskolan och Christinaskolan",
}


M = TypeVar("M", bound=Base)


def _get_or_add(model: type[M], key: dict[str, object], **values: object) -> M:
    found = db.session.scalars(select(model).filter_by(**key)).first()
    if found is None:
        found = model(**key, **values)
        db.session.add(found)
        db.session.flush()
    return found


def _seed_places() -> dict[str, School]:
    municipalities = {code: _get_or_add(Municipality, {"code": code}, name=name,
                                        **MUNICIPALITY_SETTINGS.get(code, {}))
                      for name, code in MUNICIPALITIES}
    return {unit: _get_or_add(School, {"unit_code": unit}, name=name, address=address,
                              municipality=municipalities[code],
                              **SCHOOL_SETTINGS.get(unit, {}))
            for code, name, unit, address in SCHOOLS}


def _seed_users(schools: dict[str, School], password_hash: str) -> list[DemoLogin]:
    municipalities = {m.code: m for m in db.session.scalars(select(Municipality))}
    orgs = {
        number: _get_or_add(
            Organisation, {"org_number": number}, name=name, status=status, sector=sector,
            visiting_address=address, postal_code=postal, city=city,
            municipality=municipalities[code], contact_name=contact, contact_email=email)
        for name, number, status, sector, address, postal, city, code, contact, email
        in ORGANISATIONS
    }
    logins = []
    for email, name, role, scope in USERS:
        user = db.session.scalars(select(User).filter_by(email=email)).first()
        if user is None:
            user = User(email=email, name=name, role=role, password_hash=password_hash,
                        email_verified_at=utcnow(),
                        schools=[schools[u] for u in scope.get("schools", [])],
                        organisation=orgs.get(scope.get("org", "")))
            db.session.add(user)
        key = scope.get("org") or (scope.get("schools") or [""])[0]
        logins.append(DemoLogin(role.value, email, NOTES.get(key, "")))
    email, name, unit = FORMER_COUNSELLOR
    _get_or_add(User, {"email": email}, name=name, role=Role.COUNSELLOR, active=False,
                password_hash=password_hash, email_verified_at=utcnow(),
                schools=[schools[unit]])
    return logins


def _seed_placements() -> None:
    year = utcnow().year + 1
    # Assessed and published before the demo's finished period was planned.
    long_ago = utcnow() - timedelta(days=120)
    for number, title, sector, description, tasks, hazards, measures, weeks in PLACEMENTS:
        organisation = db.session.scalars(select(Organisation).filter_by(org_number=number)).one()
        if db.session.scalars(select(Placement).filter_by(title=title)).first():
            continue
        placement = Placement(
            organisation=organisation, title=title, sector=sector, description=description,
            tasks=tasks, address=organisation.visiting_address,
            postal_code=organisation.postal_code, city=organisation.city,
            municipality=organisation.municipality, supervisor_name=organisation.contact_name,
            supervisor_email=organisation.contact_email, supervisor_phone="070-000 00 00",
            day_start=time(8, 0), day_end=time(14, 30), break_start=time(11, 30),
            break_minutes=30, risk_hazards=hazards, risk_measures=measures,
            risk_introduction="Säkerhetsgenomgång med handledaren första morgonen.",
            risk_supervisor=organisation.contact_name, risk_confirmed_at=long_ago,
            status=PlacementStatus.PUBLISHED, published_at=long_ago,
            features=features_mask(["near_public_transport"]), **DAY_ONE.get(number, {}))
        placement.offers = [PlacementOffer(first_week=monday(year, first),
                                           last_week=monday(year, last), seats=seats)
                            for first, last, seats in weeks]
        db.session.add(placement)


PUPILS = [
    ("D-1001", "Åsa", "Lindqvist", "8A", Gender.GIRL, "asa.lindqvist@elev.demo.se"),
    ("D-1002", "Nguyễn", "Văn An", "8A", Gender.BOY, ""),
    ("D-1003", "Ørjan", "Nilsen", "8B", Gender.BOY, "orjan.nilsen@elev.demo.se"),
    ("D-1004", "Fatima", "Hassan", "8B", Gender.GIRL, ""),
    ("D-1005", "Elias", "Berg", "8B", Gender.UNKNOWN, ""),
]

# Pupils of the same period who have already wished (half put the building site first,
# half the care home): the pupils above still choose, and the council's table of seats
# and wishes per sector has five or more behind every count, as it needs to show them.
WISHING = [
    ("D-1006", "Leia", "Mäkinen", Gender.GIRL), ("D-1007", "Yusuf", "Omar", Gender.BOY),
    ("D-1008", "Klara", "Sjöberg", Gender.GIRL), ("D-1009", "Viktor", "Lundin", Gender.BOY),
    ("D-1010", "Amina", "Warsame", Gender.GIRL), ("D-1011", "Isak", "Nyberg", Gender.BOY),
    ("D-1012", "Tuva", "Eklund", Gender.GIRL), ("D-1013", "Milo", "Granström", Gender.BOY),
    ("D-1014", "Hanna", "Kivelä", Gender.GIRL), ("D-1015", "Emil", "Backman", Gender.BOY),
]


WISHING_SCHOOL = "12345678"  # Bergsskolan


def _seed_period(school: School) -> None:
    """A grade 8 period at Bergsskolan in the demo placements' weeks, with its wish window
    open today, so the pupil pages can be tried at once. Left as a school would have it
    when Easter falls in those weeks (nine prao days in 2027): the period's page then says
    that ten cannot be reached in it, which is part of what the demo shows."""
    if db.session.scalars(select(PraoPeriod).filter_by(school_id=school.id)).first():
        return
    year = utcnow().year + 1
    # Weeks 11 and 12, their prao days only: in 2027 week 12 ends on Good Friday, which the
    # period form would refuse as a last day.
    days = prao_days(monday(year, 11), monday(year, 11) + timedelta(days=11))
    first = days[0]
    students = [Student(school=school, external_id=ext, first_name=first_name,
                        last_name=last_name, class_name=klass, grade=8, gender=gender,
                        email=email)
                for ext, first_name, last_name, klass, gender, email in PUPILS]
    period = PraoPeriod(school=school, name=f"Prao vt {year} åk 8", grade=8, first_day=first,
                        last_day=days[-1], wishes_open=today(),
                        wishes_close=min(first - timedelta(days=7), today() + timedelta(days=60)))
    wishing = [Student(school=school, external_id=ext, first_name=first_name,
                       last_name=last_name, class_name="8C", grade=8, gender=gender)
               for ext, first_name, last_name, gender in WISHING]
    period.enrolments = [Enrolment(student=student) for student in students + wishing]
    db.session.add(period)
    db.session.flush()
    offers = db.session.scalars(select(PlacementOffer.id).join(Placement).where(
        PlacementOffer.first_week == first).order_by(Placement.title)).all()
    for number, enrolment in enumerate(period.enrolments[len(students):]):
        ranked = offers if number % 2 else offers[::-1]
        pupils.set_wishes(enrolment, list(ranked), today())


# Fatima asked for her own placement at Norrbottens Bygg, where her uncle works.
REFUSED = "D-1004"
REFUSAL = ("Norrbottens Bygg tar emot praoelever genom portalen. Önska platsen där i stället, "
           "så har alla samma chans i lottningen. Hör av dig om du vill prata om det!")


def _seed_refused_own(school: School) -> None:
    """Fatima's own placement, not approved by the counsellor with a reason her page shows:
    the firm takes pupils through the portal, where a family network gives no head start."""
    enrolment = db.session.scalars(select(Enrolment).join(Student).where(
        Student.external_id == REFUSED, Student.school_id == school.id)).first()
    if enrolment is None or enrolment.own_refusal \
            or enrolment.state is not EnrolmentState.NEEDS_PLACEMENT:
        return
    pupils.register_own_placement(enrolment, pupils.OwnPlacementData(
        workplace="Norrbottens Bygg", org_number="556677-8899", address="Industrigatan 4",
        postal_code="972 38", city="Luleå", contact_name="Anders Byggare",
        contact_email="bygg@demo.praoportalen.se", contact_phone="070-222 33 44",
        tasks="Hjälpa min morbror på bygget."))
    placing.reject_own(enrolment, REFUSAL, _user("syv.bergsskolan@demo.praoportalen.se"))


# --- the prao process: a period in progress and a finished one ---------------------------
#
# The story is written through the portal's own services (a matching round, confirmations,
# a decline, placing by hand, attendance, an incident, a follow-up, a guardian letter, a
# certificate), each at the moment it would have happened: the seed moves the portal's
# clock, so every timestamp, email, alert and checklist record is what the portal itself
# would have made. Dates follow the clock's today: the period is always in progress.

PROCESS_SCHOOL, FINISHED_SCHOOL = "34567890", "45678901"
COUNSELLOR = "syv.stromback@demo.praoportalen.se"
BYGG, VARD = "556677-8899", "802480-1238"
PRAO_DAYS = 10
LINK_LABEL = "Anders Byggare (handledare, via länk)"  # as the supervisor's link records it
LINK_REPORTER = "Handledare bygg@demo.praoportalen.se (länk)"


@dataclass(frozen=True)
class DemoPupil:
    external_id: str
    first_name: str
    last_name: str
    class_name: str
    gender: Gender
    guardian_email: str = ""
    wishes: tuple[str, ...] = ()  # organisation numbers, best first


ALVA, OMAR, LINNEA, HUGO, ELLA = (
    DemoPupil("D-2001", "Alva", "Nyström", "9A", Gender.GIRL, "nystrom.hem@demo.praoportalen.se",
              (VARD, BYGG)),
    DemoPupil("D-2002", "Omar", "Ali", "9A", Gender.BOY, "ali.hem@demo.praoportalen.se",
              (VARD,)),
    DemoPupil("D-2003", "Linnea", "Öberg", "9B", Gender.GIRL, "", (BYGG, VARD)),
    DemoPupil("D-2004", "Hugo", "Lindgren", "9B", Gender.BOY, "", (VARD, BYGG)),
    DemoPupil("D-2005", "Ella", "Sandberg", "9B", Gender.GIRL))
NORA, LIAM, TILDE = (
    DemoPupil("D-3001", "Nora", "Eriksson", "9C", Gender.GIRL),
    DemoPupil("D-3002", "Liam", "Johansson", "9C", Gender.BOY),
    DemoPupil("D-3003", "Tilde", "Marklund", "9D", Gender.GIRL))
# Three more at the care service, so that its employer sees its pupils' evaluations (from
# five answers).
EBBA, NOAH, SAGA = (
    DemoPupil("D-3004", "Ebba", "Lundström", "9C", Gender.GIRL),
    DemoPupil("D-3005", "Noah", "Berglund", "9D", Gender.BOY),
    DemoPupil("D-3006", "Saga", "Holm", "9D", Gender.GIRL))
FINISHED_PUPILS = (NORA, LIAM, TILDE, EBBA, NOAH, SAGA)
# A realistic spread of the pupils' answers (the six statements, 1–5) and their comments.
PUPIL_SCORES = {
    "D-3001": ("5", "5", "5", "4", "5", "4", "Alla var snälla och jag fick göra riktiga saker."),
    "D-3002": ("4", "4", "5", "3", "4", "3", ""),
    "D-3003": ("5", "4", "4", "4", "5", "5", "Roligt att bygga, men kallt ute."),
    "D-3004": ("4", "5", "5", "4", "4", "4", ""),
    "D-3005": ("3", "4", "4", "2", "3", "2", "Mest följde jag bara med."),
    "D-3006": ("5", "5", "4", "3", "5", "4", "Jag vill bli undersköterska!"),
}
SUPERVISOR_STATEMENTS = {
    "D-3001": "Nora var nyfiken, punktlig och bra på att prata med de äldre.",
    "D-3002": "Liam tog ansvar och frågade när han var osäker.",
    "D-3004": "Ebba var lugn och omtänksam med våra brukare.",
    "D-3005": "",
    "D-3006": "Saga var engagerad och ställde bra frågor.",
}
DECLINE_REASON = ("Två av våra undersköterskor är sjuka de här veckorna, så vi har ingen "
                  "som kan vara handledare för en elev till. Vi tar gärna emot Hugo nästa "
                  "termin.")
HAND_REASON = "Vård och Omsorg tackade nej; Norrbottens Bygg har en plats kvar samma veckor."


def in_progress_days(today: date) -> list[date]:
    """The ten prao days of the demo's period in progress: from the Monday of this week
    (of last week early in the week, so that days lie behind), weekends and Swedish
    holidays skipped. Today is always inside, also on a weekend, with two or more prao
    days already behind it."""
    this_monday = today - timedelta(days=today.weekday())
    for back in ((1, 0, 2, 3) if today.weekday() < 2 else (0, 1, 2, 3)):
        days = _prao_days_from(this_monday - timedelta(weeks=back))
        if days[-1] >= today and sum(1 for d in days if d < today) >= 2:
            return days
    return _prao_days_from(this_monday - timedelta(weeks=1))


def finished_days(today: date) -> list[date]:
    """The ten prao days of the finished period: it began five weeks before this week, so
    it ended three weeks ago or more, and its supervisors' evaluation links (open 30 days
    after the last day) still work."""
    return _prao_days_from(today - timedelta(days=today.weekday(), weeks=5))


def _prao_days_from(start: date) -> list[date]:
    return prao_days(start, start + timedelta(weeks=8))[:PRAO_DAYS]


def _at(day: date, hour: int, minute: int = 0) -> None:
    """Move the portal's clock to a Swedish local moment of the story."""
    clock.set_now(datetime.combine(day, time(hour, minute), tzinfo=clock.STOCKHOLM))


def _user(email: str) -> User:
    return db.session.scalars(select(User).filter_by(email=email)).one()


def _placement(org_number: str) -> Placement:
    return db.session.scalars(select(Placement).join(Organisation).where(
        Organisation.org_number == org_number, Placement.status == PlacementStatus.PUBLISHED)
        .order_by(Placement.id).limit(1)).one()


def _offers(days: list[date], seats: dict[str, int]) -> dict[str, PlacementOffer]:
    """Seats at the demo placements for the weeks of the period (organisation -> offer)."""
    offers = {}
    for number, count in seats.items():
        offer = PlacementOffer(placement=_placement(number), seats=count,
                               first_week=monday_of(days[0]), last_week=monday_of(days[-1]))
        db.session.add(offer)
        offers[number] = offer
    return offers


def _new_period(school: School, days: list[date], pupils: tuple[DemoPupil, ...],
                counsellor: User) -> dict[str, Enrolment]:
    term = "ht" if days[0].month >= 7 else "vt"
    period = PraoPeriod(school=school, name=f"Prao {term} {days[0].year} åk 9", grade=9,
                        first_day=days[0], last_day=days[-1],
                        wishes_open=days[0] - timedelta(days=42),
                        wishes_close=days[0] - timedelta(days=28), created_by_id=counsellor.id)
    enrolments = {}
    for p in pupils:
        student = Student(school=school, external_id=p.external_id, first_name=p.first_name,
                          last_name=p.last_name, class_name=p.class_name, grade=9,
                          gender=p.gender, guardian_email=p.guardian_email or None)
        enrolments[p.external_id] = Enrolment(student=student, period=period)
    db.session.add(period)
    db.session.commit()
    return enrolments


def _assignment(enrolment: Enrolment) -> Assignment:
    found = placing.active_assignment(enrolment.id)
    assert found is not None, enrolment.student.full_name
    return found


def _confirm(enrolment: Enrolment, actor: Actor) -> Assignment:
    assignment = _assignment(enrolment)
    prao.confirm(assignment.id, assignment.placement_id, actor)
    return _assignment(enrolment)


def _tick(assignments: list[Assignment], step: str, counsellor: User) -> None:
    for assignment in assignments:
        overview.tick(assignment, step, counsellor, clock.today())


def _report(day: date, statuses: dict[Assignment, AttendanceStatus], reporter: Reporter,
            start: time = time(8, 0)) -> None:
    """A day's attendance as a supervisor or an employer reports it, 08:00–14:30 with a
    half-hour break (a late pupil came at `start`)."""
    entries = [attendance.Entry(a.id, status, start if status is AttendanceStatus.LATE
                                else time(8, 0), time(14, 30), 30)
               for a, status in statuses.items()]
    allowed = attendance.placed([a.id for a in statuses])
    attendance.report_day(day, entries, allowed, reporter)


def _seed_in_progress(school: School, today: date) -> None:
    """A grade 9 period at Strömbackaskolan in progress today: every assignment state, the
    days behind reported with one absence and its alert, a near-miss, a follow-up visit,
    the checklist half done (some steps overdue), a guardian letter acknowledged and an own
    placement waiting for the counsellor's approval."""
    if db.session.scalars(select(PraoPeriod.id).filter_by(school_id=school.id)).first():
        return
    days = in_progress_days(today)
    first = days[0]
    counsellor, vard = _user(COUNSELLOR), _user("vard@demo.praoportalen.se")
    _at(first - timedelta(days=42), 9)
    offers = _offers(days, {VARD: 3, BYGG: 2})
    enrolments = _new_period(school, days, (ALVA, OMAR, LINNEA, HUGO, ELLA), counsellor)
    _wishes_and_own_placement(enrolments, offers, first)
    _at(first - timedelta(days=27), 9)
    run = matching.start_round(counsellor, [enrolments[ALVA.external_id].period], "none",
                               engine.Step.FIRST, seed=2026)
    matching.publish(run.id, counsellor)
    _at(first - timedelta(days=25), 8, 15)
    alva, omar = (_confirm(enrolments[p.external_id], Actor.of(vard)) for p in (ALVA, OMAR))
    linnea = _confirm(enrolments[LINNEA.external_id], Actor(None, LINK_LABEL))
    _checklist_before(first, alva, omar, linnea, counsellor)
    _decline_and_replace(enrolments[HUGO.external_id], offers[BYGG], first, vard, counsellor)
    _days_behind([d for d in days if d < today], alva, omar, linnea, vard, counsellor)


def _wishes_and_own_placement(enrolments: dict[str, Enrolment],
                              offers: dict[str, PlacementOffer], first: date) -> None:
    _at(first - timedelta(days=36), 18, 30)
    for pupil in (ALVA, OMAR, LINNEA, HUGO):
        pupils.set_wishes(enrolments[pupil.external_id],
                          [offers[number].id for number in pupil.wishes], clock.today())
    _at(first - timedelta(days=34), 19, 10)
    ella = enrolments[ELLA.external_id]
    pupils.register_own_placement(ella, pupils.OwnPlacementData(
        workplace="Salong Sax & Stil", org_number="559123-4009", address="Storgatan 21",
        postal_code="941 31", city="Piteå", contact_name="Petra Sax",
        contact_email="petra@saxochstil.demo.se", contact_phone="070-111 22 33",
        tasks="Ta emot kunder, tvätta och vika handdukar, se hur en klippning planeras."))
    # The coordinator checks the salon (a call to Petra) and approves it: only then does
    # the risk-assessment link go to Petra.
    _at(first - timedelta(days=33), 9, 15)
    placement = db.session.get_one(Placement, ella.own_placement_id)
    review.decide_organisation(placement.organisation, _user("samordnare@demo.praoportalen.se"),
                               approve=True, reason="")
    _at(first - timedelta(days=30), 10)
    placing.save_own_risk(placement, placing.OwnRiskData(
        day_start=time(9, 0), day_end=time(15, 0), break_start=time(12, 0), break_minutes=30,
        protective_equipment="Handskar om eleven hjälper till vid hårtvätt.",
        risk_hazards="Kemikalier i hårfärg, vassa saxar, många timmar stående.",
        risk_measures="Eleven hanterar inga färger och klipper inte; hon sitter när hon "
                      "behöver.",
        risk_introduction="Genomgång av salongen och nödutgången första morgonen.",
        risk_supervisor="Petra Sax", first_day_start=time(9, 0),
        first_day_ask_for="Petra i receptionen", bring_and_wear="Bekväma skor."))


def _checklist_before(first: date, alva: Assignment, omar: Assignment, linnea: Assignment,
                      counsellor: User) -> None:
    """Prepared in class, a letter to Alva's guardians by email (acknowledged the next
    evening) and one on paper to Linnea's, contacts made; Omar's are still missing."""
    _at(first - timedelta(days=14), 10)
    _tick([alva, omar, linnea], "pupil_prepared", counsellor)
    _at(first - timedelta(days=10), 13)
    notice = guardians.send_letter(alva, "sv", counsellor)
    _tick([linnea], "guardians_informed", counsellor)
    _at(first - timedelta(days=9), 20, 15)
    guardians.acknowledge(notice)
    _at(first - timedelta(days=5), 11)
    _tick([alva, linnea], "pupil_contacted", counsellor)


def _decline_and_replace(enrolment: Enrolment, bygg_offer: PlacementOffer, first: date,
                         vard: User, counsellor: User) -> None:
    """Vård declines Hugo three days before the start; the counsellor places him by hand at
    Norrbottens Bygg, whose answer is still to come."""
    _at(first - timedelta(days=3), 14)
    declined = _assignment(enrolment)
    prao.decline(declined.id, declined.placement_id, DECLINE_REASON, Actor.of(vard))
    _at(first - timedelta(days=3), 15, 30)
    placing.place_by_hand(db.session.get_one(Enrolment, enrolment.id), bygg_offer.id,
                          HAND_REASON, counsellor)


def _days_behind(behind: list[date], alva: Assignment, omar: Assignment, linnea: Assignment,
                 vard: User, counsellor: User) -> None:
    """Each prao day behind today: the morning links, the reports (Omar absent on the last
    one, Linnea late on the first), a near-miss on day two and a visit to Alva."""
    employer, link = Reporter(vard, vard.name), Reporter(None, LINK_REPORTER)
    for number, day in enumerate(behind, start=1):
        _at(day, 7)
        daily.send_morning_emails()
        at_vard = {alva: AttendanceStatus.PRESENT, omar: AttendanceStatus.PRESENT}
        if day == behind[-1]:
            _at(day, 8, 40)
            _report(day, {omar: AttendanceStatus.ABSENT}, employer)
            del at_vard[omar]
        if number == 2:
            _near_miss(day, linnea, link)
            _at(day, 13)
            attendance.log_follow_up(_placed(alva), attendance.FollowUpData(
                FollowUpKind.VISIT, enjoys="Ja, Alva tycker om att prata med de äldre.",
                adjust="Inget.", tasks="Promenader, inköp och att duka till lunch.",
                plan="Fortsätta med promenaderna och lunchen; på torsdag förmiddag följer hon med "
                "till dagverksamheten.", questions="Inga.",
                note="Besök på hemtjänstens kontor, träffade Alva och Vera."), counsellor)
        _at(day, 15)
        _report(day, at_vard, employer)
        _at(day, 15, 10)
        late = AttendanceStatus.LATE if number == 1 else AttendanceStatus.PRESENT
        _report(day, {linnea: late}, link, start=time(8, 25))


def _placed(assignment: Assignment) -> attendance.Placed:
    return attendance.placed([assignment.id])[assignment.id]


def _near_miss(day: date, linnea: Assignment, link: Reporter) -> None:
    _at(day, 10, 40)
    attendance.report_incident(_placed(linnea), attendance.IncidentData(
        kind=IncidentKind.NEAR_MISS, severity=IncidentSeverity.MINOR, day=day,
        at=time(10, 20), what="En bräda gled ner från ställningen och landade ungefär en meter "
                               "från Linnea, som bar virke på marken.",
        injury="Ingen skada.",
        measures="Området under ställningen är avspärrat; eleven går bara utanför "
                 "avspärrningen och bär alltid hjälm."), link)


def _seed_finished(school: School, today: date) -> None:
    """A grade 9 period at Christinaskolan that ended a few weeks ago: every day reported,
    the after steps partly done and Nora's certificate issued (Liam's and Tilde's wait)."""
    if db.session.scalars(select(PraoPeriod.id).filter_by(school_id=school.id)).first():
        return
    days = finished_days(today)
    first, last = days[0], days[-1]
    counsellor, vard, bygg = _user(COUNSELLOR), _user("vard@demo.praoportalen.se"), \
        _user("bygg@demo.praoportalen.se")
    _at(first - timedelta(days=42), 9)
    offers = _offers(days, {VARD: 5, BYGG: 1})
    enrolments = _new_period(school, days, FINISHED_PUPILS, counsellor)
    _at(first - timedelta(days=28), 10)
    for pupil in FINISHED_PUPILS:
        org = BYGG if pupil is TILDE else VARD
        placing.place_by_hand(enrolments[pupil.external_id], offers[org].id, "", counsellor)
    _at(first - timedelta(days=26), 9)
    at_vard = [_confirm(enrolments[p.external_id], Actor.of(vard))
               for p in FINISHED_PUPILS if p is not TILDE]
    nora, liam = at_vard[:2]
    tilde = _confirm(enrolments[TILDE.external_id], Actor.of(bygg))
    everyone = [*at_vard, tilde]
    steps = [(14, "pupil_prepared"), (9, "guardians_informed"), (5, "pupil_contacted")]
    if school.municipality.guardian_ack_required:  # paper slips signed and handed in
        steps.insert(2, (6, "guardians_acknowledged"))
    for offset, step in steps:
        _at(first - timedelta(days=offset), 10)
        _tick(everyone, step, counsellor)
    for number, day in enumerate(days, start=1):
        if number == 2:
            _at(day, 12)
            for assignment in (nora, liam):
                attendance.log_follow_up(_placed(assignment), attendance.FollowUpData(
                    FollowUpKind.CONTACT, enjoys="Ja.", note="Telefonsamtal med handledaren."),
                    counsellor)
        _at(day, 15)
        _report(day, dict.fromkeys(at_vard, AttendanceStatus.PRESENT),
                Reporter(vard, vard.name))
        _report(day, {tilde: AttendanceStatus.PRESENT}, Reporter(bygg, bygg.name))
    _evaluations(everyone, vard, last)
    _at(last + timedelta(days=3), 10)
    _tick([nora], "class_reflection", counsellor)
    certificates.issue(nora, counsellor, clock.today())  # with Vera's statement
    # Tilde's supervisor has not answered: the day-10 reminder waits in the outbox.
    _at(last + timedelta(days=10), 8)
    send_evaluation_reminders()


def _evaluations(assignments: list[Assignment], vard: User, last: date) -> None:
    """Every pupil answers the day after; Vera at the care service evaluates hers the day
    after that (one of them without a statement), Anders at the building firm not at
    all."""
    pupil_form = feedback.current_form(Audience.PUPIL)
    employer_form = feedback.current_form(Audience.EMPLOYER)
    keys = [q["key"] for q in pupil_form.questions]
    for assignment in assignments:
        student = assignment.enrolment.student
        _at(last + timedelta(days=1), 18)
        feedback.submit(assignment, Audience.PUPIL, pupil_form,
                        dict(zip(keys, PUPIL_SCORES[student.external_id], strict=True)),
                        Actor(None, student.first_name))
    for assignment in assignments:
        statement = SUPERVISOR_STATEMENTS.get(assignment.enrolment.student.external_id)
        if statement is None:
            continue
        _at(last + timedelta(days=2), 13)
        feedback.submit(assignment, Audience.EMPLOYER, employer_form, {
            "punctuality": "5", "interest": "4", "initiative": "4" if statement else "3",
            "cooperation": "5", "school_preparation": "4", "school_contact": "3",
            "statement": statement, "again_next_term": "yes"}, Actor.of(vard))


def _seed_process(schools: dict[str, School]) -> None:
    today = clock.today()
    stopped = clock._fixed  # a test's stopped clock is stopped again afterwards
    try:
        _seed_finished(schools[FINISHED_SCHOOL], today)
        _seed_in_progress(schools[PROCESS_SCHOOL], today)
        # What `flask jobs run` does every minute: the running period's confirmed pupils
        # are in progress, the finished period's completed.
        prao.advance_states(today)
    finally:
        clock.set_now(stopped)


def seed_demo() -> list[DemoLogin]:
    schools = _seed_places()
    logins = _seed_users(schools, generate_password_hash(DEMO_PASSWORD))
    _seed_placements()
    _seed_period(schools[WISHING_SCHOOL])
    db.session.commit()
    # The services build absolute links for their emails, as in a request.
    with current_app.test_request_context():
        _seed_process(schools)
        _seed_refused_own(schools[WISHING_SCHOOL])
    reports_demo.seed_report_years()
    return logins


def demo_pupil_links(limit: int = 2) -> list[tuple[str, str]]:
    """Personal links of the first demo pupils, to print beside the logins."""
    from portal.schools.pupils.services import pupil_url

    enrolments = db.session.scalars(select(Enrolment).join(Student).where(
        Student.external_id.in_([p[0] for p in PUPILS])).order_by(Student.external_id)
        .limit(limit)).all()
    return [(e.student.full_name, pupil_url(e)) for e in enrolments]


# --- what to look at --------------------------------------------------------------------------

def demo_guide() -> list[str]:
    """The lines printed after the logins: which login shows which part of the prao
    process, and the links that need no login. Needs a request context (absolute links)."""
    from portal.accounts.services import external_url

    running, finished = _period_at(PROCESS_SCHOOL), _period_at(FINISHED_SCHOOL)
    if running is None or finished is None:
        return []
    now = clock.today()
    work_today = now in prao_days(running.first_day, running.last_day)
    today_text = ("dagens närvaro att rapportera" if work_today
                  else "närvaron dag för dag (i dag är ingen praodag)")
    lines = [
        "Vad demon visar (logga in med lösenordet ovan):",
        "  syv.stromback@demo.praoportalen.se",
        f"      startsidan: frånvarolarm för {OMAR.first_name} {OMAR.last_name}",
        f"      {running.name}, Strömbackaskolan, pågår {running.first_day}–"
        f"{running.last_day}: " + external_url("schools.period", period_id=running.id),
        "      checklistan, försenade steg markerade: "
        + external_url("prao.period_checklist", period_id=running.id),
        "      närvaro, tillbud och uppföljning: "
        + external_url("attendance.period_overview", period_id=running.id),
        *_pupil_lines(running),
        f"      avslutad prao på Christinaskolan ({finished.first_day}–{finished.last_day}), "
        "intyg: " + external_url("certificates.period_overview", period_id=finished.id),
        "      elevernas och handledarnas svar, svarsfrekvens: "
        + external_url("feedback.rates"),
        *_wishing_lines(),
        "  vard@demo.praoportalen.se",
        f"      startsidan: {ALVA.first_name} och {OMAR.first_name} bekräftade, "
        f"{HUGO.first_name} nekad; {today_text}",
        "      elevernas utvärderingar av era platser (medelvärden från fem svar): "
        + external_url("feedback.employer"),
        "  bygg@demo.praoportalen.se",
        f"      startsidan: {HUGO.first_name} {HUGO.last_name} väntar på bekräftelse",
        *_linnea_line(running),
        "  samordnare@demo.praoportalen.se",
        "      skolor × checklistans steg: " + external_url("prao.region_checklist"),
        "      utkorgen: morgonlänkar, frånvarolarm, tillbudet, brevet till vårdnadshavare",
        "      utvärderingarnas frågor (versioner), fritextsvar, arbetsgivare att tacka: "
        + external_url("feedback.questions"),
        "      rapporter och samverkansrådets mål: " + external_url("reports.targets"),
        "      logg över vem som läst och ändrat elevers uppgifter: "
        + external_url("privacy.audit_log"),
        "      användare: byt roll eller skolor, stäng av ett konto (Lars Lundberg har slutat): "
        + external_url("accounts.users"),
        "  rad@demo.praoportalen.se",
        "      startsidan: läget mot målen; kvalitetsrapporten för 2026/27 och 2025/26, "
        "regionen eller en kommun: " + external_url("reports.report"),
    ]
    if now > running.last_day:
        lines.append(f"  OBS: perioden slutade {running.last_day}. Ta bort databasen i "
                     "instance/ och kör ./dev.sh run igen för en pågående period.")
    return lines + _guide_links(running, finished, now)


def _wishing_lines() -> list[str]:
    """Bergsskolan's period with its wish window open, and its prao days: fewer than ten
    when Good Friday falls in its weeks, which its page says."""
    from portal.accounts.services import external_url

    period = db.session.scalars(select(PraoPeriod).join(School).where(
        School.unit_code == WISHING_SCHOOL).order_by(PraoPeriod.first_day.desc())).first()
    if period is None:
        return []
    days = len(prao_days(period.first_day, period.last_day))
    short = " (färre än tio: sidan säger det)" if days < MIN_PRAO_DAYS else ""
    lines = ["  syv.bergsskolan@demo.praoportalen.se",
             f"      {period.name}, önskefönstret öppet, {days} praodagar{short}: "
             + external_url("schools.period", period_id=period.id)]
    refused = next((e for e in period.enrolments if e.own_refusal), None)
    if refused is not None:
        lines.append(f"      {refused.student.first_name}s egna plats godkändes inte, hennes "
                     "sida säger varför: " + pupils.pupil_url(refused))
    return lines


def _pupil_lines(running: PraoPeriod) -> list[str]:
    """The counsellor's pupils to look at, each with the link to the pupil's page."""
    from portal.accounts.services import external_url

    found = []
    for pupil, what in ((HUGO, "nekad och placerad för hand"),
                        (ELLA, "egen praoplats att godkänna"),
                        (ALVA, "vårdnadshavarbrevet skickat och kvitterat")):
        enrolment = _enrolment(running, pupil)
        if enrolment is not None:
            found.append(f"      {pupil.first_name}, {what}: " + external_url(
                "schools.enrolment", period_id=running.id, enrolment_id=enrolment.id))
    return found


def _linnea_line(running: PraoPeriod) -> list[str]:
    """Where the employer finds Linnea's days and the near-miss (two clicks from the start
    page: Rapportera dagens närvaro, then her name)."""
    from portal.accounts.services import external_url

    linnea = _enrolment(running, LINNEA)
    assignment = placing.active_assignment(linnea.id) if linnea is not None else None
    if assignment is None:
        return []
    return [f"      {LINNEA.first_name}s närvaro och tillbudet: "
            + external_url("attendance.employer_pupil", assignment_id=assignment.id)]


def _guide_links(running: PraoPeriod, finished: PraoPeriod, now: date) -> list[str]:
    from portal.prao.attendance import links

    found = ["Utan inloggning:"]
    alva = _enrolment(running, ALVA)
    if alva is not None:
        found.append(f"  elev        {pupils.pupil_url(alva)}  ({ALVA.first_name} "
                     f"{ALVA.last_name}: allt inför första dagen)")
    behind = [d for d in prao_days(running.first_day, running.last_day) if d <= now]
    at_vard = _confirmed_at(running, VARD)
    if behind and at_vard:
        token = links.make_token(_placement(VARD).supervisor_email, at_vard, behind[-1])
        day = "i dag" if behind[-1] == now else str(behind[-1])
        found.append("  handledare  " + links.portal_url("attendance.link_report", token=token)
                     + f"  (närvaro {day}, Piteå Vård och Omsorg)")
    nora = _enrolment(finished, NORA)
    certificate = certificates.for_enrolment(nora) if nora is not None else None
    if certificate is not None:
        found.append(f"  intyg       {certificates.verification_url(certificate)}  "
                     f"({NORA.first_name} {NORA.last_name}, verifieringskod "
                     f"{certificates.grouped(certificate.code)})")
    return found if len(found) > 1 else []


def _period_at(unit_code: str) -> PraoPeriod | None:
    return db.session.scalars(select(PraoPeriod).join(School).where(
        School.unit_code == unit_code, PraoPeriod.grade == 9)
        .order_by(PraoPeriod.first_day.desc())).first()


def _enrolment(period: PraoPeriod, pupil: DemoPupil) -> Enrolment | None:
    return db.session.scalars(select(Enrolment).join(Student).where(
        Enrolment.period_id == period.id, Student.external_id == pupil.external_id)).first()


def _confirmed_at(period: PraoPeriod, org_number: str) -> list[int]:
    return list(db.session.scalars(
        select(Assignment.id).join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(Placement, Placement.id == Assignment.placement_id).join(Organisation)
        .where(Enrolment.period_id == period.id, Organisation.org_number == org_number,
               Assignment.state.in_(attendance.REPORTABLE)).order_by(Assignment.id)))


def demo_links() -> dict[str, list[str]]:
    """The demo's links that open the portal without a login, by who receives them: the
    pupils' personal links (choosing wishes, at prao with an own placement beside, finished),
    the supervisors' signed links (confirm a pupil, report attendance, evaluate, assess an
    own placement's risks), a guardian's letter and a certificate's public check. Empty
    lists before the demo is seeded. Needs a request context (absolute links)."""
    from portal.accounts.services import external_url
    from portal.feedback.links import evaluation_url
    from portal.prao.attendance import links as attendance_links
    from portal.prao.links import own_risk_url, supervisor_url
    from portal.prao.models import GuardianNotice

    found: dict[str, list[str]] = {"pupil": [url for _name, url in demo_pupil_links(1)],
                                   "supervisor": [], "guardian": [], "anyone": []}
    running, finished = _period_at(PROCESS_SCHOOL), _period_at(FINISHED_SCHOOL)
    if running is None or finished is None:
        return found
    alva, ella, hugo = (_enrolment(running, p) for p in (ALVA, ELLA, HUGO))
    nora, tilde = _enrolment(finished, NORA), _enrolment(finished, TILDE)
    found["pupil"] += [pupils.pupil_url(e) for e in (alva, ella, nora) if e is not None]
    waiting = placing.active_assignment(hugo.id) if hugo is not None else None
    if waiting is not None:
        found["supervisor"].append(supervisor_url(waiting.placement_id, [waiting.id],
                                                  running.last_day))
    now = clock.today()
    behind = [d for d in prao_days(running.first_day, running.last_day) if d <= now]
    at_vard = _confirmed_at(running, VARD)
    if behind and at_vard:
        token = attendance_links.make_token(_placement(VARD).supervisor_email, at_vard,
                                            behind[-1])
        found["supervisor"].append(attendance_links.portal_url("attendance.link_report",
                                                               token=token))
    unanswered = placing.active_assignment(tilde.id) if tilde is not None else None
    if unanswered is not None:
        found["supervisor"].append(evaluation_url(unanswered.placement_id, [unanswered.id],
                                                  finished.last_day))
    if ella is not None and ella.own_placement_id is not None:
        found["supervisor"].append(own_risk_url(ella.own_placement_id, ella.id,
                                                running.last_day))
    notice = db.session.scalars(select(GuardianNotice).where(
        GuardianNotice.enrolment_id == alva.id)).first() if alva is not None else None
    if notice is not None:
        found["guardian"].append(external_url("guardians.acknowledge",
                                              token=guardians.make_token(notice, "sv")))
    certificate = certificates.for_enrolment(nora) if nora is not None else None
    if certificate is not None:
        found["anyone"].append(certificates.verification_url(certificate))
    return found
