"""Organisations (arbetsgivare), their placements (praoplatser) and offers of seats per
week, join requests, the regional prao calendar and the approval setting."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, TimestampMixin, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.schools.models import Municipality, School



class OrganisationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class PlacementStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class JoinStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    org_number: Mapped[str] = mapped_column(String(11), unique=True)  # NNNNNN-NNNN
    status: Mapped[OrganisationStatus] = mapped_column(
        str_enum(OrganisationStatus), default=OrganisationStatus.PENDING, index=True)
    sector: Mapped[str] = mapped_column(String(30), default="")
    visiting_address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(6), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    municipality: Mapped[Municipality | None] = relationship()
    placements: Mapped[list[Placement]] = relationship(
        back_populates="organisation", order_by="Placement.title")

    @property
    def approved(self) -> bool:
        """The coordinator has approved it: until then anyone may have registered the
        number first, so nobody outside the portal's staff reads pupils' details for it."""
        return self.status is OrganisationStatus.APPROVED

    def __repr__(self) -> str:
        return f"<Organisation {self.org_number} {self.name}>"


class JoinRequest(TimestampMixin, Base):
    """A second registration with a known organisationsnummer asks to join, never duplicates."""

    __tablename__ = "join_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[JoinStatus] = mapped_column(str_enum(JoinStatus), default=JoinStatus.PENDING)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Placement(TimestampMixin, Base):
    __tablename__ = "placement"
    __table_args__ = (
        CheckConstraint("break_minutes >= 0", name="break_not_negative"),
        Index("ix_placement_status_sector", "status", "sector"),
        # The public catalogue lists by title: its first page is read in index order.
        Index("ix_placement_title", "title", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[PlacementStatus] = mapped_column(
        str_enum(PlacementStatus), default=PlacementStatus.DRAFT)
    title: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    tasks: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(6), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"),
                                                        index=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    supervisor_name: Mapped[str] = mapped_column(String(200), default="")
    supervisor_phone: Mapped[str] = mapped_column(String(40), default="")
    supervisor_email: Mapped[str] = mapped_column(String(254), default="")
    # False while the supervisor above is a stand-in: a pupil's own placement that the
    # organisation confirmed names the confirming member (never the contact the pupil typed)
    # until the organisation names the supervisor itself by saving the placement.
    supervisor_named: Mapped[bool] = mapped_column(default=True, server_default=true())
    day_start: Mapped[time] = mapped_column(Time, default=time(8, 0))
    day_end: Mapped[time] = mapped_column(Time, default=time(15, 0))
    break_start: Mapped[time | None] = mapped_column(Time)
    break_minutes: Mapped[int] = mapped_column(default=0)
    # Day one, for the pupil's page: when to come, whom to ask for, what to bring and wear.
    first_day_start: Mapped[time | None] = mapped_column(Time)
    first_day_ask_for: Mapped[str] = mapped_column(String(200), default="", server_default="")
    bring_and_wear: Mapped[str] = mapped_column(Text, default="", server_default="")
    accepts_grade_8: Mapped[bool] = mapped_column(default=True)
    accepts_grade_9: Mapped[bool] = mapped_column(default=True)
    languages: Mapped[str] = mapped_column(String(200), default="svenska")
    # Accessibility features as bits, in the order of portal/data/features.csv (append only),
    # so "covers all of a pupil's needs" is one indexed-friendly test: features & needs = needs.
    features: Mapped[int] = mapped_column(default=0)
    protective_equipment: Mapped[str] = mapped_column(Text, default="")
    # The risk assessment for minors, filled in by the employer.
    risk_hazards: Mapped[str] = mapped_column(Text, default="")
    risk_measures: Mapped[str] = mapped_column(Text, default="")
    risk_introduction: Mapped[str] = mapped_column(Text, default="")
    risk_supervisor: Mapped[str] = mapped_column(String(200), default="")
    risk_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)
    # Title, organisation, description, tasks and place as one text for full-text search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The one-time token of the form that created it: the same form sent twice (a double
    # click) finds this placement instead of making a second one.
    form_token: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)

    organisation: Mapped[Organisation] = relationship(back_populates="placements")
    municipality: Mapped[Municipality | None] = relationship()
    offers: Mapped[list[PlacementOffer]] = relationship(
        back_populates="placement", order_by="PlacementOffer.first_week",
        cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Placement {self.id} {self.title!r} {self.status}>"


class PlacementOffer(TimestampMixin, Base):
    """Seats for one block of ISO weeks: a pupil placed here takes a seat for the whole block."""

    __tablename__ = "placement_offer"
    __table_args__ = (
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= seats", name="not_overbooked"),
        CheckConstraint("last_week >= first_week", name="weeks_in_order"),
        Index("ix_placement_offer_weeks", "first_week", "last_week"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), index=True)
    first_week: Mapped[date] = mapped_column(Date)  # the Monday of the first ISO week
    last_week: Mapped[date] = mapped_column(Date)  # the Monday of the last ISO week
    seats: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)

    placement: Mapped[Placement] = relationship(back_populates="offers")

    @property
    def seats_free(self) -> int:
        return self.seats - self.seats_taken


class CalendarEntry(TimestampMixin, Base):
    """Weeks in which a school holds prao, entered by the coordinator until periods exist."""

    __tablename__ = "calendar_entry"
    __table_args__ = (
        CheckConstraint("last_week >= first_week", name="weeks_in_order"),
        UniqueConstraint("school_id", "first_week", name="uq_calendar_entry_school_week"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    first_week: Mapped[date] = mapped_column(Date)
    last_week: Mapped[date] = mapped_column(Date)
    pupils: Mapped[int | None]

    school: Mapped[School] = relationship()


class RegionSettings(Base):
    """One row: choices the coordinator makes for the whole region."""

    __tablename__ = "region_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Placements of already approved organisations are published without review.
    auto_publish_approved: Mapped[bool] = mapped_column(default=False)
