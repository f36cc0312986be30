"""The coordinator's quality check: approve or reject organisations and placements, with a
reason that is emailed, and the region's choice to publish approved employers' placements
without review."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.audit import audit
from portal.concurrency import AlreadyDecided, claim, dialect_insert
from portal.db import utcnow
from portal.employers.models import (
    JoinRequest,
    Organisation,
    OrganisationStatus,
    Placement,
    PlacementStatus,
    RegionSettings,
)
from portal.employers.services import contact_addresses, join_requests_for, organisation_members
from portal.extensions import db
from portal.notifications import messages
from portal.schools.models import Enrolment, PraoPeriod, School
from portal.schools.pupils import services as pupils


@dataclass(frozen=True)
class OwnOrigin:
    """A pupil's own placement the organisation was registered for (from the pupil's form):
    why an organisation nobody signed up for waits in the queue."""

    period_id: int
    enrolment_id: int
    school: str


@dataclass(frozen=True)
class Queue:
    organisations: list[Organisation]
    placements: list[Placement]
    join_requests: list[JoinRequest]
    own_origins: dict[int, list[OwnOrigin]]


def settings() -> RegionSettings:
    """The region's settings, or their defaults while none are saved: showing them writes
    nothing (a page that wrote while it read failed with "database is locked" on SQLite
    whenever someone else saved at that moment)."""
    return db.session.get(RegionSettings, 1) or RegionSettings(id=1,
                                                               auto_publish_approved=False)


def set_auto_publish(coordinator: User, enabled: bool) -> None:
    """Saved in one statement: two coordinators saving the region's first settings at the
    same moment both succeed, the later one stays."""
    stmt = dialect_insert(RegionSettings.__table__).values(id=1, auto_publish_approved=enabled)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["id"], set_={"auto_publish_approved": enabled}))
    audit(coordinator, "auto_publish_" + ("on" if enabled else "off"))
    db.session.commit()


def queue(limit: int = 200) -> Queue:
    """What waits for the coordinator, oldest first (bounded: a page, not the whole region)."""
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.status == OrganisationStatus.PENDING)
        .order_by(Organisation.created_at).limit(limit).options(
            selectinload(Organisation.municipality))).all()
    placements = db.session.scalars(
        select(Placement).where(Placement.status == PlacementStatus.PENDING)
        .order_by(Placement.updated_at).limit(limit)
        .options(selectinload(Placement.organisation), selectinload(Placement.offers))).all()
    return Queue(list(organisations), list(placements), join_requests_for(None)[:limit],
                 own_origins([o.id for o in organisations]))


def own_origins(organisation_ids: list[int]) -> dict[int, list[OwnOrigin]]:
    """Organisation id -> the pupils' own placements at it (one query for the page)."""
    if not organisation_ids:
        return {}
    rows = db.session.execute(
        select(Placement.organisation_id, Enrolment.period_id, Enrolment.id, School.name)
        .join(Enrolment, Enrolment.own_placement_id == Placement.id)
        .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
        .join(School, School.id == PraoPeriod.school_id)
        .where(Placement.organisation_id.in_(organisation_ids))
        .order_by(Enrolment.id)).all()
    found: dict[int, list[OwnOrigin]] = {}
    for organisation_id, period_id, enrolment_id, school in rows:
        found.setdefault(organisation_id, []).append(OwnOrigin(period_id, enrolment_id, school))
    return found


def decide_organisation(organisation: Organisation, coordinator: User, approve: bool,
                        reason: str) -> None:
    """Decided once: of two decisions at the same moment only the first changes the
    organisation and emails it; the other raises AlreadyDecided and changes nothing."""
    status = OrganisationStatus.APPROVED if approve else OrganisationStatus.REJECTED
    if not claim(Organisation.status, organisation.id, OrganisationStatus.PENDING,
                 status=status, decision_reason=reason.strip(), decided_at=utcnow()):
        db.session.rollback()
        raise AlreadyDecided(organisation.name)
    db.session.refresh(organisation)
    told: set[str] = set()
    if approve:
        pupils.send_held_requests(organisation)
        # A workplace registered from a pupil's own placement: the coordinator's approval
        # vouches for its contact, who gets the risk-assessment link only now. That email
        # says the workplace is approved, so its addresses get no second one.
        told = pupils.send_held_risk_links(organisation)
    else:  # the pupils who named it would otherwise wait for an answer that never comes
        pupils.decline_held_requests(organisation)
    members = {user.email for user in organisation_members(organisation)}
    for email in contact_addresses(organisation):
        if email not in told:
            messages.organisation_decided(email, organisation, has_account=email in members)
    audit(coordinator, "organisation_" + organisation.status.value, organisation,
          detail=organisation.decision_reason)
    db.session.commit()


def decide_placement(placement: Placement, coordinator: User, approve: bool,
                     reason: str) -> None:
    """Approval publishes; rejection sends the placement back to draft with the reason.
    Decided once, like an organisation: a second decision raises AlreadyDecided."""
    values: dict[str, object] = (
        {"status": PlacementStatus.PUBLISHED, "published_at": utcnow(), "rejection_reason": ""}
        if approve else {"status": PlacementStatus.DRAFT, "rejection_reason": reason.strip()})
    if not claim(Placement.status, placement.id, PlacementStatus.PENDING, **values):
        db.session.rollback()
        raise AlreadyDecided(placement.title)
    db.session.refresh(placement)
    for email in contact_addresses(placement.organisation):
        messages.placement_decided(email, placement, approve, reason.strip())
    audit(coordinator, "placement_" + ("approved" if approve else "rejected"),
          placement, detail=reason.strip())
    db.session.commit()
