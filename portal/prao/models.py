"""An assignment: a pupil's enrolment placed at an offer (or at an own placement)."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, TimestampMixin, str_enum

if TYPE_CHECKING:
    from portal.employers.models import Placement, PlacementOffer
    from portal.schools.models import Enrolment


class AssignmentState(enum.StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class AssignmentSource(enum.StrEnum):
    MATCHING = "matching"
    MANUAL = "manual"
    OWN = "own"



class Assignment(TimestampMixin, Base):
    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), unique=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("placement_offer.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("matching_run.id"))
    state: Mapped[AssignmentState] = mapped_column(str_enum(AssignmentState),
                                                  default=AssignmentState.PROPOSED)
    source: Mapped[AssignmentSource] = mapped_column(str_enum(AssignmentSource))

    enrolment: Mapped[Enrolment] = relationship()
    placement: Mapped[Placement] = relationship()
    offer: Mapped[PlacementOffer | None] = relationship()
