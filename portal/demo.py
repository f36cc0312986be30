"""Demo data: a small region to click through. Idempotent: running it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from portal.accounts.models import Role, User
from portal.clock import today
from portal.db import Base, utcnow
from portal.employers.models import (
    Organisation,
    OrganisationStatus,
    Placement,
    PlacementOffer,
    PlacementStatus,
)
from portal.employers.reference import features_mask
from portal.extensions import db
from portal.schools.models import Enrolment, Gender, Municipality, PraoPeriod, School, Student
from portal.weeks import monday

DEMO_PASSWORD = "visa-mig-portalen-2026"  # noqa: S105 - documented demo login, never production


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    note: str


MUNICIPALITIES = [("Luleå", "2580"), ("Piteå", "2581")]
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
    municipalities = {code: _get_or_add(Municipality, {"code": code}, name=name)
                      for name, code in MUNICIPALITIES}
    return {unit: _get_or_add(School, {"unit_code": unit}, name=name, address=address,
                              municipality=municipalities[code])
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
    return logins


def _seed_placements() -> None:
    year = utcnow().year + 1
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
            risk_supervisor=organisation.contact_name, risk_confirmed_at=utcnow(),
            status=PlacementStatus.PUBLISHED, published_at=utcnow(),
            features=features_mask(["near_public_transport"]))
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


def _seed_period(school: School) -> None:
    """A grade 8 period at Bergsskolan in the demo placements' weeks, with its wish window
    open today, so the pupil pages can be tried at once."""
    if db.session.scalars(select(PraoPeriod).filter_by(school_id=school.id)).first():
        return
    year = utcnow().year + 1
    first = monday(year, 11)
    students = [Student(school=school, external_id=ext, first_name=first_name,
                        last_name=last_name, class_name=klass, grade=8, gender=gender,
                        email=email)
                for ext, first_name, last_name, klass, gender, email in PUPILS]
    period = PraoPeriod(school=school, name=f"Prao vt {year} åk 8", grade=8, first_day=first,
                        last_day=first + timedelta(days=11), wishes_open=today(),
                        wishes_close=min(first - timedelta(days=7), today() + timedelta(days=60)))
    period.enrolments = [Enrolment(student=student) for student in students]
    db.session.add(period)


def seed_demo() -> list[DemoLogin]:
    schools = _seed_places()
    logins = _seed_users(schools, generate_password_hash(DEMO_PASSWORD))
    _seed_placements()
    _seed_period(schools["12345678"])
    db.session.commit()
    return logins


def demo_pupil_links(limit: int = 2) -> list[tuple[str, str]]:
    """Personal links of the first demo pupils, to print beside the logins."""
    from portal.schools.pupils.services import pupil_url

    enrolments = db.session.scalars(select(Enrolment).join(Student).where(
        Student.external_id.in_([p[0] for p in PUPILS])).order_by(Student.external_id)
        .limit(limit)).all()
    return [(e.student.full_name, pupil_url(e)) for e in enrolments]
