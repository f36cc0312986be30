"""An assignment (a pupil's enrolment placed at an offer or at an own placement) and the
quality-assured prao process that follows it: checklist records, attendance, alerts,
incidents, follow-ups, guardian notices, the certificate and the keys that make the
periodic jobs idempotent."""

from __future__ import annotations

import base64
import enum
import secrets
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, TimestampMixin, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.employers.models import Placement, PlacementOffer
    from portal.schools.models import Enrolment


class AssignmentState(enum.StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


# Who may move an assignment where: the employer (or supervisor) confirms or declines a
# proposal once; the period moves it on; the counsellor may cancel until it is completed.
TRANSITIONS: dict[AssignmentState, frozenset[AssignmentState]] = {
    AssignmentState.PROPOSED: frozenset({AssignmentState.CONFIRMED, AssignmentState.DECLINED,
                                         AssignmentState.CANCELLED}),
    AssignmentState.CONFIRMED: frozenset({AssignmentState.IN_PROGRESS,
                                          AssignmentState.CANCELLED}),
    AssignmentState.IN_PROGRESS: frozenset({AssignmentState.COMPLETED,
                                            AssignmentState.CANCELLED}),
    AssignmentState.COMPLETED: frozenset(),
    AssignmentState.DECLINED: frozenset(),
    AssignmentState.CANCELLED: frozenset(),
}


def can_move(current: AssignmentState, new: AssignmentState) -> bool:
    return new in TRANSITIONS[current]


# The states in which an assignment holds the pupil (and a seat): at most one per enrolment.
ACTIVE_STATES = (AssignmentState.PROPOSED, AssignmentState.CONFIRMED,
                 AssignmentState.IN_PROGRESS, AssignmentState.COMPLETED)
_ACTIVE_SQL = text("state IN ('proposed', 'confirmed', 'in_progress', 'completed')")


class AssignmentSource(enum.StrEnum):
    MATCHING = "matching"
    MANUAL = "manual"
    OWN = "own"


class Assignment(TimestampMixin, Base):
    __tablename__ = "assignment"
    __table_args__ = (
        # A declined or cancelled assignment stays as history and does not block the next
        # one for the same enrolment; two live ones for one pupil are impossible.
        Index("uq_assignment_enrolment_active", "enrolment_id", unique=True,
              postgresql_where=_ACTIVE_SQL, sqlite_where=_ACTIVE_SQL),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("placement_offer.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("matching_run.id"))
    state: Mapped[AssignmentState] = mapped_column(str_enum(AssignmentState),
                                                  default=AssignmentState.PROPOSED)
    source: Mapped[AssignmentSource] = mapped_column(str_enum(AssignmentSource))
    # Who confirmed, declined or cancelled: a user, or a label such as "Handledare (länk)"
    # when the supervisor answered through a signed link without an account.
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_by_label: Mapped[str] = mapped_column(String(200), default="", server_default="")
    decline_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A counsellor placing by hand: who, and why a placement that does not list all of the
    # pupil's needs is still right ("the workplace has confirmed a ramp").
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    placement_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    enrolment: Mapped[Enrolment] = relationship()
    placement: Mapped[Placement] = relationship()
    offer: Mapped[PlacementOffer | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


class StepRecord(Base):
    """One checklist step done for one assignment (the steps are defined in checklist.py)."""

    __tablename__ = "step_record"
    __table_args__ = (UniqueConstraint("assignment_id", "step",
                                       name="uq_step_record_assignment_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(40))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    done_by_label: Mapped[str] = mapped_column(String(200), default="")  # e.g. "via länk"

    done_by: Mapped[User | None] = relationship()


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    LATE = "late"


class _AttendanceFields:
    """What one report says about one pupil's day."""

    day: Mapped[date] = mapped_column(Date)
    status: Mapped[AttendanceStatus] = mapped_column(str_enum(AttendanceStatus))
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    break_minutes: Mapped[int] = mapped_column(default=0)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reported_by_label: Mapped[str] = mapped_column(String(200), default="")


class AttendanceDay(_AttendanceFields, Base):
    """The day as last reported: a later report replaces it (the earlier one stays in
    AttendanceReport)."""

    __tablename__ = "attendance_day"
    __table_args__ = (
        UniqueConstraint("assignment_id", "day", name="uq_attendance_day_assignment_day"),
        CheckConstraint("break_minutes >= 0", name="break_not_negative"),
        # The council report counts days per assignment and status: an index-only scan
        # instead of reading every row of the year's days (migration 0016).
        Index("ix_attendance_day_assignment_status", "assignment_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    # The counsellor's judgement on an absence: None until decided.
    excused: Mapped[bool | None]
    excused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    excused_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class AttendanceReport(_AttendanceFields, Base):
    """Every report ever made, in order: the audit trail behind AttendanceDay."""

    __tablename__ = "attendance_report"
    __table_args__ = (Index("ix_attendance_report_assignment_day", "assignment_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))


class AlertKind(enum.StrEnum):
    ABSENT = "absent"
    NOT_REPORTED = "not_reported"  # no report by 10:00
    HOURS = "hours"  # worked hours break the rules for minors


class AttendanceAlert(Base):
    """A same-day alert; the unique key makes the 10:00 job safe to run again and again."""

    __tablename__ = "attendance_alert"
    __table_args__ = (UniqueConstraint("assignment_id", "day", "kind",
                                       name="uq_attendance_alert_assignment_day_kind"),
                      Index("ix_attendance_alert_day", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # to the counsellor
    guardian_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IncidentSeverity(enum.StrEnum):
    MINOR = "minor"
    SERIOUS = "serious"


class IncidentKind(enum.StrEnum):
    ACCIDENT = "accident"
    NEAR_MISS = "near_miss"  # tillbud


class Incident(TimestampMixin, Base):
    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"),
                                               index=True)
    kind: Mapped[IncidentKind] = mapped_column(str_enum(IncidentKind))
    severity: Mapped[IncidentSeverity] = mapped_column(str_enum(IncidentSeverity))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    what: Mapped[str] = mapped_column(Text)
    injury: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reported_by_label: Mapped[str] = mapped_column(String(200), default="")


class FollowUpKind(enum.StrEnum):
    CONTACT = "contact"
    VISIT = "visit"


class FollowUp(Base):
    """A contact or visit during the prao, with GR's five questions."""

    __tablename__ = "follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"),
                                               index=True)
    kind: Mapped[FollowUpKind] = mapped_column(str_enum(FollowUpKind))
    enjoys: Mapped[str] = mapped_column(Text, default="")  # Trivs eleven?
    adjust: Mapped[str] = mapped_column(Text, default="")  # Något att justera?
    tasks: Mapped[str] = mapped_column(Text, default="")  # Vilka uppgifter hittills?
    plan: Mapped[str] = mapped_column(Text, default="")  # Plan för resten av veckan?
    questions: Mapped[str] = mapped_column(Text, default="")  # Frågor?
    note: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NoticeChannel(enum.StrEnum):
    LETTER = "letter"
    EMAIL = "email"


class GuardianNotice(TimestampMixin, Base):
    """The letter to the guardians about the placement: sent, and acknowledged when."""

    __tablename__ = "guardian_notice"
    __table_args__ = (UniqueConstraint("assignment_id", "channel",
                                       name="uq_guardian_notice_assignment_channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"))
    channel: Mapped[NoticeChannel] = mapped_column(str_enum(NoticeChannel))
    email: Mapped[str] = mapped_column(String(254), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def new_certificate_code() -> str:
    """128 random bits as 26 letters and digits (base32, no padding): unguessable, and
    readable aloud or typed from paper."""
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")


class Certificate(Base):
    """The praointyg: a frozen copy of what it says, and a code to verify it by."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), unique=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, default=new_certificate_code)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # name, school, workplace, supervisor, first/last day, days, hours, tasks, statement
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MorningEmail(Base):
    """One attendance email per supervisor and day, however often the job runs."""

    __tablename__ = "morning_email"
    __table_args__ = (UniqueConstraint("supervisor_email", "day",
                                       name="uq_morning_email_supervisor_email_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_email: Mapped[str] = mapped_column(String(254))
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StepReminder(Base):
    """A reminder to the owner of an overdue step, sent once."""

    __tablename__ = "step_reminder"
    __table_args__ = (UniqueConstraint("assignment_id", "step",
                                       name="uq_step_reminder_assignment_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
