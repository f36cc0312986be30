"""Employer confirmation: the employer (signed in) or the supervisor (through a signed
link) confirms or declines each proposed pupil, once, whoever answers first. A decline
frees the seat, puts the pupil back in the counsellor's queue and alerts the counsellor.

Each function that changes something commits its own work; none uses request or flash."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, Select, bindparam, delete, insert, select, update
from sqlalchemy.orm import contains_eager

from portal import clock
from portal.accounts.models import User, counsellor_school
from portal.audit import audit
from portal.concurrency import first_wins
from portal.db import rows_changed, utcnow
from portal.employers.models import Organisation, Placement, PlacementOffer
from portal.extensions import db
from portal.notifications import messages
from portal.prao import links
from portal.prao.models import (
    Assignment,
    AssignmentSource,
    AssignmentState,
    StepRecord,
    can_move,
)
from portal.schools.models import Enrolment, EnrolmentState, PraoPeriod, School, Student, Wish

# Answered proposals stay on the employer's list this long after the period, then drop off.
SHOWN_AFTER_PERIOD = timedelta(days=30)
MAX_REASON = 1000


class PraoError(ValueError):
    """A rule was broken; `field` names the form field the message belongs beside."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user, or someone through a signed link (a label only)."""

    user: User | None
    label: str

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user, user.name)


@dataclass(frozen=True)
class Outcome:
    """What became of a confirm or decline: `won` is False when someone else answered
    first; `state` and `by` then say what they answered."""

    won: bool
    state: AssignmentState
    by: str


# --- what the employer and the supervisor see ---------------------------------------------

def _assignments_with_pupil_and_school() -> Select[Any]:
    """Assignments joined to their placement, enrolment, pupil, period and school, each
    loaded from the same row (one of each per assignment), and the schools' counsellors in
    a second query: two queries, however many pupils. Callers filter on any of them."""
    enrolment = contains_eager(Assignment.enrolment)
    return (select(Assignment).join(Assignment.placement).join(Assignment.enrolment)
            .join(Enrolment.student).join(Enrolment.period).join(PraoPeriod.school)
            .options(contains_eager(Assignment.placement),
                     enrolment.contains_eager(Enrolment.student),
                     enrolment.contains_eager(Enrolment.period)
                     .contains_eager(PraoPeriod.school).selectinload(School.counsellors)))


@dataclass(frozen=True, slots=True)
class Counsellor:
    name: str
    email: str
    phone: str


@dataclass(frozen=True, slots=True)
class PupilCard:
    """What a pupil's card shows (prao/_pupil_cards.html): the assignment, its pupil, period,
    school and placement, and the school's active counsellors, as plain values."""

    id: int
    first_name: str
    last_name: str
    school: str
    grade: int
    first_day: date
    last_day: date
    placement_id: int
    placement_title: str
    source: AssignmentSource
    state: AssignmentState
    decided_by_label: str
    decided_at: datetime | None
    counsellors: tuple[Counsellor, ...]


def school_counsellors(school_id: int) -> tuple[Counsellor, ...]:
    """The school's active counsellors as a pupil's page names them, in one Core query of
    the three columns shown (loading them as users was most of that query's Python)."""
    return tuple(Counsellor(*row) for row in db.session.execute(
        _counsellors_statement(), {"school_id": school_id}))


@cache  # built once: a placed pupil's every page view runs it
def _counsellors_statement() -> Select[*tuple[Any, ...]]:
    active = _active_counsellors().subquery()
    return (select(active.c.name, active.c.email, active.c.phone)
            .where(active.c.school_id == bindparam("school_id")).order_by(active.c.id))


def _active_counsellors() -> Select[*tuple[Any, ...]]:
    """Each school's active counsellors (School.active_counsellors, as columns): a
    switched-off account keeps its link to the school but is nobody's contact."""
    user, link = User.__table__.c, counsellor_school.c
    return (select(link.school_id, user.id, user.name, user.email, user.phone)
            .join_from(counsellor_school, User.__table__, user.id == link.user_id)
            .where(user.active.is_(True)))


def card_of(assignment: Assignment) -> PupilCard:
    """The card of an assignment already loaded with its pupil, period, school and
    placement (a page that also acts on the assignment)."""
    period = assignment.enrolment.period
    student = assignment.enrolment.student
    return PupilCard(
        assignment.id, student.first_name, student.last_name, period.school.name,
        period.grade, period.first_day, period.last_day, assignment.placement_id,
        assignment.placement.title, assignment.source, assignment.state,
        assignment.decided_by_label, assignment.decided_at,
        tuple(Counsellor(c.name, c.email, c.phone)
              for c in period.school.active_counsellors))


def employer_assignments(organisation_id: int, today: date) -> list[PupilCard]:
    """The organisation's pupils: proposed ones to answer, and answered ones until a month
    after their period. One query of the columns the cards show (a row per pupil and active
    counsellor of the school), however many pupils: the employer's start page is read
    often, and loading the pupils, periods, schools and placements as objects was most of
    its cost."""
    return _cards(db.session.execute(
        _card_statement(),
        {"organisation_id": organisation_id, "shown_from": today - SHOWN_AFTER_PERIOD}))


@cache  # built once: the same for every organisation, its values are parameters
def _card_statement() -> Select[*tuple[Any, ...]]:
    # The tables' columns, not the mapped attributes: a Core statement skips the ORM's
    # compiling, a fifth of a small query's Python.
    assignment, placement, enrolment = (Assignment.__table__.c, Placement.__table__.c,
                                        Enrolment.__table__.c)
    student, period, school = Student.__table__.c, PraoPeriod.__table__.c, School.__table__.c
    active = _active_counsellors().subquery()
    return (select(assignment.id, student.first_name, student.last_name, school.name,
                   period.grade, period.first_day, period.last_day, placement.id,
                   placement.title, assignment.source, assignment.state,
                   assignment.decided_by_label, assignment.decided_at,
                   active.c.name, active.c.email, active.c.phone)
            .select_from(Assignment.__table__
                         .join(Placement.__table__, placement.id == assignment.placement_id)
                         .join(Enrolment.__table__, enrolment.id == assignment.enrolment_id)
                         .join(Student.__table__, student.id == enrolment.student_id)
                         .join(PraoPeriod.__table__, period.id == enrolment.period_id)
                         .join(School.__table__, school.id == period.school_id)
                         .outerjoin(active, active.c.school_id == school.id))
            .where(placement.organisation_id == bindparam("organisation_id"),
                   period.last_day >= bindparam("shown_from"))
            .order_by(period.first_day, placement.title, assignment.id, active.c.id))


def _cards(rows: Iterable[Row[*tuple[Any, ...]]]) -> list[PupilCard]:
    """One card per assignment, its counsellors gathered from its rows (in order)."""
    cards: list[PupilCard] = []
    counsellors: list[Counsellor] = []
    last: Row[*tuple[Any, ...]] | None = None
    for row in rows:
        if last is not None and row[0] != last[0]:
            cards.append(_card(last, counsellors))
            counsellors = []
        if row[13] is not None:
            counsellors.append(Counsellor(*row[13:]))
        last = row
    if last is not None:
        cards.append(_card(last, counsellors))
    return cards


def _card(row: Row[*tuple[Any, ...]], counsellors: list[Counsellor]) -> PupilCard:
    fields = (*row[:13], tuple(counsellors))  # the card's fields are the row's, in order
    return PupilCard(*fields)


def assignment_for_employer(assignment_id: int) -> Assignment | None:
    return db.session.get(Assignment, assignment_id)


def supervisor_assignments(link: links.SupervisorLink) -> list[Assignment]:
    """The link's pupils, and only those still at the link's placement: a link made for
    one workplace never shows another's pupils."""
    stmt = (_assignments_with_pupil_and_school()
            .where(Assignment.id.in_(link.assignment_ids),
                   Assignment.placement_id == link.placement_id)
            .order_by(Assignment.id))
    return list(db.session.scalars(stmt))


# --- confirm and decline, once ------------------------------------------------------------

def confirm(assignment_id: int, placement_id: int, actor: Actor) -> Outcome:
    db.session.rollback()  # a fresh transaction: the conditional update decides
    if not _decide(assignment_id, placement_id, AssignmentState.CONFIRMED, actor, ""):
        return _lost(assignment_id)
    assignment = db.session.get_one(Assignment, assignment_id)
    _record_confirmation_steps(assignment, actor)
    audit(actor.user, "assignment_confirmed", assignment, detail=actor.label)
    db.session.commit()
    return Outcome(True, AssignmentState.CONFIRMED, actor.label)


def decline(assignment_id: int, placement_id: int, reason: str, actor: Actor) -> Outcome:
    reason = reason.strip()
    if not reason:
        raise PraoError("reason", _l("Skriv varför ni tackar nej, så kan skolan hitta en "
                                     "annan plats."))
    if len(reason) > MAX_REASON:
        raise PraoError("reason", _l("Högst %(max)d tecken.", max=MAX_REASON))
    db.session.rollback()
    if not _decide(assignment_id, placement_id, AssignmentState.DECLINED, actor, reason):
        return _lost(assignment_id)
    assignment = db.session.get_one(Assignment, assignment_id)
    release(assignment)
    for email in counsellor_emails(assignment.enrolment.period.school):
        messages.assignment_declined(email, assignment)
    audit(actor.user, "assignment_declined", assignment, detail=actor.label)
    db.session.commit()
    return Outcome(True, AssignmentState.DECLINED, actor.label)


def _decide(assignment_id: int, placement_id: int, state: AssignmentState, actor: Actor,
            reason: str) -> bool:
    """One conditional UPDATE: only a still proposed assignment at this placement moves, so
    of two answers at once exactly one changes the row."""
    changed = db.session.execute(
        update(Assignment)
        .where(Assignment.id == assignment_id, Assignment.placement_id == placement_id,
               Assignment.state == AssignmentState.PROPOSED)
        .values(state=state, decided_at=utcnow(), decline_reason=reason,
                decided_by_id=actor.user.id if actor.user else None,
                decided_by_label=actor.label[:200])
        .execution_options(synchronize_session=False))
    return rows_changed(changed) == 1


def _lost(assignment_id: int) -> Outcome:
    db.session.rollback()
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        raise PraoError("assignment", _l("Eleven finns inte längre på listan."))
    db.session.refresh(assignment)
    return Outcome(False, assignment.state, assignment.decided_by_label)


def release(assignment: Assignment) -> None:
    """A declined or cancelled assignment gives back its seat and puts the pupil back in
    the queue; the pupil's wish for that offer goes too, so a new round does not propose
    the same workplace again. Conditional updates: a seat is never freed twice."""
    if assignment.offer_id is not None:
        db.session.execute(
            update(PlacementOffer)
            .where(PlacementOffer.id == assignment.offer_id, PlacementOffer.seats_taken > 0)
            .values(seats_taken=PlacementOffer.seats_taken - 1)
            .execution_options(synchronize_session=False))
        db.session.execute(delete(Wish).where(Wish.enrolment_id == assignment.enrolment_id,
                                              Wish.offer_id == assignment.offer_id))
    db.session.execute(
        update(Enrolment)
        .where(Enrolment.id == assignment.enrolment_id,
               Enrolment.state == EnrolmentState.ASSIGNED)
        .values(state=EnrolmentState.NEEDS_PLACEMENT)
        .execution_options(synchronize_session=False))
    db.session.expire_all()


def _record_confirmation_steps(assignment: Assignment, actor: Actor) -> None:
    record_step(assignment.id, "employer_confirmed", actor)
    record_risk_assessment(assignment)  # recorded on placing already: kept as it is


def record_risk_assessment(assignment: Assignment) -> None:
    """The placement's risk assessment for minors was made (and confirmed) with the
    placement itself: the checklist's first step is done for every pupil placed there from
    the moment of placing, whichever way (a published round, by hand, a confirmation),
    dated and signed as the assessment was. A placement without one records nothing."""
    placement = assignment.placement
    if placement.risk_confirmed_at is not None:
        record_step(assignment.id, "risk_assessment",
                    Actor(None, placement.organisation.name), placement.risk_confirmed_at)


def record_risk_assessments(assignments: Iterable[Assignment]) -> None:
    """`record_risk_assessment` for new assignments (no step recorded yet: a round just
    published), in one INSERT of many rows instead of one savepoint each."""
    rows = [{"assignment_id": a.id, "step": "risk_assessment",
             "done_at": a.placement.risk_confirmed_at, "done_by_id": None,
             "done_by_label": a.placement.organisation.name[:200]}
            for a in assignments if a.placement.risk_confirmed_at is not None]
    if rows:
        db.session.execute(insert(StepRecord), rows)


def lock_assignment(assignment_id: int) -> None:
    """Serialise the writers of one assignment: a no-op UPDATE as the first statement of a
    fresh transaction (a row lock on PostgreSQL, the write lock on SQLite), so a second
    click waits for the first and then sees what it did."""
    db.session.rollback()
    db.session.execute(update(Assignment).where(Assignment.id == assignment_id)
                       .values(state=Assignment.state)
                       .execution_options(synchronize_session=False))


def record_step(assignment_id: int, step: str, actor: Actor,
                at: datetime | None = None) -> StepRecord:
    """Record a checklist step as done, once: an existing record is kept, also when two
    requests record it at the same moment (the unique key keeps the first). The one way
    every part of the portal records a step (the checklist, confirmation, guardians,
    attendance, certificates)."""

    def once() -> StepRecord:
        existing = _step_record(assignment_id, step)
        if existing is not None:
            return existing
        record = StepRecord(assignment_id=assignment_id, step=step, done_at=at or utcnow(),
                            done_by_id=actor.user.id if actor.user else None,
                            done_by_label=actor.label[:200])
        db.session.add(record)
        db.session.flush()
        return record

    return first_wins(once)


def _step_record(assignment_id: int, step: str) -> StepRecord | None:
    return db.session.scalars(select(StepRecord).where(
        StepRecord.assignment_id == assignment_id, StepRecord.step == step)).first()


def counsellor_emails(school: School) -> list[str]:
    return sorted({c.email for c in school.active_counsellors if c.email})


# --- the period moves assignments on -------------------------------------------------------

def advance_states(today: date) -> int:
    """Move assignments on by the calendar: a confirmed one whose period has begun (its
    first day is today or earlier) is in progress; one in progress whose period is over
    (its last day was yesterday or earlier) is completed, so "completed" means the day after
    the last day. Proposed, declined and cancelled ones are never touched: a proposal the
    employer never answered does not become a prao. Two conditional, set-based UPDATEs,
    in the order of TRANSITIONS: a confirmed assignment of a period already over passes
    through in progress to completed in one run, and a second run (or a second server at
    the same moment) finds nothing left to move. Commits; the number of moves."""
    started = select(Enrolment.id).join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
    moved = _move_where(AssignmentState.CONFIRMED, AssignmentState.IN_PROGRESS,
                        started.where(PraoPeriod.first_day <= today))
    moved += _move_where(AssignmentState.IN_PROGRESS, AssignmentState.COMPLETED,
                         started.where(PraoPeriod.last_day < today))
    db.session.commit()
    return moved


def _move_where(old: AssignmentState, new: AssignmentState,
                enrolments: Select[int]) -> int:
    assert can_move(old, new)
    changed = db.session.execute(
        update(Assignment)
        .where(Assignment.state == old, Assignment.enrolment_id.in_(enrolments))
        .values(state=new).execution_options(synchronize_session=False))
    return rows_changed(changed)


# --- the emails on publishing -------------------------------------------------------------

def organisation_emails(organisation: Organisation) -> set[str]:
    from portal.employers.services import organisation_members

    emails = {u.email for u in organisation_members(organisation)} | {organisation.contact_email}
    return {e for e in emails if e}


def email_employers(assignment_ids: Iterable[int]) -> int:
    """Tell each organisation which pupils are proposed, and give each placement's
    supervisor a signed link to answer without an account. The caller commits."""
    db.session.flush()
    assignments = db.session.scalars(
        _assignments_with_pupil_and_school().where(Assignment.id.in_(list(assignment_ids)))
        .options(contains_eager(Assignment.placement).selectinload(Placement.organisation))
    ).all()
    by_organisation: dict[Organisation, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        by_organisation[assignment.placement.organisation].append(assignment)
    sent = 0
    for organisation, pupils in by_organisation.items():
        sent += _email_organisation(organisation, pupils)
    return sent


def _email_organisation(organisation: Organisation, pupils: list[Assignment]) -> int:
    by_placement: dict[Placement, list[Assignment]] = defaultdict(list)
    for assignment in pupils:
        by_placement[assignment.placement].append(assignment)
    members = organisation_emails(organisation)
    supervisors: dict[str, list[SupervisorLinkText]] = defaultdict(list)
    for placement, placed in by_placement.items():
        if placement.supervisor_email:
            last_day = max(a.enrolment.period.last_day for a in placed)
            supervisors[placement.supervisor_email.lower()].append(SupervisorLinkText(
                placement, links.supervisor_url(placement.id, [a.id for a in placed],
                                                last_day), last_day + links.GRACE))
    recipients = sorted(members | set(supervisors))
    for email in recipients:
        mine = supervisors.get(email.lower(), [])
        shown = pupils if email in members else [
            a for a in pupils if any(s.placement.id == a.placement_id for s in mine)]
        messages.employer_pupils_proposed(email, organisation, shown, mine,
                                          has_account=email in members)
    return len(recipients)


@dataclass(frozen=True)
class SupervisorLinkText:
    placement: Placement
    url: str
    valid_until: date


# --- the counsellor's queue ---------------------------------------------------------------

class DeclinedPupil(NamedTuple):
    """A declined proposal whose pupil waits for a new placement, as plain values."""

    period_id: int
    enrolment_id: int
    first_name: str  # the pupil's
    last_name: str
    school: str  # the school's name
    organisation: str  # the name of the organisation that declined
    reason: str


def declined_waiting(school_ids: list[int], today: date | None = None) -> list[DeclinedPupil]:
    """Declined proposals whose pupil still waits for a new placement, newest first: the
    counsellor's alerts. One query of the values shown (no objects to load)."""
    if not school_ids:
        return []
    today = today or clock.today()
    stmt = (select(Enrolment.period_id, Assignment.enrolment_id, Student.first_name,
                   Student.last_name, School.name, Organisation.name, Assignment.decline_reason)
            .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .join(Student, Student.id == Enrolment.student_id)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .join(School, School.id == PraoPeriod.school_id)
            .join(Placement, Placement.id == Assignment.placement_id)
            .join(Organisation, Organisation.id == Placement.organisation_id)
            .where(Assignment.state == AssignmentState.DECLINED,
                   Enrolment.state == EnrolmentState.NEEDS_PLACEMENT,
                   PraoPeriod.school_id.in_(school_ids), PraoPeriod.last_day >= today)
            .order_by(Assignment.decided_at.desc()).limit(50))
    return [DeclinedPupil._make(row) for row in db.session.execute(stmt)]
