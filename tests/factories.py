"""factory_boy factories bound to the test session (flushed, never committed by themselves)."""

from __future__ import annotations

from datetime import date, time

import factory
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from portal.accounts.models import Role, User
from portal.db import utcnow
from portal.employers.models import (
    CalendarEntry,
    Organisation,
    OrganisationStatus,
    Placement,
    PlacementOffer,
    PlacementStatus,
)
from portal.employers.orgnr import luhn_ok
from portal.extensions import db
from portal.notifications.models import OutboxEmail
from portal.prao.models import Assignment, AssignmentSource, AssignmentState
from portal.schools.models import (
    Enrolment,
    EnrolmentState,
    Gender,
    Municipality,
    PraoPeriod,
    School,
    Student,
)

PASSWORD = "en-lång-mening-om-prao"
# A cheap hash keeps hundreds of test logins fast; production hashes with scrypt.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class MunicipalityFactory(BaseFactory):
    class Meta:
        model = Municipality

    name = factory.Sequence(lambda n: f"Kommun {n}")
    code = factory.Sequence(lambda n: f"{1000 + n % 9000:04d}")


class SchoolFactory(BaseFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Skola {n}")
    unit_code = factory.Sequence(lambda n: f"{90000000 - n:08d}")
    address = "Skolvägen 1"
    municipality = factory.SubFactory(MunicipalityFactory)


def valid_org_number(n: int) -> str:
    """A distinct organisationsnummer with a correct Luhn check digit for each n."""
    nine = f"55{n % 10_000_000:07d}"
    check = next(d for d in "0123456789" if luhn_ok(nine + d))
    return f"{nine[:6]}-{nine[6:]}{check}"


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Företag {n} AB")
    org_number = factory.Sequence(valid_org_number)
    status = OrganisationStatus.APPROVED
    sector = "hospitality"
    visiting_address = "Storgatan 1"
    postal_code = "972 31"
    city = "Luleå"
    contact_name = "Kim Kontakt"
    contact_email = factory.Sequence(lambda n: f"kontakt{n}@foretag.se")
    contact_phone = "0920-123 45"


class PlacementFactory(BaseFactory):
    class Meta:
        model = Placement

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Praoplats {n}")
    sector = "hospitality"
    description = "Du får följa med i arbetet i köket och i kassan."
    tasks = "Duka, diska, ta emot gäster."
    address = "Storgatan 1"
    postal_code = "972 31"
    city = "Luleå"
    supervisor_name = "Hanna Handledare"
    supervisor_phone = "070-123 45 67"
    supervisor_email = factory.Sequence(lambda n: f"handledare{n}@foretag.se")
    day_start = time(8, 0)
    day_end = time(14, 30)
    break_start = time(11, 30)
    break_minutes = 30
    risk_hazards = "Varma ytor i köket."
    risk_measures = "Eleven arbetar inte vid spisen."
    risk_introduction = "Genomgång av köket första dagen."
    risk_supervisor = "Hanna Handledare"
    risk_confirmed_at = factory.LazyFunction(utcnow)
    status = PlacementStatus.PUBLISHED
    published_at = factory.LazyFunction(utcnow)


class PlacementOfferFactory(BaseFactory):
    class Meta:
        model = PlacementOffer

    placement = factory.SubFactory(PlacementFactory)
    first_week = date(2027, 3, 15)  # vecka 11 2027
    last_week = date(2027, 3, 22)  # vecka 12 2027
    seats = 2


class UserFactory(BaseFactory):
    class Meta:
        model = User

    name = factory.Sequence(lambda n: f"Användare {n}")
    email = factory.Sequence(lambda n: f"user{n}@exempel.se")
    role = Role.COORDINATOR
    password_hash = _PASSWORD_HASH
    email_verified_at = factory.LazyFunction(utcnow)


class OutboxEmailFactory(BaseFactory):
    class Meta:
        model = OutboxEmail

    recipient = factory.Sequence(lambda n: f"mottagare{n}@exempel.se")
    subject = factory.Sequence(lambda n: f"Meddelande {n} – åäö")
    body_text = "Hej!\n\nDet här är ett test med å, ä och ö.\n"
    body_html = "<p>Hej!</p>"
    kind = "test"


class StudentFactory(BaseFactory):
    class Meta:
        model = Student

    school = factory.SubFactory(SchoolFactory)
    external_id = factory.Sequence(lambda n: f"E{n:06d}")
    first_name = factory.Sequence(lambda n: f"Elev{n}")
    last_name = "Svensson"
    class_name = "8A"
    grade = 8
    gender = Gender.GIRL


class PraoPeriodFactory(BaseFactory):
    class Meta:
        model = PraoPeriod

    school = factory.SubFactory(SchoolFactory)
    name = "Prao vt 2027 åk 8"
    grade = 8
    first_day = date(2027, 3, 15)
    last_day = date(2027, 3, 26)
    wishes_open = date(2027, 1, 11)
    wishes_close = date(2027, 2, 5)


class EnrolmentFactory(BaseFactory):
    class Meta:
        model = Enrolment

    period = factory.SubFactory(PraoPeriodFactory)
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..period.school"))


class CalendarEntryFactory(BaseFactory):
    """Prao weeks of a school as the coordinator enters them (until periods exist)."""

    class Meta:
        model = CalendarEntry

    school = factory.SubFactory(SchoolFactory)
    first_week = date(2027, 3, 15)  # vecka 11 2027
    last_week = date(2027, 3, 22)  # vecka 12 2027
    pupils = 30


class AssignmentFactory(BaseFactory):
    """A pupil proposed for an offer's seat (the seat counted as taken)."""

    class Meta:
        model = Assignment

    enrolment = factory.SubFactory(EnrolmentFactory, state=EnrolmentState.ASSIGNED)
    offer = factory.SubFactory(PlacementOfferFactory, seats_taken=1)
    placement = factory.SelfAttribute("offer.placement")
    state = AssignmentState.PROPOSED
    source = AssignmentSource.MATCHING
