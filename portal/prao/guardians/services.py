"""Guardian letters: who has been sent what, sending it by email once per assignment, the
guardian's signed link and their acknowledgement, recorded once. Functions that change
something commit their own work; none reads the request."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.accounts import services as accounts
from portal.accounts.models import Role, User
from portal.audit import audit
from portal.clock import local, today
from portal.db import rows_changed, utcnow
from portal.employers.models import Organisation, Placement
from portal.extensions import db
from portal.notifications import messages
from portal.prao import services as prao_services
from portal.prao.guardians.letter import Letter, build_letter, language
from portal.prao.models import (
    ACTIVE_STATES,
    Assignment,
    AssignmentState,
    GuardianNotice,
    NoticeChannel,
)
from portal.prao.services import Actor, lock_assignment
from portal.schools.models import Enrolment, PraoPeriod, Student

LINK_SALT = "guardian-acknowledgement"
# The letter goes out a week or two before the prao; the link still works a while after.
LINK_MAX_AGE = 120 * 24 * 3600
# A letter by email only for a placement the employer has confirmed and that has not ended.
SENDABLE_STATES = (AssignmentState.CONFIRMED, AssignmentState.IN_PROGRESS)
# Stored with the checklist step in Swedish, like every "done by"; pages translate it.
LINK_LABEL = _l("Vårdnadshavare (länk)")


class GuardianError(ValueError):
    """A rule was broken; `field` names the form field the message belongs beside."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


class LinkError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # invalid / expired / ended / replaced


# --- checklist ----------------------------------------------------------------------------

def record_step(assignment_id: int, key: str, user: User | None = None,
                label: str = "") -> None:
    """The checklist step, recorded once (see prao.services.record_step). The caller
    commits."""
    actor = Actor(user, label or user.name) if user is not None else Actor(None, label)
    prao_services.record_step(assignment_id, key, actor)


# --- reading ------------------------------------------------------------------------------

def letter_for(assignment: Assignment, lang: str) -> Letter:
    """The letter as it would be written today (the counsellor's page, the PDF, sending)."""
    return build_letter(assignment, lang, today())


def letter_as_sent(notice: GuardianNotice, assignment: Assignment, lang: str) -> Letter:
    """The letter the guardian was emailed, dated the day it was sent (Swedish time), not
    the day the link is opened."""
    sent_on = local(notice.sent_at).date() if notice.sent_at is not None else today()
    return build_letter(assignment, lang, sent_on)


def email_notice(assignment_id: int) -> GuardianNotice | None:
    return db.session.scalars(select(GuardianNotice).where(
        GuardianNotice.assignment_id == assignment_id,
        GuardianNotice.channel == NoticeChannel.EMAIL)).first()


@dataclass(frozen=True)
class LetterRow:
    assignment: Assignment
    notice: GuardianNotice | None

    @property
    def student(self) -> Student:
        return self.assignment.enrolment.student


def period_rows(period: PraoPeriod) -> list[LetterRow]:
    """Every pupil of the period with a live assignment, and the email sent about it."""
    assignments = db.session.scalars(
        select(Assignment).join(Enrolment).join(Student)
        .where(Enrolment.period_id == period.id, Assignment.state.in_(ACTIVE_STATES))
        .order_by(Student.class_name, Student.last_name, Student.first_name)
        .options(selectinload(Assignment.enrolment).selectinload(Enrolment.student),
                 selectinload(Assignment.placement).selectinload(Placement.organisation))
    ).all()
    notices = {n.assignment_id: n for n in db.session.scalars(select(GuardianNotice).where(
        GuardianNotice.assignment_id.in_([a.id for a in assignments]),
        GuardianNotice.channel == NoticeChannel.EMAIL))}
    return [LetterRow(a, notices.get(a.id)) for a in assignments]


def letter_problem(assignment: Assignment) -> str | None:
    """Why this letter must not reach a guardian yet, or at all: the employer has not
    confirmed the pupil, or the placement no longer holds (declined, cancelled). None when
    it may be printed and handed out."""
    if assignment.state is AssignmentState.PROPOSED:
        return str(_l("Arbetsgivaren har inte bekräftat eleven än. Brevet kan ändras: skriv "
                      "ut det eller ladda ner det när platsen är bekräftad."))
    if assignment.state not in ACTIVE_STATES:
        return str(_l("Platsen gäller inte längre: arbetsgivaren tackade nej eller praon "
                      "avbröts. Brevet ska inte lämnas ut."))
    return None


def can_send(assignment: Assignment) -> bool:
    return assignment.state in SENDABLE_STATES and bool(assignment.enrolment.student
                                                        .guardian_email)


# --- the guardian's address ---------------------------------------------------------------

# Whose a staff account's address is, as the guardian's address field says it.
ROLE_ADDRESSES = {
    Role.COORDINATOR: _l("en samordnares konto"),
    Role.COUNSELLOR: _l("en studie- och yrkesvägledares konto"),
    Role.EMPLOYER: _l("en arbetsgivares konto"),
    Role.COUNCIL: _l("ett konto i samverkansrådet"),
}


def staff_address(email: str) -> str | None:
    """Whose the address is when it is a portal user's or a workplace's (an organisation's
    contact, a placement's supervisor), else None. Typed as a guardian's, the guardian
    letter and the same-day absence emails would go to the workplace or the school."""
    address = accounts.normalize_email(email)
    if not address:
        return None
    user = db.session.scalars(select(User).where(func.lower(User.email) == address)).first()
    if user is not None:
        if user.role is Role.EMPLOYER and user.organisation is not None:
            return str(_l("kontaktpersonen för %(name)s", name=user.organisation.name))
        return str(ROLE_ADDRESSES[user.role])
    workplace = db.session.scalars(select(Organisation.name).where(or_(
        func.lower(Organisation.contact_email) == address,
        Organisation.id.in_(select(Placement.organisation_id).where(
            func.lower(Placement.supervisor_email) == address))))).first()
    if workplace is not None:
        return str(_l("arbetsplatsen %(name)s", name=workplace))
    return None


def set_guardian_email(assignment: Assignment, email: str, user: User,
                       staff_accepted: bool = False) -> None:
    """The guardian's address is optional: an empty one removes it. A portal user's or a
    workplace's address is refused (GuardianError beside the field) unless the counsellor
    says it really is the guardian's (a parent may run the business)."""
    whose = None if staff_accepted else staff_address(email)
    if whose is not None:
        raise GuardianError("guardian_email", _l(
            "Det är adressen till %(whose)s i portalen: brevet till vårdnadshavaren och "
            "mejlen om frånvaro skulle gå dit. Skriv vårdnadshavarens egen adress, eller "
            "kryssa i rutan nedan om det verkligen är vårdnadshavarens.", whose=whose))
    student = assignment.enrolment.student
    student.guardian_email = accounts.normalize_email(email) or None
    audit(user, "guardian_email_saved", student)
    db.session.commit()


# --- sending ------------------------------------------------------------------------------

def _check_sendable(assignment: Assignment) -> str:
    email = assignment.enrolment.student.guardian_email or ""
    if not email:
        raise GuardianError("send", _l("Det finns ingen e-postadress till vårdnadshavaren. "
                                       "Skriv ut brevet eller lägg till en adress."))
    if assignment.state is AssignmentState.PROPOSED:
        raise GuardianError("send", _l("Arbetsgivaren har inte bekräftat eleven än. Skicka "
                                       "brevet när platsen är bekräftad."))
    if assignment.state not in SENDABLE_STATES:
        raise GuardianError("send", _l("Praon är avslutad eller avbruten: brevet skickas "
                                       "inte."))
    return email


def _claim_notice(assignment: Assignment, email: str) -> GuardianNotice:
    """The one email notice of the assignment, claimed for `email`. A second click (or a
    second counsellor) finds it claimed and is told; a corrected address is sent to once."""
    existing = email_notice(assignment.id)
    if existing is None:
        notice = GuardianNotice(enrolment_id=assignment.enrolment_id,
                                assignment_id=assignment.id, channel=NoticeChannel.EMAIL,
                                email=email, sent_at=utcnow())
        try:
            with db.session.begin_nested():
                db.session.add(notice)
        except IntegrityError:
            raise GuardianError("send", _l("Brevet är redan skickat.")) from None
        return notice
    if existing.acknowledged_at is not None:
        raise GuardianError("send", _l("Vårdnadshavaren har redan kvitterat brevet."))
    claimed = db.session.execute(
        update(GuardianNotice)
        .where(GuardianNotice.id == existing.id, GuardianNotice.email != email,
               GuardianNotice.acknowledged_at.is_(None))
        .values(email=email, sent_at=utcnow()))
    if rows_changed(claimed) != 1:
        db.session.expire(existing)  # the row is as the other click left it
        raise GuardianError("send", _l("Brevet är redan skickat till %(email)s.", email=email))
    return existing


def send_letter(assignment: Assignment, lang: str, user: User) -> GuardianNotice:
    """Email the letter with a signed acknowledgement link, once per assignment (again
    only to a corrected address). Sending informs the guardians: the checklist says so."""
    lock_assignment(assignment.id)
    try:
        email = _check_sendable(assignment)
        notice = _claim_notice(assignment, email)
    except GuardianError:
        db.session.rollback()
        raise
    lang = language(lang)
    link = accounts.external_url("guardians.acknowledge", token=make_token(notice, lang))
    messages.guardian_letter(email, letter_for(assignment, lang), link)
    record_step(assignment.id, "guardians_informed", user)
    audit(user, "guardian_letter_sent", assignment, detail=lang)
    db.session.commit()
    return notice


def send_all(period: PraoPeriod, lang: str, user: User) -> int:
    """Send the letter to every guardian with an address who has not had it yet."""
    sent = 0
    for row in period_rows(period):
        if row.notice is None and can_send(row.assignment):
            try:
                send_letter(row.assignment, lang, user)
            except GuardianError:  # someone else sent it meanwhile
                continue
            sent += 1
    return sent


# --- the guardian's link ------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def _address_mark(email: str) -> str:
    """Which address a link was sent to, without the address in the link itself."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def make_token(notice: GuardianNotice, lang: str) -> str:
    """The link of the letter sent to the notice's address: a letter sent again to a
    corrected address makes the old link stop working (it went to the wrong person)."""
    return _serializer().dumps({"g": notice.id, "l": language(lang),
                                "e": _address_mark(notice.email)})


def notice_for_token(token: str) -> tuple[GuardianNotice, str]:
    """The notice a link was made for and the letter's language."""
    max_age = current_app.config.get("GUARDIAN_LINK_MAX_AGE", LINK_MAX_AGE)
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise LinkError("expired") from error
    except BadSignature as error:
        raise LinkError("invalid") from error
    notice_id = data.get("g") if isinstance(data, dict) else None
    notice = db.session.get(GuardianNotice, notice_id) if isinstance(notice_id, int) else None
    if notice is None or notice.assignment_id is None:
        raise LinkError("invalid")
    mark = data.get("e")
    if mark is not None and mark != _address_mark(notice.email):  # links made before "e": kept
        raise LinkError("replaced")
    assignment = db.session.get(Assignment, notice.assignment_id)
    if assignment is None or not assignment.is_active:
        raise LinkError("ended")
    return notice, language(data.get("l"))


def assignment_of(notice: GuardianNotice) -> Assignment:
    assignment = db.session.get(Assignment, notice.assignment_id)
    assert assignment is not None  # notice_for_token checked it
    return assignment


def acknowledge(notice: GuardianNotice) -> bool:
    """Record the acknowledgement once, whoever clicks first; True for the click that did.
    It ticks "guardians informed" and "guardians acknowledged" on the checklist."""
    notice_id, assignment_id = notice.id, notice.assignment_id
    assert assignment_id is not None
    db.session.rollback()  # the UPDATE first: on SQLite it then waits for the write lock
    done = db.session.execute(
        update(GuardianNotice)
        .where(GuardianNotice.id == notice_id, GuardianNotice.acknowledged_at.is_(None))
        .values(acknowledged_at=utcnow()).execution_options(synchronize_session=False))
    if rows_changed(done) != 1:
        db.session.rollback()
        return False
    with force_locale("sv"):
        label = str(LINK_LABEL)
    for step in ("guardians_informed", "guardians_acknowledged"):
        record_step(assignment_id, step, label=label)
    audit(None, "guardian_acknowledged", notice)
    db.session.commit()
    return True
