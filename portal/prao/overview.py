"""Where every pupil goes, read by the pupil, the counsellor and the coordinator: the
pupil's day-one page, the enrolment's placement, the period's overview and its checklist
(pupils × steps), and the region's completion per school. Every overview runs a fixed
number of queries, however many pupils it shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from flask_babel import get_translations, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, Subquery, bindparam, delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from portal import clock
from portal.accounts.models import User
from portal.audit import audit
from portal.db import rows_changed
from portal.employers.models import Placement
from portal.extensions import db
from portal.feedback.models import Audience, FeedbackResponse
from portal.i18n import shown_label
from portal.matching.models import MatchResult
from portal.paging import Paged, paged
from portal.prao import checklist, placing
from portal.prao.checklist import GUARDIAN_ACK, Owner, Status
from portal.prao.models import (
    ACTIVE_STATES,
    Assignment,
    AssignmentState,
    Certificate,
    FollowUp,
    GuardianNotice,
    StepRecord,
)
from portal.prao.services import Actor, Counsellor, PraoError, record_step, school_counsellors
from portal.schools.models import (
    Enrolment,
    EnrolmentState,
    OwnPlacementRequest,
    OwnPlacementStatus,
    PraoPeriod,
    School,
    Student,
)
from portal.schools.pupils import services as pupils

if TYPE_CHECKING:
    from portal.prao.attendance.overview import Placing

# The coordinator's overview covers periods that ended at most this long ago.
RECENT = timedelta(days=60)


def _conditions(school: School) -> tuple[str, ...]:
    return (GUARDIAN_ACK,) if school.municipality.guardian_ack_required else ()


# --- the pupil's page ------------------------------------------------------------------------

@dataclass(frozen=True)
class PupilPlacement:
    """What the pupil's page shows about the placement: one of the four cases."""

    assignment: Assignment | None  # placed (proposed or confirmed): day one's details
    school: School  # the pupil's, whose counsellors the page names in three of the cases
    own_pending: bool = False  # own placement awaiting the workplace and the counsellor
    arranging: bool = False  # nobody could place the pupil: the counsellor arranges it
    own: Placement | None = None  # the own placement as the pupil entered it, while pending
    own_risk_done: bool = False  # the workplace has completed its risk assessment
    assignments: Sequence[Assignment] = ()  # all of them, as read for the page
    # What the pupil typed about the own placement's contact, and whether the placement's
    # supervisor is instead one the workplace gave (it confirmed the pupil's request).
    own_typed: pupils.OwnPlacementData | None = None
    own_supervisor_from_workplace: bool = False
    # Read with the assignments: whether a certificate was issued for any of them, and
    # which of them the pupil has evaluated.
    certificate: bool = False
    evaluated: frozenset[int] = frozenset()

    @cached_property
    def counsellors(self) -> tuple[Counsellor, ...]:
        """Read when the page shows them: a pupil choosing among offers is not shown them."""
        return school_counsellors(self.school.id)

    @property
    def declined_placements(self) -> frozenset[int]:
        """The placements whose workplace said no to the pupil: the wish list offers them
        no more (schools.pupils.services.declined_offers refuses them as new wishes)."""
        return frozenset(a.placement_id for a in self.assignments
                         if a.state is AssignmentState.DECLINED)

    @property
    def ever_assigned(self) -> bool:
        """Any assignment at all, declined and cancelled ones too: without one there is no
        certificate and no evaluation, and the page does not look for them."""
        return bool(self.assignments)


def pupil_placement(enrolment: Enrolment, results: Sequence[MatchResult]) -> PupilPlacement:
    """`results`: the pupil's results in published rounds (matching.published_results),
    which the page reads anyway for its explanation."""
    rows = db.session.execute(_assignments_of(), {"enrolment": enrolment.id}).all()
    assignments = [row.Assignment for row in rows]
    read = PupilPlacement(None, enrolment.period.school, assignments=assignments,
                          certificate=any(row.certificate for row in rows),
                          evaluated=frozenset(row.Assignment.id for row in rows
                                              if row.evaluated))
    assignment = next((a for a in assignments if a.state in ACTIVE_STATES), None)
    if assignment is not None:
        return replace(read, assignment=assignment)
    if enrolment.state is EnrolmentState.OWN_PLACEMENT and enrolment.own_placement_id:
        from portal.employers.placements.services import risk_assessment_complete

        own = db.session.get(Placement, enrolment.own_placement_id)
        typed, from_workplace = pupils.typed_contact(own) if own is not None else (None, False)
        return replace(read, own_pending=True, own=own,
                       own_risk_done=own is not None and risk_assessment_complete(own),
                       own_typed=typed, own_supervisor_from_workplace=from_workplace)
    if enrolment.state is not EnrolmentState.NEEDS_PLACEMENT:
        return read
    return replace(read, arranging=bool(assignments) or _stranded(enrolment, results))


@cache
def _assignments_of() -> Select:
    """The placement and its organisation come with them: a placed pupil's page shows both.
    So do the certificate and the pupil's evaluation, as two flags: each was a query of
    its own on every view of a placed pupil's page. Built once: building it took about as
    many calls as running it."""
    certificate = exists().where(Certificate.assignment_id == Assignment.id)
    evaluated = exists().where(FeedbackResponse.assignment_id == Assignment.id,
                               FeedbackResponse.audience == Audience.PUPIL)
    return (select(Assignment, certificate.label("certificate"), evaluated.label("evaluated"))
            .where(Assignment.enrolment_id == bindparam("enrolment")).options(
                joinedload(Assignment.placement, innerjoin=True)
                .joinedload(Placement.organisation, innerjoin=True)))


def _stranded(enrolment: Enrolment, results: Sequence[MatchResult]) -> bool:
    """Left without a seat by a published round, or needs nothing covers (a pupil with an
    assignment, even a declined one, is the counsellor's to arrange anyway)."""
    unplaced = any(result.offer_id is None for result in results)
    return unplaced or placing.needs_uncovered(enrolment)


# --- the counsellor's enrolment page ---------------------------------------------------------

@dataclass(frozen=True)
class EnrolmentPlacement:
    active: Assignment | None
    history: list[Assignment]  # declined and cancelled ones, newest first
    own: Placement | None  # a pupil's own placement awaiting review
    own_risk_done: bool
    uncovered: bool
    # An own placement at an organisation the portal knows, before the organisation has
    # confirmed it (and before the coordinator has approved the organisation, if it has not).
    request: OwnPlacementRequest | None = None
    request_waits_for: str = ""
    # Why the own placement's risk-assessment link has not gone out ("" once it can).
    own_link_waits: str = ""
    # What the pupil typed, and whether the placement's supervisor is the workplace's
    # choice instead (it confirmed the pupil's request): two people, each labelled.
    own_typed: pupils.OwnPlacementData | None = None
    own_supervisor_from_workplace: bool = False


def enrolment_placement(enrolment: Enrolment) -> EnrolmentPlacement:
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.enrolment_id == enrolment.id)
        .order_by(Assignment.created_at.desc(), Assignment.id.desc())
        .options(selectinload(Assignment.placement).selectinload(Placement.organisation))).all()
    active = next((a for a in assignments if a.state in ACTIVE_STATES), None)
    own = request = None
    if active is None and enrolment.state is EnrolmentState.OWN_PLACEMENT:
        if enrolment.own_placement_id is not None:
            own = db.session.get(Placement, enrolment.own_placement_id)
        else:
            request = pupils.own_placement_request(enrolment)
            if request is not None and request.status is not OwnPlacementStatus.PENDING:
                request = None
    from portal.employers.placements.services import risk_assessment_complete

    typed, from_workplace = pupils.typed_contact(own) if own is not None else (None, False)
    return EnrolmentPlacement(
        active=active, history=[a for a in assignments if a.state not in ACTIVE_STATES],
        own=own, own_risk_done=own is not None and risk_assessment_complete(own),
        uncovered=placing.needs_uncovered(enrolment), request=request,
        request_waits_for=pupils.request_waits_for(request) if request is not None else "",
        own_link_waits=pupils.risk_link_waits_for(own) if own is not None else "",
        own_typed=typed, own_supervisor_from_workplace=from_workplace)


# --- the period: who goes where -------------------------------------------------------------

def period_placements(period: PraoPeriod) -> dict[int, Assignment]:
    """enrolment id -> its live assignment, with placement and organisation: two queries."""
    stmt = (select(Assignment).join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .where(Enrolment.period_id == period.id, Assignment.state.in_(ACTIVE_STATES))
            .options(selectinload(Assignment.placement).selectinload(Placement.organisation)))
    return {a.enrolment_id: a for a in db.session.scalars(stmt)}


def _waiting_after_decline(period: PraoPeriod) -> set[int]:
    return set(db.session.scalars(
        select(Assignment.enrolment_id).join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .where(Enrolment.period_id == period.id,
               Enrolment.state == EnrolmentState.NEEDS_PLACEMENT,
               Assignment.state == AssignmentState.DECLINED)))


@dataclass(frozen=True)
class PeriodSummary:
    placed: Mapping[int, Placing]  # enrolment id -> live assignment
    uncovered: set[int]  # enrolments whose needs no free seat covers
    declined: set[int]  # enrolments waiting again after a decline


def period_summary(period: PraoPeriod, placed: Mapping[int, Placing]) -> PeriodSummary:
    """What the period's overview adds per pupil to the live assignments the caller has
    (the period page, from attendance): two queries, however many pupils."""
    return PeriodSummary(placed, placing.uncovered_needs(period), _waiting_after_decline(period))


# --- the checklist ---------------------------------------------------------------------------

class ChecklistCell(NamedTuple):
    """One pupil's step as the checklist shows it (plain values: no ORM object per cell)."""

    step: checklist.Step
    status: Status
    done_at: datetime | None  # when it was done; None while it is not
    done_by: str  # who did it, as shown (a portal-made label translated)
    tickable: bool  # may be done now (open, or overdue), and the counsellor ticks it by hand
    undoable: bool = False  # ticked by hand today by the one reading: a slip can be undone
    waits_for: int = 0  # the number of a required step not done yet that holds it back


@dataclass(frozen=True)
class ChecklistRow:
    assignment_id: int
    name: str  # the pupil's first and last name
    cells: list[ChecklistCell]
    overdue: int


@dataclass(frozen=True)
class ChecklistTable:
    steps: tuple[checklist.Step, ...]
    rows: list[ChecklistRow] = field(default_factory=list)
    conditions: tuple[str, ...] = ()


def period_checklist(period: PraoPeriod, today: date,
                     reader_id: int | None = None) -> ChecklistTable:
    """Pupils × steps for a period: two queries, however many pupils. Rows and records are
    read as plain tuples and each step's dates are worked out once for the period, since a
    period of 300 pupils has some 3,600 cells."""
    conditions = _conditions(period.school)
    planned = checklist.plan(today, period.first_day, period.last_day, conditions)
    pupils = db.session.execute(
        select(Assignment.id, Student.first_name, Student.last_name)
        .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(Student, Student.id == Enrolment.student_id)
        .where(Enrolment.period_id == period.id, Assignment.state.in_(ACTIVE_STATES))
        .order_by(Student.class_name, Student.last_name, Student.first_name)).all()
    records = _records(period) if pupils else {}
    done_by = _DoneBy()
    undo = _Undo(period, reader_id, today)
    numbers = {p.step.key: number for number, p in enumerate(planned, start=1)}
    # The steps not done look the same for every pupil who has done the same ones: worked
    # out once per such set, with their number overdue (a done step is never overdue).
    undone: dict[frozenset[str], tuple[list[ChecklistCell | None], int]] = {}
    rows = []
    for assignment_id, first_name, last_name in pupils:
        done = records.get(assignment_id, {})
        keys = frozenset(done)
        if keys not in undone:
            undone[keys] = _undone_cells(planned, done, numbers)
        cells, overdue = undone[keys]
        rows.append(ChecklistRow(assignment_id, f"{first_name} {last_name}", [
            cell or _done_cell(assignment_id, p, done[p.step.key], done_by, undo)
            for cell, p in zip(cells, planned, strict=True)], overdue))
    return ChecklistTable(tuple(p.step for p in planned), rows, conditions)


_Record = tuple[datetime, int | None, str]  # done_at, done_by_id, done_by_label


class _Undo:
    """Whether the reader may undo a done step: one they tick by hand, ticked by them today
    (a slip noticed at once; later the checklist is the record), and not recorded by the
    thing itself (a follow-up logged, the letter sent), which is read once per page and only
    when such a step was ticked today."""

    def __init__(self, period: PraoPeriod, reader_id: int | None, today: date) -> None:
        self.period = period
        self.reader_id = reader_id
        # Today in Sweden as two moments: a record's time is compared, not converted.
        self.since = datetime.combine(today, time(), clock.STOCKHOLM)
        self.until = datetime.combine(today + timedelta(days=1), time(), clock.STOCKHOLM)
        self._elsewhere: dict[str, set[int]] = {}

    def __call__(self, assignment_id: int, step: checklist.Step, record: _Record) -> bool:
        if not (self.reader_id is not None and record[1] == self.reader_id
                and Owner.COUNSELLOR in step.ticked_by
                and self.since <= record[0] < self.until):
            return False
        model = RECORDED_ELSEWHERE.get(step.key)
        if model is None:
            return True
        if step.key not in self._elsewhere:
            self._elsewhere[step.key] = set(db.session.scalars(
                select(Assignment.id).join(model, model.assignment_id == Assignment.id)
                .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
                .where(Enrolment.period_id == self.period.id)))
        return assignment_id not in self._elsewhere[step.key]


def _undone_cells(planned: tuple[checklist.PlannedStep, ...], done: dict[str, _Record],
                  numbers: dict[str, int]) -> tuple[list[ChecklistCell | None], int]:
    """The cells of the steps not done (None for a done one), and how many are overdue."""
    cells = [None if p.step.key in done else _open_cell(p, done, numbers) for p in planned]
    return cells, sum(1 for c in cells if c is not None and c.status is Status.OVERDUE)


def _done_cell(assignment_id: int, planned: checklist.PlannedStep, record: _Record,
               done_by: _DoneBy, undo: _Undo) -> ChecklistCell:
    return ChecklistCell(planned.step, Status.DONE, record[0], done_by(record[1], record[2]),
                         False, undo(assignment_id, planned.step, record))


def _open_cell(planned: checklist.PlannedStep, done: dict[str, _Record],
               numbers: dict[str, int]) -> ChecklistCell:
    # An overdue step is still held back by a required step not done: a button would only
    # be refused (tick), so the cell says what it waits for instead.
    tickable = (checklist.planned_possible(planned, done)
                and Owner.COUNSELLOR in planned.step.ticked_by)
    waits_for = checklist.planned_waits_for(planned, done)
    return ChecklistCell(planned.step, checklist.planned_status(planned, done), None, "",
                         tickable, waits_for=numbers[waits_for] if waits_for else 0)


class _DoneBy:
    """Who did a step, as shown: a user's name as stored, a label the portal wrote (no
    user) translated; each distinct label translated once per page."""

    def __init__(self) -> None:
        self._translated: dict[str, str] = {}
        # The page's catalogue, looked up once: a class's workplaces give dozens of labels.
        self._gettext = get_translations().ugettext

    def __call__(self, user_id: int | None, label: str) -> str:
        if user_id is not None or not label:
            return label
        if label not in self._translated:
            shown = shown_label(label)
            self._translated[label] = shown if shown != label else self._gettext(label)
        return self._translated[label]


def _records(period: PraoPeriod) -> dict[int, dict[str, _Record]]:
    found: dict[int, dict[str, _Record]] = defaultdict(dict)
    for assignment_id, step, done_at, user_id, label in db.session.execute(
            select(StepRecord.assignment_id, StepRecord.step, StepRecord.done_at,
                   StepRecord.done_by_id, StepRecord.done_by_label)
            .join(Assignment, Assignment.id == StepRecord.assignment_id)
            .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .where(Enrolment.period_id == period.id, Assignment.state.in_(ACTIVE_STATES))):
        found[assignment_id][step] = (done_at, user_id, label)
    return found


def tick(assignment: Assignment, step: str, user: User, today: date) -> None:
    """The counsellor ticks a step they own, in the order the checklist enforces."""
    period = assignment.enrolment.period
    conditions = _conditions(period.school)
    done = set(db.session.scalars(select(StepRecord.step).where(
        StepRecord.assignment_id == assignment.id)))
    if assignment.state not in ACTIVE_STATES:
        raise PraoError("step", _problem_text(checklist.Problem("not_applicable")))
    problem = checklist.tick_problem(step, Owner.COUNSELLOR, done, today, period.first_day,
                                     period.last_day, conditions)
    if problem is not None:
        raise PraoError("step", _problem_text(problem))
    try:
        record_step(assignment.id, step, Actor.of(user))
    except IntegrityError:  # ticked by someone else a moment ago
        db.session.rollback()
        raise PraoError("step", checklist.PROBLEMS["done"]) from None
    audit(user, "step_ticked", assignment, detail=step)
    db.session.commit()


# Steps a counsellor may tick by hand that the portal also records when the thing itself
# happens (a follow-up is logged, the letter is sent): such a record is not undone by hand.
RECORDED_ELSEWHERE: dict[str, type[FollowUp] | type[GuardianNotice]] = {
    "follow_up": FollowUp, "guardians_informed": GuardianNotice}


def untick(assignment: Assignment, step: str, user: User, today: date) -> bool:
    """Undo a step the counsellor ticked by mistake today; True when this request undid it,
    False when it was not ticked (the repeat of a double click)."""
    key = checklist.BY_KEY.get(step)
    if key is None or Owner.COUNSELLOR not in key.ticked_by:
        raise PraoError("step", _problem_text(checklist.Problem("not_yours")))
    record = db.session.scalars(select(StepRecord).where(
        StepRecord.assignment_id == assignment.id, StepRecord.step == step)).first()
    if record is None:
        return False
    if (record.done_by_id != user.id or clock.local(record.done_at).date() != today
            or _recorded_elsewhere(assignment.id, step)):
        raise PraoError("step", _l("Bara en avbockning du själv gjorde i dag, för hand, kan "
                                   "ångras."))
    _check_no_dependent(assignment.id, key)
    gone = db.session.execute(delete(StepRecord).where(StepRecord.id == record.id)
                              .execution_options(synchronize_session=False))
    if rows_changed(gone) != 1:  # undone by the other click a moment ago
        db.session.rollback()
        return False
    audit(user, "step_unticked", assignment, detail=step)
    db.session.commit()
    return True


def _recorded_elsewhere(assignment_id: int, step: str) -> bool:
    model = RECORDED_ELSEWHERE.get(step)
    return model is not None and db.session.scalar(
        select(model.id).where(model.assignment_id == assignment_id).limit(1)) is not None


def _check_no_dependent(assignment_id: int, step: checklist.Step) -> None:
    done = set(db.session.scalars(select(StepRecord.step).where(
        StepRecord.assignment_id == assignment_id)))
    for later in checklist.STEPS:
        if step.key in later.requires and later.key in done:
            raise PraoError("step", gettext("Ångra först steget ”%(step)s”.",
                                            step=gettext(later.label)))


def _problem_text(problem: checklist.Problem) -> str:
    params = dict(problem.params)
    if "step" in params:
        params["step"] = gettext(params["step"])
    return gettext(checklist.PROBLEMS[problem.code], **params)


# --- the region: schools × completion ----------------------------------------------------------

@dataclass(frozen=True)
class SchoolCompletion:
    school: School
    pupils: int
    done: int
    applicable: int
    overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.applicable) if self.applicable else 0


REGION_PAGE = 50  # schools per page of the region's checklist overview


def region_completion(today: date, page: int = 1,
                      per_page: int = REGION_PAGE) -> Paged[SchoolCompletion]:
    """The schools with live assignments in a current or recent period, by name, a page at
    a time: the country has some 1,400, and each page works out only its own schools'
    assignments. Four queries."""
    live = (select(Assignment.id, PraoPeriod.school_id, PraoPeriod.first_day,
                   PraoPeriod.last_day)
            .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .where(Assignment.state.in_(ACTIVE_STATES), PraoPeriod.last_day >= today - RECENT))
    with_live = (select(School).where(School.id.in_(
        live.with_only_columns(PraoPeriod.school_id).distinct().scalar_subquery()))
        .options(selectinload(School.municipality)).order_by(School.name, School.id))
    schools = paged(with_live, page, per_page, lambda row: row[0])
    if not schools.items:
        return Paged([], schools.total, schools.page, per_page)
    ours = live.where(PraoPeriod.school_id.in_([s.id for s in schools.items]))
    totals = _completion_totals(db.session.execute(ours).all(), _done_steps(ours.subquery()),
                                {s.id: s for s in schools.items}, today)
    return Paged([SchoolCompletion(s, *totals[s.id]) for s in schools.items], schools.total,
                 schools.page, per_page)


def _completion_totals(rows: Sequence[Any], done: dict[int, set[str]],
                       schools: dict[int, School], today: date) -> dict[int, list[int]]:
    """Per school: pupils, steps done, steps that apply, steps overdue."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for assignment_id, school_id, first, last in rows:
        conditions = _conditions(schools[school_id])
        mine = done.get(assignment_id, set())
        counted, applicable = checklist.completion(mine, conditions)
        overdue = sum(1 for s in checklist.steps_for(conditions)
                      if checklist.status(s, mine, today, first, last, conditions)
                      is Status.OVERDUE)
        for i, value in enumerate((1, counted, applicable, overdue)):
            totals[school_id][i] += value
    return totals


def _done_steps(live: Subquery) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for assignment_id, step in db.session.execute(
            select(StepRecord.assignment_id, StepRecord.step)
            .join(live, live.c.id == StepRecord.assignment_id)):
        found[assignment_id].add(step)
    return found
