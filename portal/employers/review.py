"""The coordinator's quality check: approve or reject organisations and placements, with a
reason that is emailed, and the region's choice to publish approved employers' placements
without review."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.audit import audit
from portal.db import utcnow
from portal.employers.models import (
    JoinRequest,
    Organisation,
    OrganisationStatus,
    Placement,
    PlacementStatus,
    RegionSettings,
)
from portal.employers.services import join_requests_for, organisation_members
from portal.extensions import db
from portal.notifications import messages


@dataclass(frozen=True)
class Queue:
    organisations: list[Organisation]
    placements: list[Placement]
    join_requests: list[JoinRequest]


def settings() -> RegionSettings:
    found = db.session.get(RegionSettings, 1)
    if found is None:
        found = RegionSettings(id=1, auto_publish_approved=False)
        db.session.add(found)
        db.session.flush()
    return found


def set_auto_publish(coordinator: User, enabled: bool) -> None:
    settings().auto_publish_approved = enabled
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
    return Queue(list(organisations), list(placements), join_requests_for(None)[:limit])


def _recipients(organisation: Organisation) -> list[str]:
    emails = {u.email for u in organisation_members(organisation)} | {organisation.contact_email}
    return sorted(e for e in emails if e)


def decide_organisation(organisation: Organisation, coordinator: User, approve: bool,
                        reason: str) -> None:
    organisation.status = OrganisationStatus.APPROVED if approve else OrganisationStatus.REJECTED
    organisation.decision_reason = reason.strip()
    organisation.decided_at = utcnow()
    for email in _recipients(organisation):
        messages.organisation_decided(email, organisation)
    audit(coordinator, "organisation_" + organisation.status.value, organisation,
          detail=organisation.decision_reason)
    db.session.commit()


def decide_placement(placement: Placement, coordinator: User, approve: bool,
                     reason: str) -> None:
    """Approval publishes; rejection sends the placement back to draft with the reason."""
    if approve:
        placement.status = PlacementStatus.PUBLISHED
        placement.published_at = utcnow()
        placement.rejection_reason = ""
    else:
        placement.status = PlacementStatus.DRAFT
        placement.rejection_reason = reason.strip()
    for email in _recipients(placement.organisation):
        messages.placement_decided(email, placement, approve, reason.strip())
    audit(coordinator, "placement_" + ("approved" if approve else "rejected"),
          placement, detail=reason.strip())
    db.session.commit()
