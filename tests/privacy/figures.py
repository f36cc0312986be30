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

from portal import clock
from portal.employers.models import Organisation, Placement, PlacementOffer
from portal.extensions import db
from portal.feedback import services as feedback
from portal.feedback.models import Audience, FeedbackAnswer, FeedbackResponse
from portal.prao.models import (
    Assignment,
    AttendanceDay,
    Certificate,
    FollowUp,
    GuardianNotice,
    Incident,
    StepRecord,
)
from portal.reports.tables import Scope, school_year_of
from portal.schools.models import Enrolment, PraoPeriod, Student, Wish

Figure = Callable[[], Any]


def _grouped(*columns: Any) -> Figure:
    def figure() -> list[tuple[Any, ...]]:
        rows = db.session.execute(select(*columns, func.count()).group_by(*columns)).all()
        return sorted(tuple(str(v) for v in row) for row in rows)
    return figure


def _evaluation_averages() -> list[tuple[str, ...]]:
    rows = db.session.execute(
        select(FeedbackResponse.audience, FeedbackAnswer.question_key,
               func.avg(FeedbackAnswer.score), func.count(FeedbackAnswer.score))
        .join(FeedbackResponse, FeedbackResponse.id == FeedbackAnswer.response_id)
        .where(FeedbackAnswer.score.is_not(None))
        .group_by(FeedbackResponse.audience, FeedbackAnswer.question_key)).all()
    return sorted(tuple(str(v) for v in row) for row in rows)


def _evaluation_reports() -> list[Any]:
    """What the evaluation pages compute, for every school year with a period."""
    years = sorted({school_year_of(day) for day in db.session.scalars(
        select(PraoPeriod.first_day))})
    today = clock.today()
    organisations = db.session.scalars(select(Organisation.id).order_by(Organisation.id))
    return [[(year, [feedback.rates_by_school(a, today, Scope(year)) for a in Audience],
              [feedback.rates_by_employer(a, today, Scope(year)) for a in Audience],
              feedback.thanks(year)) for year in years],
            [feedback.employer_summary(oid, "sv") for oid in organisations]]


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
    "evaluations": _grouped(FeedbackResponse.audience, FeedbackResponse.form_id,
                            FeedbackResponse.again_next_term, FeedbackResponse.submitted_at),
    "evaluation_answers": _grouped(FeedbackAnswer.question_key, FeedbackAnswer.score),
    "evaluation_yes_no": lambda: sorted(tuple(str(v) for v in row) for row in
                                        db.session.execute(
        select(FeedbackAnswer.question_key, FeedbackAnswer.text, func.count())
        .where(FeedbackAnswer.text.in_(("yes", "no")))
        .group_by(FeedbackAnswer.question_key, FeedbackAnswer.text)).all()),
    "evaluation_averages": _evaluation_averages,
    "evaluation_reports": _evaluation_reports,
}


def figures(extra: Mapping[str, Figure] | None = None) -> dict[str, Any]:
    """Every figure now (the built-in ones and `extra`), by name."""
    return {name: figure() for name, figure in {**FIGURES, **(extra or {})}.items()}


def assert_same(before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    changed = {name: (before[name], after.get(name)) for name in before
               if before[name] != after.get(name)}
    assert not changed, f"figures changed by the purge: {changed}"
