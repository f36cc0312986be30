"""Municipalities and schools of the region."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, TimestampMixin

if TYPE_CHECKING:
    from portal.accounts.models import User


class Municipality(TimestampMixin, Base):
    __tablename__ = "municipality"
    __table_args__ = (CheckConstraint("length(code) = 4", name="code_four_digits"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(4), unique=True)  # kommunkod

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

    municipality: Mapped[Municipality] = relationship(back_populates="schools")
    counsellors: Mapped[list[User]] = relationship(
        secondary="counsellor_school", back_populates="schools", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<School {self.unit_code} {self.name}>"
