"""Matching rounds in the portal: load the pupils' wishes and the free seats, solve with the
pure engine, store every outcome with its explanation, let counsellors move pupils by hand
without ever overbooking, and publish the round as proposed assignments."""

from __future__ import annotations

import json
import random
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.audit import audit
from portal.db import bulk_insert, utcnow
from portal.employers.models import Organisation, OrganisationStatus, Placement, PlacementOffer
from portal.employers.models import PlacementStatus as PS
from portal.employers.reference import feature_codes
from portal.extensions import db
from portal.matching import engine
from portal.matching.explain import explain, moved_by_hand
from portal.matching.models import MatchingRun, MatchResult, ResultSource, RunStatus
from portal.notifications import messages
from portal.prao.models import Assignment, AssignmentSource
from portal.prao.services import email_employers
from portal.schools.models import Enrolment, EnrolmentState, PraoPeriod, School, Student, Wish
from portal.weeks import monday_of

# Documented policy choices for priority tiers (lower tier is served first).
PRIORITY_POLICIES = {
    "none": "Alla elever lika: bara lotten avgör",
    "needs_first": "Elever vars behov begränsar valen går först",
}


class MatchingError(ValueError):
    pass


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


def _period_offers(period: PraoPeriod) -> list[tuple]:
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


def _pupils(period_ids: list[int]) -> list[tuple]:
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


def _result_rows(run_id: int, data: RoundInput, result: engine.Result) -> list[dict]:
    rows = []
    for student in data.students:
        outcome = result.outcome(student.id)
        pupil = data.meta[int(student.id)]
        offer_id = int(outcome.placement) if outcome.placement else None
        source = (ResultSource.NONE if offer_id is None else ResultSource.SECOND_ROUND
                  if outcome.second_round else ResultSource.FIRST_ROUND)
        sector_wished = offer_id is not None and data.sectors[offer_id] in pupil.wished_sectors
        rows.append({"run_id": run_id, "enrolment_id": int(student.id), "offer_id": offer_id,
                     "rank": None if outcome.second_round else outcome.rank,
                     "lottery": pupil.lottery, "priority": pupil.priority,
                     "source": source.value,
                     "explanation": explain(outcome, pupil.priority, pupil.lottery,
                                            pupil.had_wishes, sector_wished)})
    return rows


def start_round(user: User, periods: list[PraoPeriod], policy: str, second: bool,
                seed: int | None = None) -> MatchingRun:
    if not periods:
        raise MatchingError("Välj minst en praoperiod.")
    if policy not in PRIORITY_POLICIES:
        raise MatchingError("Okänd förtursregel.")
    seed = draw_seed() if seed is None else seed
    data = load_round(periods, policy, seed)
    result = engine.solve(data.students, data.placements, second=second)
    run = MatchingRun(created_by_id=user.id, seed=seed, priority_policy=policy,
                      second_round=second, periods=periods,
                      stats=json.dumps(_stats(result)))
    db.session.add(run)
    db.session.flush()
    rows = _result_rows(run.id, data, result)
    if rows:
        bulk_insert(db.session, MatchResult.__table__, rows)
    audit(user, "matching_round", run, detail=f"seed={seed} policy={policy}")
    db.session.commit()
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
    taken = (select(MatchResult.offer_id, func.count().label("n"))
             .where(MatchResult.run_id == run.id, MatchResult.offer_id.is_not(None))
             .group_by(MatchResult.offer_id).subquery())
    offer_ids = set()
    for period in run.periods:
        offer_ids.update(row[0] for row in _period_offers(period))
    rows = db.session.execute(
        select(Placement.sector, func.sum(PlacementOffer.seats - PlacementOffer.seats_taken
                                          - func.coalesce(taken.c.n, 0)))
        .join(Placement).outerjoin(taken, taken.c.offer_id == PlacementOffer.id)
        .where(PlacementOffer.id.in_(offer_ids)).group_by(Placement.sector)).all()
    return {sector: int(left or 0) for sector, left in rows}


def results_page(run: MatchingRun, only_unplaced: bool, page: int, per_page: int = 50):  # noqa: ANN201
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


def move(run_id: int, result_id: int, offer_id: int | None, user: User) -> None:
    """Move one pupil by hand, never over an offer's seats, also when two people move
    pupils into the same offer at the same moment: the offer row is locked first (an
    UPDATE, which PostgreSQL turns into a row lock and SQLite into its write lock), and the
    seats are counted only after that."""
    db.session.rollback()  # the lock below must be the first statement of its transaction
    if offer_id is not None:
        locked = db.session.execute(update(PlacementOffer).where(PlacementOffer.id == offer_id)
                                    .values(seats=PlacementOffer.seats)
                                    .execution_options(synchronize_session=False))
        if locked.rowcount != 1:
            db.session.rollback()
            raise MatchingError("Platsen finns inte.")
    result = db.session.get(MatchResult, result_id)
    run = db.session.get(MatchingRun, run_id)
    try:
        _check_move(run, result, offer_id)
    except MatchingError:
        db.session.rollback()
        raise
    result.offer_id = offer_id
    wished = [w.offer_id for w in result.enrolment.wishes]
    result.rank = wished.index(offer_id) + 1 if offer_id in wished else None
    result.source = ResultSource.MANUAL if offer_id else ResultSource.NONE
    result.explanation = moved_by_hand() if offer_id else ""
    audit(user, "matching_moved", result, detail=str(offer_id))
    db.session.commit()


def _check_move(run: MatchingRun, result: MatchResult, offer_id: int | None) -> None:
    from portal.schools.pupils.services import eligible_offers_stmt

    if run is None or result is None or result.run_id != run.id:
        raise MatchingError("Eleven finns inte i rundan.")
    if run.status is not RunStatus.DRAFT:
        raise MatchingError("Rundan är redan publicerad och kan inte ändras.")
    if offer_id is None:
        return
    fits = db.session.scalar(eligible_offers_stmt(result.enrolment).with_only_columns(
        PlacementOffer.id).where(PlacementOffer.id == offer_id))
    if fits is None:
        raise MatchingError("Platsen passar inte elevens period, årskurs eller behov.")
    offer = db.session.get(PlacementOffer, offer_id)
    used = db.session.scalar(select(func.count()).select_from(MatchResult).where(
        MatchResult.run_id == run.id, MatchResult.offer_id == offer_id,
        MatchResult.id != result.id))
    if used >= offer.seats - offer.seats_taken:
        raise MatchingError("Platsen är full. Flytta först någon annan därifrån.")


def publish(run_id: int, user: User) -> int:
    """Turn the draft into proposed assignments and queue the emails, all or nothing."""
    db.session.rollback()
    run = db.session.get(MatchingRun, run_id)
    if run is None or run.status is not RunStatus.DRAFT:
        raise MatchingError("Rundan är redan publicerad eller kasserad.")
    results = db.session.scalars(select(MatchResult).where(
        MatchResult.run_id == run.id, MatchResult.offer_id.is_not(None)).options(
        selectinload(MatchResult.offer).selectinload(PlacementOffer.placement)
        .selectinload(Placement.organisation),
        selectinload(MatchResult.enrolment).selectinload(Enrolment.student))).all()
    _take_seats(Counter(r.offer_id for r in results))
    _assign(run, results)
    run.status, run.published_at = RunStatus.PUBLISHED, utcnow()
    _discard_overlapping_drafts(run)
    _notify(results)
    email_employers(db.session.scalars(select(Assignment.id).where(
        Assignment.run_id == run.id)).all())
    audit(user, "matching_published", run, detail=str(len(results)))
    db.session.commit()
    return len(results)


def _take_seats(per_offer: Counter[int]) -> None:
    for offer_id, count in sorted(per_offer.items()):  # a fixed order: no deadlocks
        taken = db.session.execute(
            update(PlacementOffer).where(PlacementOffer.id == offer_id,
                                         PlacementOffer.seats_taken + count
                                         <= PlacementOffer.seats)
            .values(seats_taken=PlacementOffer.seats_taken + count)
            .execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            db.session.rollback()
            raise MatchingError("Några platser har tagits av en annan runda sedan den här "
                                "kördes. Kör en ny runda.")


def _assign(run: MatchingRun, results: list[MatchResult]) -> None:
    for r in results:
        if r.enrolment.state is not EnrolmentState.NEEDS_PLACEMENT:
            db.session.rollback()
            raise MatchingError(f"{r.enrolment.student.full_name} har redan en plats. "
                                "Kör en ny runda.")
        source = (AssignmentSource.MANUAL if r.source is ResultSource.MANUAL
                  else AssignmentSource.MATCHING)
        db.session.add(Assignment(enrolment_id=r.enrolment_id, offer_id=r.offer_id,
                                  placement_id=r.offer.placement_id, run_id=run.id,
                                  source=source))
        r.enrolment.state = EnrolmentState.ASSIGNED


def _discard_overlapping_drafts(run: MatchingRun) -> None:
    period_ids = [p.id for p in run.periods]
    others = db.session.scalars(select(MatchingRun).where(
        MatchingRun.status == RunStatus.DRAFT, MatchingRun.id != run.id,
        MatchingRun.periods.any(PraoPeriod.id.in_(period_ids)))).all()
    for other in others:
        other.status = RunStatus.DISCARDED


def _notify(results: list[MatchResult]) -> None:
    for r in results:
        if r.enrolment.student.email:
            messages.pupil_assigned(r.enrolment.student.email, r)


def runs_for(period_ids: list[int]) -> list[MatchingRun]:
    stmt = (select(MatchingRun).where(MatchingRun.periods.any(PraoPeriod.id.in_(period_ids)))
            .order_by(MatchingRun.created_at.desc()).limit(50)
            .options(selectinload(MatchingRun.periods).selectinload(PraoPeriod.school)))
    return list(db.session.scalars(stmt))


def published_result(enrolment: Enrolment) -> MatchResult | None:
    """The pupil's outcome in a published round, for the pupil's own page."""
    stmt = (select(MatchResult).join(MatchingRun).where(
        MatchResult.enrolment_id == enrolment.id, MatchingRun.status == RunStatus.PUBLISHED)
        .order_by(MatchingRun.published_at.desc()))
    return db.session.scalars(stmt).first()

