"""Evaluation reminders on days 1, 3 and 10 after a period's last day, each once: to the
pupil (when the pupil has an email address) and to the supervisor (one email per
supervisor, listing every pupil still to evaluate, with the signed link).

The FeedbackReminder key (assignment, audience, day) is inserted first, and only the keys
this run inserted are emailed: two runs at once send every reminder once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from portal import clock
from portal.concurrency import dialect_insert, write_first
from portal.employers.models import Placement
from portal.extensions import db
from portal.feedback.links import evaluation_url
from portal.feedback.models import Audience, FeedbackReminder, FeedbackResponse
from portal.feedback.services import EVALUABLE
from portal.notifications import messages
from portal.prao.attendance.links import portal_url
from portal.prao.models import Assignment
from portal.schools.models import Enrolment, PraoPeriod, School, Student

DAYS = (1, 3, 10)
LATE = 2  # a job down for a day or two still sends the day's reminder, a week later not
CHUNK = 500


@dataclass(frozen=True)
class Due:
    assignment_id: int
    audience: Audience
    day_number: int
    last_day: date
    placement_id: int
    workplace: str
    pupil: str
    school: str
    pupil_email: str
    supervisor_email: str


def due_number(last_day: date, today: date) -> int | None:
    """The reminder due today for a period that ended on `last_day`: the latest of days 1,
    3 and 10 that has come, unless it is more than LATE days old."""
    past = [n for n in DAYS if last_day + timedelta(days=n) <= today]
    if not past or (today - (last_day + timedelta(days=past[-1]))).days > LATE:
        return None
    return past[-1]


def _unanswered(today: date) -> list[Due]:
    answered = {a: select(FeedbackResponse.id).where(
        FeedbackResponse.assignment_id == Assignment.id,
        FeedbackResponse.audience == a).exists() for a in Audience}
    stmt = (select(Assignment.id, PraoPeriod.last_day, Assignment.placement_id, Placement.title,
                   Student.first_name + " " + Student.last_name, School.name,
                   func.coalesce(Student.email, ""), func.lower(Placement.supervisor_email),
                   answered[Audience.PUPIL], answered[Audience.EMPLOYER],
                   Enrolment.link_revoked)
            .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .join(School, School.id == PraoPeriod.school_id)
            .join(Student, Student.id == Enrolment.student_id)
            .join(Placement, Placement.id == Assignment.placement_id)
            .where(Assignment.state.in_(EVALUABLE),
                   PraoPeriod.last_day < today,
                   PraoPeriod.last_day >= today - timedelta(days=DAYS[-1] + LATE)))
    found: list[Due] = []
    for (aid, last_day, pid, title, pupil, school, pupil_email, supervisor, pupil_done,
         employer_done, revoked) in db.session.execute(stmt):
        number = due_number(last_day, today)
        if number is None:
            continue
        if not pupil_done and pupil_email and not revoked:
            found.append(Due(aid, Audience.PUPIL, number, last_day, pid, title, pupil, school,
                             pupil_email, ""))
        if not employer_done and supervisor:
            found.append(Due(aid, Audience.EMPLOYER, number, last_day, pid, title, pupil,
                             school, "", supervisor))
    return found


def _claim(due: list[Due], today: date, now: datetime) -> set[tuple[int, str, int]]:
    table = FeedbackReminder.__table__
    fresh: set[tuple[int, str, int]] = set()
    for start in range(0, len(due), CHUNK):
        rows = [{"assignment_id": d.assignment_id, "audience": d.audience.value,
                 "day_number": d.day_number, "day": today, "created_at": now}
                for d in due[start:start + CHUNK]]
        stmt = (dialect_insert(table).values(rows)
                .on_conflict_do_nothing(index_elements=["assignment_id", "audience",
                                                        "day_number"])
                .returning(table.c.assignment_id, table.c.audience, table.c.day_number))
        fresh.update((aid, str(audience), n) for aid, audience, n in db.session.execute(stmt))
    return fresh


def send_evaluation_reminders(now: datetime | None = None) -> int:
    """Queue today's evaluation reminders not sent before; the number of emails queued."""
    from portal.schools.pupils.services import make_link_token

    now = now or clock.now()
    today = clock.local(now).date()
    write_first(FeedbackReminder.__table__)
    due = _unanswered(today)
    if not due:
        return 0
    fresh = _claim(due, today, now)
    mine = [d for d in due if (d.assignment_id, d.audience.value, d.day_number) in fresh]
    sent = 0
    for d in mine:
        if d.audience is Audience.PUPIL:
            enrolment = db.session.get(Assignment, d.assignment_id).enrolment  # type: ignore[union-attr]
            messages.pupil_evaluation_reminder(
                d.pupil_email, d.pupil.split(" ")[0], d.workplace,
                portal_url("feedback.pupil", token=make_link_token(enrolment)))
            sent += 1
    by_supervisor: dict[str, list[Due]] = defaultdict(list)
    for d in mine:
        if d.audience is Audience.EMPLOYER:
            by_supervisor[d.supervisor_email].append(d)
    for email, lines in sorted(by_supervisor.items()):
        messages.supervisor_evaluation_reminder(email, lines, _links(lines))
        sent += 1
    db.session.commit()
    return sent


def _links(lines: list[Due]) -> list[tuple[str, str]]:
    """(workplace, signed link) per placement of the supervisor's pupils."""
    by_placement: dict[int, list[Due]] = defaultdict(list)
    for d in lines:
        by_placement[d.placement_id].append(d)
    return [(found[0].workplace, evaluation_url(pid, [d.assignment_id for d in found],
                                                max(d.last_day for d in found)))
            for pid, found in sorted(by_placement.items())]
