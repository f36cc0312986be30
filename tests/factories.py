"""factory_boy factories bound to the test session (flushed, never committed by themselves)."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from portal.accounts.models import Role, User
from portal.employers.models import Organisation, OrganisationStatus
from portal.extensions import db
from portal.notifications.models import OutboxEmail
from portal.schools.models import Municipality, School

PASSWORD = "en-lång-mening-om-prao"
_PASSWORD_HASH = generate_password_hash(PASSWORD)


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


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Företag {n} AB")
    org_number = factory.Sequence(lambda n: f"{550000 + n % 400000:06d}-{n % 10000:04d}")
    status = OrganisationStatus.APPROVED


class UserFactory(BaseFactory):
    class Meta:
        model = User

    name = factory.Sequence(lambda n: f"Användare {n}")
    email = factory.Sequence(lambda n: f"user{n}@exempel.se")
    role = Role.COORDINATOR
    password_hash = _PASSWORD_HASH


class OutboxEmailFactory(BaseFactory):
    class Meta:
        model = OutboxEmail

    recipient = factory.Sequence(lambda n: f"mottagare{n}@exempel.se")
    subject = factory.Sequence(lambda n: f"Meddelande {n} – åäö")
    body_text = "Hej!\n\nDet här är ett test med å, ä och ö.\n"
    body_html = "<p>Hej!</p>"
    kind = "test"
