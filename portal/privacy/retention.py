"""The retention purge: a pupil's personal data goes a configured number of months after
the pupil's last prao period ended; what the statistics need stays, pseudonymised.

Kept (anonymous once the names are gone): the student row with gender, needs, school and
grade; enrolments and their states; wishes (rank, offer, so sector); assignments with state
and source; attendance days; checklist step records; incidents' kind and severity;
certificates with their code (the public check still says the certificate exists);
evaluations with their form version, dates, scores, yes/no answers and "again next term"
(every evaluation average, distribution and answer rate stays the same).

Removed: names, external id, class, the pupil's and the guardian's email, every free text
about the pupil (exemption reason, placing and decline reasons, follow-up notes, incident
texts, the own placement's contact data), the names in certificate snapshots, the detail
text of audit events about the pupil, the evaluations' free text (the pupil's and the
supervisor's text answers, the supervisor's statement) and who submitted them (the label
names a supervisor or a user), emails sent to the pupil or the guardian (and every
sent email older than the retention time, since emails to employers name pupils too), old
uploaded import files. The pupil's signed links are revoked.

Set-based and race-safe: one UPDATE claims the due pupils (`purged_at IS NULL` in its WHERE,
so two runs at once never claim the same pupil twice); every later statement works on all
purged pupils and changes only what is not yet blank, so a run interrupted half-way is
finished by the next. A dry run does the same work in a transaction that is rolled back:
its counts are exactly what a real run would do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    update,
)

from portal import clock
from portal.accounts.models import User, counsellor_school
from portal.audit import AuditEvent, audit
from portal.extensions import db
from portal.feedback.models import (
    FeedbackAnswer,
    FeedbackForm,
    FeedbackResponse,
    QuestionKind,
)
from portal.feedback.services import STEP
from portal.notifications.models import OutboxEmail, OutboxStatus
from portal.prao.models import (
    Assignment,
    AttendanceDay,
    AttendanceReport,
    Certificate,
    FollowUp,
    GuardianNotice,
    Incident,
    StepRecord,
)
from portal.schools.models import (
    Enrolment,
    OwnPlacementRequest,
    PraoPeriod,
    PupilImport,
    Student,
)

# Two purges at once on PostgreSQL queue here instead of locking rows in different orders
# (a deadlock); SQLite's BEGIN IMMEDIATE already lets one writer in at a time.
PURGE_LOCK_KEY = 0x5052414F  # "PRAO"

# What a purged certificate still says: everything but who it was about.
SNAPSHOT_PERSONAL = ("first_name", "last_name", "name", "class_name")


@dataclass
class PurgeReport:
    cutoff: date
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def pupils(self) -> int:
        return self.counts.get("pupils", 0)

    def summary(self) -> str:
        return ", ".join(f"{name}={count}" for name, count in self.counts.items())


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it has fewer)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def purge_cutoff(today: date, months: int) -> date:
    """The purge run on `today` takes the pupils whose every period ended before this day."""
    return months_before(today, months)


def earliest_purge(last_day: date, months: int) -> date:
    """The first day on which a run of the purge takes a pupil whose last period ended on
    `last_day`: the first day whose `purge_cutoff` lies after it. (When the purge runs is
    the server's schedule; the data goes at its first run from this day on.)"""
    year, month = divmod(last_day.year * 12 + last_day.month - 1 + months, 12)
    day = date(year, month + 1, 1)  # the month `months` later; then the purge's rule decides
    while purge_cutoff(day, months) <= last_day:
        day += timedelta(days=1)
    while purge_cutoff(day - timedelta(days=1), months) > last_day:
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True)
class PupilRetention:
    months: int
    purged_at: datetime | None  # already done
    last_day: date | None  # the end of the pupil's last period, the purge's clock
    earliest: date | None


def pupil_retention(student: Student, months: int) -> PupilRetention:
    """When the purge removes this pupil's personal data, by the rule `_due` applies: the
    latest last day of the pupil's periods (those still to come included)."""
    last_day = db.session.scalar(
        select(func.max(PraoPeriod.last_day)).join(Enrolment,
                                                   Enrolment.period_id == PraoPeriod.id)
        .where(Enrolment.student_id == student.id))
    earliest = earliest_purge(last_day, months) if last_day is not None else None
    return PupilRetention(months, student.purged_at, last_day, earliest)


def _due(cutoff: date) -> ColumnElement[bool]:
    """Pupils whose every period ended before the cutoff; a pupil never enrolled counts
    from the last time the school's import touched the row."""
    recent = exists().where(Enrolment.student_id == Student.id,
                            Enrolment.period_id == PraoPeriod.id,
                            PraoPeriod.last_day >= cutoff)
    enrolled = exists().where(Enrolment.student_id == Student.id)
    start_of_cutoff = datetime.combine(cutoff, time(), tzinfo=clock.STOCKHOLM)
    return and_(Student.purged_at.is_(None), ~recent,
                or_(enrolled, Student.updated_at < start_of_cutoff))


def _purged_enrolments() -> Any:
    return select(Enrolment.id).join(Student, Student.id == Enrolment.student_id).where(
        Student.purged_at.is_not(None)).scalar_subquery()


def _purged_assignments() -> Any:
    return select(Assignment.id).where(Assignment.enrolment_id.in_(_purged_enrolments())
                                       ).scalar_subquery()


def _blank(model: Any, columns: tuple[str, ...], where: ColumnElement[bool]) -> int:
    """Set the text columns to '' where any is not yet blank; the number of rows changed."""
    cols = [getattr(model, name) for name in columns]
    result = db.session.execute(
        update(model).where(where, or_(*[c != "" for c in cols]))
        .values(dict.fromkeys(columns, "")).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _claim(cutoff: date, now: datetime) -> int:
    """Blank the due pupils' own row: the one statement two runs cannot both win."""
    result = db.session.execute(
        update(Student).where(_due(cutoff)).values(
            first_name="", last_name="", class_name="", email="", guardian_email=None,
            # Unique per school: a pseudonym, not the school system's id.
            external_id=literal("purged-") + cast(Student.id, String),
            purged_at=now).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _emails(cutoff: date) -> int:
    """Emails to the due pupils and their guardians (read before the addresses go), and
    every email already sent or given up that is older than the retention time."""
    addresses = select(Student.email).where(_due(cutoff), Student.email != "").union(
        select(Student.guardian_email).where(_due(cutoff), Student.guardian_email.is_not(None)))
    start_of_cutoff = datetime.combine(cutoff, time(), tzinfo=clock.STOCKHOLM)
    result = db.session.execute(delete(OutboxEmail).where(or_(
        OutboxEmail.recipient.in_(addresses),
        and_(OutboxEmail.status != OutboxStatus.PENDING,
             OutboxEmail.created_at < start_of_cutoff))).execution_options(
        synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _certificates() -> int:
    """Names out of the frozen snapshots (JSON: read and written back, one statement)."""
    rows = db.session.execute(select(Certificate.id, Certificate.snapshot).where(
        Certificate.assignment_id.in_(_purged_assignments()))).all()
    changed = [{"cid": cid, "snap": {**snap, **dict.fromkeys(SNAPSHOT_PERSONAL, ""),
                                     "purged": True}}
               for cid, snap in rows if not snap.get("purged")]
    if changed:
        db.session.execute(update(Certificate.__table__)  # type: ignore[arg-type]
                           .where(Certificate.__table__.c.id == bindparam("cid"))
                           .values(snapshot=bindparam("snap")), changed)
    return len(changed)


def _evaluation_answers(assignments: Any) -> int:
    """Free-text answers out, per form version: which keys are free text is in the
    version's questions. Yes/no answers are text too, and stay (they are statistics)."""
    changed = 0
    for form_id, questions in db.session.execute(
            select(FeedbackForm.id, FeedbackForm.questions)):
        keys = sorted({question["key"] for question in questions
                       if question.get("kind") == QuestionKind.TEXT.value})
        if keys:
            changed += _blank(FeedbackAnswer, ("text",), and_(
                FeedbackAnswer.question_key.in_(keys),
                FeedbackAnswer.response_id.in_(select(FeedbackResponse.id).where(
                    FeedbackResponse.assignment_id.in_(assignments),
                    FeedbackResponse.form_id == form_id))))
    return changed


def _evaluations(assignments: Any) -> dict[str, int]:
    """The evaluations' texts; who submitted them is a supervisor's or a user's name, kept
    with the evaluation's checklist step too."""
    return {
        "evaluation_answers": _evaluation_answers(assignments),
        "evaluations": _blank(FeedbackResponse, ("statement", "submitted_by_label"),
                              FeedbackResponse.assignment_id.in_(assignments)),
        "evaluation_steps": _blank(StepRecord, ("done_by_label",), and_(
            StepRecord.assignment_id.in_(assignments),
            StepRecord.step.in_(sorted(STEP.values())))),
    }


# A label naming someone whose account was purged reads this (shown in the reader's
# language: portal.i18n.LINK_LABELS).
PURGED_ACCOUNT = "Gallrat konto"

# Who did something, as a label beside the account's id: (model, label column, id column).
WHO_LABELS: tuple[tuple[Any, str, str], ...] = (
    (Assignment, "decided_by_label", "decided_by_id"),
    (StepRecord, "done_by_label", "done_by_id"),
    (AttendanceDay, "reported_by_label", "reported_by_id"),
    (AttendanceReport, "reported_by_label", "reported_by_id"),
    (Incident, "reported_by_label", "reported_by_id"),
    (FeedbackResponse, "submitted_by_label", "submitted_by_id"),
)


def _who_labels(assignments: Any) -> int:
    """Who decided, ticked or reported something about a purged pupil's prao (a staff
    name, a supervisor's address): of no use once nobody can tell whom it was about."""
    changed = 0
    for model, label, _id in WHO_LABELS:
        key = model.id if model is Assignment else model.assignment_id
        changed += _blank(model, (label,), key.in_(assignments))
    return changed


def _scrub_dependants(cutoff: date) -> dict[str, int]:
    enrolments, assignments = _purged_enrolments(), _purged_assignments()
    start_of_cutoff = datetime.combine(cutoff, time(), tzinfo=clock.STOCKHOLM)
    revoked = db.session.execute(
        update(Enrolment).where(Enrolment.id.in_(enrolments), or_(
            Enrolment.link_revoked.is_(False), Enrolment.exempt_reason != "",
            Enrolment.own_refusal != ""))
        .values(link_revoked=True, link_version=Enrolment.link_version + 1, exempt_reason="",
                own_refusal="")
        .execution_options(synchronize_session=False))
    imports = db.session.execute(
        update(PupilImport).where(PupilImport.created_at < start_of_cutoff,
                                  func.length(PupilImport.content) > 0)
        .values(content=b"", filename="").execution_options(synchronize_session=False))
    return {
        "links_revoked": int(revoked.rowcount or 0),  # type: ignore[attr-defined]
        "own_placements": _blank(
            OwnPlacementRequest, ("workplace", "address", "postal_code", "city",
                                  "contact_name", "contact_email", "contact_phone", "tasks"),
            OwnPlacementRequest.enrolment_id.in_(enrolments)),
        "assignment_texts": _blank(Assignment, ("decline_reason", "placement_reason"),
                                   Assignment.id.in_(assignments)),
        "follow_ups": _blank(FollowUp, ("enjoys", "adjust", "tasks", "plan", "questions",
                                        "note"), FollowUp.assignment_id.in_(assignments)),
        "incidents": _blank(Incident, ("what", "injury", "measures"),
                            Incident.assignment_id.in_(assignments)),
        "guardian_notices": _blank(GuardianNotice, ("email",),
                                   GuardianNotice.enrolment_id.in_(enrolments)),
        "certificates": _certificates(),
        **_evaluations(assignments),
        "who_labels": _who_labels(assignments),
        "audit_details": _blank(AuditEvent, ("detail",), AuditEvent.student_id.in_(
            select(Student.id).where(Student.purged_at.is_not(None)).scalar_subquery())),
        "import_files": int(imports.rowcount or 0),  # type: ignore[attr-defined]
    }


def _staff_accounts(cutoff: date, now: datetime) -> int:
    """Accounts switched off before the cutoff: blanked, their schools let go."""
    start_of_cutoff = datetime.combine(cutoff, time(), tzinfo=clock.STOCKHOLM)
    due = and_(User.active.is_(False), User.purged_at.is_(None),
               User.deactivated_at < start_of_cutoff)
    purged = db.session.execute(update(User).where(due).values(
        name="", phone="", password_hash=None,
        # Unique like every address; .invalid is never delivered (RFC 2606).
        email=literal("gallrad-") + cast(User.id, String) + literal("@konto.invalid"),
        purged_at=now).execution_options(synchronize_session=False))
    count = int(purged.rowcount or 0)  # type: ignore[attr-defined]
    if count:  # the purge is one transaction: labels of accounts purged before are renamed
        gone = select(User.id).where(User.purged_at == now).scalar_subquery()
        db.session.execute(delete(counsellor_school).where(
            counsellor_school.c.user_id.in_(gone)))
        _rename_purged(gone)
    return count


def _rename_purged(gone: Any) -> None:
    """The name a purged account left in labels (who confirmed, ticked, reported): it
    says that an account did it, no longer who. Only for the accounts purged in this run:
    a night with none scans no table."""
    for model, label, user_id in WHO_LABELS:
        column = getattr(model, label)
        db.session.execute(
            update(model).where(getattr(model, user_id).in_(gone), column != "",
                                column != PURGED_ACCOUNT)
            .values({label: PURGED_ACCOUNT}).execution_options(synchronize_session=False))


def _old_log(now: datetime, months: int) -> int:
    """The log's rows older than LOG_RETENTION_MONTHS: who read or changed what, then."""
    cutoff = months_before(now.astimezone(clock.STOCKHOLM).date(), months)
    start_of_cutoff = datetime.combine(cutoff, time(), tzinfo=clock.STOCKHOLM)
    result = db.session.execute(delete(AuditEvent).where(AuditEvent.at < start_of_cutoff)
                                .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def purge(months: int, *, dry_run: bool = False, log_months: int | None = None
          ) -> PurgeReport:
    """Remove the personal data of every pupil due, the accounts switched off `months` ago
    and, with `log_months`, the log's older rows; commit (or roll back for a dry run)."""
    cutoff = purge_cutoff(clock.today(), months)
    report = PurgeReport(cutoff=cutoff, dry_run=dry_run)
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": PURGE_LOCK_KEY})
        report.counts["emails"] = _emails(cutoff)
        report.counts["pupils"] = _claim(cutoff, clock.now())
        report.counts.update(_scrub_dependants(cutoff))
        report.counts["staff_accounts"] = _staff_accounts(cutoff, clock.now())
        if log_months is not None:
            report.counts["log_rows"] = _old_log(clock.now(), log_months)
        audit(None, "retention_purge", detail=f"cutoff={cutoff.isoformat()} "
                                              f"{report.summary()}")
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report
