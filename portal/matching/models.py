"""Matching rounds as stored in the portal: the run with its seed, and one result per pupil
with the explanation the pupil reads."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, TimestampMixin, UTCDateTime, str_enum
from portal.matching.engine import Step
from portal.matching.explain import render

if TYPE_CHECKING:
    from portal.employers.models import PlacementOffer
    from portal.schools.models import Enrolment, PraoPeriod


class RunStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    DISCARDED = "discarded"


class ResultSource(enum.StrEnum):
    FIRST_ROUND = "first_round"
    SECOND_ROUND = "second_round"
    MANUAL = "manual"
    NONE = "none"



matching_run_period = Table(
    "matching_run_period",
    Base.metadata,
    Column("run_id", ForeignKey("matching_run.id", ondelete="CASCADE"), primary_key=True),
    Column("period_id", ForeignKey("prao_period.id"), primary_key=True),
)


class MatchingRun(TimestampMixin, Base):
    __tablename__ = "matching_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus), default=RunStatus.DRAFT)
    # The lottery's seed, drawn when the round starts, shown and kept: the same seed on the
    # same wishes gives the same result, so anyone can audit a round by running it again.
    seed: Mapped[int] = mapped_column(BigInteger)
    priority_policy: Mapped[str] = mapped_column(String(30), default="none")
    # The round's steps: the first only, or the first and then the second for those left over.
    last_step: Mapped[Step] = mapped_column(str_enum(Step), default=Step.SECOND)
    stats: Mapped[str] = mapped_column(Text, default="{}")  # JSON: placed, by rank, sectors
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    periods: Mapped[list[PraoPeriod]] = relationship(secondary=matching_run_period)
    results: Mapped[list[MatchResult]] = relationship(back_populates="run",
                                                      cascade="all, delete-orphan")


class MatchResult(Base):
    __tablename__ = "match_result"
    __table_args__ = (UniqueConstraint("run_id", "enrolment_id",
                                       name="uq_match_result_run_enrolment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("matching_run.id", ondelete="CASCADE"),
                                        index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    # Results explain a round: the offer they name is not removed under them.
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("placement_offer.id", ondelete="RESTRICT"), index=True)
    rank: Mapped[int | None]  # the wish obtained, 1 = first
    lottery: Mapped[int]
    priority: Mapped[int] = mapped_column(default=0)
    source: Mapped[ResultSource] = mapped_column(str_enum(ResultSource))
    # A code with parameters (portal.matching.explain), put into words in the reader's language.
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    run: Mapped[MatchingRun] = relationship(back_populates="results")
    enrolment: Mapped[Enrolment] = relationship()
    offer: Mapped[PlacementOffer | None] = relationship()

    @property
    def explanation_text(self) -> str:
        """The explanation in the current language, for pages and emails."""
        return render(self.explanation)
