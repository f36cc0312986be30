"""Municipalities, schools, prao periods, pupils, their enrolments and wishes."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, TimestampMixin, UTCDateTime, str_enum, utcnow
from portal.schools.gender import Gender

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.employers.models import Organisation, PlacementOffer


class Municipality(TimestampMixin, Base):
    __tablename__ = "municipality"
    __table_args__ = (CheckConstraint("length(code) = 4", name="code_four_digits"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(4), unique=True)  # kommunkod
    # Guardians must acknowledge the risk information before the prao (a checklist step).
    guardian_ack_required: Mapped[bool] = mapped_column(default=False, server_default=false())

    schools: Mapped[list[School]] = relationship(
        back_populates="municipality", order_by="School.name"
    )

    def __repr__(self) -> str:
        return f"<Municipality {self.code} {self.name}>"


class School(TimestampMixin, Base):
    __tablename__ = "school"
    __table_args__ = (CheckConstraint("length(unit_code) = 8", name="unit_code_eight_digits"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_code: Mapped[str] = mapped_column(String(8), unique=True)  # skolenhetskod
    address: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    # How a pupil reports absence to the school (phone, app, whom), shown on the pupil's page.
    absence_contact: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # Email guardians (where their address is known) the same day about an absence.
    alert_guardians_on_absence: Mapped[bool] = mapped_column(default=False,
                                                             server_default=false())

    municipality: Mapped[Municipality] = relationship(back_populates="schools")
    counsellors: Mapped[list[User]] = relationship(
        secondary="counsellor_school", back_populates="schools", viewonly=True
    )

    @property
    def active_counsellors(self) -> list[User]:
        """The counsellors anyone is shown or written to as the school's. A switched-off
        account keeps its link (it is the school's again if opened again; the purge drops
        the link), but is nobody's contact meanwhile."""
        return [c for c in self.counsellors if c.active]

    def __repr__(self) -> str:
        return f"<School {self.unit_code} {self.name}>"


class EnrolmentState(enum.StrEnum):
    NEEDS_PLACEMENT = "needs_placement"
    OWN_PLACEMENT = "own_placement"
    ASSIGNED = "assigned"
    EXEMPT = "exempt"



class PraoPeriod(TimestampMixin, Base):
    """A school's prao for one grade: the days at the workplace and the window for wishes."""

    __tablename__ = "prao_period"
    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="days_in_order"),
        CheckConstraint("wishes_close >= wishes_open", name="window_in_order"),
        CheckConstraint("grade IN (8, 9)", name="grade_8_or_9"),
        # One period per grade and first day: the same form sent twice is one period.
        Index("uq_prao_period_school_grade_first_day", "school_id", "grade", "first_day",
              unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    grade: Mapped[int]
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    wishes_open: Mapped[date] = mapped_column(Date)
    wishes_close: Mapped[date] = mapped_column(Date)  # wishes accepted through this day
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    school: Mapped[School] = relationship()
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="period")


class Student(TimestampMixin, Base):
    """A pupil as the school's own system exports them. No personnummer, ever."""

    __tablename__ = "student"
    __table_args__ = (UniqueConstraint("school_id", "external_id",
                                       name="uq_student_school_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    class_name: Mapped[str] = mapped_column(String(20), default="")
    grade: Mapped[int | None]
    gender: Mapped[Gender] = mapped_column(str_enum(Gender), default=Gender.UNKNOWN)
    # Needs as workplace features (bits of portal/data/features.csv), never diagnoses.
    needs: Mapped[int] = mapped_column(default=0)
    email: Mapped[str] = mapped_column(String(254), default="")
    guardian_email: Mapped[str | None] = mapped_column(String(254))  # optional, never required
    # Set when a newer import from the school no longer lists the pupil; never deleted silently.
    missing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when `flask retention purge` removed the pupil's personal data: the row stays,
    # pseudonymised, so the anonymous statistics (gender, needs, school, grade) still count.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    school: Mapped[School] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Enrolment(TimestampMixin, Base):
    """A pupil in a period, in exactly one state, with a personal link for wishes."""

    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("period_id", "student_id", name="uq_enrolment_period_student"),
        # The pupils still waiting per period (the calendar's shortage, the start pages):
        # a small part of a year's enrolments once a round is published.
        Index("ix_enrolment_waiting_period", "period_id",
              postgresql_where=text("state = 'needs_placement'"),
              sqlite_where=text("state = 'needs_placement'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("prao_period.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    state: Mapped[EnrolmentState] = mapped_column(str_enum(EnrolmentState),
                                                  default=EnrolmentState.NEEDS_PLACEMENT)
    exempt_reason: Mapped[str] = mapped_column(Text, default="")
    # Why the counsellor did not approve the pupil's own placement, for the pupil's page
    # while they choose again; emptied when anything else becomes of them (another own
    # placement, taking theirs back, a placement, a state the counsellor sets).
    own_refusal: Mapped[str] = mapped_column(Text, default="", server_default="")
    own_placement_id: Mapped[int | None] = mapped_column(ForeignKey("placement.id"), index=True)
    # Raised to revoke the pupil's link: links carry the version they were made for.
    link_version: Mapped[int] = mapped_column(default=1)
    link_revoked: Mapped[bool] = mapped_column(default=False)

    period: Mapped[PraoPeriod] = relationship(back_populates="enrolments")
    student: Mapped[Student] = relationship()
    wishes: Mapped[list[Wish]] = relationship(back_populates="enrolment", order_by="Wish.rank",
                                              cascade="all, delete-orphan")


class Wish(Base):
    __tablename__ = "wish"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "rank", name="uq_wish_enrolment_rank"),
        UniqueConstraint("enrolment_id", "offer_id", name="uq_wish_enrolment_offer"),
        CheckConstraint("rank BETWEEN 1 AND 5", name="rank_1_to_5"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    # An offer somebody wished for is not removed under the wish (the employer is told).
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("placement_offer.id", ondelete="RESTRICT"), index=True)
    rank: Mapped[int]

    enrolment: Mapped[Enrolment] = relationship(back_populates="wishes")
    offer: Mapped[PlacementOffer] = relationship()


class OwnPlacementStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # the counsellor took the pupil's own placement back


class OwnPlacementRequest(TimestampMixin, Base):
    """A pupil's own placement at an organisation the portal already knows. Nothing is
    written into that organisation's account from the pupil's link: its registered contacts
    confirm (which creates the placement) or decline. One per enrolment; a new one after a
    decline replaces it."""

    __tablename__ = "own_placement_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"),
                                              unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[OwnPlacementStatus] = mapped_column(str_enum(OwnPlacementStatus),
                                                       default=OwnPlacementStatus.PENDING)
    # What the pupil typed, to become the placement when the organisation confirms.
    workplace: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(6), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    tasks: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placement.id"), index=True)

    enrolment: Mapped[Enrolment] = relationship()
    organisation: Mapped[Organisation] = relationship()


class PupilImport(TimestampMixin, Base):
    """An uploaded export kept between preview and save, so saving needs no second upload
    and works whichever app instance answers."""

    __tablename__ = "pupil_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
