"""Organisations (arbetsgivare). Extended with placements and offers by the employer issue."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, TimestampMixin


class OrganisationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    org_number: Mapped[str] = mapped_column(String(11), unique=True)  # NNNNNN-NNNN
    status: Mapped[OrganisationStatus] = mapped_column(
        Enum(OrganisationStatus, native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=OrganisationStatus.PENDING,
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.org_number} {self.name}>"
