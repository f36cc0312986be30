"""The outbox: every email is a row first, written with the change that causes it."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, TimestampMixin, UTCDateTime, str_enum, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class FailureReason(enum.StrEnum):
    """Why an email was given up on, for the coordinator's list."""

    REFUSED = "refused"  # the receiving server refused it for good (a 5xx answer)
    GAVE_UP = "gave_up"  # no server took it during the whole retry window


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@praoportalen>"


class OutboxEmail(TimestampMixin, Base):
    __tablename__ = "outbox_email"
    __table_args__ = (Index("ix_outbox_email_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(60), default="")
    # Stable per row, so a receiver can recognise a message the worker had to send again.
    message_id: Mapped[str] = mapped_column(String(100), unique=True, default=new_message_id)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus),
        default=OutboxStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # When the current run of unsuccessful tries began: retries go on until the window
    # (OUTBOX_RETRY_HOURS) from here has passed. Cleared when the coordinator requeues.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failure_reason: Mapped[FailureReason | None] = mapped_column(str_enum(FailureReason))
    # A worker leases a row before sending it, so no two workers ever send the same row.
    lease: Mapped[str | None] = mapped_column(String(32), unique=True)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
