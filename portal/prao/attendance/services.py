"""Attendance use cases: a supervisor or employer reports a day, the counsellor judges an
absence, logs a follow-up, anyone responsible reports an incident. Each function checks
every rule before it writes anything, raises AttendanceError with a message per field
when a rule is broken (nothing saved), and commits its own work. Never `request`/`flash`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import NamedTuple, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, Table, bindparam, case, insert, null, select
from sqlalchemy.orm import contains_eager

from portal import clock
from portal.accounts.models import User
from portal.audit import audit
from portal.concurrency import dialect_insert, write_first
from portal.employers.models import Organisation, Placement, PlacementOffer
from portal.extensions import db
from portal.notifications import messages
from portal.prao import checklist, worktime
from portal.prao import services as prao_services
from portal.prao.attendance import links
from portal.prao.attendance.daily import (
    coordinator_emails,
    counsellor_emails,
    dispatch_alerts,
    withdraw_absences,
)
from portal.prao.attendance.workdays import Span, work_span
from portal.prao.days import is_prao_day
from portal.prao.models import (
    AlertKind,
    Assignment,
    AssignmentState,
    AttendanceAlert,
    AttendanceDay,
    AttendanceReport,
    AttendanceStatus,
    FollowUp,
    FollowUpKind,
    Incident,
    IncidentKind,
    IncidentSeverity,
    StepRecord,
)
from portal.schools.models import Enrolment, PraoPeriod, School

# A day can be reported (or corrected) once the pupil is confirmed, also after the period.
REPORTABLE = (AssignmentState.CONFIRMED, AssignmentState.IN_PROGRESS,
              AssignmentState.COMPLETED)
WORKED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
MAX_BREAK = 8 * 60
# Both errors make a day that cannot be measured: refused, never saved with a warning.
REFUSED_BREACHES = ("end_before_start", "break_too_long")
ARBETSMILJOVERKET_URL = "https://www.av.se/"


@dataclass(frozen=True)
class Problem:
    """A broken rule and the field it belongs beside: `assignment_id` None means a field
    of the whole form (the day, say)."""

    field: str
    message: object
    assignment_id: int | None = None


class AttendanceError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p.message) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Reporter:
    """Who reports: a signed-in user, or a label such as "Handledare x@y.se (länk)"."""

    user: User | None
    label: str

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None


# --- the pupil at a workplace ----------------------------------------------------------------

@dataclass(frozen=True)
class Placed:
    """What the rules need to know about one assignment."""

    assignment: Assignment
    organisation_id: int
    span: Span | None
    school_id: int

    @property
    def name(self) -> str:
        return self.assignment.enrolment.student.full_name


def placed(assignment_ids: Iterable[int], *where: ColumnElement[bool]) -> dict[int, Placed]:
    """The assignments with their pupil, period, school, offer and organisation, in one
    query; `where` narrows them further (Placement, Organisation and the period may be
    named). The pages show each pupil's school: read here, not once per pupil."""
    return placed_by(placed_statement(Assignment.id.in_(list(assignment_ids)), *where))


def placed_statement(*where: ColumnElement[bool]) -> Select:
    """`placed`'s statement, for a caller that keeps it (with bound parameters in `where`)."""
    enrolment = contains_eager(Assignment.enrolment)
    return (select(Assignment, Placement.organisation_id, PraoPeriod.first_day,
                   PraoPeriod.last_day, PlacementOffer.first_week, PlacementOffer.last_week,
                   PraoPeriod.school_id)
            .join(Assignment.enrolment).join(Enrolment.student)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .join(School, School.id == PraoPeriod.school_id)
            .join(Assignment.placement)
            .join(Organisation, Organisation.id == Placement.organisation_id)
            .outerjoin(PlacementOffer, PlacementOffer.id == Assignment.offer_id)
            .where(*where)
            .options(enrolment.contains_eager(Enrolment.student),
                     enrolment.contains_eager(Enrolment.period).contains_eager(PraoPeriod.school),
                     contains_eager(Assignment.placement)))


def placed_by(stmt: Select, params: Mapping[str, object] | None = None
              ) -> dict[int, Placed]:
    return {row[0].id: Placed(row[0], row[1], work_span(*row[2:6]), row[6])
            for row in db.session.execute(stmt, params)}


# --- reporting a day -------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One pupil's day as the form gives it; times are ignored for an absence."""

    assignment_id: int
    status: AttendanceStatus
    start: time | None = None
    end: time | None = None
    break_minutes: int | None = 0  # None: the field was left empty


@dataclass(frozen=True)
class ReportOutcome:
    saved: int
    # assignment id -> (pupil's name, breaches of the rules for minors), to show as warnings
    breaches: dict[int, tuple[str, list[worktime.Breach]]] = field(default_factory=dict)
    alerts: int = 0
    unchanged: int = 0  # pupils reported again exactly as already saved


def report_day(day: date, entries: Sequence[Entry], allowed: Mapping[int, Placed],
               reporter: Reporter) -> ReportOutcome:
    """Record a day for the pupils in `entries`, which must all be among `allowed` (the
    pupils of the reporter's own workplace, as `placed` loads them). A second report of the
    same day replaces the first in AttendanceDay; both stay in AttendanceReport and the
    audit log. An absence on a prao day, or hours that break the rules for minors, raise
    an alert to the counsellor."""
    if not entries:
        raise AttendanceError([Problem("status", _l("Välj närvaro för minst en elev."))])
    write_first(AttendanceReport.__table__)
    found = {e.assignment_id: allowed[e.assignment_id] for e in entries
             if e.assignment_id in allowed}
    _check(day, entries, found)
    current, week = _week(day, [e.assignment_id for e in entries])
    sent = len(entries)
    entries = [e for e in entries if not _same(current.get(e.assignment_id), e)]
    now = clock.now()
    outcome = ReportOutcome(saved=len(entries))
    _write(day, entries, found, reporter, now)
    withdraw_absences(day, [e.assignment_id for e in entries if e.status in WORKED])
    keys = [key for e in entries for key in _alert_keys(day, e, found[e.assignment_id], week,
                                                         outcome)]
    alert_ids = _insert_alerts(day, keys, now)
    _record_attendance_steps([found[e.assignment_id] for e in entries], now, reporter)
    if alert_ids:  # none new: nothing to claim, and no statement to ask that
        dispatch_alerts(alert_ids, now)
    db.session.commit()
    return ReportOutcome(outcome.saved, outcome.breaches, len(alert_ids), sent - len(entries))


def _same(current: _Day | None, entry: Entry) -> bool:
    if current is None or current.status is not entry.status:
        return False
    if entry.status not in WORKED:
        return True
    return (current.start_time, current.end_time, current.break_minutes) == (
        entry.start, entry.end, entry.break_minutes)


def of_organisation(organisation_id: int, assignment_ids: Iterable[int]) -> dict[int, Placed]:
    """Those of the assignments that are at the organisation's placements."""
    return placed(assignment_ids, Placement.organisation_id == organisation_id)


def _check(day: date, entries: Sequence[Entry], found: dict[int, Placed]) -> None:
    problems = []
    if day > clock.today():
        problems.append(Problem("day", _l("Närvaro kan inte rapporteras för en dag som inte "
                                          "har kommit än.")))
    seen: set[int] = set()
    for entry in entries:
        if entry.assignment_id in seen:
            problems.append(Problem("status", _l("Eleven finns två gånger i rapporten."),
                                    entry.assignment_id))
        seen.add(entry.assignment_id)
        problems += _entry_problems(day, entry, found.get(entry.assignment_id))
    if problems:
        raise AttendanceError(problems)


def _entry_problems(day: date, entry: Entry, where: Placed | None) -> list[Problem]:
    aid = entry.assignment_id
    if where is None:
        return [Problem("status", _l("Eleven är inte på prao på den här arbetsplatsen."), aid)]
    if where.assignment.state is AssignmentState.PROPOSED:
        return [Problem("status", _l("Eleven är inte bekräftad än. Bekräfta eleven först."),
                        aid)]
    if where.assignment.state not in REPORTABLE:
        return [Problem("status", _l("Eleven är inte på prao på den här arbetsplatsen."), aid)]
    if where.span is None or not where.span.covers(day):
        first, last = (where.span.first, where.span.last) if where.span else (day, day)
        return [Problem("day", _l("%(day)s ligger utanför elevens praodagar här "
                                  "(%(first)s–%(last)s).", day=day.isoformat(),
                                  first=first.isoformat(), last=last.isoformat()), aid)]
    return _hours_problems(day, entry)


def _hours_problems(day: date, entry: Entry) -> list[Problem]:
    if entry.status not in WORKED:
        return []
    problems = _missing_hours(entry)
    if problems:
        return problems
    for breach in worktime.day_breaches(_worked(day, entry)):
        if breach.code in REFUSED_BREACHES:
            target = "end" if breach.code == "end_before_start" else "break_minutes"
            problems.append(Problem(target, _l(worktime.BREACH_MESSAGES[breach.code]),
                                    entry.assignment_id))
    return problems


def _missing_hours(entry: Entry) -> list[Problem]:
    """A worked day's times and break, each asked for beside its field when missing."""
    aid, problems = entry.assignment_id, []
    if entry.start is None:
        problems.append(Problem("start", _l("Fyll i när eleven började."), aid))
    if entry.end is None:
        problems.append(Problem("end", _l("Fyll i när eleven slutade."), aid))
    if entry.break_minutes is None:
        # Not taken as 0: a cleared field then read as a day without a break, a breach.
        problems.append(Problem("break_minutes", _l(
            "Fyll i rasten i minuter, 0 om eleven inte hade någon rast."), aid))
    elif not 0 <= entry.break_minutes <= MAX_BREAK:
        problems.append(Problem("break_minutes", _l("Rasten är mellan 0 och %(max)d minuter.",
                                                    max=MAX_BREAK), aid))
    return problems


def _worked(day: date, entry: Entry) -> worktime.WorkedDay:
    # Checked before: a worked day has both times and its break (_hours_problems).
    assert entry.start is not None and entry.end is not None and entry.break_minutes is not None
    return worktime.WorkedDay(day, entry.start, entry.end, entry.break_minutes)


class _Day(NamedTuple):
    """A reported day as the rules read it."""

    assignment_id: int
    day: date
    status: AttendanceStatus
    start_time: time | None
    end_time: time | None
    break_minutes: int


def _week(day: date, assignment_ids: list[int]) -> tuple[
        dict[int, _Day], dict[int, list[worktime.WorkedDay]]]:
    """In one query: the day as reported now, and the other worked days of the same ISO
    week (for the 35-hour rule), per assignment."""
    monday = day - timedelta(days=day.weekday())
    current: dict[int, _Day] = {}
    week: dict[int, list[worktime.WorkedDay]] = defaultdict(list)
    for row in db.session.execute(_week_statement(), {
            "ids": assignment_ids, "monday": monday, "sunday": monday + timedelta(days=6)}):
        d = _Day._make(row)
        if d.day == day:
            current[d.assignment_id] = d
        elif d.status in WORKED and d.start_time is not None and d.end_time is not None:
            week[d.assignment_id].append(
                worktime.WorkedDay(d.day, d.start_time, d.end_time, d.break_minutes))
    return current, week


@cache
def _week_statement() -> Select:
    """Built once: a report runs it every time."""
    return select(*(getattr(AttendanceDay, name) for name in _Day._fields)).where(
        AttendanceDay.assignment_id.in_(bindparam("ids", expanding=True)),
        AttendanceDay.day.between(bindparam("monday"), bindparam("sunday")))


def _write(day: date, entries: Sequence[Entry], found: dict[int, Placed], reporter: Reporter,
           now: datetime) -> None:
    """Every entry in three statements: the reports, the days (insert or replace) and the
    audit rows."""
    if not entries:
        return
    rows = [_values(day, entry, reporter, now) for entry in entries]
    db.session.execute(insert(cast(Table, AttendanceReport.__table__)), rows)
    table = AttendanceDay.__table__
    stmt = dialect_insert(table).values(rows)
    # The later report wins. The counsellor's judgement of an absence survives a
    # correction that still says absent, and is cleared by one that does not.
    still_absent = stmt.excluded.status == AttendanceStatus.ABSENT.value
    keep = {name: case((still_absent, table.c[name]), else_=null())
            for name in ("excused", "excused_at", "excused_by_id")}
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["assignment_id", "day"],
        set_={**{k: stmt.excluded[k] for k in rows[0] if k not in ("assignment_id", "day")},
              **keep}))
    for entry in entries:
        audit(reporter.user, "attendance_reported", found[entry.assignment_id].assignment,
              detail=_detail(day, entry, reporter))


def _values(day: date, entry: Entry, reporter: Reporter, now: datetime) -> dict[str, object]:
    worked = entry.status in WORKED
    return {
        "assignment_id": entry.assignment_id, "day": day, "status": entry.status.value,
        "start_time": entry.start if worked else None,
        "end_time": entry.end if worked else None,
        "break_minutes": (entry.break_minutes or 0) if worked else 0,
        "reported_at": now, "reported_by_id": reporter.user_id,
        "reported_by_label": reporter.label[:200],
    }


def _detail(day: date, entry: Entry, reporter: Reporter) -> str:
    hours = ""
    if entry.status in WORKED and entry.start and entry.end:
        hours = f" {entry.start:%H:%M}-{entry.end:%H:%M} rast {entry.break_minutes} min"
    return f"{day.isoformat()} {entry.status.value}{hours} ({reporter.label})"


def _alert_keys(day: date, entry: Entry, where: Placed,
                week: dict[int, list[worktime.WorkedDay]],
                outcome: ReportOutcome) -> list[tuple[int, AlertKind]]:
    kinds = []
    if entry.status is AttendanceStatus.ABSENT and is_prao_day(day):
        kinds.append(AlertKind.ABSENT)
    if entry.status in WORKED:
        days = [*week.get(entry.assignment_id, []), _worked(day, entry)]
        found = [b for b in worktime.breaches(days)
                 if b.day == day or b.code == "week_over_35h"]
        if found:
            outcome.breaches[entry.assignment_id] = (where.name, found)
            kinds.append(AlertKind.HOURS)
    return [(entry.assignment_id, kind) for kind in kinds]


def _insert_alerts(day: date, keys: list[tuple[int, AlertKind]], now: datetime) -> list[int]:
    """Insert the alerts not raised before for the day, in one statement; the new ids
    (an alert raised already, by an earlier report or at 10:00, is not raised again)."""
    if not keys:
        return []
    table = AttendanceAlert.__table__
    stmt = (dialect_insert(table)
            .values([{"assignment_id": aid, "day": day, "kind": kind.value, "created_at": now}
                     for aid, kind in keys])
            .on_conflict_do_nothing(index_elements=["assignment_id", "day", "kind"])
            .returning(table.c.id))
    return list(db.session.scalars(stmt))


def _record_attendance_steps(found: Iterable[Placed], now: datetime, reporter: Reporter) -> None:
    """The checklist's "attendance every day" is done once every prao day of the pupil's
    time at the workplace has a report and the last one has come."""
    today = clock.today()
    for where in found:
        if where.span is None or today < where.span.last:
            continue
        days = set(where.span.days())
        reported = set(db.session.scalars(select(AttendanceDay.day).where(
            AttendanceDay.assignment_id == where.assignment.id,
            AttendanceDay.day.in_(days))))
        if days <= reported:
            record_step(where, "attendance", now, reporter)


def record_step(where: Placed, key: str, now: datetime, reporter: Reporter) -> None:
    """Record a checklist step the portal saw happen, once, where the checklist's order
    allows it now. The recording itself is prao.services.record_step, the one race-safe way
    to record a step (an existing record is kept, also when two requests meet)."""
    done = _done_steps(where.assignment)
    period = where.assignment.enrolment.period
    conditions = ([checklist.GUARDIAN_ACK]
                  if period.school.municipality.guardian_ack_required else [])
    problem = checklist.completion_problem(key, done, clock.today(), period.first_day,
                                           period.last_day, conditions)
    if problem is None:
        prao_services.record_step(where.assignment.id, key,
                                  prao_services.Actor(reporter.user, reporter.label), now)


def _done_steps(assignment: Assignment) -> set[str]:
    done = set(db.session.scalars(select(StepRecord.step).where(
        StepRecord.assignment_id == assignment.id)))
    # Facts the checklist may not have recorded as rows: the employer's confirmation is
    # the assignment's own state.
    if assignment.state in REPORTABLE:
        done.add("employer_confirmed")
    return done


# --- the counsellor's judgement of an absence ------------------------------------------------

def mark_excused(where: Placed, day: date, excused: bool, user: User) -> None:
    """Record whether an absence was excused (giltig) or not; only a day reported absent."""
    found = db.session.scalars(select(AttendanceDay).where(
        AttendanceDay.assignment_id == where.assignment.id, AttendanceDay.day == day,
        AttendanceDay.status == AttendanceStatus.ABSENT).with_for_update()).one_or_none()
    if found is None:
        raise AttendanceError([Problem("day", _l("Den dagen är inte rapporterad som "
                                                 "frånvaro."))])
    found.excused = excused
    found.excused_at = clock.now()
    found.excused_by_id = user.id
    audit(user, "absence_excused" if excused else "absence_unexcused", where.assignment,
          detail=day.isoformat())
    db.session.commit()


# --- follow-up contact or visit --------------------------------------------------------------

@dataclass(frozen=True)
class FollowUpData:
    kind: FollowUpKind
    enjoys: str = ""
    adjust: str = ""
    tasks: str = ""
    plan: str = ""
    questions: str = ""
    note: str = ""

    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name).strip()
                for name in ("enjoys", "adjust", "tasks", "plan", "questions", "note")}


def log_follow_up(where: Placed, data: FollowUpData, user: User) -> FollowUp:
    """Log a contact or visit. The same follow-up again the same day, word for word (a
    double click, or two clicks at one moment), is the one already logged: nothing is
    added. The same answers on another day are another contact, and are logged."""
    texts = data.texts()
    if not any(texts.values()):
        raise AttendanceError([Problem("note", _l("Skriv svaret på minst en fråga eller en "
                                                  "anteckning."))])
    prao_services.lock_assignment(where.assignment.id)  # a second click waits, then sees ours
    if where.assignment.state not in REPORTABLE:
        raise AttendanceError([Problem("kind", _l("Eleven är inte bekräftad på "
                                                  "arbetsplatsen än."))])
    now = clock.now()
    repeat = _same_follow_up_today(where.assignment.id, data.kind, texts, now)
    if repeat is not None:
        db.session.rollback()
        return repeat
    follow_up = FollowUp(assignment_id=where.assignment.id, kind=data.kind, by_id=user.id,
                         at=now, **texts)
    db.session.add(follow_up)
    db.session.flush()
    record_step(where, "follow_up", now, Reporter(user, user.name))
    audit(user, "follow_up_logged", where.assignment, detail=data.kind.value)
    db.session.commit()
    return follow_up


def _same_follow_up_today(assignment_id: int, kind: FollowUpKind, texts: Mapping[str, str],
                          now: datetime) -> FollowUp | None:
    midnight = datetime.combine(clock.local(now).date(), time(), tzinfo=clock.STOCKHOLM)
    same_answers = [getattr(FollowUp, name) == text for name, text in texts.items()]
    return db.session.scalars(select(FollowUp).where(
        FollowUp.assignment_id == assignment_id, FollowUp.kind == kind,
        FollowUp.at >= midnight, *same_answers).order_by(FollowUp.id)).first()


# --- incidents --------------------------------------------------------------------------------

@dataclass(frozen=True)
class IncidentData:
    kind: IncidentKind
    severity: IncidentSeverity
    day: date
    at: time
    what: str
    injury: str = ""
    measures: str = ""


@dataclass(frozen=True)
class IncidentFacts:
    """An incident as its emails tell it."""

    pupil: str
    school: str
    workplace: str
    organisation: str
    kind: IncidentKind
    severity: IncidentSeverity
    occurred: datetime  # Swedish local time
    what: str
    injury: str
    measures: str
    reported_by: str
    record_url: str
    authority_url: str = ARBETSMILJOVERKET_URL

    @property
    def serious(self) -> bool:
        return self.severity is IncidentSeverity.SERIOUS


def report_incident(where: Placed, data: IncidentData, reporter: Reporter) -> Incident:
    """Record an accident or a near-miss and email the pupil's counsellors and the
    coordinators at once, in the same transaction. The same report again, word for word (a
    double click), is the one already made: nothing is added or sent. A report that adds to
    an earlier one (the injury found worse) is a report of its own, and is sent."""
    occurred = datetime.combine(data.day, data.at, tzinfo=clock.STOCKHOLM)
    _check_incident(where, data, occurred)
    assignment_id = where.assignment.id
    prao_services.lock_assignment(assignment_id)
    repeat = db.session.scalars(select(Incident).where(
        Incident.assignment_id == assignment_id, Incident.kind == data.kind,
        Incident.severity == data.severity, Incident.occurred_at == occurred,
        Incident.what == data.what.strip(), Incident.injury == data.injury.strip(),
        Incident.measures == data.measures.strip())).first()
    if repeat is not None:  # the same report sent twice (a double click): one, one email
        db.session.rollback()
        return repeat
    incident = Incident(
        assignment_id=assignment_id, kind=data.kind, severity=data.severity,
        occurred_at=occurred, what=data.what.strip(), injury=data.injury.strip(),
        measures=data.measures.strip(), reported_by_id=reporter.user_id,
        reported_by_label=reporter.label[:200])
    db.session.add(incident)
    db.session.flush()
    audit(reporter.user, "incident_reported", where.assignment,
          detail=f"{data.kind.value} {data.severity.value} ({reporter.label})")
    _email_incident(where, incident, reporter)
    db.session.commit()
    return incident


def _check_incident(where: Placed, data: IncidentData, occurred: datetime) -> None:
    problems = []
    if not data.what.strip():
        problems.append(Problem("what", _l("Beskriv vad som hände.")))
    if data.day > clock.today():
        problems.append(Problem("day", _l("Datumet har inte kommit än.")))
    elif occurred > clock.now() + timedelta(minutes=5):  # today, at a time still to come
        problems.append(Problem("at", _l("Tidpunkten har inte kommit än.")))
    period = where.assignment.enrolment.period
    if not period.first_day <= data.day <= period.last_day:
        problems.append(Problem("day", _l("Datumet ligger utanför elevens praoperiod "
                                          "(%(first)s–%(last)s).",
                                          first=period.first_day.isoformat(),
                                          last=period.last_day.isoformat())))
    if where.assignment.state not in REPORTABLE:
        problems.append(Problem("what", _l("Eleven är inte på prao på den här "
                                           "arbetsplatsen.")))
    if problems:
        raise AttendanceError(problems)


def _email_incident(where: Placed, incident: Incident, reporter: Reporter) -> None:
    assignment = where.assignment
    student, placement = assignment.enrolment.student, assignment.placement
    facts = IncidentFacts(
        pupil=student.full_name, school=assignment.enrolment.period.school.name,
        workplace=placement.title, organisation=_organisation_name(placement),
        kind=incident.kind, severity=incident.severity,
        occurred=clock.local(incident.occurred_at), what=incident.what,
        injury=incident.injury, measures=incident.measures, reported_by=reporter.label,
        record_url=links.portal_url("attendance.record", assignment_id=assignment.id))
    people = dict(counsellor_emails([where.school_id]).get(where.school_id, []))
    people.update(dict(coordinator_emails()))
    for email, name in sorted(people.items()):
        messages.incident_reported(email, name, facts)


def _organisation_name(placement: Placement) -> str:
    return db.session.scalar(select(Organisation.name).where(
        Organisation.id == placement.organisation_id)) or ""
