"""The anonymous figures the retention purge must leave exactly as they were. Each figure is
one GROUP BY query; `figures()` takes more (a council report, say) by name:

    before = figures({"council": lambda: report_rows(scope)})
    purge(...)
    assert_same(before, figures({"council": lambda: report_rows(scope)}))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import func, select

from portal.employers.models import Placement, PlacementOffer
from portal.extensions import db
from portal.prao.models import (
    Assignment,
    AttendanceDay,
    Certificate,
    FollowUp,
    GuardianNotice,
    Incident,
    StepRecord,
)
from portal.schools.models import Enrolment, Student, Wish

Figure = Callable[[], Any]


def _grouped(*columns: Any) -> Figure:
    def figure() -> list[tuple[Any, ...]]:
        rows = db.session.execute(select(*columns, func.count()).group_by(*columns)).all()
        return sorted(tuple(str(v) for v in row) for row in rows)
    return figure


FIGURES: dict[str, Figure] = {
    "pupils_by_gender": _grouped(Student.gender),
    "pupils_by_school_grade": _grouped(Student.school_id, Student.grade),
    "pupils_by_needs": _grouped(Student.needs),
    "enrolments_by_state": _grouped(Enrolment.state),
    "wishes_by_rank": _grouped(Wish.rank),
    "wishes_by_rank_and_sector": lambda: sorted(tuple(str(v) for v in row) for row in
                                                db.session.execute(
        select(Wish.rank, Placement.sector, func.count())
        .join(PlacementOffer, PlacementOffer.id == Wish.offer_id)
        .join(Placement, Placement.id == PlacementOffer.placement_id)
        .group_by(Wish.rank, Placement.sector)).all()),
    "assignments_by_state_source": _grouped(Assignment.state, Assignment.source),
    "attendance_by_status": _grouped(AttendanceDay.status),
    "attendance_minutes": lambda: db.session.scalar(select(func.sum(
        AttendanceDay.break_minutes))),
    "step_records_by_step": _grouped(StepRecord.step),
    "incidents_by_kind_severity": _grouped(Incident.kind, Incident.severity),
    "follow_ups_by_kind": _grouped(FollowUp.kind),
    "guardian_notices_by_channel": _grouped(GuardianNotice.channel),
    "certificates": lambda: db.session.scalar(select(func.count()).select_from(Certificate)),
}


def figures(extra: Mapping[str, Figure] | None = None) -> dict[str, Any]:
    """Every figure now (the built-in ones and `extra`), by name."""
    return {name: figure() for name, figure in {**FIGURES, **(extra or {})}.items()}


def assert_same(before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    changed = {name: (before[name], after.get(name)) for name in before
               if before[name] != after.get(name)}
    assert not changed, f"figures changed by the purge: {changed}"
