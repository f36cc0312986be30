"""A small region for the GDPR tests: pupils whose prao ended long ago (due for the purge)
and pupils of a recent period, each with every kind of personal datum the portal holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from portal.audit import audit
from portal.extensions import db
from portal.feedback import services as feedback
from portal.feedback.models import Audience, FeedbackReminder
from portal.prao.certificates.services import attendance_of, snapshot
from portal.prao.models import (
    AssignmentState,
    AttendanceDay,
    AttendanceStatus,
    Certificate,
    FollowUp,
    FollowUpKind,
    GuardianNotice,
    Incident,
    IncidentKind,
    IncidentSeverity,
    NoticeChannel,
    StepRecord,
)
from portal.prao.services import Actor
from portal.schools.gender import Gender
from portal.schools.models import EnrolmentState, OwnPlacementRequest, Wish
from tests import factories

OLD_FIRST, OLD_LAST = date(2027, 3, 15), date(2027, 3, 19)
NEW_FIRST, NEW_LAST = date(2029, 3, 12), date(2029, 3, 16)
TODAY = datetime(2029, 6, 1, 10, 0)  # the old period ended 26 months before; the new 2.5


@dataclass
class Pupil:
    student_id: int
    enrolment_id: int
    assignment_id: int | None
    names: tuple[str, ...]  # every personal text that must be gone after a purge


@dataclass
class GdprRegion:
    old: list[Pupil]
    new: list[Pupil]
    certificate_code: str


def _pupil(period: Any, offers: list[Any], n: int, counsellor: Any, tag: str,
           gender: Gender, needs: int) -> Pupil:
    first, last = f"Förnamn{tag}{n}", f"Efternamn{tag}{n}"
    email, guardian = f"elev.{tag}{n}@skola.example.se", f"vh.{tag}{n}@hem.example.se"
    enrolment = factories.EnrolmentFactory(
        period=period, state=EnrolmentState.ASSIGNED, student__first_name=first,
        student__last_name=last, student__email=email, student__guardian_email=guardian,
        student__class_name=f"8{tag}", student__external_id=f"X-{tag}-{n}",
        student__gender=gender, student__needs=needs)
    for rank, offer in enumerate(offers[:3], start=1):
        db.session.add(Wish(enrolment=enrolment, offer=offer, rank=rank))
    assignment = factories.AssignmentFactory(
        enrolment=enrolment, offer=offers[n % len(offers)],
        placement=offers[n % len(offers)].placement, state=AssignmentState.COMPLETED,
        placement_reason=f"{first} behöver en ramp", decline_reason="")
    # Who reported through a link: a supervisor's address, gone with the pupil's data.
    supervisor = f"Handledare handledare.{tag}{n}@foretag.example.se (länk)"
    for day in range(period.first_day.day, period.last_day.day + 1):
        status = AttendanceStatus.ABSENT if day == period.last_day.day and n % 2 else \
            AttendanceStatus.PRESENT
        db.session.add(AttendanceDay(
            assignment_id=assignment.id, day=period.first_day.replace(day=day), status=status,
            start_time=time(8), end_time=time(14), break_minutes=30,
            reported_by_label=supervisor))
    db.session.add_all([
        StepRecord(assignment_id=assignment.id, step="employer_confirmed",
                   done_by_label=supervisor),
        StepRecord(assignment_id=assignment.id, step="guardians_informed",
                   done_by_id=counsellor.id),
        FollowUp(assignment_id=assignment.id, kind=FollowUpKind.CONTACT,
                 enjoys=f"{first} trivs", adjust="", tasks="Kassan", plan="Lager",
                 questions="", note=f"Ringde {first} {last}", by_id=counsellor.id),
        Incident(assignment_id=assignment.id, kind=IncidentKind.NEAR_MISS,
                 severity=IncidentSeverity.MINOR,
                 occurred_at=datetime.combine(period.first_day, time(9), tzinfo=UTC),
                 what=f"{first} halkade", injury="Inget", measures="Mattan flyttad"),
        GuardianNotice(enrolment_id=enrolment.id, assignment_id=assignment.id,
                       channel=NoticeChannel.EMAIL, email=guardian,
                       sent_at=datetime.combine(period.first_day, time(7), tzinfo=UTC)),
        factories.OutboxEmailFactory.build(recipient=email, subject=f"Hej {first}",
                                           body_text=f"Hej {first} {last}", status="sent"),
        factories.OutboxEmailFactory.build(recipient=guardian, subject=f"Om {first}",
                                           body_text=f"{first} {last} ska på prao",
                                           status="sent"),
    ])
    db.session.flush()
    db.session.add(Certificate(assignment_id=assignment.id,
                               snapshot=snapshot(assignment, attendance_of(assignment))))
    audit(counsellor, "placement_note", assignment, detail=f"{first} {last} placerad")
    db.session.flush()
    texts = _evaluations(assignment, n, first, last)
    return Pupil(enrolment.student_id, enrolment.id, assignment.id,
                 (first, last, email, guardian, f"X-{tag}-{n}",
                  f"handledare.{tag}{n}@foretag.example.se", *texts))


def _evaluations(assignment: Any, n: int, first: str, last: str) -> tuple[str, ...]:
    """Both evaluations answered (scores differ per pupil, so averages mean something),
    their reminders, and the supervisor's reminder email naming the pupil, sent the day
    after the period as the job sends it: every free text names the pupil."""
    comment, statement = f"{first} tyckte om kassan", f"{first} {last} var punktlig"
    pupil_answers = {"real_tasks": str(5 - n % 3), "learnt_job": str(1 + n % 5),
                     "safe_welcome": "5", "prepared": str(2 + n % 2), "recommend": "4",
                     "imagine_sector": str(3 + n % 3), "comment": comment}
    employer_answers = {"punctuality": str(4 + n % 2), "interest": "4",
                        "initiative": str(3 + n % 3), "cooperation": "5",
                        "school_preparation": "3", "school_contact": str(2 + n % 4),
                        "statement": statement, "again_next_term": "yes" if n % 2 else "no"}
    placement = assignment.placement
    feedback.submit(assignment, Audience.PUPIL, feedback.current_form(Audience.PUPIL),
                    pupil_answers, Actor(None, "Eleven (länk)"))
    supervisor = f"{placement.supervisor_name} (handledare, via länk)"
    feedback.submit(assignment, Audience.EMPLOYER, feedback.current_form(Audience.EMPLOYER),
                    employer_answers, Actor(None, supervisor))
    day = assignment.enrolment.period.last_day + timedelta(days=1)
    sent = datetime.combine(day, time(6), tzinfo=UTC)
    db.session.add_all([
        FeedbackReminder(assignment_id=assignment.id, audience=audience, day_number=1,
                         day=day, created_at=sent) for audience in Audience])
    db.session.add(factories.OutboxEmailFactory.build(
        recipient=placement.supervisor_email, kind="supervisor_evaluation_reminder",
        subject="Utvärdera era praoelever", status="sent", created_at=sent, sent_at=sent,
        body_text=f"- {first} {last} (Skolan), {placement.title}"))
    db.session.flush()
    return comment, statement


def _own_placement_pupil(period: Any, organisation: Any, tag: str) -> Pupil:
    first, last = f"Egen{tag}", f"Platsson{tag}"
    enrolment = factories.EnrolmentFactory(
        period=period, state=EnrolmentState.EXEMPT, exempt_reason=f"{first} är sjuk",
        own_refusal=f"{first} ska vara i skolans kök", student__first_name=first,
        student__last_name=last, student__gender=Gender.OTHER,
        student__external_id=f"X-{tag}-own")
    db.session.add(OwnPlacementRequest(
        enrolment=enrolment, organisation=organisation, workplace="Pappas firma",
        address="Hemvägen 1", city="Luleå", contact_name=f"Pappa {last}",
        contact_email=f"pappa.{tag}@hem.example.se", contact_phone="070-111 22 33",
        tasks=f"{first} hjälper till"))
    db.session.flush()
    return Pupil(enrolment.student_id, enrolment.id, None,
                 (first, last, f"{first} är sjuk", f"{first} ska vara i skolans kök",
                  f"pappa.{tag}@hem.example.se", f"Pappa {last}"))


def build(world: Any, per_period: int = 3) -> GdprRegion:
    counsellor = world.users["counsellor"]
    offers = [factories.PlacementOfferFactory(
        placement__organisation=world.organisation_a, placement__sector=sector,
        placement__title=f"Plats {sector}") for sector in ("hospitality", "retail", "health")]
    old_period = factories.PraoPeriodFactory(school=world.school_a, first_day=OLD_FIRST,
                                             last_day=OLD_LAST, name="Gammal")
    new_period = factories.PraoPeriodFactory(school=world.school_a, first_day=NEW_FIRST,
                                             last_day=NEW_LAST, name="Ny",
                                             wishes_open=date(2029, 1, 8),
                                             wishes_close=date(2029, 2, 2))
    genders = (Gender.GIRL, Gender.BOY, Gender.OTHER)
    old = [_pupil(old_period, offers, n, counsellor, "G", genders[n % 3], n % 2)
           for n in range(per_period)]
    new = [_pupil(new_period, offers, n, counsellor, "N", genders[n % 3], n % 2)
           for n in range(per_period)]
    old.append(_own_placement_pupil(old_period, world.organisation_a, "G"))
    new.append(_own_placement_pupil(new_period, world.organisation_a, "N"))
    db.session.commit()
    code = db.session.get(Certificate, _certificate_id(old[0].assignment_id)).code
    return GdprRegion(old, new, code)


def _certificate_id(assignment_id: int | None) -> int:
    from sqlalchemy import select

    return db.session.scalar(select(Certificate.id).where(
        Certificate.assignment_id == assignment_id))
