"""The counsellor's own placing: a pupil placed by hand at an offer with a free seat, pupils
whose needs no placement covers, and the review of a pupil's own placement (the workplace
completes the risk assessment through a signed link, the counsellor approves).

Each function that changes something commits its own work; none uses request or flash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.audit import audit
from portal.clock import today
from portal.concurrency import claim
from portal.db import rows_changed, utcnow
from portal.employers.models import (
    Organisation,
    OrganisationStatus,
    Placement,
    PlacementOffer,
    PlacementStatus,
)
from portal.employers.placements.services import risk_assessment_complete
from portal.extensions import db
from portal.prao.models import ACTIVE_STATES, Assignment, AssignmentSource, AssignmentState
from portal.prao.services import (
    Actor,
    PraoError,
    email_employers,
    record_risk_assessment,
    record_step,
)
from portal.schools.models import (
    Enrolment,
    EnrolmentState,
    OwnPlacementStatus,
    PraoPeriod,
    Student,
)
from portal.schools.pupils import services as pupils
from portal.schools.services import period_is_over
from portal.weeks import monday_of

MAX_OPTIONS = 300
MAX_REASON = 1000
NOTHING_TO_REVIEW = _l("Eleven har ingen egen praoplats att granska.")


# --- offers that fit a period ---------------------------------------------------------------

def _open_offers(period: PraoPeriod) -> Select:
    """Published offers of approved employers with a free seat for the period's weeks and
    grade, whatever the pupil needs."""
    grade_ok = Placement.accepts_grade_8 if period.grade == 8 else Placement.accepts_grade_9
    return (select(PlacementOffer).join(Placement).join(Organisation)
            .where(Placement.status == PlacementStatus.PUBLISHED,
                   Organisation.status == OrganisationStatus.APPROVED, grade_ok.is_(True),
                   PlacementOffer.first_week <= monday_of(period.first_day),
                   PlacementOffer.last_week >= monday_of(period.last_day),
                   PlacementOffer.seats_taken < PlacementOffer.seats))


def _covers(needs: int) -> ColumnElement[bool]:
    return Placement.features.op("&")(needs) == needs


@dataclass(frozen=True)
class HandOption:
    offer: PlacementOffer
    covers_needs: bool
    # The placement declined this pupil before (its latest answer): shown with the day and
    # the reason, listed last, and chosen again only with a recorded reason.
    declined: Assignment | None = None


def declines(enrolment_id: int) -> dict[int, Assignment]:
    """placement id -> the pupil's latest declined assignment there."""
    found = db.session.scalars(select(Assignment).where(
        Assignment.enrolment_id == enrolment_id, Assignment.state == AssignmentState.DECLINED)
        .order_by(Assignment.decided_at, Assignment.id)).all()
    return {a.placement_id: a for a in found}


def hand_options(enrolment: Enrolment) -> list[HandOption]:
    """Offers a pupil can be placed at by hand: those covering the pupil's needs first, and
    placements that already declined the pupil last."""
    needs = enrolment.student.needs
    declined = declines(enrolment.id)
    covers = _covers(needs).label("covers")
    rows = db.session.execute(
        _open_offers(enrolment.period).add_columns(covers)
        .order_by(Placement.id.in_(list(declined)), covers.desc(), Placement.title,
                  PlacementOffer.id).limit(MAX_OPTIONS)).all()
    return [HandOption(offer, bool(fits), declined.get(offer.placement_id))
            for offer, fits in rows]


def uncovered_needs(period: PraoPeriod) -> set[int]:
    """Enrolments still needing a placement whose needs (a step-free workplace, …) no
    offer with a free seat covers: flagged before the round and after it. One query for
    the waiting pupils with needs, and one EXISTS per distinct need among them (most pupils
    need nothing: then none), instead of reading every open offer's features."""
    waiting = db.session.execute(
        select(Enrolment.id, Student.needs).join(Student, Student.id == Enrolment.student_id)
        .where(Enrolment.period_id == period.id,
               Enrolment.state == EnrolmentState.NEEDS_PLACEMENT, Student.needs != 0)).all()
    uncovered = {needs for needs in {n for _, n in waiting} if db.session.scalar(
        _open_offers(period).where(_covers(needs)).with_only_columns(PlacementOffer.id)
        .limit(1)) is None}
    return {e for e, needs in waiting if needs in uncovered}


def needs_uncovered(enrolment: Enrolment) -> bool:
    needs = enrolment.student.needs
    if enrolment.state is not EnrolmentState.NEEDS_PLACEMENT or not needs:
        return False
    found = db.session.scalar(_open_offers(enrolment.period).where(_covers(needs))
                              .with_only_columns(PlacementOffer.id).limit(1))
    return found is None


# --- placing by hand -------------------------------------------------------------------------

PERIOD_OVER = _l("Perioden är slut. En elev kan inte placeras i efterhand: lägg upp en ny "
                 "period om eleven ska göra sin prao senare.")


def place_by_hand(enrolment: Enrolment, offer_id: int, reason: str, user: User) -> Assignment:
    """A proposed MANUAL assignment: the seat is taken and the pupil leaves the queue with
    conditional updates, so two counsellors (or a round) never take the same seat or
    place the same pupil twice. A placement that does not cover the pupil's needs needs a
    recorded reason. Not once the period is over."""
    if period_is_over(enrolment.period, today()):
        raise PraoError("offer", PERIOD_OVER)
    reason = reason.strip()
    option = _fitting(enrolment, offer_id)
    if not option.covers_needs and not reason:
        raise PraoError("reason", _l("Platsen saknar något eleven behöver. Skriv varför den "
                                     "ändå fungerar, till exempel ”arbetsplatsen har "
                                     "bekräftat en ramp”."))
    if option.declined is not None and not reason:
        raise PraoError("reason", _l("Arbetsplatsen har redan tackat nej till eleven. Skriv "
                                     "varför den ska få frågan igen, till exempel ”vi har "
                                     "pratat och de kan ta emot eleven ändå”."))
    if len(reason) > MAX_REASON:
        raise PraoError("reason", _l("Högst %(max)d tecken.", max=MAX_REASON))
    _take(enrolment, option.offer)
    assignment = Assignment(enrolment_id=enrolment.id, placement_id=option.offer.placement_id,
                            offer_id=option.offer.id, source=AssignmentSource.MANUAL,
                            state=AssignmentState.PROPOSED, created_by_id=user.id,
                            placement_reason=reason)
    db.session.add(assignment)
    db.session.flush()
    record_risk_assessment(assignment)
    email_employers([assignment.id])
    audit(user, "assignment_placed_by_hand", assignment, detail=reason[:200])
    db.session.commit()
    return assignment


def _fitting(enrolment: Enrolment, offer_id: int) -> HandOption:
    needs = enrolment.student.needs
    row = db.session.execute(_open_offers(enrolment.period).add_columns(_covers(needs))
                             .where(PlacementOffer.id == offer_id)).first()
    if row is None:
        raise PraoError("offer", _l("Platsen är full eller passar inte elevens period och "
                                    "årskurs. Välj en annan."))
    return HandOption(row[0], bool(row[1]), declines(enrolment.id).get(row[0].placement_id))


def _take(enrolment: Enrolment, offer: PlacementOffer) -> None:
    left_queue = db.session.execute(
        update(Enrolment).where(Enrolment.id == enrolment.id,
                                Enrolment.state == EnrolmentState.NEEDS_PLACEMENT)
        # A refusal of an own placement is no longer the pupil's news once placed.
        .values(state=EnrolmentState.ASSIGNED, own_refusal="")
        .execution_options(synchronize_session=False))
    if rows_changed(left_queue) != 1:
        db.session.rollback()
        raise PraoError("offer", _l("Eleven har redan fått en plats."))
    taken = db.session.execute(
        update(PlacementOffer).where(PlacementOffer.id == offer.id,
                                     PlacementOffer.seats_taken < PlacementOffer.seats)
        .values(seats_taken=PlacementOffer.seats_taken + 1)
        .execution_options(synchronize_session=False))
    if rows_changed(taken) != 1:
        db.session.rollback()
        raise PraoError("offer", _l("Platsen blev full nyss. Välj en annan."))


# --- own placements -----------------------------------------------------------------------

def active_assignment(enrolment_id: int) -> Assignment | None:
    return db.session.scalars(select(Assignment).where(
        Assignment.enrolment_id == enrolment_id,
        Assignment.state.in_(ACTIVE_STATES))).first()


@dataclass(frozen=True)
class OwnRiskData:
    day_start: time
    day_end: time
    break_start: time | None
    break_minutes: int
    protective_equipment: str
    risk_hazards: str
    risk_measures: str
    risk_introduction: str
    risk_supervisor: str
    first_day_start: time | None
    first_day_ask_for: str
    bring_and_wear: str


def save_own_risk(placement: Placement, data: OwnRiskData) -> None:
    """The workplace's risk assessment for minors, confirmed now (the form demands the
    confirmation box and legal hours before it gets here)."""
    for name, value in vars(data).items():
        setattr(placement, name, value.strip() if isinstance(value, str) else value)
    placement.risk_confirmed_at = utcnow()
    audit(None, "own_placement_risk_assessed", placement,
                   detail=placement.supervisor_email)
    db.session.commit()


def approve_own(enrolment: Enrolment, user: User) -> Assignment:
    # The enrolment's row first (a write that changes nothing), as the pupil's "Ångra" and
    # the counsellor's "Godkänn inte" take it: of an approval and either, only one happens.
    if not claim(Enrolment.state, enrolment.id, EnrolmentState.OWN_PLACEMENT,
                 state=EnrolmentState.OWN_PLACEMENT):
        db.session.rollback()
        raise PraoError("own", NOTHING_TO_REVIEW)
    db.session.refresh(enrolment)
    placement = _own_placement(enrolment)
    waits = pupils.risk_link_waits_for(placement)
    if waits:  # nobody at the school or the region has vouched for the workplace yet
        db.session.rollback()
        raise PraoError("own", waits)
    if not risk_assessment_complete(placement):
        db.session.rollback()
        raise PraoError("own", _l("Arbetsplatsen har inte gjort riskbedömningen än. Skicka "
                                  "länken igen om det behövs."))
    assignment = Assignment(enrolment_id=enrolment.id, placement_id=placement.id,
                            source=AssignmentSource.OWN, state=AssignmentState.CONFIRMED,
                            decided_at=utcnow(), decided_by_id=user.id,
                            decided_by_label=user.name[:200], created_by_id=user.id)
    db.session.add(assignment)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise PraoError("own", _l("Platsen är redan godkänd.")) from None
    enrolment.wishes.clear()  # kept until now, in case the pupil took the placement back
    workplace = Actor(None, placement.supervisor_name or placement.organisation.name)
    record_step(assignment.id, "risk_assessment", workplace, placement.risk_confirmed_at)
    record_step(assignment.id, "employer_confirmed", workplace, placement.risk_confirmed_at)
    audit(user, "own_placement_approved", assignment)
    db.session.commit()
    return assignment


def reject_own(enrolment: Enrolment, reason: str, user: User) -> None:
    """The own placement does not count: the pupil goes back to the queue, with the wishes
    they have. A placement registered for it, or a request still waiting for an
    organisation the portal knows (whether or not the coordinator has approved it)."""
    reason = reason.strip()
    if not reason:
        raise PraoError("reason", _l("Skriv varför platsen inte godkänns."))
    outcome = pupils.end_own_placement(enrolment, user, reason[:MAX_REASON])
    if outcome is pupils.OwnEnd.APPROVED:
        raise PraoError("own", _l("Platsen är redan godkänd."))
    if outcome is pupils.OwnEnd.ANSWERED:
        raise PraoError("own", pupils.JUST_ANSWERED)
    if outcome is pupils.OwnEnd.NOTHING:
        raise PraoError("own", NOTHING_TO_REVIEW)
    audit(user, "own_placement_rejected", enrolment, detail=reason[:200])
    db.session.commit()


def resend_own_link(enrolment: Enrolment, user: User) -> int:
    """The risk-assessment link again, to the organisation's registered addresses (none
    before the coordinator has approved it: said instead). A double click sends it once:
    the enrolment's row is taken first (a write that changes nothing), then the outbox asked
    for the same email from the last minute. The number of addresses it went to now: 0 when
    every one of them got it within the last minute (the approval's email, or a click just
    before), which the caller has to say rather than "sent again"."""
    if not claim(Enrolment.state, enrolment.id, EnrolmentState.OWN_PLACEMENT,
                 state=EnrolmentState.OWN_PLACEMENT):
        db.session.rollback()
        raise PraoError("own", NOTHING_TO_REVIEW)
    db.session.refresh(enrolment)
    placement = _own_placement(enrolment)
    waits = pupils.risk_link_waits_for(placement)
    if waits:
        db.session.rollback()
        raise PraoError("own", waits)
    if not pupils.risk_link_addresses(placement):
        db.session.rollback()
        raise PraoError("own", _l("Arbetsplatsen har ingen e-postadress."))
    sent = pupils.send_risk_link(enrolment, placement, once=True)
    if sent:
        audit(user, "own_placement_link_sent", enrolment)
    db.session.commit()
    return len(sent)


def _own_placement(enrolment: Enrolment) -> Placement:
    if enrolment.state is not EnrolmentState.OWN_PLACEMENT:
        db.session.rollback()
        raise PraoError("own", NOTHING_TO_REVIEW)
    if enrolment.own_placement_id is None:
        # A request to an organisation the portal knows: no placement before it confirms.
        request = pupils.own_placement_request(enrolment)
        db.session.rollback()
        if request is not None and request.status is OwnPlacementStatus.PENDING:
            raise PraoError("own", pupils.request_waits_for(request))
        raise PraoError("own", NOTHING_TO_REVIEW)
    return db.session.get_one(Placement, enrolment.own_placement_id)


def own_enrolment_for(placement_id: int, enrolment_id: int) -> tuple[Placement, Enrolment]:
    """The placement and enrolment a risk-assessment link names, when they still belong
    together; None otherwise (the pupil changed plans, or the link is for another
    workplace)."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.own_placement_id != placement_id:
        raise LookupError(placement_id)
    return db.session.get_one(Placement, placement_id), enrolment
