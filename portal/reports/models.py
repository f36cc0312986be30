"""The council's targets (önskat läge): one value per indicator, scope and school year."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow

_REGION = text("municipality_id IS NULL")
_MUNICIPALITY = text("municipality_id IS NOT NULL")


class CouncilTarget(Base):
    """A target for an indicator's headline. municipality_id None is the whole region.
    Unique per (indicator, municipality, school year): NULL is never equal to NULL in a
    unique constraint, so the region's targets have their own partial unique index."""

    __tablename__ = "council_target"
    __table_args__ = (
        Index("uq_council_target_municipality", "indicator", "municipality_id", "school_year",
              unique=True, postgresql_where=_MUNICIPALITY, sqlite_where=_MUNICIPALITY),
        Index("uq_council_target_region", "indicator", "school_year", unique=True,
              postgresql_where=_REGION, sqlite_where=_REGION),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(60))  # Table.key
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"))
    school_year: Mapped[int]  # 2026 = 2026/27
    value: Mapped[float]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ReportSnapshot(Base):
    """Every indicator's Table of one scope as computed at `computed_at`, before
    suppression (the exports suppress the table they give out, so the privacy rules live
    in one place). `page` is what the report page shows, made from the same Tables at the
    same moment: each indicator suppressed by those rules, its first rows and its chart
    drawn in every language, so a reader's request neither suppresses nor draws (None: a
    snapshot stored before it was kept, computed again when read). The page reads it
    instead of computing 23 country-wide aggregates per reader; the jobs command
    refreshes it. `scope_key` names the scope ("2026-region-year")."""

    __tablename__ = "report_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_key: Mapped[str] = mapped_column(String(60), unique=True)
    school_year: Mapped[int]
    tables: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    page: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # How long computing it took: "update now" waits for a scope that took a few seconds and
    # queues a longer one for the jobs command. None: stored before this was kept.
    compute_seconds: Mapped[float | None]


class ReportRefresh(Base):
    """A coordinator's "update now" of a scope too slow to compute while the page waits
    (REPORT_REFRESH_INLINE_SECONDS): the jobs command computes it on its next round and then
    removes the row. One per scope; asking again while it waits moves `requested_at`, so a
    request made while the scope was being computed is computed once more."""

    __tablename__ = "report_refresh"

    scope_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    school_year: Mapped[int]
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"))
    term: Mapped[str | None] = mapped_column(String(10))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When a jobs runner took it on: another runner leaves it alone for a while (several
    # servers run the jobs), then takes it over (the first may have died).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReportYearClaim(Base):
    """A jobs runner computing a school year's reports (refresh_due): another runner leaves
    the year alone while the claim is younger than YEAR_CLAIM_FOR. A country's year takes
    minutes, and `flask jobs run` starts every minute on every app server."""

    __tablename__ = "report_year_claim"

    school_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
