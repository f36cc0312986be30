"""Figures for the start pages. Counts only: bounded queries whatever the region's size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select

from portal.accounts.models import User
from portal.clock import today
from portal.employers.models import (
    JoinRequest,
    JoinStatus,
    Organisation,
    OrganisationStatus,
    Placement,
    PlacementStatus,
)
from portal.employers.placements import services as placements
from portal.extensions import db
from portal.notifications.models import OutboxEmail, OutboxStatus
from portal.prao import services as prao
from portal.reports import services as reports
from portal.reports.services import IndicatorView
from portal.reports.tables import Scope, school_year_of
from portal.schools.models import (
    Municipality,
    OwnPlacementRequest,
    OwnPlacementStatus,
    School,
)


@dataclass(frozen=True)
class CoordinatorSummary:
    pending_organisations: int
    pending_placements: int
    pending_join_requests: int
    outbox_pending: int
    outbox_failed: int
    users: int
    schools: int


@dataclass(frozen=True)
class EmployerJoins:
    """Join requests an employer's start page shows: the user's own, still waiting, and how
    many people wait for the user's organisation to let them in."""

    own: JoinRequest | None
    to_decide: int
    pupils_asking: int = 0  # pupils' own placements waiting for the organisation to confirm


@dataclass(frozen=True)
class CouncilSummary:
    scope_name: str | None
    municipalities: int
    schools: int
    # Each headline beside its target, this school year (portal.reports.services).
    headlines: list[IndicatorView] = field(default_factory=list)
    scope: Scope | None = None


def _count(stmt: Select[Any]) -> int:
    return db.session.scalar(stmt) or 0


def coordinator_summary() -> CoordinatorSummary:
    outbox = dict(db.session.execute(
        select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all())
    return CoordinatorSummary(
        pending_organisations=_count(select(func.count()).select_from(Organisation).where(
            Organisation.status == OrganisationStatus.PENDING)),
        pending_placements=_count(select(func.count()).select_from(Placement).where(
            Placement.status == PlacementStatus.PENDING)),
        pending_join_requests=_count(select(func.count()).select_from(JoinRequest).where(
            JoinRequest.status == JoinStatus.PENDING)),
        outbox_pending=outbox.get(OutboxStatus.PENDING, 0),
        outbox_failed=outbox.get(OutboxStatus.FAILED, 0),
        users=_count(select(func.count()).select_from(User)),
        schools=_count(select(func.count()).select_from(School)),
    )


def employer_start(user: User, on: date) -> dict[str, Any]:
    """What the employer's start page shows (its template's values): the organisation,
    the join requests, the proposed and answered pupils and the placements' dashboard.
    Also for the page shown again with a problem of a pupil's answer beside its field."""
    organisation = user.organisation
    return {"organisation": organisation, "joins": employer_joins(user),
            "dashboard": placements.dashboard(organisation) if organisation else None,
            "pupils": prao.employer_assignments(organisation.id, on) if organisation else []}


def employer_joins(user: User) -> EmployerJoins:
    """One query for all three: the waiting requests to the user's organisation, the
    user's own (read in full only when there is one) and the pupils' own placements
    waiting for the organisation's answer."""
    to_decide, own_id, pupils_asking = db.session.execute(
        _joins_statement(), {"organisation_id": user.organisation_id, "user_id": user.id}).one()
    own = db.session.get(JoinRequest, own_id) if own_id is not None else None
    return EmployerJoins(own, to_decide or 0, pupils_asking or 0)


@cache  # built once: the same for every employer, its values are parameters
def _joins_statement() -> Select[*tuple[Any, ...]]:
    to_organisation = JoinRequest.organisation_id == bindparam("organisation_id")
    own = JoinRequest.user_id == bindparam("user_id")
    asking = (select(func.count()).select_from(OwnPlacementRequest)
              .where(OwnPlacementRequest.organisation_id == bindparam("organisation_id"),
                     OwnPlacementRequest.status == OwnPlacementStatus.PENDING)
              .scalar_subquery())
    return (select(func.count(JoinRequest.id).filter(to_organisation),
                   func.max(JoinRequest.id).filter(own), asking)
            .where(JoinRequest.status == JoinStatus.PENDING, or_(to_organisation, own)))


def council_summary(municipality: Municipality | None) -> CouncilSummary:
    schools = select(func.count()).select_from(School)
    if municipality is not None:
        schools = schools.where(School.municipality_id == municipality.id)
    scope = Scope(school_year_of(today()), municipality.id if municipality else None)
    return CouncilSummary(
        scope_name=municipality.name if municipality else None,
        municipalities=1 if municipality else _count(
            select(func.count()).select_from(Municipality)),
        schools=_count(schools),
        headlines=reports.headlines(scope),
        scope=scope,
    )
