"""Demo data: a small region to click through. Idempotent: running it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from portal.accounts.models import Role, User
from portal.employers.models import Organisation, OrganisationStatus
from portal.extensions import db
from portal.schools.models import Municipality, School

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
    ("Norrbottens Bygg AB", "556677-8899", OrganisationStatus.APPROVED),
    ("Piteå Vård och Omsorg", "802480-1238", OrganisationStatus.APPROVED),
    ("Kaffestugan i Luleå AB", "556123-4500", OrganisationStatus.PENDING),
]
USERS = [
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


def _get_or_add(model: type, key: dict, **values: object) -> object:
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
    orgs = {number: _get_or_add(Organisation, {"org_number": number}, name=name, status=status)
            for name, number, status in ORGANISATIONS}
    logins = []
    for email, name, role, scope in USERS:
        user = db.session.scalars(select(User).filter_by(email=email)).first()
        if user is None:
            user = User(email=email, name=name, role=role, password_hash=password_hash,
                        schools=[schools[u] for u in scope.get("schools", [])],
                        organisation=orgs.get(scope.get("org", "")))
            db.session.add(user)
        key = scope.get("org") or (scope.get("schools") or [""])[0]
        logins.append(DemoLogin(role.value, email, NOTES.get(key, "")))
    return logins


def seed_demo() -> list[DemoLogin]:
    schools = _seed_places()
    logins = _seed_users(schools, generate_password_hash(DEMO_PASSWORD))
    db.session.commit()
    return logins
