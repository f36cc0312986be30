"""Employer self-registration, the organisation's details and requests to join an
organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import select

from portal.accounts import services as accounts
from portal.accounts.models import Role, User
from portal.audit import audit
from portal.concurrency import AlreadyDecided, claim, first_wins
from portal.db import utcnow
from portal.employers.models import JoinRequest, JoinStatus, Organisation, OrganisationStatus
from portal.employers.orgnr import normalize_org_number
from portal.extensions import db
from portal.notifications import messages


class RegistrationOutcome(StrEnum):
    NEW_ORGANISATION = "new"
    JOIN_REQUESTED = "join"


@dataclass(frozen=True)
class OrganisationDetails:
    """The organisation's details as its employer keeps them, already validated."""

    name: str
    sector: str
    visiting_address: str
    postal_code: str
    city: str
    municipality_id: int
    contact_name: str
    contact_email: str
    contact_phone: str

    def values(self) -> dict[str, object]:
        return {"name": self.name.strip(), "sector": self.sector,
                "visiting_address": self.visiting_address.strip(),
                "postal_code": self.postal_code.strip(), "city": self.city.strip(),
                "municipality_id": self.municipality_id,
                "contact_name": self.contact_name.strip(),
                "contact_email": accounts.normalize_email(self.contact_email),
                "contact_phone": self.contact_phone.strip()}


@dataclass(frozen=True)
class Registration:
    """What the employer typed into the registration form, already validated."""

    organisation_name: str
    org_number: str
    sector: str
    visiting_address: str
    postal_code: str
    city: str
    municipality_id: int
    contact_name: str
    email: str
    phone: str
    password: str
    language: str = "sv"  # of the emails the portal sends the new user

    def organisation(self) -> OrganisationDetails:
        """The new organisation's details: the one registering is its contact."""
        return OrganisationDetails(
            name=self.organisation_name, sector=self.sector,
            visiting_address=self.visiting_address, postal_code=self.postal_code,
            city=self.city, municipality_id=self.municipality_id,
            contact_name=self.contact_name, contact_email=self.email, contact_phone=self.phone)


def organisation_by_number(org_number: str) -> Organisation | None:
    number = normalize_org_number(org_number)
    if number is None:
        return None
    return db.session.scalars(select(Organisation).filter_by(org_number=number)).first()


def _new_user(data: Registration, organisation: Organisation | None) -> User:
    user = User(email=accounts.normalize_email(data.email), name=data.contact_name.strip(),
                phone=data.phone.strip(), role=Role.EMPLOYER, organisation=organisation,
                language=data.language)
    accounts.set_password(user, data.password)
    db.session.add(user)
    return user


def _new_organisation(data: Registration) -> Organisation:
    organisation = Organisation(org_number=normalize_org_number(data.org_number),
                                status=OrganisationStatus.PENDING,
                                **data.organisation().values())
    db.session.add(organisation)
    return organisation


def update_organisation(user: User, organisation_id: int, details: OrganisationDetails,
                        resubmit: bool = False) -> bool:
    """Save the details; with `resubmit`, a rejected organisation goes back to the
    coordinator's review. True when this request sent it back: of two clicks at once, the
    second finds it waiting already (the row is locked), saves the same details and is told
    it waits."""
    organisation = db.session.get(Organisation, organisation_id, with_for_update=True,
                                  populate_existing=True)
    assert organisation is not None  # the view found it in the user's scope
    changed = [name for name, value in details.values().items()
               if getattr(organisation, name) != value]
    for name in changed:
        setattr(organisation, name, details.values()[name])
    resubmitted = resubmit and organisation.status is OrganisationStatus.REJECTED
    if resubmitted:
        organisation.status = OrganisationStatus.PENDING
        organisation.decided_at = None
    if changed or resubmitted:
        audit(user, "organisation_resubmitted" if resubmitted else "organisation_updated",
              organisation, detail=", ".join(changed))
    db.session.commit()
    return resubmitted


def register(data: Registration, ip: str) -> RegistrationOutcome:
    """One transaction: the account, the organisation (or a join request when the
    organisationsnummer is known already) and the emails. Never a duplicate organisation,
    not even when the same form arrives twice at once: the second is answered as a repeat.
    An address that has an account already gets the very same answer, so the form tells
    no stranger which addresses are registered: the account's owner is emailed instead."""
    outcome = first_wins(lambda: _register(data, ip))
    db.session.commit()
    return outcome


def _register(data: Registration, ip: str) -> RegistrationOutcome:
    owner = accounts.find_user(data.email)
    existing = organisation_by_number(data.org_number)
    joins = existing is not None and not _is_named_contact(existing, data.email)
    if joins and owner is not None and existing is not None and _just_registered(owner) \
            and owner.organisation_id == existing.id:
        joins = False  # a repeat of the form that made this organisation: "check your email"
    outcome = RegistrationOutcome.JOIN_REQUESTED if joins else RegistrationOutcome.NEW_ORGANISATION
    if owner is not None:
        _registration_attempted(owner, data, ip)
        return outcome
    if joins:
        user = _new_user(data, organisation=None)
    elif existing is not None:
        # A workplace a pupil registered (no accounts yet) names this address as its contact:
        # the emailed verification link proves it, so the contact joins without asking.
        user = _new_user(data, organisation=existing)
    else:
        user = _new_user(data, organisation=_new_organisation(data))
    db.session.flush()
    accounts.send_verification(user)
    if joins and existing is not None:
        request_join(user, existing)
    audit(user, "employer_registered", user, ip=ip,
          detail="join" if joins else "new organisation")
    return outcome


def _registration_attempted(owner: User, data: Registration, ip: str) -> None:
    # The same costly work as a new account (the password hashed, an email rendered and
    # queued), so this answer takes as long as the other.
    accounts.hash_password(data.password)
    if _just_registered(owner):
        return  # the same form sent twice (a double click): nobody else tried the address
    messages.registration_attempted(owner)
    audit(owner, "registration_with_existing_address", owner, ip=ip)


def _just_registered(owner: User) -> bool:
    return owner.email_verified_at is None and owner.created_at > utcnow() - timedelta(
        minutes=10)


def _is_named_contact(organisation: Organisation, email: str) -> bool:
    return (not organisation_members(organisation)
            and organisation.contact_email == accounts.normalize_email(email))


def organisation_members(organisation: Organisation) -> list[User]:
    stmt = select(User).where(User.organisation_id == organisation.id, User.active.is_(True))
    return list(db.session.scalars(stmt))


def contact_addresses(organisation: Organisation) -> list[str]:
    """Where the organisation's emails go: its members' addresses and its registered
    contact address."""
    emails = {u.email for u in organisation_members(organisation)} | {organisation.contact_email}
    return sorted(e for e in emails if e)


def request_join(user: User, organisation: Organisation) -> JoinRequest:
    join = JoinRequest(user=user, organisation=organisation)
    db.session.add(join)
    recipients = {m.email for m in organisation_members(organisation)}
    recipients.add(organisation.contact_email)
    for email in sorted(r for r in recipients if r):
        messages.join_request_received(email, join)
    return join


def join_requests_for(organisation_id: int | None) -> list[JoinRequest]:
    """Pending requests to one organisation, or to every organisation (the coordinator)."""
    stmt = (select(JoinRequest).where(JoinRequest.status == JoinStatus.PENDING)
            .order_by(JoinRequest.created_at))
    if organisation_id is not None:
        stmt = stmt.where(JoinRequest.organisation_id == organisation_id)
    return list(db.session.scalars(stmt))


def decide_join(join: JoinRequest, decider: User, approve: bool) -> None:
    """Decided once, by whichever member or coordinator is first: a second decision (another
    member at the same moment, a double click) raises AlreadyDecided and changes nothing."""
    status = JoinStatus.APPROVED if approve else JoinStatus.REJECTED
    if not claim(JoinRequest.status, join.id, JoinStatus.PENDING, status=status,
                 decided_at=utcnow(), decided_by_id=decider.id):
        db.session.rollback()
        raise AlreadyDecided(join.user.name)
    db.session.refresh(join)
    if approve:
        join.user.organisation_id = join.organisation_id
    messages.join_request_decided(join)
    audit(decider, "join_approved" if approve else "join_rejected", join)
    db.session.commit()
