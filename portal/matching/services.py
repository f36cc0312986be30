"""Matching rounds in the portal: load the pupils' wishes and the free seats, solve with the
pure engine, store every outcome with its explanation, let counsellors move pupils by hand
without ever overbooking, and publish the round as proposed assignments."""

from __future__ import annotations

import json
import random
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Row, Select, and_, bindparam, func, literal, not_, or_, select, update
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.audit import audit
from portal.db import bulk_insert, rows_changed, utcnow
from portal.employers.models import Organisation, OrganisationStatus, Placement, PlacementOffer
from portal.employers.models import PlacementStatus as PS
from portal.employers.reference import feature_codes
from portal.extensions import db
from portal.matching import engine
from portal.matching.explain import explain, moved_by_hand, no_longer_needed, removed_by_hand
from portal.matching.models import (
    MatchingRun,
    MatchResult,
    ResultSource,
    RunStatus,
    matching_run_period,
)
from portal.notifications import messages
from portal.prao.models import Assignment, AssignmentSource, AssignmentState, GuardianNotice
from portal.prao.services import (
    email_employers,
    organisation_emails,
    record_risk_assessments,
)
from portal.schools.models import Enrolment, EnrolmentState, PraoPeriod, School, Student, Wish
from portal.weeks import monday_of

# Documented policy choices for priority tiers (lower tier is served first).
PRIORITY_POLICIES = {
    "none": _l("Alla elever lika: bara lotten avgör"),
    "needs_first": _l("Elever vars behov begränsar valen går först"),
}

# A round's steps, as the form offers them and the round's page names them.
STEP_CHOICES = {
    engine.Step.FIRST: _l("Bara första omgången: platserna fördelas efter elevernas önskemål"),
    engine.Step.SECOND: _l("Första och andra omgången: den som inte fick något av sina val får "
                           "sedan en ledig plats som passar"),
}
STEP_LABELS = {
    engine.Step.FIRST: _l("bara första omgången"),
    engine.Step.SECOND: _l("första och andra omgången"),
}

STEP_SOURCES = {engine.Step.FIRST: ResultSource.FIRST_ROUND,
                engine.Step.SECOND: ResultSource.SECOND_ROUND}


class MatchingError(ValueError):
    """A rule or a race stopped the change; the message says why in the reader's language
    (a lazy string, put into words when shown)."""


class RoundChanged(MatchingError):
    """The round is no longer in the status the change needs: someone else came first."""


@dataclass(frozen=True)
class PupilMeta:
    priority: int
    lottery: int
    had_wishes: bool
    wished_sectors: frozenset[str]


@dataclass
class RoundInput:
    students: list[engine.Student]
    placements: list[engine.Placement]
    meta: dict[int, PupilMeta]
    sectors: dict[int, str]  # offer id -> sector


def draw_seed() -> int:
    return secrets.randbelow(2**31)


def lottery_numbers(enrolment_ids: list[int], seed: int) -> dict[int, int]:
    """1..N in an order drawn from the seed: the same seed always draws the same numbers."""
    order = sorted(enrolment_ids)
    # Reproducible on purpose: the seed itself is drawn with `secrets` and published.
    random.Random(seed).shuffle(order)  # noqa: S311
    return {enrolment_id: number for number, enrolment_id in enumerate(order, start=1)}


def _priority(policy: str, needs: int) -> int:
    if policy == "needs_first":
        return 0 if needs else 1
    return 0


def _period_offers(
        period: PraoPeriod) -> Sequence[Row[int, int, int, str, float | None, float | None]]:
    """Free seats that fit the period's weeks and grade (needs are the engine's check)."""
    grade_ok = Placement.accepts_grade_8 if period.grade == 8 else Placement.accepts_grade_9
    return db.session.execute(
        select(PlacementOffer.id, PlacementOffer.seats - PlacementOffer.seats_taken,
               Placement.features, Placement.sector, Placement.latitude, Placement.longitude)
        .join(Placement).join(Organisation)
        .where(Placement.status == PS.PUBLISHED, Organisation.status ==
               OrganisationStatus.APPROVED, grade_ok.is_(True),
               PlacementOffer.first_week <= monday_of(period.first_day),
               PlacementOffer.last_week >= monday_of(period.last_day))).all()


def _pupils(period_ids: list[int]) -> Sequence[Row[int, int, int, float | None, float | None]]:
    return db.session.execute(
        select(Enrolment.id, Enrolment.period_id, Student.needs, School.latitude,
               School.longitude)
        .join(Student, Student.id == Enrolment.student_id).join(School)
        .where(Enrolment.period_id.in_(period_ids),
               Enrolment.state == EnrolmentState.NEEDS_PLACEMENT)).all()


def _wishes(period_ids: list[int]) -> dict[int, list[int]]:
    rows = db.session.execute(
        select(Wish.enrolment_id, Wish.offer_id).join(Enrolment)
        .where(Enrolment.period_id.in_(period_ids)).order_by(Wish.enrolment_id, Wish.rank))
    wishes: dict[int, list[int]] = defaultdict(list)
    for enrolment_id, offer_id in rows:
        wishes[enrolment_id].append(offer_id)
    return wishes


def load_round(periods: list[PraoPeriod], policy: str, seed: int) -> RoundInput:
    """Everything the engine needs, in a number of queries bounded by the periods."""
    period_ids = [p.id for p in periods]
    placements: dict[int, engine.Placement] = {}
    sectors: dict[int, str] = {}
    fits: dict[int, frozenset[str]] = {}
    by_kind: dict[tuple, frozenset[str]] = {}  # a region has few distinct weeks and grades
    for period in periods:
        kind = (monday_of(period.first_day), monday_of(period.last_day), period.grade)
        if kind in by_kind:
            fits[period.id] = by_kind[kind]
            continue
        rows = _period_offers(period)
        fits[period.id] = by_kind[kind] = frozenset(str(r[0]) for r in rows)
        for offer_id, free, features, sector, lat, lon in rows:
            location = (lat, lon) if lat is not None and lon is not None else None
            placements[offer_id] = engine.Placement(
                str(offer_id), max(free, 0), frozenset(feature_codes(features)), sector,
                location)
            sectors[offer_id] = sector
    wishes = _wishes(period_ids)
    pupils = _pupils(period_ids)
    lottery = lottery_numbers([p[0] for p in pupils], seed)
    students, meta = [], {}
    for enrolment_id, period_id, needs, lat, lon in pupils:
        wished = [str(o) for o in wishes.get(enrolment_id, []) if str(o) in fits[period_id]]
        priority = _priority(policy, needs)
        students.append(engine.Student(
            str(enrolment_id), tuple(wished), lottery[enrolment_id], priority,
            frozenset(feature_codes(needs)),
            (lat, lon) if lat is not None and lon is not None else None, fits[period_id]))
        meta[enrolment_id] = PupilMeta(priority, lottery[enrolment_id], bool(wished),
                                       frozenset(sectors[int(o)] for o in wished))
    return RoundInput(students, list(placements.values()), meta, sectors)


def _result_rows(run_id: int, data: RoundInput, result: engine.Result,
                 last_step: engine.Step) -> list[dict]:
    rows = []
    for student in data.students:
        outcome = result.outcome(student.id)
        pupil = data.meta[int(student.id)]
        offer_id = int(outcome.placement) if outcome.placement else None
        source = ResultSource.NONE if outcome.step is None else STEP_SOURCES[outcome.step]
        sector_wished = offer_id is not None and data.sectors[offer_id] in pupil.wished_sectors
        rows.append({"run_id": run_id, "enrolment_id": int(student.id), "offer_id": offer_id,
                     "rank": outcome.rank if outcome.step is engine.Step.FIRST else None,
                     "lottery": pupil.lottery, "priority": pupil.priority,
                     "source": source.value,
                     "explanation": explain(outcome, pupil.priority, pupil.lottery,
                                            pupil.had_wishes, sector_wished,
                                            second_step=last_step is engine.Step.SECOND)})
    return rows


def start_round(user: User, periods: list[PraoPeriod], policy: str, last_step: engine.Step,
                seed: int | None = None) -> MatchingRun:
    run = _new_run(user, periods, policy, last_step, seed)
    db.session.commit()
    return run


def _new_run(user: User, periods: list[PraoPeriod], policy: str, last_step: engine.Step,
             seed: int | None) -> MatchingRun:
    if not periods:
        raise MatchingError(_l("Välj minst en praoperiod."))
    if policy not in PRIORITY_POLICIES:
        raise MatchingError(_l("Okänd förtursregel."))
    seed = draw_seed() if seed is None else seed
    data = load_round(periods, policy, seed)
    result = engine.solve(data.students, data.placements, last_step=last_step)
    run = MatchingRun(created_by_id=user.id, seed=seed, priority_policy=policy,
                      last_step=last_step, periods=periods,
                      stats=json.dumps(_stats(result)))
    db.session.add(run)
    db.session.flush()
    rows = _result_rows(run.id, data, result, last_step)
    if rows:
        bulk_insert(db.session, MatchResult.__table__, rows)
    audit(user, "matching_round", run, detail=f"seed={seed} policy={policy}")
    return run


def _stats(result: engine.Result) -> dict:
    stats = result.stats
    return {"placed": stats.placed, "unplaced": stats.unplaced,
            "by_rank": {str(k): v for k, v in stats.by_rank.items()},
            "second_round": stats.second_round}


def stats(run: MatchingRun) -> dict:
    """The run's figures as they are now, manual moves included."""
    rows = db.session.execute(
        select(MatchResult.source, MatchResult.rank, func.count())
        .where(MatchResult.run_id == run.id)
        .group_by(MatchResult.source, MatchResult.rank)).all()
    by_rank: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for source, rank, count in rows:
        counts[source.value] += count
        if source is ResultSource.FIRST_ROUND and rank:
            by_rank[str(rank)] += count
    placed = sum(v for k, v in counts.items() if k != ResultSource.NONE.value)
    return {"placed": placed, "unplaced": counts[ResultSource.NONE.value],
            "by_rank": dict(sorted(by_rank.items())), "second_round": counts["second_round"],
            "manual": counts["manual"]}


def seats_left_by_sector(run: MatchingRun) -> dict[str, int]:
    """Seats left per sector once the round's results take theirs. A published round's
    results are in seats_taken already: counted again they made the seats left negative."""
    taken = (select(MatchResult.offer_id, func.count().label("n"))
             .where(MatchResult.run_id == run.id, MatchResult.offer_id.is_not(None))
             .group_by(MatchResult.offer_id).subquery())
    offer_ids: set[int] = set()
    for period in run.periods:
        offer_ids.update(row[0] for row in _period_offers(period))
    own = literal(0) if run.status is RunStatus.PUBLISHED else func.coalesce(taken.c.n, 0)
    rows = db.session.execute(
        select(Placement.sector, func.sum(PlacementOffer.seats - PlacementOffer.seats_taken
                                          - own))
        .join(Placement).outerjoin(taken, taken.c.offer_id == PlacementOffer.id)
        .where(PlacementOffer.id.in_(offer_ids)).group_by(Placement.sector)).all()
    return {sector: int(left or 0) for sector, left in rows}


def results_page(run: MatchingRun, only_unplaced: bool, page: int,
                 per_page: int = 50) -> Pagination:
    stmt = (select(MatchResult).where(MatchResult.run_id == run.id)
            .join(Enrolment).join(Student)
            .order_by(Student.class_name, Student.last_name, Student.first_name)
            .options(selectinload(MatchResult.enrolment).selectinload(Enrolment.student),
                     selectinload(MatchResult.offer).selectinload(PlacementOffer.placement)
                     .selectinload(Placement.organisation)))
    if only_unplaced:
        stmt = stmt.where(MatchResult.offer_id.is_(None))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def move_options(run: MatchingRun, result: MatchResult) -> list[tuple[PlacementOffer, int]]:
    """Offers that fit the pupil and still have a seat in this round, with seats left."""
    from portal.schools.pupils.services import eligible_offers_stmt

    taken = dict(db.session.execute(
        select(MatchResult.offer_id, func.count()).where(
            MatchResult.run_id == run.id, MatchResult.offer_id.is_not(None))
        .group_by(MatchResult.offer_id)).all())
    offers = db.session.scalars(eligible_offers_stmt(result.enrolment).options(
        selectinload(PlacementOffer.placement).selectinload(Placement.organisation))
        .order_by(PlacementOffer.id)).all()
    options = [(o, o.seats - o.seats_taken - taken.get(o.id, 0)) for o in offers]
    return [(o, left) for o, left in options if left > 0 or o.id == result.offer_id]


# --- changing a draft, publishing, withdrawing: one run at a time -------------------------
#
# Every change to a round starts its transaction by locking the run's row (SELECT ... FOR
# UPDATE on PostgreSQL; on SQLite the writing transaction holds the database's write lock)
# and then reads the run's status and results afresh: of two people changing one round at
# the same moment, the second waits, sees what the first did, and is told. Locks are taken
# in one order everywhere, runs, then offers, then enrolments, so two changes never wait for
# each other in a circle.

# What the loser of a race (or a click on a page gone stale) is told.
DRAFT_CHANGED = {
    RunStatus.PUBLISHED: _l("Rundan har publicerats – ändringen sparades inte."),
    RunStatus.DISCARDED: _l("Rundan har kasserats – ändringen sparades inte."),
}
NOT_A_DRAFT = {
    RunStatus.PUBLISHED: _l("Rundan är publicerad och kan inte ändras."),
    RunStatus.DISCARDED: _l("Rundan är kasserad och kan inte ändras."),
}
PUBLISH_REFUSED = {
    RunStatus.PUBLISHED: _l("Rundan är redan publicerad."),
    RunStatus.DISCARDED: _l("Rundan har kasserats och kan inte publiceras."),
}
WITHDRAW_REFUSED = {
    RunStatus.DRAFT: _l("Rundan är inte publicerad längre – den har redan dragits tillbaka."),
    RunStatus.DISCARDED: _l("Rundan har kasserats och kan inte dras tillbaka."),
}


def _lock_run(run_id: int, expected: RunStatus, refusals: dict[RunStatus, Any]) -> MatchingRun:
    """The run, locked until the commit, in the status it has now; the caller's transaction
    must begin here (call db.session.rollback() first), so that nothing read before the lock
    is used after it."""
    run = db.session.scalars(select(MatchingRun).where(MatchingRun.id == run_id)
                             .with_for_update()
                             .execution_options(populate_existing=True)).first()
    if run is None:
        db.session.rollback()
        raise MatchingError(_l("Rundan finns inte."))
    if run.status is not expected:
        db.session.rollback()
        raise RoundChanged(refusals[run.status])
    return run


def move(run_id: int, result_id: int, offer_id: int | None, user: User) -> None:
    """Move one pupil by hand, never over an offer's seats. Moves and publishing lock the run
    first, so the seats are counted on results nobody else is changing."""
    db.session.rollback()
    run = _lock_run(run_id, RunStatus.DRAFT, DRAFT_CHANGED)
    try:
        result = _check_move(run, db.session.get(MatchResult, result_id), offer_id)
    except MatchingError:
        db.session.rollback()
        raise
    result.offer_id = offer_id
    wished = [w.offer_id for w in result.enrolment.wishes]
    result.rank = wished.index(offer_id) + 1 if offer_id in wished else None
    result.source = ResultSource.MANUAL if offer_id else ResultSource.NONE
    result.explanation = moved_by_hand() if offer_id else removed_by_hand()
    audit(user, "matching_moved", result, detail=str(offer_id))
    db.session.commit()


def _check_move(run: MatchingRun, result: MatchResult | None,
                offer_id: int | None) -> MatchResult:
    from portal.schools.pupils.services import eligible_offers_stmt

    if result is None or result.run_id != run.id:
        raise MatchingError(_l("Eleven finns inte i rundan."))
    if offer_id is None:
        return result
    fits = db.session.scalar(eligible_offers_stmt(result.enrolment).with_only_columns(
        PlacementOffer.id).where(PlacementOffer.id == offer_id))
    if fits is None:
        raise MatchingError(_l("Platsen passar inte elevens period, årskurs eller behov."))
    offer = db.session.get(PlacementOffer, offer_id)
    used = db.session.scalar(select(func.count()).select_from(MatchResult).where(
        MatchResult.run_id == run.id, MatchResult.offer_id == offer_id,
        MatchResult.id != result.id)) or 0
    if offer is None or used >= offer.seats - offer.seats_taken:
        raise MatchingError(_l("Platsen är full. Flytta först någon annan därifrån."))
    return result


def discard(run_id: int, user: User) -> None:
    """Throw a draft away; it can never be published."""
    db.session.rollback()
    run = _lock_run(run_id, RunStatus.DRAFT, DRAFT_CHANGED)
    run.status = RunStatus.DISCARDED
    audit(user, "matching_discarded", run)
    db.session.commit()


def rerun(run_id: int, user: User) -> MatchingRun:
    """Run the draft's round again on today's wishes and seats, with the same periods, rule,
    steps and seed; the new draft replaces the old one (moves by hand are not carried over)."""
    db.session.rollback()
    old = _lock_run(run_id, RunStatus.DRAFT, DRAFT_CHANGED)
    run = _new_run(user, list(old.periods), old.priority_policy, old.last_step, old.seed)
    old.status = RunStatus.DISCARDED
    db.session.commit()
    return run


@dataclass(frozen=True)
class PublishPlan:
    """What publishing the draft now would do: the confirmation page's summary."""

    placed: int  # pupils who get a proposed assignment
    unplaced: int
    skipped: int  # placed in the draft, but no longer needing a place (own placement, exempt)
    pupil_emails: int
    employer_emails: int

    @property
    def emails(self) -> int:
        return self.pupil_emails + self.employer_emails


def _still_needs() -> Any:
    return Enrolment.state == EnrolmentState.NEEDS_PLACEMENT


def publish_plan(run: MatchingRun) -> PublishPlan:
    placed = and_(MatchResult.offer_id.is_not(None), _still_needs())
    has_email = func.coalesce(Student.email, "") != ""
    counts = db.session.execute(
        select(func.count().filter(placed),
               func.count().filter(MatchResult.offer_id.is_(None)),
               func.count().filter(MatchResult.offer_id.is_not(None), not_(_still_needs())),
               func.count().filter(placed, has_email))
        .select_from(MatchResult).join(Enrolment).join(Student)
        .where(MatchResult.run_id == run.id)).one()
    placements = db.session.scalars(
        select(Placement).where(Placement.id.in_(
            select(PlacementOffer.placement_id)
            .join(MatchResult, MatchResult.offer_id == PlacementOffer.id).join(Enrolment)
            .where(MatchResult.run_id == run.id, placed)))
        .options(selectinload(Placement.organisation))).all()
    employer_emails = len(_employer_recipients(placements))
    return PublishPlan(counts[0], counts[1], counts[2], counts[3], employer_emails)


@dataclass(frozen=True)
class Published:
    placed: int
    skipped: int
    emails: int


def publish(run_id: int, user: User) -> Published:
    """Turn the draft into proposed assignments and queue the emails, all or nothing.

    Everything is built from the state after the locks: the run's results as they are then,
    and only pupils who still need a place. A pupil who registered an own placement (or was
    made exempt) meanwhile is skipped and keeps it; see `_claim_enrolments`."""
    db.session.rollback()
    run, overlapping = _lock_for_publish(run_id)
    claimed = _claim_enrolments(run)
    results = db.session.scalars(select(MatchResult).where(
        MatchResult.run_id == run.id, MatchResult.offer_id.is_not(None)).options(
        selectinload(MatchResult.offer).selectinload(PlacementOffer.placement)
        .selectinload(Placement.organisation),
        selectinload(MatchResult.enrolment).selectinload(Enrolment.student))).all()
    placed = [r for r in results if r.enrolment_id in claimed]
    skipped = [r for r in results if r.enrolment_id not in claimed]
    _take_seats(Counter(r.offer_id for r in placed if r.offer_id is not None))
    _assign(run, placed)
    for r in skipped:  # the round as published says what really happened to them
        r.offer_id, r.rank, r.source = None, None, ResultSource.NONE
        r.explanation = no_longer_needed()
    run.status, run.published_at = RunStatus.PUBLISHED, utcnow()
    for other in overlapping:
        if other.status is RunStatus.DRAFT:
            other.status = RunStatus.DISCARDED
    db.session.flush()
    assigned = db.session.scalars(select(Assignment).where(Assignment.run_id == run.id).options(
        selectinload(Assignment.placement).selectinload(Placement.organisation))).all()
    record_risk_assessments(assigned)
    emails = _notify(placed) + email_employers([a.id for a in assigned])
    audit(user, "matching_published", run, detail=str(len(placed)))
    db.session.commit()
    return Published(len(placed), len(skipped), emails)


def _lock_for_publish(run_id: int) -> tuple[MatchingRun, list[MatchingRun]]:
    """The run and every other run over one of its periods, locked in id order: publishing
    discards the other drafts, and two rounds over one period published at once must not
    each lock its own run and then wait for the other's."""
    own_periods = select(matching_run_period.c.period_id).where(
        matching_run_period.c.run_id == run_id)
    overlapping = select(matching_run_period.c.run_id).where(
        matching_run_period.c.period_id.in_(own_periods))
    runs = db.session.scalars(select(MatchingRun).where(
        or_(MatchingRun.id == run_id, MatchingRun.id.in_(overlapping)))
        .order_by(MatchingRun.id).with_for_update()
        .execution_options(populate_existing=True)).all()
    run = next((r for r in runs if r.id == run_id), None)
    if run is None:
        db.session.rollback()
        raise MatchingError(_l("Rundan finns inte."))
    if run.status is not RunStatus.DRAFT:
        db.session.rollback()
        raise RoundChanged(PUBLISH_REFUSED[run.status])
    return run, [r for r in runs if r.id != run_id]


def _claim_enrolments(run: MatchingRun) -> set[int]:
    """Mark the run's placed pupils assigned, only those who still need a place, in one
    conditional update. A pupil registering an own placement claims the same row the same
    way (portal.schools.pupils.services.register_own_placement): whichever commits first wins, and
    the other's update, having waited for that row, finds the state changed and skips it."""
    placed = select(MatchResult.enrolment_id).where(MatchResult.run_id == run.id,
                                                    MatchResult.offer_id.is_not(None))
    claimed = db.session.execute(
        update(Enrolment).where(Enrolment.id.in_(placed), _still_needs())
        .values(state=EnrolmentState.ASSIGNED, own_refusal="").returning(Enrolment.id)
        .execution_options(synchronize_session=False))
    return set(claimed.scalars())


def _take_seats(per_offer: Counter[int]) -> None:
    for offer_id, count in sorted(per_offer.items()):  # a fixed order: no deadlocks
        taken = db.session.execute(
            update(PlacementOffer).where(PlacementOffer.id == offer_id,
                                         PlacementOffer.seats_taken + count
                                         <= PlacementOffer.seats)
            .values(seats_taken=PlacementOffer.seats_taken + count)
            .execution_options(synchronize_session=False))
        if rows_changed(taken) != 1:
            db.session.rollback()
            raise MatchingError(_l("Några platser har tagits av en annan runda sedan den här "
                                   "kördes. Kör om rundan."))


def _assign(run: MatchingRun, results: list[MatchResult]) -> None:
    for r in results:
        assert r.offer is not None, "publish() passes only results with a seat"
        source = (AssignmentSource.MANUAL if r.source is ResultSource.MANUAL
                  else AssignmentSource.MATCHING)
        db.session.add(Assignment(enrolment_id=r.enrolment_id, offer_id=r.offer_id,
                                  placement_id=r.offer.placement_id, run_id=run.id,
                                  source=source))


def _notify(results: list[MatchResult]) -> int:
    """The pupils' emails; the employers' come from portal.prao.services.email_employers."""
    sent = 0
    for r in results:
        if r.enrolment.student.email:
            messages.pupil_assigned(r.enrolment.student.email, r)
            sent += 1
    return sent


def _employer_recipients(placements: Iterable[Placement]
                         ) -> list[tuple[Organisation, str, set[int]]]:
    """Who hears about pupils proposed to these placements, chosen as
    portal.prao.services.email_employers chooses them, one email per organisation and
    address: (organisation, address, the placements the address hears about). An
    organisation's users and contact address hear about all of its placements, a
    placement's supervisor about that placement."""
    by_organisation: dict[Organisation, list[Placement]] = defaultdict(list)
    for placement in placements:
        by_organisation[placement.organisation].append(placement)
    found = []
    for organisation, own in by_organisation.items():
        members = organisation_emails(organisation)
        supervised: dict[str, set[int]] = defaultdict(set)
        for placement in own:
            if placement.supervisor_email:
                supervised[placement.supervisor_email.lower()].add(placement.id)
        for email in sorted(members | set(supervised)):
            shown = {p.id for p in own} if email in members else supervised[email]
            found.append((organisation, email, shown))
    return found


@dataclass(frozen=True)
class WithdrawPlan:
    """What withdrawing the published round would do, or why it cannot."""

    assignments: int
    acted: int  # assignments an employer has answered (confirmed, declined, ...)
    pupil_emails: int
    employer_emails: int

    @property
    def allowed(self) -> bool:
        return self.acted == 0

    @property
    def emails(self) -> int:
        return self.pupil_emails + self.employer_emails


def withdraw_plan(run: MatchingRun) -> WithdrawPlan:
    proposed = Assignment.state == AssignmentState.PROPOSED
    counts = db.session.execute(
        select(func.count(), func.count().filter(not_(proposed)),
               func.count().filter(func.coalesce(Student.email, "") != ""))
        .select_from(Assignment).join(Enrolment).join(Student)
        .where(Assignment.run_id == run.id)).one()
    placements = db.session.scalars(
        select(Placement).where(Placement.id.in_(
            select(Assignment.placement_id).where(Assignment.run_id == run.id)))
        .options(selectinload(Placement.organisation))).all()
    employer_emails = len(_employer_recipients(placements))
    return WithdrawPlan(counts[0], counts[1], counts[2], employer_emails)


def withdraw(run_id: int, user: User) -> int:
    """Take a published round back while no employer has answered any of its proposals:
    the seats are freed, the proposed assignments deleted (or cancelled, where a letter to
    the guardians keeps them on record), the pupils need a place again,
    the round is a draft again, and every employer (and pupil) concerned is told. Returns
    the number of assignments withdrawn."""
    db.session.rollback()
    run = _lock_run(run_id, RunStatus.PUBLISHED, WITHDRAW_REFUSED)
    # Locked too: an employer confirming at this moment either comes first (and the round
    # stays) or finds the assignment gone.
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.run_id == run.id).order_by(Assignment.id)
        .with_for_update().execution_options(populate_existing=True)
        .options(selectinload(Assignment.enrolment).selectinload(Enrolment.student),
                 selectinload(Assignment.enrolment).selectinload(Enrolment.period),
                 selectinload(Assignment.placement).selectinload(Placement.organisation))).all()
    if any(a.state is not AssignmentState.PROPOSED for a in assignments):
        db.session.rollback()
        raise MatchingError(_l("En arbetsgivare har redan svarat på ett förslag i rundan, så "
                               "den kan inte dras tillbaka."))
    _release_seats(Counter(a.offer_id for a in assignments if a.offer_id is not None))
    db.session.execute(
        update(Enrolment).where(Enrolment.id.in_(select(Assignment.enrolment_id).where(
            Assignment.run_id == run.id)), Enrolment.state == EnrolmentState.ASSIGNED)
        .values(state=EnrolmentState.NEEDS_PLACEMENT)
        .execution_options(synchronize_session=False))
    _notify_withdrawn(assignments)  # rendered now, while the assignments exist
    _remove_withdrawn(assignments, user)
    run.status, run.published_at = RunStatus.DRAFT, None
    audit(user, "matching_withdrawn", run, detail=str(len(assignments)))
    db.session.commit()
    return len(assignments)


def _remove_withdrawn(assignments: Sequence[Assignment], user: User) -> None:
    """A proposal nobody wrote to the guardians about goes without a trace (with any notice
    never sent). One whose guardians have had a letter (sent or acknowledged) stays as a
    cancelled assignment outside the round, so the letter stays on record with what it
    was about; the pupil is free for a new placement either way."""
    sent = set(db.session.scalars(select(GuardianNotice.assignment_id).where(
        GuardianNotice.assignment_id.in_([a.id for a in assignments]),
        or_(GuardianNotice.sent_at.is_not(None), GuardianNotice.acknowledged_at.is_not(None)))))
    for assignment in assignments:
        if assignment.id not in sent:
            db.session.delete(assignment)
            continue
        assignment.state, assignment.run_id = AssignmentState.CANCELLED, None
        assignment.decided_at, assignment.decided_by_id = utcnow(), user.id
        assignment.decided_by_label = user.name[:200]


def _release_seats(per_offer: Counter[int]) -> None:
    for offer_id, count in sorted(per_offer.items()):  # the same order as _take_seats
        freed = db.session.execute(
            update(PlacementOffer).where(PlacementOffer.id == offer_id,
                                         PlacementOffer.seats_taken >= count)
            .values(seats_taken=PlacementOffer.seats_taken - count)
            .execution_options(synchronize_session=False))
        if rows_changed(freed) != 1:
            db.session.rollback()
            raise MatchingError(_l("Platserna stämmer inte med rundan, så den drogs inte "
                                   "tillbaka. Kontakta samordnaren."))


def _notify_withdrawn(assignments: Sequence[Assignment]) -> None:
    """Everyone who heard of the proposals hears they are withdrawn."""
    for a in assignments:
        if a.enrolment.student.email:
            messages.pupil_proposal_withdrawn(a.enrolment.student.email, a)
    placements = {a.placement for a in assignments}
    for organisation, email, shown in _employer_recipients(placements):
        messages.employer_proposal_withdrawn(
            email, organisation, [a for a in assignments if a.placement_id in shown])


def runs_for(period_ids: list[int]) -> list[MatchingRun]:
    stmt = (select(MatchingRun).where(MatchingRun.periods.any(PraoPeriod.id.in_(period_ids)))
            .order_by(MatchingRun.created_at.desc()).limit(50)
            .options(selectinload(MatchingRun.periods).selectinload(PraoPeriod.school)))
    return list(db.session.scalars(stmt))


def published_results(enrolment: Enrolment) -> list[MatchResult]:
    """The pupil's results in published rounds, the latest round's first: the first is the
    pupil's outcome, for the pupil's own page."""
    return list(db.session.scalars(_published_results(), {"enrolment": enrolment.id}))


@cache
def _published_results() -> Select:
    """Built once: every pupil page runs it."""
    return (select(MatchResult).join(MatchingRun).where(
        MatchResult.enrolment_id == bindparam("enrolment"),
        MatchingRun.status == RunStatus.PUBLISHED).order_by(MatchingRun.published_at.desc()))

