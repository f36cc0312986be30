"""Reminders to the owners of overdue checklist steps, each (assignment, step) once ever:
the StepReminder key is inserted first, and only a key this run inserted is emailed. One
email per recipient and run, listing all of that person's overdue steps."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from portal import clock
from portal.accounts.models import Role, User
from portal.concurrency import dialect_insert, write_first
from portal.employers.models import Organisation, Placement
from portal.extensions import db
from portal.notifications import messages
from portal.prao import checklist
from portal.prao.attendance.daily import counsellor_emails
from portal.prao.attendance.links import portal_url
from portal.prao.models import ACTIVE_STATES, Assignment, StepRecord, StepReminder
from portal.schools.models import Enrolment, Municipality, PraoPeriod, School, Student

# A period more than three weeks over is history: no reminders (also not on the day the
# feature is first switched on, for every old period at once).
STALE = timedelta(days=21)
LEAD = timedelta(days=30)  # the earliest step is due two weeks before the first day
CHUNK = 500


@dataclass(frozen=True)
class ReminderLine:
    assignment_id: int
    pupil: str
    school: str
    workplace: str
    step: str  # the step's label, a msgid the email translates
    due: date


@dataclass(frozen=True)
class _Live:
    assignment_id: int
    state: str
    first_day: date
    last_day: date
    guardian_ack: bool
    school_id: int
    school: str
    pupil: str
    pupil_email: str
    workplace: str
    organisation_id: int
    employer_email: str
    risk_done: bool


def send_step_reminders(now: datetime | None = None) -> int:
    """Queue reminders for every overdue step not reminded before; returns the number of
    emails queued."""
    now = now or clock.now()
    today = clock.local(now).date()
    write_first(StepReminder.__table__)
    live = _live(today)
    done = _done({row.assignment_id for row in live})
    due = [(row, step) for row in live for step in _overdue(row, done[row.assignment_id], today)]
    fresh = _claim([(row.assignment_id, step.key) for row, step in due], now)
    recipients: dict[tuple[str, str], list[ReminderLine]] = defaultdict(list)
    counsellors = counsellor_emails(row.school_id for row in live)
    employers = _employer_emails({row.organisation_id for row in live})
    for row, step in due:
        if (row.assignment_id, step.key) not in fresh:
            continue
        line = ReminderLine(row.assignment_id, row.pupil, row.school, row.workplace,
                            step.label, step.due(row.first_day, row.last_day))
        for key in _owners(row, step, counsellors, employers):
            recipients[key].append(line)
    for (email, pupil_link), lines in sorted(recipients.items()):
        messages.step_reminders(email, lines, pupil_link)
    db.session.commit()
    return len(recipients)


def _live(today: date) -> list[_Live]:
    stmt = (
        select(Assignment.id, Assignment.state, PraoPeriod.first_day, PraoPeriod.last_day,
               Municipality.guardian_ack_required, School.id, School.name,
               Student.first_name + " " + Student.last_name, Student.email, Placement.title,
               Placement.organisation_id,
               func.coalesce(func.nullif(Organisation.contact_email, ""),
                             Placement.supervisor_email),
               Placement.risk_confirmed_at.is_not(None))
        .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(Student, Student.id == Enrolment.student_id)
        .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
        .join(School, School.id == PraoPeriod.school_id)
        .join(Municipality, Municipality.id == School.municipality_id)
        .join(Placement, Placement.id == Assignment.placement_id)
        .join(Organisation, Organisation.id == Placement.organisation_id)
        .where(Assignment.state.in_(ACTIVE_STATES), PraoPeriod.last_day >= today - STALE,
               PraoPeriod.first_day <= today + LEAD))
    return [_Live(*row) for row in db.session.execute(stmt)]  # type: ignore[call-arg]


def _done(assignment_ids: set[int]) -> dict[int, set[str]]:
    done: dict[int, set[str]] = defaultdict(set)
    ids = sorted(assignment_ids)
    for start in range(0, len(ids), CHUNK):
        for aid, step in db.session.execute(select(StepRecord.assignment_id, StepRecord.step)
                                            .where(StepRecord.assignment_id.in_(
                                                ids[start:start + CHUNK]))):
            done[aid].add(step)
    return done


def _overdue(row: _Live, recorded: set[str], today: date) -> list[checklist.Step]:
    done = set(recorded)
    # Facts the checklist may not hold as rows: the employer's answer is the assignment's
    # state, the risk assessment is the placement's.
    if row.state != "proposed":
        done.add("employer_confirmed")
    if row.risk_done:
        done.add("risk_assessment")
    conditions = [checklist.GUARDIAN_ACK] if row.guardian_ack else []
    # Overdue and possible now: a step held back by an earlier one waits for that one's
    # owner, who is reminded of it instead.
    return [step for step in checklist.steps_for(conditions)
            if checklist.status(step, done, today, row.first_day, row.last_day, conditions)
            is checklist.Status.OVERDUE and checklist.completion_problem(
                step.key, done, today, row.first_day, row.last_day, conditions) is None]


def _claim(keys: list[tuple[int, str]], now: datetime) -> set[tuple[int, str]]:
    """Insert the reminder keys; the ones this call inserted (not another run) come back."""
    table = StepReminder.__table__
    fresh: set[tuple[int, str]] = set()
    for start in range(0, len(keys), CHUNK):
        rows = [{"assignment_id": aid, "step": step, "created_at": now}
                for aid, step in keys[start:start + CHUNK]]
        stmt = (dialect_insert(table).values(rows)
                .on_conflict_do_nothing(index_elements=["assignment_id", "step"])
                .returning(table.c.assignment_id, table.c.step))
        fresh.update((aid, step) for aid, step in db.session.execute(stmt))
    return fresh


def _employer_emails(organisation_ids: set[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for org_id, email in db.session.execute(
            select(User.organisation_id, User.email).where(
                User.organisation_id.in_(sorted(organisation_ids)), User.active,
                User.role == Role.EMPLOYER).order_by(User.email)):
        if org_id is not None:
            found[org_id].append(email)
    return found


def _owners(row: _Live, step: checklist.Step, counsellors: dict[int, list[tuple[str, str]]],
            employers: dict[int, list[str]]) -> list[tuple[str, str]]:
    """(address, pupil link) of whoever should act. A guardian's step falls to the
    counsellor, who follows it up; a pupil without an address too."""
    school_staff = [(email, "") for email, _name in counsellors.get(row.school_id, [])]
    if step.owner is checklist.Owner.EMPLOYER:
        emails = employers.get(row.organisation_id) or [row.employer_email]
        return [(e, "") for e in emails if e]
    if step.owner is checklist.Owner.PUPIL and row.pupil_email:
        return [(row.pupil_email, _pupil_link(row.assignment_id))]
    return school_staff


def _pupil_link(assignment_id: int) -> str:
    from portal.schools.pupils.services import make_link_token

    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        return ""
    return portal_url("schools.pupil_home", token=make_link_token(assignment.enrolment))
