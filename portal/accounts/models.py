"""Users, their roles and scopes. The audit trail is in portal/audit.py."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, Index, String, Table, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, TimestampMixin, UTCDateTime, str_enum
from portal.employers.models import Organisation
from portal.schools.models import Municipality, School


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    COUNSELLOR = "counsellor"
    EMPLOYER = "employer"
    COUNCIL = "council"



counsellor_school = Table(
    "counsellor_school",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("school.id", ondelete="CASCADE"), primary_key=True),
    # A school's counsellors (a pupil's page, the employer's cards): the key leads with the user.
    Index("ix_counsellor_school_school_id", "school_id"),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Rotated when the password changes: old sessions and reset links stop working.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    active: Mapped[bool] = mapped_column(default=True)
    # When the coordinator switched the account off; `flask retention purge` blanks the
    # account's personal data RETENTION_MONTHS later and sets `purged_at`.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    # A council member reads one municipality, or the whole region when empty.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the address is proven: an emailed link was opened (registration, invitation).
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    phone: Mapped[str] = mapped_column(String(40), default="")
    # The language of the emails the portal sends this user ('sv' or 'en'): chosen when
    # invited or registering, and whenever the signed-in user switches the page language.
    language: Mapped[str] = mapped_column(String(5), default="sv", server_default="sv")

    organisation: Mapped[Organisation | None] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    schools: Mapped[list[School]] = relationship(
        secondary=counsellor_school, back_populates="counsellors", order_by="School.name"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


# Case-insensitive uniqueness: "Anna@Skola.se" and "anna@skola.se" are one account.
Index("uq_user_account_email_lower", func.lower(User.email), unique=True)
