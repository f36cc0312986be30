"""The coordinator's audit log (filtered, newest first, paged by id) and the register
extract: every personal datum the portal holds about one pupil, collected once for both
the PDF and the JSON file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.audit import AuditEvent, audit_read
from portal.clock import STOCKHOLM
from portal.employers.models import Organisation, Placement, PlacementOffer
from portal.extensions import db
from portal.feedback import questions as q
from portal.feedback.models import Audience, FeedbackReminder, FeedbackResponse
from portal.matching.models import MatchingRun, MatchResult
from portal.notifications.models import OutboxEmail
from portal.prao.models import (
    Assignment,
    AttendanceAlert,
    AttendanceDay,
    AttendanceReport,
    Certificate,
    FollowUp,
    GuardianNotice,
    Incident,
    StepRecord,
)
from portal.privacy.actions import school_ids
from portal.schools.models import (
    Enrolment,
    OwnPlacementRequest,
    PraoPeriod,
    School,
    Student,
    Wish,
)

PER_PAGE = 50


# --- the audit log ------------------------------------------------------------------------

@dataclass(frozen=True)
class LogFilter:
    student_id: int | None = None
    user_email: str = ""
    first_day: date | None = None
    last_day: date | None = None
    before_id: int | None = None  # the page: events older than this one


@dataclass
class LogPage:
    rows: list[tuple[AuditEvent, User | None]]
    next_before: int | None  # None on the last page
    unknown_user: bool = False
    # The address of each account an event on the page is about (object_id -> email).
    accounts: dict[str, str] = field(default_factory=dict)
    # The name of each school an event's details name by id (school id -> name).
    schools: dict[int, str] = field(default_factory=dict)


def _conditions(wanted: LogFilter) -> tuple[list[ColumnElement[bool]], bool]:
    where: list[ColumnElement[bool]] = []
    if wanted.student_id is not None:
        where.append(AuditEvent.student_id == wanted.student_id)
    if wanted.user_email:
        user_id = db.session.scalar(select(User.id).where(
            User.email == wanted.user_email.strip().lower()))
        if user_id is None:
            return where, True
        where.append(AuditEvent.user_id == user_id)
    if wanted.first_day is not None:
        where.append(AuditEvent.at >= datetime.combine(wanted.first_day, time(),
                                                       tzinfo=STOCKHOLM))
    if wanted.last_day is not None:
        where.append(AuditEvent.at < datetime.combine(
            date.fromordinal(wanted.last_day.toordinal() + 1), time(), tzinfo=STOCKHOLM))
    if wanted.before_id is not None:
        where.append(AuditEvent.id < wanted.before_id)
    return where, False


def audit_log(wanted: LogFilter) -> LogPage:
    """One page of events, newest first. Paged by id (keyset), not by OFFSET, and without a
    total count: page 1,000 costs what page 1 costs on millions of rows."""
    where, unknown = _conditions(wanted)
    if unknown:
        return LogPage([], None, unknown_user=True)
    found = db.session.execute(
        select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.user_id)
        .where(*where).order_by(AuditEvent.id.desc()).limit(PER_PAGE + 1)).all()
    rows: list[tuple[AuditEvent, User | None]] = [(event, user)
                                                  for event, user in found[:PER_PAGE]]
    more = len(found) > PER_PAGE
    events = [event for event, _user in rows]
    return LogPage(rows, rows[-1][0].id if more and rows else None,
                   accounts=_accounts_named(events), schools=_schools_named(events))


def _accounts_named(events: list[AuditEvent]) -> dict[str, str]:
    ids = {int(e.object_id) for e in events if e.object_type == "User" and e.object_id.isdigit()}
    if not ids:
        return {}
    return {str(uid): email for uid, email in db.session.execute(
        select(User.id, User.email).where(User.id.in_(ids)))}


def _schools_named(events: list[AuditEvent]) -> dict[int, str]:
    ids = {school_id for event in events if event.detail
           for school_id in school_ids(event.detail)}
    if not ids:
        return {}
    return {school_id: name for school_id, name in db.session.execute(
        select(School.id, School.name).where(School.id.in_(ids)))}


# --- the register extract ------------------------------------------------------------------

Row = dict[str, Any]


@dataclass
class Extract:
    student: Student
    made_at: datetime
    sections: dict[str, list[Row]] = field(default_factory=dict)


def _rows(stmt: Any) -> list[Row]:
    return [dict(row._mapping) for row in db.session.execute(stmt)]


def _student_row(student: Student) -> Row:
    return {
        "first_name": student.first_name, "last_name": student.last_name,
        "school": student.school.name, "class_name": student.class_name,
        "grade": student.grade, "gender": student.gender.value, "needs": student.needs,
        "email": student.email, "guardian_email": student.guardian_email or "",
        "external_id": student.external_id, "created_at": student.created_at,
        "missing_since": student.missing_since, "purged_at": student.purged_at,
    }


def _placing(student_id: int) -> dict[str, list[Row]]:
    enrolments = select(Enrolment.id).where(Enrolment.student_id == student_id)
    assignments = select(Assignment.id).where(Assignment.enrolment_id.in_(enrolments))
    return {
        "enrolments": _rows(
            select(PraoPeriod.name.label("period"), PraoPeriod.first_day, PraoPeriod.last_day,
                   Enrolment.state, Enrolment.exempt_reason, Enrolment.own_refusal,
                   Enrolment.link_revoked)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .where(Enrolment.student_id == student_id).order_by(PraoPeriod.first_day)),
        "match_results": _match_results(enrolments),
        "wishes": _rows(
            select(PraoPeriod.name.label("period"), Wish.rank,
                   Placement.title.label("placement"), Organisation.name.label("organisation"),
                   PlacementOffer.first_week, PlacementOffer.last_week)
            .join(Enrolment, Enrolment.id == Wish.enrolment_id)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .join(PlacementOffer, PlacementOffer.id == Wish.offer_id)
            .join(Placement, Placement.id == PlacementOffer.placement_id)
            .join(Organisation, Organisation.id == Placement.organisation_id)
            .where(Enrolment.student_id == student_id)
            .order_by(PraoPeriod.first_day, Wish.rank)),
        "own_placements": _rows(
            select(OwnPlacementRequest.workplace, OwnPlacementRequest.address,
                   OwnPlacementRequest.city, OwnPlacementRequest.contact_name,
                   OwnPlacementRequest.contact_email, OwnPlacementRequest.contact_phone,
                   OwnPlacementRequest.tasks, OwnPlacementRequest.status,
                   OwnPlacementRequest.created_at)
            .where(OwnPlacementRequest.enrolment_id.in_(enrolments))),
        "assignments": _rows(
            select(Placement.title.label("placement"), Organisation.name.label("organisation"),
                   Assignment.state, Assignment.source, Assignment.created_at,
                   Assignment.decided_at, Assignment.decline_reason,
                   Assignment.placement_reason)
            .join(Placement, Placement.id == Assignment.placement_id)
            .join(Organisation, Organisation.id == Placement.organisation_id)
            .where(Assignment.id.in_(assignments)).order_by(Assignment.id)),
        "attendance": _rows(
            select(AttendanceDay.day, AttendanceDay.status, AttendanceDay.start_time,
                   AttendanceDay.end_time, AttendanceDay.break_minutes, AttendanceDay.excused,
                   AttendanceDay.reported_by_label, AttendanceDay.reported_at)
            .where(AttendanceDay.assignment_id.in_(assignments)).order_by(AttendanceDay.day)),
        "attendance_reports": _rows(
            select(AttendanceReport.day, AttendanceReport.status, AttendanceReport.start_time,
                   AttendanceReport.end_time, AttendanceReport.break_minutes,
                   AttendanceReport.reported_by_label, AttendanceReport.reported_at)
            .where(AttendanceReport.assignment_id.in_(assignments))
            .order_by(AttendanceReport.day, AttendanceReport.id)),
        "attendance_alerts": _rows(
            select(AttendanceAlert.day, AttendanceAlert.kind, AttendanceAlert.sent_at,
                   AttendanceAlert.guardian_sent_at)
            .where(AttendanceAlert.assignment_id.in_(assignments))
            .order_by(AttendanceAlert.day, AttendanceAlert.id)),
        "steps": _rows(
            select(StepRecord.step, StepRecord.done_at, StepRecord.done_by_label)
            .where(StepRecord.assignment_id.in_(assignments)).order_by(StepRecord.done_at)),
        "follow_ups": _rows(
            select(FollowUp.kind, FollowUp.at, FollowUp.enjoys, FollowUp.adjust,
                   FollowUp.tasks, FollowUp.plan, FollowUp.questions, FollowUp.note)
            .where(FollowUp.assignment_id.in_(assignments)).order_by(FollowUp.at)),
        "incidents": _rows(
            select(Incident.kind, Incident.severity, Incident.occurred_at, Incident.what,
                   Incident.injury, Incident.measures)
            .where(Incident.assignment_id.in_(assignments)).order_by(Incident.occurred_at)),
        "guardian_notices": _rows(
            select(GuardianNotice.channel, GuardianNotice.email, GuardianNotice.sent_at,
                   GuardianNotice.acknowledged_at)
            .where(GuardianNotice.enrolment_id.in_(enrolments))),
        "certificates": [
            {"code": code, "issued_at": issued, **{k: v for k, v in snap.items()
                                                    if k in CERTIFICATE_KEYS}}
            for code, issued, snap in db.session.execute(
                select(Certificate.code, Certificate.issued_at, Certificate.snapshot)
                .where(Certificate.assignment_id.in_(assignments)))],
    }


def _match_results(enrolments: Select[Any]) -> list[Row]:
    """Each matching round's outcome for the pupil: the lottery number it drew and the
    explanation in the reader's language (stored as a code with parameters)."""
    found = db.session.execute(
        select(PraoPeriod.name, MatchingRun.status, MatchResult.rank, MatchResult.lottery,
               MatchResult.source, MatchResult)
        .join(MatchingRun, MatchingRun.id == MatchResult.run_id)
        .join(Enrolment, Enrolment.id == MatchResult.enrolment_id)
        .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
        .where(MatchResult.enrolment_id.in_(enrolments)).order_by(MatchResult.id))
    return [{"period": period, "run_status": status, "rank": rank, "lottery": lottery,
             "source": source, "explanation": result.explanation_text}
            for period, status, rank, lottery, source, result in found]


CERTIFICATE_KEYS = ("name", "class_name", "school", "workplace", "placement", "first_day",
                    "last_day", "days_attended", "hours_text")


def _about(student: Student) -> ColumnElement[bool]:
    """Events about the pupil: naming them, or reading a list of their periods since the
    pupil was on it (a list read before the import did not show them)."""
    periods = select(Enrolment.period_id).where(Enrolment.student_id == student.id)
    return or_(AuditEvent.student_id == student.id,
               and_(AuditEvent.object_type == "PraoPeriod", AuditEvent.student_id.is_(None),
                    AuditEvent.at >= student.created_at,
                    AuditEvent.object_id.in_(
                        select(PraoPeriod.id.cast(db.String)).where(
                            PraoPeriod.id.in_(periods)))))


def _trail(student: Student) -> dict[str, list[Row]]:
    addresses = [a for a in (student.email, student.guardian_email) if a]
    return {
        "audit": _rows(
            select(AuditEvent.at, User.email.label("user"), AuditEvent.action,
                   AuditEvent.object_type, AuditEvent.object_id, AuditEvent.detail)
            .outerjoin(User, User.id == AuditEvent.user_id)
            .where(_about(student)).order_by(AuditEvent.id)),
        "emails": _rows(
            select(OutboxEmail.created_at, OutboxEmail.recipient, OutboxEmail.subject,
                   OutboxEmail.status, OutboxEmail.sent_at)
            .where(OutboxEmail.recipient.in_(addresses)).order_by(OutboxEmail.id))
        if addresses else [],
    }


def _answers(response: FeedbackResponse, language: str) -> list[Row]:
    """The answers in the order asked, each with its question as that version put it."""
    given = {a.question_key: a for a in response.answers}
    return [{"question_key": key, "question": q.label(question, language),
             "kind": question["kind"], "score": given[key].score, "answer": given[key].text}
            for question in response.form.questions
            if (key := question["key"]) in given]


def _evaluations(assignments: Any, language: str) -> list[Row]:
    responses = db.session.scalars(
        select(FeedbackResponse).where(FeedbackResponse.assignment_id.in_(assignments))
        .order_by(FeedbackResponse.id)
        .options(selectinload(FeedbackResponse.answers), selectinload(FeedbackResponse.form)))
    return [_evaluation(r, language) for r in responses]


def _evaluation(response: FeedbackResponse, language: str) -> Row:
    row: Row = {"evaluation": response.audience, "version": response.form.version,
                "submitted_at": response.submitted_at,
                "submitted_by_label": response.submitted_by_label}
    if response.audience is Audience.EMPLOYER:  # the pupil's has neither
        row.update(statement=response.statement, again_next_term=response.again_next_term)
    row["answers"] = _answers(response, language)
    return row


# The supervisor's reminder lists the pupils still to evaluate, by name.
SUPERVISOR_REMINDER = "supervisor_evaluation_reminder"


def _feedback(student: Student, language: str) -> dict[str, list[Row]]:
    """The pupil's evaluation of the placement, the supervisor's of the pupil, and the
    reminders about them (the pupil's own emails are under "emails")."""
    assignments = select(Assignment.id).join(
        Enrolment, Enrolment.id == Assignment.enrolment_id).where(
        Enrolment.student_id == student.id)
    name = f"{student.first_name} {student.last_name}".strip()
    supervisors = select(func.lower(Placement.supervisor_email)).where(
        Placement.id.in_(select(Assignment.placement_id).where(
            Assignment.id.in_(assignments))))
    return {
        "evaluations": _evaluations(assignments, language),
        "evaluation_reminders": _rows(
            select(FeedbackReminder.audience.label("reminded"), FeedbackReminder.day_number,
                   FeedbackReminder.day)
            .where(FeedbackReminder.assignment_id.in_(assignments))
            .order_by(FeedbackReminder.day, FeedbackReminder.audience)),
        "evaluation_emails": _rows(
            select(OutboxEmail.created_at, OutboxEmail.recipient, OutboxEmail.subject,
                   OutboxEmail.status, OutboxEmail.sent_at)
            .where(OutboxEmail.kind == SUPERVISOR_REMINDER,
                   func.lower(OutboxEmail.recipient).in_(supervisors),
                   OutboxEmail.body_text.contains(name, autoescape=True))
            .order_by(OutboxEmail.id)) if name else [],
    }


def register_extract(student: Student, now: datetime, fmt: str,
                     language: str) -> Extract:
    """Everything about the pupil, questions in `language`; the extract itself is audited
    (and committed)."""
    extract = Extract(student, now)
    extract.sections["student"] = [_student_row(student)]
    extract.sections.update(_placing(student.id))
    extract.sections.update(_feedback(student, language))
    extract.sections.update(_trail(student))
    audit_read("register_extract", student, detail=f"format={fmt}")  # after the answer
    return extract
