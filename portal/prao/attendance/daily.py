"""What happens by itself every prao day, in Europe/Stockholm time: from 07:00 one email
per supervisor with a signed link to that day's pupils; from 10:00 an alert for every pupil
at work that day with no report; and the emails every alert causes.

Each is set-based SQL (one statement for the whole region, not a loop over pupils) and
idempotent through a unique key: MorningEmail (supervisor, day), AttendanceAlert
(assignment, day, kind), and an alert's sent_at claimed by a conditional UPDATE. Two job
runs at once, on two servers, still send every email once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    delete,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    update,
)

from portal import clock
from portal.accounts.models import Role, User, counsellor_school
from portal.concurrency import dialect_insert, write_first
from portal.db import UTCDateTime
from portal.employers.models import Organisation, Placement, PlacementOffer
from portal.extensions import db
from portal.notifications import messages
from portal.prao import worktime
from portal.prao.attendance import links
from portal.prao.days import is_prao_day
from portal.prao.models import (
    AlertKind,
    Assignment,
    AssignmentState,
    AttendanceAlert,
    AttendanceDay,
    MorningEmail,
)
from portal.schools.models import Enrolment, PraoPeriod, School, Student
from portal.texts import mark as _l
from portal.weeks import monday_of

MORNING = time(7, 0)
DEADLINE = time(10, 0)  # a day not reported by then raises an alert
AT_WORK = (AssignmentState.CONFIRMED, AssignmentState.IN_PROGRESS)
GUARDIAN_KINDS = (AlertKind.ABSENT, AlertKind.NOT_REPORTED)
CHUNK = 5000  # ids per IN list: well below both engines' limits on bound parameters
RECENT = timedelta(days=7)  # unsent alerts older than this are history, not news


def supervisor_email() -> ColumnElement[str]:
    """The address that gets the morning link: the placement's supervisor, or the
    organisation's contact when the placement names none. Lower case: one per person."""
    return func.lower(func.coalesce(func.nullif(Placement.supervisor_email, ""),
                                    Organisation.contact_email))


def at_work(day: date) -> Select:
    """Assignments whose pupil works on `day` (the period and the offer's weeks cover
    it), with the joins that later clauses use. The day's being a prao day is the
    caller's business."""
    return (
        select(Assignment.id)
        .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
        .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
        .join(Placement, Placement.id == Assignment.placement_id)
        .join(Organisation, Organisation.id == Placement.organisation_id)
        .outerjoin(PlacementOffer, PlacementOffer.id == Assignment.offer_id)
        .where(Assignment.state.in_(AT_WORK), PraoPeriod.first_day <= day,
               PraoPeriod.last_day >= day,
               or_(Assignment.offer_id.is_(None),
                   and_(PlacementOffer.first_week <= day,
                        PlacementOffer.last_week >= monday_of(day))))
    )


def _local(now: datetime) -> datetime:
    return clock.local(now)


# --- 07:00: one email per supervisor ------------------------------------------------------

@dataclass(frozen=True)
class MorningPupil:
    assignment_id: int
    first_name: str
    last_name: str
    school: str
    workplace: str


def _claim_supervisors(day: date, now: datetime) -> list[str]:
    """Insert the day's MorningEmail key of every supervisor with pupils at work, in one
    INSERT … SELECT; the addresses this call inserted (not another run) come back. Being
    a write, it is also the transaction's first statement, so two runs on SQLite wait for
    each other instead of failing."""
    email = supervisor_email()
    supervisors = (at_work(day).with_only_columns(email, literal(day),
                                                  literal(now, UTCDateTime()))
                   .where(email != "").distinct())
    table = MorningEmail.__table__
    stmt = (dialect_insert(table)
            .from_select(["supervisor_email", "day", "created_at"], supervisors)
            .on_conflict_do_nothing(index_elements=["supervisor_email", "day"])
            .returning(table.c.supervisor_email))
    return sorted(db.session.scalars(stmt))


def _morning_rows(day: date, addresses: Sequence[str]) -> Iterator[tuple]:
    email = supervisor_email()
    for chunk in _batches(addresses, CHUNK):
        yield from db.session.execute(
            at_work(day).add_columns(email, Placement.supervisor_name, Student.first_name,
                                     Student.last_name, School.name, Placement.title)
            .join(Student, Student.id == Enrolment.student_id)
            .join(School, School.id == PraoPeriod.school_id)
            .where(email.in_(chunk))
            .order_by(email, Student.last_name, Student.first_name, Assignment.id))


def send_morning_emails(now: datetime | None = None) -> int:
    """From 07:00 on a prao day: the day's link to every supervisor not yet sent one."""
    now = now or clock.now()
    moment = _local(now)
    day = moment.date()
    if moment.time() < MORNING or not is_prao_day(day):
        return 0
    claimed = _claim_supervisors(day, now)
    groups: dict[str, list[MorningPupil]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in _morning_rows(day, claimed):
        groups[row[1]].append(MorningPupil(row[0], row[3], row[4], row[5], row[6]))
        names.setdefault(row[1], row[2])
    link = links.url_maker("attendance.link_report", "token")
    messages.attendance_mornings(
        ((address, names.get(address, ""), day, groups[address], link(links.make_token(
            address, [p.assignment_id for p in groups[address]], day))) for address in claimed),
        DEADLINE)
    db.session.commit()
    return len(claimed)


def _batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- 10:00: an alert for every pupil not reported -----------------------------------------

def raise_missing_reports(now: datetime | None = None) -> int:
    """From 10:00 on a prao day: a NOT_REPORTED alert for each pupil at work with no
    report for today, and their emails. One SELECT reads every such pupil of the region
    for the emails; one INSERT … SELECT … ON CONFLICT DO NOTHING raises the alerts, marked
    sent since their emails go in the same transaction. Only the alerts this run inserted
    are emailed, so two runs at once email each once."""
    now = now or clock.now()
    moment = _local(now)
    day = moment.date()
    if moment.time() < DEADLINE or not is_prao_day(day):
        return 0
    write_first(AttendanceAlert.__table__)
    missing = {row[0]: row for row in db.session.execute(_missing_reports(day).add_columns(
        Student.first_name, Student.last_name, School.id, School.name, Placement.title,
        Organisation.name, func.coalesce(Student.guardian_email, ""), _tell_guardian()))}
    created = _insert_sent(day, now)
    record = links.url_maker("attendance.record", "assignment_id")
    lines = [_line(alert_id, day, missing[aid], record(aid))
             for aid, alert_id in sorted(created.items()) if aid in missing]
    _unsend([alert_id for aid, alert_id in created.items() if aid not in missing])
    _email_counsellors(sorted(lines, key=lambda x: (x.school, x.last_name, x.first_name)))
    messages.attendance_guardians(line for line in lines if line.guardian_email)
    dispatch_alerts(now=now)  # those above, and any alert raised elsewhere not yet emailed
    db.session.commit()
    return len(created)


def _line(alert_id: int, day: date, row: Any, record_url: str) -> AlertLine:
    aid, first, last, school_id, school, workplace, organisation, guardian, tell = row
    return AlertLine(alert_id, AlertKind.NOT_REPORTED, day, aid, first, last, school_id,
                     school, workplace, organisation, guardian if tell else "", record_url)


def _missing_reports(day: date) -> Select:
    """Pupils at work on `day` with no report, with the joins the details need."""
    reported = select(AttendanceDay.id).where(AttendanceDay.assignment_id == Assignment.id,
                                              AttendanceDay.day == day)
    return (at_work(day)
            .join(Student, Student.id == Enrolment.student_id)
            .join(School, School.id == Student.school_id)
            .where(not_(reported.exists())))


def _tell_guardian() -> ColumnElement[bool]:
    return and_(School.alert_guardians_on_absence,
                func.coalesce(Student.guardian_email, "") != "")


def _insert_sent(day: date, now: datetime) -> dict[int, int]:
    """Raise the alerts in one INSERT … SELECT; assignment id -> alert id of those this
    call inserted (another run's are skipped by the unique key)."""
    sent = literal(now, UTCDateTime())
    rows = _missing_reports(day).with_only_columns(
        Assignment.id, literal(day), literal(AlertKind.NOT_REPORTED.value), sent, sent,
        case((_tell_guardian(), sent), else_=null()))
    table = AttendanceAlert.__table__
    stmt = (dialect_insert(table)
            .from_select(["assignment_id", "day", "kind", "created_at", "sent_at",
                          "guardian_sent_at"], rows)
            .on_conflict_do_nothing(index_elements=["assignment_id", "day", "kind"])
            .returning(table.c.assignment_id, table.c.id))
    return dict(db.session.execute(stmt).all())


def _unsend(alert_ids: list[int]) -> None:
    """Alerts for pupils who came to work between the two statements above (confirmed a
    moment ago): left to dispatch_alerts, which reads them one by one."""
    if alert_ids:
        db.session.execute(update(AttendanceAlert).where(AttendanceAlert.id.in_(alert_ids))
                           .values(sent_at=None, guardian_sent_at=None)
                           .execution_options(synchronize_session=False))


# --- the emails every alert causes ---------------------------------------------------------

@dataclass(frozen=True)
class AlertLine:
    """One alert as its emails tell it."""

    alert_id: int
    kind: AlertKind
    day: date
    assignment_id: int
    first_name: str
    last_name: str
    school_id: int
    school: str
    workplace: str
    organisation: str
    guardian_email: str
    record_url: str
    # For hours against the rules for minors: the rules the day (or its week) broke.
    rules: tuple[worktime.Breach, ...] = ()

    @property
    def rule_msgids(self) -> list[tuple[str, Mapping[str, str]]]:
        """Each broken rule untranslated, with its figures, for the template's own `_`."""
        return [(worktime.BREACH_MESSAGES[rule.code], rule.params) for rule in self.rules]

    @property
    def kind_text(self) -> str:
        """What happened, as the emails say it, in the language they are written in."""
        return gettext(KIND_TEXTS[self.kind])

    @property
    def kind_msgid(self) -> str:
        """What happened, untranslated: a template batch-rendering thousands of emails
        translates it with its own `_` (one language's catalogue, no lookup per call)."""
        return KIND_TEXTS[self.kind]


KIND_TEXTS = {
    AlertKind.ABSENT: _l("frånvarande"),
    AlertKind.NOT_REPORTED: _l("ingen närvarorapport kl. 10"),
    AlertKind.HOURS: _l("arbetstid utanför reglerna för minderåriga"),
}


def dispatch_alerts(alert_ids: Iterable[int] | None = None,
                    now: datetime | None = None) -> int:
    """Claim the unsent alerts (these ids, or every recent one) with one conditional
    UPDATE, so no two runs claim the same alert, and queue their emails in the caller's
    transaction: one digest per counsellor of the pupils' schools, and one email per
    guardian where the school has switched that on and has an address. Returns the
    number of alerts claimed."""
    now = now or clock.now()
    stmt = (update(AttendanceAlert).where(AttendanceAlert.sent_at.is_(None))
            .values(sent_at=now).returning(AttendanceAlert.id)
            .execution_options(synchronize_session=False))
    if alert_ids is not None:
        stmt = stmt.where(AttendanceAlert.id.in_(list(alert_ids)))
    else:
        stmt = stmt.where(AttendanceAlert.day >= clock.local(now).date() - RECENT)
    claimed = list(db.session.scalars(stmt))
    if not claimed:
        return 0
    lines = _alert_lines(claimed)
    _email_counsellors(lines)
    _email_guardians(lines, now)
    return len(claimed)


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _alert_lines(alert_ids: list[int]) -> list[AlertLine]:
    lines: list[AlertLine] = []
    record = links.url_maker("attendance.record", "assignment_id")
    for chunk in _chunks(sorted(alert_ids)):
        stmt = (
            select(AttendanceAlert.id, AttendanceAlert.kind, AttendanceAlert.day,
                   Assignment.id, Student.first_name, Student.last_name, School.id,
                   School.name, Placement.title, Organisation.name,
                   func.coalesce(Student.guardian_email, ""), School.alert_guardians_on_absence)
            .join(Assignment, Assignment.id == AttendanceAlert.assignment_id)
            .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .join(Student, Student.id == Enrolment.student_id)
            .join(School, School.id == Student.school_id)
            .join(Placement, Placement.id == Assignment.placement_id)
            .join(Organisation, Organisation.id == Placement.organisation_id)
            .where(AttendanceAlert.id.in_(chunk))
            .order_by(School.name, Student.last_name, Student.first_name, AttendanceAlert.id))
        for row in db.session.execute(stmt):
            guardian = row[10] if row[11] and row[1] in GUARDIAN_KINDS else ""
            lines.append(AlertLine(*row[:10], guardian_email=guardian,
                                   record_url=record(row[3])))
    return _with_rules(lines)


def _with_rules(lines: list[AlertLine]) -> list[AlertLine]:
    """Hours alerts with the rules broken: the day's own, and its week's 35 hours."""
    hours = [line for line in lines if line.kind is AlertKind.HOURS]
    if not hours:
        return lines
    weeks = {(line.assignment_id, monday_of(line.day)) for line in hours}
    mondays = [monday for _aid, monday in weeks]
    worked: dict[tuple[int, date], list[worktime.WorkedDay]] = defaultdict(list)
    for chunk in _chunks(sorted({aid for aid, _monday in weeks})):
        stmt = (select(AttendanceDay.assignment_id, AttendanceDay.day, AttendanceDay.start_time,
                       AttendanceDay.end_time, AttendanceDay.break_minutes)
                .where(AttendanceDay.assignment_id.in_(chunk),
                       AttendanceDay.day >= min(mondays),
                       AttendanceDay.day < max(mondays) + timedelta(days=7)))
        for aid, day, start, end, pause in db.session.execute(stmt):
            if start is not None and end is not None and (aid, monday_of(day)) in weeks:
                worked[(aid, monday_of(day))].append(worktime.WorkedDay(day, start, end, pause))

    def ruled(line: AlertLine) -> AlertLine:
        monday = monday_of(line.day)
        found = tuple(b for b in worktime.breaches(worked[(line.assignment_id, monday)])
                      if b.day == line.day or (b.code == "week_over_35h" and b.day == monday))
        return replace(line, rules=found)

    return [ruled(line) if line.kind is AlertKind.HOURS else line for line in lines]


def counsellor_emails(school_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """(email, name) of the active counsellors of each school."""
    stmt = (select(counsellor_school.c.school_id, User.email, User.name)
            .join(User, User.id == counsellor_school.c.user_id)
            .where(counsellor_school.c.school_id.in_(list(set(school_ids))),
                   User.active, User.role == Role.COUNSELLOR)
            .order_by(User.email))
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for school_id, email, name in db.session.execute(stmt):
        found[school_id].append((email, name))
    return found


def coordinator_emails() -> list[tuple[str, str]]:
    stmt = (select(User.email, User.name).where(User.active, User.role == Role.COORDINATOR)
            .order_by(User.email))
    return [(email, name) for email, name in db.session.execute(stmt)]


def withdraw_absences(day: date, assignment_ids: Sequence[int]) -> int:
    """A day reported absent and then present or late (a slip corrected): its absence alert
    is withdrawn, and whoever was emailed it hears of the correction, the guardian too (a
    parent told their child is missing must not go on believing it). One DELETE returns
    what it removed: of two corrections at once, only one writes the emails. Returns the
    number of alerts withdrawn."""
    if not assignment_ids:
        return 0
    ids = list(db.session.scalars(select(AttendanceAlert.id).where(
        AttendanceAlert.day == day, AttendanceAlert.kind == AlertKind.ABSENT,
        AttendanceAlert.assignment_id.in_(list(assignment_ids)))))
    if not ids:
        return 0
    lines = {line.alert_id: line for line in _alert_lines(ids)}
    removed = db.session.execute(
        delete(AttendanceAlert).where(AttendanceAlert.id.in_(ids))
        .returning(AttendanceAlert.id, AttendanceAlert.sent_at, AttendanceAlert.guardian_sent_at)
        .execution_options(synchronize_session=False)).all()
    told = [lines[alert_id] for alert_id, sent_at, _guardian in removed if sent_at is not None]
    _email_counsellors(told, messages.attendance_corrected)
    messages.attendance_guardians_corrected(
        lines[alert_id] for alert_id, _sent, guardian_sent_at in removed
        if guardian_sent_at is not None and lines[alert_id].guardian_email)
    return len(removed)


def _email_counsellors(lines: list[AlertLine],
                       send: Callable[[Iterable[tuple[str, str, Sequence[AlertLine]]]], int]
                       = messages.attendance_alerts) -> None:
    """One digest per counsellor; a school with no counsellor falls to the coordinators,
    so no alert is silently dropped."""
    staff = counsellor_emails(line.school_id for line in lines)
    fallback = coordinator_emails() if any(line.school_id not in staff for line in lines) else []
    per_person: dict[tuple[str, str], list[AlertLine]] = defaultdict(list)
    for line in lines:
        for person in staff.get(line.school_id) or fallback:
            per_person[person].append(line)
    send((email, name, own) for (email, name), own in sorted(per_person.items()))


def _email_guardians(lines: list[AlertLine], now: datetime) -> None:
    """The guardians hear of an absence the same day, while it matters where the pupil is.
    An absence reported for an earlier day (a correction on Sunday of Friday's list) goes
    to the school only: its email would say the pupil is absent "today"."""
    today = _local(now).date()
    to_guardians = [line for line in lines if line.guardian_email and line.day == today]
    messages.attendance_guardians(to_guardians)
    ids = [line.alert_id for line in to_guardians]
    for chunk in _chunks(ids):
        db.session.execute(update(AttendanceAlert).where(AttendanceAlert.id.in_(chunk))
                           .values(guardian_sent_at=now)
                           .execution_options(synchronize_session=False))
