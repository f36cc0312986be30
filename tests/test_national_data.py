"""The national data set (`flask demo national`) at a tiny scale, on the suite's engine
(SQLite, or PostgreSQL with TEST_DATABASE_URL): the numbers scale, the rows keep the models'
rules, and the portal's own pages work on them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from portal import clock
from portal.employers.models import Organisation, Placement, PlacementOffer
from portal.employers.orgnr import luhn_ok
from portal.extensions import db as _db
from portal.feedback.models import Audience, FeedbackAnswer, FeedbackForm, FeedbackResponse
from portal.feedback.services import check_answers, employer_summary
from portal.matching.models import MatchingRun, MatchResult, RunStatus, matching_run_period
from portal.nationaldata import DOMAIN, Sizes, municipalities
from portal.prao.days import is_prao_day
from portal.prao.models import (
    ACTIVE_STATES,
    Assignment,
    AssignmentState,
    AttendanceAlert,
    AttendanceDay,
    AttendanceStatus,
    StepRecord,
)
from portal.schools.models import (
    Enrolment,
    EnrolmentState,
    Municipality,
    PraoPeriod,
    School,
    Student,
    Wish,
)
from tests.conftest import login, make_app, new_client
from tests.databases import create_database

SCALE = 0.005
SIZES = Sizes.at(SCALE)
PASSWORD = "visa-mig-portalen-2026"


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory, smtp_server: Any) -> Iterator[Flask]:
    """An app on its own database holding the national data set, made by the command."""
    url, drop = create_database("national", tmp_path_factory.mktemp("national"))
    app = make_app(url, smtp_server.port)
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "national", "--scale",
                                                    str(SCALE), "--seed", "7"])
        assert result.exit_code == 0, result.output
        _db.session.remove()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    drop()


def _count(model: Any, *where: Any) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_the_numbers_scale(national: Flask) -> None:
    with national.app_context():
        assert _count(Municipality) == 290
        assert _count(School) == SIZES.schools
        assert _count(Student, Student.grade == 8) == SIZES.pupils_per_grade
        assert _count(Student, Student.grade == 9) == SIZES.pupils_per_grade
        assert _count(Organisation) == SIZES.organisations
        assert _count(Placement) == SIZES.placements
        assert _count(PraoPeriod) == 2 * SIZES.schools
        assigned = _count(Assignment)
        # Nearly every grade 9 pupil was placed (one in a hundred is exempt) ...
        assert 0.95 * SIZES.pupils_per_grade <= assigned <= SIZES.pupils_per_grade
        # ... and has ten prao days of attendance, fewer only where a holiday fell.
        attendance = _count(AttendanceDay)
        assert 9 * assigned <= attendance <= 10 * assigned
        wishes_9 = _count(Wish, Wish.enrolment_id <= SIZES.pupils_per_grade)
        assert 3 * assigned <= wishes_9 <= 5 * SIZES.pupils_per_grade


def test_real_municipalities_and_valid_organisation_numbers(national: Flask) -> None:
    with national.app_context():
        codes = dict(_db.session.execute(select(Municipality.code, Municipality.name)).all())
        assert len(municipalities()) == 290
        assert codes["0180"] == "Stockholm" and codes["1480"] == "Göteborg"
        assert codes["2584"] == "Kiruna" and codes["0980"] == "Gotland"
        numbers = _db.session.scalars(select(Organisation.org_number)).all()
        assert all(luhn_ok(n.replace("-", "")) and len(n) == 11 for n in numbers)
        assert len(set(numbers)) == len(numbers)


def test_every_assignment_comes_from_a_published_round(national: Flask) -> None:
    with national.app_context():
        rows = _db.session.execute(
            select(Assignment.offer_id, MatchResult.offer_id, MatchingRun.status,
                   Enrolment.state, PraoPeriod.grade)
            .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .join(matching_run_period, matching_run_period.c.period_id == PraoPeriod.id)
            .join(MatchingRun, MatchingRun.id == matching_run_period.c.run_id)
            .join(MatchResult, (MatchResult.run_id == MatchingRun.id)
                  & (MatchResult.enrolment_id == Enrolment.id))).all()
        assert len(rows) == _count(Assignment)
        assert all(a == r and s is RunStatus.PUBLISHED and e is EnrolmentState.ASSIGNED
                   and g == 9 for a, r, s, e, g in rows)


def test_seats_taken_are_the_active_assignments(national: Flask) -> None:
    with national.app_context():
        held = dict(_db.session.execute(
            select(Assignment.offer_id, func.count()).where(Assignment.state.in_(ACTIVE_STATES))
            .group_by(Assignment.offer_id)).all())
        for offer in _db.session.scalars(select(PlacementOffer)):
            assert offer.seats_taken == held.get(offer.id, 0) <= offer.seats


def test_wishes_fit_the_period_and_the_grade(national: Flask) -> None:
    with national.app_context():
        rows = _db.session.execute(
            select(Wish.enrolment_id, Wish.rank, PlacementOffer.first_week,
                   PraoPeriod.first_day, PraoPeriod.grade, Placement.accepts_grade_8,
                   Placement.accepts_grade_9)
            .join(Enrolment, Enrolment.id == Wish.enrolment_id)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .join(PlacementOffer, PlacementOffer.id == Wish.offer_id)
            .join(Placement, Placement.id == PlacementOffer.placement_id)).all()
        ranks: dict[int, list[int]] = {}
        for enrolment, rank, week, first_day, grade, eight, nine in rows:
            assert week == first_day
            assert eight if grade == 8 else nine
            ranks.setdefault(enrolment, []).append(rank)
        assert all(sorted(r) == list(range(1, len(r) + 1)) for r in ranks.values())
        # Grade 8's window is open today, and most of grade 8 has wished already.
        wished_8 = {e for e in ranks if e > SIZES.pupils_per_grade}
        assert 0.7 * SIZES.pupils_per_grade <= len(wished_8) < SIZES.pupils_per_grade


def test_attendance_only_on_prao_days_of_the_period(national: Flask) -> None:
    with national.app_context():
        rows = _db.session.execute(
            select(AttendanceDay.day, AttendanceDay.status, PraoPeriod.first_day,
                   PraoPeriod.last_day, PraoPeriod.grade)
            .join(Assignment, Assignment.id == AttendanceDay.assignment_id)
            .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)).all()
        assert rows
        assert all(is_prao_day(d) and first <= d <= last and grade == 9 and d < clock.today()
                   for d, _status, first, last, grade in rows)
        absent = sum(1 for row in rows if row[1] is AttendanceStatus.ABSENT)
        assert 0 < absent < 0.1 * len(rows)
        # Every absence raised its alert, as a report through the portal does.
        assert _count(AttendanceAlert) == absent


def test_checklist_steps_only_for_placed_pupils(national: Flask) -> None:
    with national.app_context():
        assigned = _count(Assignment)
        for step in ("risk_assessment", "employer_confirmed", "attendance"):
            assert _count(StepRecord, StepRecord.step == step) == assigned
        reflections = _count(StepRecord, StepRecord.step == "class_reflection")
        assert 0.5 * assigned < reflections < assigned
        # Nothing is ticked off in the future.
        latest = _db.session.scalar(select(func.max(StepRecord.done_at)))
        assert latest is not None and latest < clock.now()


def test_evaluations_answer_most_finished_assignments(national: Flask) -> None:
    with national.app_context():
        finished = _count(Assignment, Assignment.state == AssignmentState.COMPLETED)
        assert finished > 0
        for audience, step in ((Audience.PUPIL, "pupil_evaluation"),
                               (Audience.EMPLOYER, "employer_evaluation")):
            answered = _count(FeedbackResponse, FeedbackResponse.audience == audience)
            assert 0.7 * finished <= answered <= 0.9 * finished
            # Each answer ticked its checklist step, at the moment it was given.
            steps = _db.session.execute(
                select(StepRecord.done_at, FeedbackResponse.submitted_at)
                .join(FeedbackResponse, (FeedbackResponse.assignment_id
                                         == StepRecord.assignment_id)
                      & (FeedbackResponse.audience == audience))
                .where(StepRecord.step == step)).all()
            assert len(steps) == answered == _count(StepRecord, StepRecord.step == step)
            assert all(done == submitted < clock.now() for done, submitted in steps)
        # Only finished prao is evaluated, and each response has its form's answers.
        assert not _count(FeedbackResponse, FeedbackResponse.assignment_id.in_(
            select(Assignment.id).where(Assignment.state != AssignmentState.COMPLETED)))


def test_evaluation_answers_are_valid_and_spread(national: Flask) -> None:
    with national.app_context():
        responses = _db.session.scalars(select(FeedbackResponse)).all()
        forms = {f.id: f for f in _db.session.scalars(select(FeedbackForm))}
        for response in responses:
            answers = {a.question_key: str(a.score) if a.score is not None else a.text
                       for a in response.answers}
            # What the form would have accepted from a person (raises otherwise).
            check_answers(forms[response.form_id], answers)
            if response.audience is Audience.EMPLOYER:
                assert answers["again_next_term"] == (
                    "yes" if response.again_next_term else "no")
                assert answers.get("statement", "") == response.statement
        scores = dict(_db.session.execute(select(FeedbackAnswer.score, func.count())
                                          .where(FeedbackAnswer.score.is_not(None))
                                          .group_by(FeedbackAnswer.score)).all())
        total = sum(scores.values())
        # Every score is given, leaning to the top as evaluations do.
        assert set(scores) == {1, 2, 3, 4, 5}
        assert scores[5] > scores[4] > scores[3] > scores[2] and scores[1] < 0.1 * total
        statements = sum(1 for r in responses if r.statement)
        employers = sum(1 for r in responses if r.audience is Audience.EMPLOYER)
        assert 0.2 * employers < statements < 0.6 * employers
        again = sum(1 for r in responses if r.again_next_term)
        assert 0.6 * employers < again < 0.9 * employers
        comments = _count(FeedbackAnswer, FeedbackAnswer.question_key == "comment")
        assert 0 < comments < 0.3 * (len(responses) - employers)
        # The employers' pages read them: averages per statement for an organisation.
        organisation = _db.session.scalar(select(Placement.organisation_id).join(
            Assignment, Assignment.placement_id == Placement.id).join(
            FeedbackResponse, FeedbackResponse.assignment_id == Assignment.id).where(
            FeedbackResponse.audience == Audience.PUPIL).group_by(Placement.organisation_id)
            .order_by(func.count().desc()).limit(1))
        assert organisation is not None
        summary = employer_summary(organisation, "sv")
        assert summary.averages and all(1 <= a.score <= 5 for a in summary.averages)


def test_catalogue_search_finds_generated_placements(national: Flask) -> None:
    with national.app_context():
        title = _db.session.scalar(select(Placement.title).order_by(Placement.id).limit(1))
    assert title is not None
    page = new_client(national).get("/praoplatser", query_string={"q": title})
    assert page.status_code == 200
    assert title in page.get_data(as_text=True)


def test_the_roles_use_the_national_data(national: Flask) -> None:
    with national.app_context():
        period = _db.session.scalar(select(PraoPeriod).where(
            PraoPeriod.school_id == 1, PraoPeriod.grade == 9))
        assert period is not None
        period_id = period.id
        some_pupil = _db.session.scalar(select(Student.first_name).join(
            Enrolment, Enrolment.student_id == Student.id).where(
            Enrolment.period_id == period_id).order_by(Student.id).limit(1))
    counsellor = new_client(national)
    login(counsellor, f"syv1@{DOMAIN}", PASSWORD)
    overview = counsellor.get(f"/perioder/{period_id}/checklista")
    assert overview.status_code == 200
    assert some_pupil is not None and some_pupil in overview.get_data(as_text=True)
    employer = new_client(national)
    login(employer, f"arbetsgivare1@{DOMAIN}", PASSWORD)
    assert employer.get("/arbetsgivare").status_code == 200


def test_a_second_run_is_refused_and_writes_nothing(national: Flask) -> None:
    with national.app_context():
        before = _count(Student)
        result = national.test_cli_runner().invoke(args=["demo", "national", "--scale", "0.002"])
        _db.session.remove()
        assert result.exit_code != 0 and "tom databas" in result.output
        assert _count(Student) == before
        # The id sequences go on after the generated rows (PostgreSQL), so the portal can add.
        school = School(municipality_id=1, name="Ny skola", unit_code="00000001")
        _db.session.add(school)
        _db.session.flush()
        assert school.id == SIZES.schools + 1
        _db.session.rollback()
        assert _db.session.execute(text("SELECT 1")).scalar() == 1
