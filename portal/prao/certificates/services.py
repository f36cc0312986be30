"""The praointyg: whether it may be issued (the period is over and every prao day has its
attendance), issuing it once whoever clicks, what it says (frozen when issued), and
finding it by its verification code. Functions that change something commit their work."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.audit import audit
from portal.employers.models import Placement
from portal.extensions import db
from portal.feedback.services import statement_for
from portal.prao.days import prao_days
from portal.prao.guardians.services import record_step
from portal.prao.models import (
    ACTIVE_STATES,
    Assignment,
    AssignmentState,
    AttendanceDay,
    AttendanceStatus,
    Certificate,
)
from portal.prao.services import lock_assignment
from portal.prao.worktime import WorkedDay, hours_text, worked_minutes
from portal.schools.models import Enrolment, PraoPeriod, Student
from portal.templating import long_date
from portal.textrules import normalise

# An assignment the employer took on; a proposal never confirmed has nothing to certify.
ISSUABLE_STATES = (AssignmentState.CONFIRMED, AssignmentState.IN_PROGRESS,
                   AssignmentState.COMPLETED)
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
# Base32 has no 0, 1 or 8: someone typing a code from paper means O, I and B.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
_CODE_RE = re.compile(r"^[A-Z2-7]{16,32}\Z")


class CertificateError(ValueError):
    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


# --- attendance ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Attendance:
    """The prao days of an assignment and what was reported for each."""

    days: list[date]
    reported: dict[date, AttendanceDay] = field(default_factory=dict)

    @property
    def missing(self) -> list[date]:
        return [day for day in self.days if day not in self.reported]

    @property
    def attended(self) -> list[AttendanceDay]:
        return [self.reported[d] for d in self.days
                if d in self.reported and self.reported[d].status in ATTENDED]

    @property
    def worked_minutes(self) -> int:
        """Hours worked: end − start − break, on the days the pupil was there."""
        return sum(worked_minutes(WorkedDay(a.day, a.start_time, a.end_time, a.break_minutes))
                   for a in self.attended if a.start_time and a.end_time)


def attendance_of(assignment: Assignment) -> Attendance:
    period = assignment.enrolment.period
    days = prao_days(period.first_day, period.last_day)
    rows = db.session.scalars(select(AttendanceDay).where(
        AttendanceDay.assignment_id == assignment.id))
    return Attendance(days, {row.day: row for row in rows})


def _day_list(days: list[date]) -> str:
    return ", ".join(format_date(day, "d MMM") for day in days)


def problems(assignment: Assignment, today: date,
             attendance: Attendance | None = None) -> list[object]:
    """Why no certificate may be issued now (lazily translated messages); [] when it may."""
    if assignment.state not in ISSUABLE_STATES:
        return [_l("Praoplatsen blev aldrig bekräftad eller är avbruten: det finns inget "
                   "att intyga.")]
    period = assignment.enrolment.period
    found: list[object] = []
    if today < period.last_day:
        found.append(_l("Intyget kan utfärdas tidigast praons sista dag, %(day)s.",
                        day=long_date(period.last_day)))
    attendance = attendance or attendance_of(assignment)
    missing = [d for d in attendance.missing if d <= today]
    if missing:
        found.append(ngettext("Närvaro saknas för %(num)d dag: %(days)s. Rapportera den "
                              "först.",
                              "Närvaro saknas för %(num)d dagar: %(days)s. Rapportera dem "
                              "först.", len(missing), days=_day_list(missing)))
    elif not found and not attendance.attended:
        found.append(_l("Eleven var inte på arbetsplatsen någon dag: det finns inget att "
                        "intyga."))
    return found


# --- issuing ------------------------------------------------------------------------------

def certificate_of(assignment_id: int) -> Certificate | None:
    return db.session.scalars(select(Certificate).where(
        Certificate.assignment_id == assignment_id)).first()


def snapshot(assignment: Assignment, attendance: Attendance) -> dict[str, object]:
    """What the certificate says, frozen: a later change of the placement or the attendance
    does not change a certificate already handed out."""
    student, period = assignment.enrolment.student, assignment.enrolment.period
    placement = assignment.placement
    minutes = attendance.worked_minutes
    return {
        "first_name": student.first_name, "last_name": student.last_name,
        "name": student.full_name, "class_name": student.class_name,
        "school": period.school.name, "municipality": period.school.municipality.name,
        "grade": period.grade, "period": period.name,
        "workplace": placement.organisation.name, "placement": placement.title,
        "city": placement.city,
        "supervisor": placement.supervisor_name or placement.risk_supervisor,
        "first_day": period.first_day.isoformat(), "last_day": period.last_day.isoformat(),
        "prao_days": len(attendance.days), "days_attended": len(attendance.attended),
        "worked_minutes": minutes, "hours_text": hours_text(minutes),
        "tasks": placement.tasks,
        # The supervisor's short statement from the evaluation, when given before issuing.
        "statement": statement_for(assignment.id),
    }


def issue(assignment: Assignment, user: User, today: date) -> tuple[Certificate, bool]:
    """The assignment's certificate, issued now if it may be; (certificate, issued now).
    A second click, or a colleague at the same moment, gets the one that exists."""
    lock_assignment(assignment.id)
    existing = certificate_of(assignment.id)
    if existing is not None:
        db.session.rollback()
        return existing, False
    attendance = attendance_of(assignment)
    found = problems(assignment, today, attendance)
    if found:
        db.session.rollback()
        raise CertificateError(" ".join(str(p) for p in found))
    certificate = Certificate(assignment_id=assignment.id, issued_by_id=user.id,
                              snapshot=snapshot(assignment, attendance))
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        existing = certificate_of(assignment.id)
        assert existing is not None  # the other click's certificate, committed
        return existing, False
    for step in ("attendance", "certificate"):
        record_step(assignment.id, step, user)
    audit(user, "certificate_issued", assignment)
    db.session.commit()
    return certificate, True


# --- finding ------------------------------------------------------------------------------

def normalize_code(text: str) -> str | None:
    """The code as stored, from what someone typed (spaces, dashes, lower case, 0/1/8),
    or None when it cannot be a code at all. NFKC first, as every form reads text: a code
    pasted in full-width letters (ＫＩＲ６…, from a Japanese or Chinese keyboard) is the
    same code, also when it comes in the address rather than through the form."""
    code = re.sub(r"[\s\-]", "", normalise(text or "")).upper().translate(_LOOKALIKES)
    return code if _CODE_RE.match(code) else None


def find_by_code(text: str) -> Certificate | None:
    code = normalize_code(text)
    if code is None:
        return None
    return db.session.scalars(select(Certificate).where(Certificate.code == code)).first()


def grouped(code: str) -> str:
    """ABCDE FGHIJ …: easier to read aloud and to type from paper."""
    return " ".join(code[i:i + 5] for i in range(0, len(code), 5))


def verification_url(certificate: Certificate) -> str:
    return accounts.external_url("certificates.verify", code=certificate.code)


def for_enrolment(enrolment: Enrolment) -> Certificate | None:
    """The pupil's certificate for this period, if one was issued."""
    return db.session.scalars(
        select(Certificate).join(Assignment, Assignment.id == Certificate.assignment_id)
        .where(Assignment.enrolment_id == enrolment.id)).first()


# --- the period's overview ----------------------------------------------------------------

@dataclass(frozen=True)
class CertificateRow:
    assignment: Assignment
    certificate: Certificate | None
    reported: int
    days: int
    ready: bool  # may be issued now (issuing checks again, with the attendance itself)

    @property
    def student(self) -> Student:
        return self.assignment.enrolment.student


def period_rows(period: PraoPeriod, today: date) -> list[CertificateRow]:
    assignments = db.session.scalars(
        select(Assignment).join(Enrolment).join(Student)
        .where(Enrolment.period_id == period.id, Assignment.state.in_(ACTIVE_STATES))
        .order_by(Student.class_name, Student.last_name, Student.first_name)
        .options(selectinload(Assignment.enrolment).selectinload(Enrolment.student),
                 selectinload(Assignment.placement).selectinload(Placement.organisation))
    ).all()
    ids = [a.id for a in assignments]
    certificates = {c.assignment_id: c for c in db.session.scalars(
        select(Certificate).where(Certificate.assignment_id.in_(ids)))}
    days = prao_days(period.first_day, period.last_day)
    reported = dict(db.session.execute(
        select(AttendanceDay.assignment_id, func.count())
        .where(AttendanceDay.assignment_id.in_(ids), AttendanceDay.day.in_(days))
        .group_by(AttendanceDay.assignment_id)).all())
    over = today >= period.last_day
    return [CertificateRow(a, certificates.get(a.id), reported.get(a.id, 0), len(days),
                           ready=(over and a.id not in certificates
                                  and a.state in ISSUABLE_STATES
                                  and reported.get(a.id, 0) == len(days)))
            for a in assignments]
