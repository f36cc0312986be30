"""Demo data for the council's report: a finished school year and the current one, with
enough pupils at every demo school that most cells are 5 or more, so the council's login
shows real charts (and a few suppressed cells, to show how "<5" looks).

Written in bulk (one INSERT per table and school year), not through the services: the
report only counts, and `flask demo seed` must stay quick. Deterministic (a fixed seed per
school and year) and idempotent: a school year's period that exists is left alone."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select

from portal.accounts.models import Role, User
from portal.clock import today
from portal.employers.models import Placement, PlacementOffer, PlacementStatus
from portal.employers.reference import features_mask
from portal.extensions import db
from portal.feedback.models import (
    Audience,
    FeedbackAnswer,
    FeedbackResponse,
    QuestionKind,
)
from portal.feedback.questions import AGAIN
from portal.feedback.services import current_form
from portal.matching.models import (
    MatchingRun,
    MatchResult,
    ResultSource,
    RunStatus,
    matching_run_period,
)
from portal.prao.checklist import steps_for
from portal.prao.days import prao_days
from portal.prao.models import (
    AlertKind,
    Assignment,
    AssignmentSource,
    AssignmentState,
    AttendanceAlert,
    AttendanceDay,
    AttendanceStatus,
    Incident,
    IncidentKind,
    IncidentSeverity,
    StepRecord,
)
from portal.reports.models import CouncilTarget
from portal.reports.tables import school_year_of
from portal.schools.models import (
    Enrolment,
    EnrolmentState,
    Gender,
    Municipality,
    PraoPeriod,
    School,
    Student,
    Wish,
)
from portal.weeks import monday

PUPILS_PER_SCHOOL = 40
WEEK = 41  # two weeks in October, after the demo's own periods' grade and weeks
FIRST_NAMES = ("Saga", "Leo", "Alice", "Noah", "Maja", "Elias", "Ebba", "William", "Wilma",
               "Adam", "Selma", "Hassan", "Amira", "Oskar", "Iris", "Melvin", "Nova", "Ali")
LAST_NAMES = ("Lundström", "Holm", "Pettersson", "Abdi", "Wikström", "Sundberg", "Öhman",
              "Karlsson", "Nordin", "Berglund", "Lind", "Mohammed", "Strand", "Forsberg")
# The region's targets for the current school year (headline per indicator, per cent).
TARGETS = {"coverage": 90.0, "placement_source": 20.0, "wishes_met": 60.0,
           "needs_met": 95.0, "steps_done": 85.0, "attendance_rate": 95.0,
           "absences_alerted": 95.0}
LULEA_TARGETS = {"coverage": 92.0, "wishes_met": 65.0}


def _utc(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _ids(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in one statement and return their ids in the rows' order."""
    if not rows:
        return []
    stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.scalars(stmt, rows))


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(insert(model), rows)


def _offers(year: int, first: date, last: date) -> list[int]:
    """Seats at the demo's published placements for the two October weeks."""
    placements = db.session.scalars(select(Placement.id).where(
        Placement.status == PlacementStatus.PUBLISHED).order_by(Placement.id)).all()
    found = []
    for placement_id in placements:
        offer = db.session.scalars(select(PlacementOffer.id).filter_by(
            placement_id=placement_id, first_week=first, last_week=last)).first()
        if offer is None:
            offer = _ids(PlacementOffer, [{"placement_id": placement_id, "first_week": first,
                                           "last_week": last, "seats": 120}])[0]
        found.append(offer)
    return found


def _school_year(school: School, year: int, coordinator: User) -> None:
    first = monday(year, WEEK)
    if db.session.scalars(select(PraoPeriod.id).filter_by(
            school_id=school.id, grade=8, first_day=first)).first() is not None:
        return
    days = prao_days(first, first + timedelta(days=11))
    rng = random.Random(f"{school.unit_code}-{year}")  # noqa: S311 - demo data, not secrets
    offers = _offers(year, first, monday(year, WEEK + 1))
    placement_of = {offer: placement for offer, placement in db.session.execute(
        select(PlacementOffer.id, PlacementOffer.placement_id)
        .where(PlacementOffer.id.in_(offers))).all()}
    period_id = _ids(PraoPeriod, [{
        "school_id": school.id, "name": f"Prao ht {year} åk 8", "grade": 8,
        "first_day": days[0], "last_day": days[-1], "wishes_open": days[0] - timedelta(days=42),
        "wishes_close": days[0] - timedelta(days=28), "created_by_id": coordinator.id}])[0]
    genders = (Gender.GIRL, Gender.BOY)
    students = [{"school_id": school.id, "external_id": f"R{year}-{school.unit_code}-{k:03d}",
                 "first_name": rng.choice(FIRST_NAMES), "last_name": rng.choice(LAST_NAMES),
                 "class_name": f"8{'ABC'[k % 3]}", "grade": 8,
                 "gender": (Gender.UNKNOWN if k % 17 == 16 else genders[k % 2]).value,
                 "needs": features_mask(["step_free"]) if k % 6 == 0 else 0}
                for k in range(PUPILS_PER_SCHOOL)]
    student_ids = _ids(Student, students)
    # What happens to each pupil: first wish, second wish, second round, own network, none.
    fates = _none_or_five(rng, rng.choices(("first", "second", "round2", "own", "none"),
                                           weights=(60, 18, 9, 10, 3), k=len(student_ids)))
    enrolment_ids = _ids(Enrolment, [
        {"period_id": period_id, "student_id": sid,
         "state": {"own": EnrolmentState.OWN_PLACEMENT, "none": EnrolmentState.NEEDS_PLACEMENT}
         .get(fate, EnrolmentState.ASSIGNED).value}
        for sid, fate in zip(student_ids, fates, strict=True)])
    # The seed within the round form's range, so that "run it again with this seed" works.
    run_id = _ids(MatchingRun, [{"created_by_id": coordinator.id,
                                 "status": RunStatus.PUBLISHED.value,
                                 "seed": rng.getrandbits(48) % 2**31, "stats": "{}",
                                 "published_at": _utc(days[0] - timedelta(days=21), 9)}])[0]
    db.session.execute(insert(matching_run_period), [{"run_id": run_id,
                                                      "period_id": period_id}])
    wishes: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    for eid, fate in zip(enrolment_ids, fates, strict=True):
        if fate == "own":
            assignments.append({"enrolment_id": eid, "placement_id": placement_of[offers[-1]],
                                "offer_id": None, "run_id": None,
                                "source": AssignmentSource.OWN.value})
            continue
        ranked = rng.sample(offers, len(offers))
        wished = ranked[:1] if fate == "round2" else ranked
        wishes += [{"enrolment_id": eid, "offer_id": o, "rank": r + 1}
                   for r, o in enumerate(wished)]
        got = {"first": ranked[0], "second": ranked[-1], "round2": ranked[-1]}.get(fate)
        source = (ResultSource.NONE if got is None else ResultSource.SECOND_ROUND
                  if fate == "round2" else ResultSource.FIRST_ROUND)
        results.append({"run_id": run_id, "enrolment_id": eid, "offer_id": got,
                        "rank": wished.index(got) + 1 if got in wished else None,
                        "lottery": rng.getrandbits(30), "source": source.value,
                        "explanation": {}})
        if got is not None:
            assignments.append({"enrolment_id": eid, "placement_id": placement_of[got],
                                "offer_id": got, "run_id": run_id,
                                "source": AssignmentSource.MATCHING.value})
    _insert(Wish, wishes)
    _insert(MatchResult, results)
    done = days[-1] < today()
    for a in assignments:
        a["state"] = (AssignmentState.COMPLETED if done else AssignmentState.CONFIRMED).value
    assignment_ids = _ids(Assignment, assignments)
    _process(rng, assignment_ids, days, school)
    if done:
        _evaluations(rng, assignment_ids, days[-1],
                     [a["placement_id"] for a in assignments])


def _none_or_five(rng: random.Random, fates: list[str]) -> list[str]:
    """No pupil left without a placement at a school, or five or more. One to four would
    hide the school's placement rate in the council's report (those few are counted by it),
    and with every school's rate hidden the equity indicator, the spread between schools,
    would be empty in the demo."""
    unplaced = [i for i, fate in enumerate(fates) if fate == "none"]
    if not 0 < len(unplaced) < 5:
        return fates
    if rng.random() < 0.5:
        return ["first" if fate == "none" else fate for fate in fates]
    firsts = [i for i, fate in enumerate(fates) if fate == "first"]
    more = set(rng.sample(firsts, 5 - len(unplaced)))
    return ["none" if i in more else fate for i, fate in enumerate(fates)]


def _process(rng: random.Random, assignment_ids: list[int], days: list[date],
             school: School) -> None:
    """Attendance, alerts, checklist steps and incidents for the placed pupils, up to today."""
    now = today()
    attendance: list[dict[str, Any]] = []
    alerts: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    incidents: list[dict[str, Any]] = []
    conditions = ("guardian_ack_required",) if school.municipality.guardian_ack_required else ()
    for aid in assignment_ids:
        worked = days if rng.random() > 0.07 else days[:8]  # a few stop early
        for day in (d for d in worked if d < now):
            status = rng.choices((AttendanceStatus.PRESENT, AttendanceStatus.LATE,
                                  AttendanceStatus.ABSENT), weights=(92, 3, 5))[0]
            attendance.append({"assignment_id": aid, "day": day, "status": status.value,
                               "reported_at": _utc(day, 9), "reported_by_label": "Handledare"})
            if status is AttendanceStatus.ABSENT and rng.random() < 0.85:
                alerts.append({"assignment_id": aid, "day": day,
                               "kind": AlertKind.ABSENT.value, "created_at": _utc(day, 9),
                               "sent_at": _utc(day, 9)})
        for step in steps_for(conditions):
            due = step.due(days[0], days[-1])
            # The evaluation steps are recorded with the evaluations themselves.
            if step.key in EVALUATION_STEPS or due >= now or rng.random() > 0.93:
                continue
            late = rng.random() < 0.12
            steps.append({"assignment_id": aid, "step": step.key,
                          "done_at": _utc(due + timedelta(days=4 if late else -1), 10),
                          "done_by_label": "SYV"})
        if rng.random() < 0.04 and days[1] < now:
            incidents.append({"assignment_id": aid, "kind": rng.choice(list(IncidentKind)).value,
                              "severity": IncidentSeverity.MINOR.value,
                              "occurred_at": _utc(days[1], 10),
                              "what": "Skar sig lätt i fingret.", "measures": "Plåster."})
    _insert(AttendanceDay, attendance)
    _insert(AttendanceAlert, alerts)
    _insert(StepRecord, steps)
    _insert(Incident, incidents)


EVALUATION_STEPS = ("pupil_evaluation", "employer_evaluation")


def _scores(rng: random.Random, lean: float) -> int:
    """A Likert answer leaning to the top, as prao evaluations do; `lean` moves it per
    workplace."""
    return max(1, min(5, round(rng.gauss(4.0 + lean, 0.9))))


# Pupils like some workplaces more than others: the first placement's pupils answer about
# half a step higher, so the coordinator has employers to thank (a mean of at least 4).
LIKED_PLACEMENT_LEAN = 0.5


def _evaluations(rng: random.Random, assignment_ids: list[int], last_day: date,
                 placement_ids: list[int]) -> None:
    """The pupils' (about 80 %) and the supervisors' (about 75 %) evaluations of a finished
    period, with the two checklist steps, so the report's evaluation charts have data."""
    forms = {audience: current_form(audience) for audience in Audience}
    liked = min(placement_ids, default=None)
    # As the links record who answered (portal.i18n.LINK_LABELS: read in either language).
    supervisors = dict(db.session.execute(select(Placement.id, Placement.supervisor_email)
                                          .where(Placement.id.in_(set(placement_ids)))).all())
    responses: list[dict[str, Any]] = []
    for aid, placement_id in zip(assignment_ids, placement_ids, strict=True):
        lean = rng.uniform(-0.8, 0.5) + (LIKED_PLACEMENT_LEAN if placement_id == liked else 0.0)
        for audience, share in ((Audience.PUPIL, 0.8), (Audience.EMPLOYER, 0.75)):
            if rng.random() < share:
                responses.append({
                    "assignment_id": aid, "audience": audience.value,
                    "form_id": forms[audience].id, "lean": lean,
                    "submitted_at": _utc(last_day + timedelta(days=rng.randint(0, 9)), 15),
                    "submitted_by_label": "Eleven (länk)" if audience is Audience.PUPIL
                    else f"Handledare {supervisors[placement_id]} (länk)",
                    "again_next_term": (rng.random() < 0.75)
                    if audience is Audience.EMPLOYER else None})
    leans = [r.pop("lean") for r in responses]
    response_ids = _ids(FeedbackResponse, responses)
    answers: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    for rid, lean, response in zip(response_ids, leans, responses, strict=True):
        audience = Audience(response["audience"])
        for question in forms[audience].questions:
            if question["kind"] == QuestionKind.LIKERT.value:
                answers.append({"response_id": rid, "question_key": question["key"],
                                "score": _scores(rng, lean), "text": ""})
            elif question["key"] == AGAIN:
                answers.append({"response_id": rid, "question_key": AGAIN, "score": None,
                                "text": "yes" if response["again_next_term"] else "no"})
        steps.append({"assignment_id": response["assignment_id"],
                      "step": "pupil_evaluation" if audience is Audience.PUPIL
                      else "employer_evaluation",
                      "done_at": response["submitted_at"],
                      "done_by_label": response["submitted_by_label"]})
    _insert(FeedbackAnswer, answers)
    _insert(StepRecord, steps)


def _targets(year: int, coordinator: User) -> None:
    lulea = db.session.scalars(select(Municipality.id).filter_by(code="2580")).first()
    for municipality_id, targets in ((None, TARGETS), (lulea, LULEA_TARGETS)):
        for key, value in targets.items():
            exists = select(CouncilTarget.id).filter_by(indicator=key, school_year=year,
                                                        municipality_id=municipality_id)
            if db.session.scalars(exists).first() is None:
                db.session.add(CouncilTarget(indicator=key, municipality_id=municipality_id,
                                             school_year=year, value=value,
                                             updated_by_id=coordinator.id))


def seed_report_years() -> None:
    """The finished school year and the current one at every demo school, and the
    coordinator's targets for the current year."""
    coordinator = db.session.scalars(select(User).where(
        User.role == Role.COORDINATOR).order_by(User.id)).first()
    assert coordinator is not None, "the demo's users come first"
    current = school_year_of(today())
    for school in db.session.scalars(select(School).order_by(School.unit_code)):
        for year in (current - 1, current):
            _school_year(school, year, coordinator)
    _targets(current, coordinator)
    db.session.commit()



