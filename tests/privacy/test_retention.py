"""`flask retention purge`: the personal data of pupils whose prao ended more than the
retention time ago is gone, every anonymous figure is exactly as before, pupils within the
retention time are untouched, a dry run writes nothing and two runs at once purge once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import JSON, String, Text, func, select

from portal.audit import AuditEvent
from portal.db import writing
from portal.extensions import db as _db
from portal.feedback.models import Audience, FeedbackResponse
from portal.notifications.models import OutboxEmail
from portal.prao.models import Assignment, StepRecord
from portal.privacy.retention import months_before, purge
from portal.schools.models import Enrolment, Student
from portal.schools.pupils.services import LinkError, enrolment_for_token, make_link_token
from tests import factories
from tests.conftest import World
from tests.privacy import support
from tests.privacy.figures import assert_same, figures
from tests.races import needs_concurrent_writers, run_threads

MONTHS = 24


@pytest.fixture
def region(db: Any, world: World, set_clock: Any) -> support.GdprRegion:
    set_clock(support.TODAY)
    return support.build(world)


def _every_text(db: Any, skip: tuple[str, ...] = ()) -> str:
    """Every text and JSON value of every table, as one string to search."""
    parts: list[str] = []
    for table in _db.metadata.sorted_tables:
        if table.name in skip:
            continue
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if columns:
            for row in db.session.execute(select(*columns)):
                parts.extend(str(value) for value in row if value is not None)
    return "\n".join(parts)


def _student(db: Any, student_id: int) -> Student:
    return db.session.scalars(select(Student).where(Student.id == student_id)
                              .execution_options(populate_existing=True)).one()


def test_months_before_keeps_the_day_or_takes_the_month_end():
    from datetime import date

    assert months_before(date(2029, 6, 1), 24) == date(2027, 6, 1)
    assert months_before(date(2029, 3, 31), 1) == date(2029, 2, 28)
    assert months_before(date(2029, 1, 15), 13) == date(2027, 12, 15)


def test_the_earliest_purge_day_is_the_first_whose_cutoff_passes_the_last_day():
    from datetime import date, timedelta

    from portal.privacy.retention import earliest_purge, purge_cutoff

    for last_day in (date(2027, 3, 26), date(2027, 1, 31), date(2028, 2, 29),
                     date(2027, 12, 31), date(2027, 8, 30)):
        for months in (1, 13, 24):
            day = earliest_purge(last_day, months)
            assert purge_cutoff(day, months) > last_day
            assert purge_cutoff(day - timedelta(days=1), months) <= last_day
    assert earliest_purge(date(2028, 3, 24), 24) == date(2030, 3, 25)


def test_purge_removes_every_personal_datum_and_keeps_every_figure(db, region):
    before = figures()
    tokens = {p.enrolment_id: make_link_token(db.session.get(Enrolment, p.enrolment_id))
              for p in region.old}
    text_before = _every_text(db)
    assert all(name in text_before for p in region.old for name in p.names)  # can fail

    report = purge(MONTHS)

    assert report.pupils == len(region.old)
    assert_same(before, figures())
    text_after = _every_text(db)
    left = [name for p in region.old for name in p.names if name in text_after]
    assert not left, f"personal data left after the purge: {left}"
    for pupil in region.old:
        student = _student(db, pupil.student_id)
        assert (student.first_name, student.last_name, student.class_name, student.email,
                student.guardian_email) == ("", "", "", "", None)
        assert student.external_id == f"purged-{student.id}"
        assert student.purged_at is not None
        with pytest.raises(LinkError):
            enrolment_for_token(tokens[pupil.enrolment_id])
    # The purge itself is in the audit log, with its counts.
    logged = db.session.scalars(select(AuditEvent.detail).where(
        AuditEvent.action == "retention_purge")).one()
    assert f"pupils={len(region.old)}" in logged


def _evaluations_of(db: Any, pupils: list[support.Pupil]) -> list[Any]:
    ids = [p.assignment_id for p in pupils if p.assignment_id is not None]
    return list(db.session.scalars(
        select(FeedbackResponse).where(FeedbackResponse.assignment_id.in_(ids))
        .order_by(FeedbackResponse.id).execution_options(populate_existing=True)))


def test_evaluations_lose_their_texts_and_keep_their_figures(db, region):
    before = figures()
    # The evaluation figures are really there, so keeping them means something.
    assert len(before["evaluation_averages"]) == 12  # 6 statements each for 2 audiences
    assert before["evaluation_yes_no"] == [("again_next_term", "no", "4"),
                                           ("again_next_term", "yes", "2")]
    summaries = before["evaluation_reports"][1]
    assert any(s.averages for s in summaries)  # the employer sees its 6 pupils' averages
    assert any(rates for year in before["evaluation_reports"][0] for rates in year[1])

    report = purge(MONTHS)

    assert report.counts["evaluation_answers"] == 6  # pupil's comment + statement each
    assert report.counts["evaluations"] == 6
    assert_same(before, figures())
    for response in _evaluations_of(db, region.old):
        assert (response.statement, response.submitted_by_label) == ("", "")
        assert {a.question_key for a in response.answers if a.text not in ("", "yes", "no")
                } == set()
        assert response.form_id and response.submitted_at
    kept = _evaluations_of(db, region.new)
    assert len(kept) == 6 and all(r.submitted_by_label for r in kept)
    assert all(r.statement for r in kept if r.audience is Audience.EMPLOYER)
    steps = db.session.scalars(select(StepRecord.done_by_label).where(
        StepRecord.step == "employer_evaluation", StepRecord.assignment_id.in_(
            [p.assignment_id for p in region.old if p.assignment_id]))).all()
    assert steps == ["", "", ""]


def test_pupils_within_the_retention_time_are_untouched(db, region):
    purge(MONTHS)
    text_after = _every_text(db)
    for pupil in region.new:
        assert all(name in text_after for name in pupil.names), pupil.names
        assert _student(db, pupil.student_id).purged_at is None


def test_a_pupil_never_enrolled_goes_after_the_retention_time_since_the_import(
        db, world, set_clock):
    set_clock(support.TODAY.replace(year=2026))
    imported = factories.StudentFactory(school=world.school_a, first_name="Aldrigpraoad")
    db.session.commit()
    set_clock(support.TODAY.replace(year=2027))
    assert purge(MONTHS).pupils == 0  # a year later: kept
    set_clock(support.TODAY.replace(year=2028, month=7))
    assert purge(MONTHS).pupils == 1
    assert _student(db, imported.id).first_name == ""


def test_a_dry_run_counts_but_writes_nothing(db, region):
    before, text_before = figures(), _every_text(db)
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))

    report = purge(MONTHS, dry_run=True)

    assert report.pupils == len(region.old) and report.counts["certificates"] == 3
    assert _every_text(db) == text_before
    assert figures() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert purge(MONTHS).counts == report.counts  # exactly what the real run then does


def test_a_second_run_finds_nothing_to_do(db, region):
    purge(MONTHS)
    text = _every_text(db, skip=("audit_event",))  # where each run logs itself
    again = purge(MONTHS)
    assert set(again.counts.values()) == {0}
    assert _every_text(db, skip=("audit_event",)) == text


def test_the_certificate_check_still_says_it_exists_but_names_nobody(client, db, region):
    name = region.old[0].names[0]
    page = client.get(f"/intyg/{region.certificate_code}").get_data(as_text=True)
    assert "Intyget är äkta" in page and name in page
    purge(MONTHS)
    response = client.get(f"/intyg/{region.certificate_code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Intyget är äkta" in page
    assert name not in page
    assert "elevens personuppgifter har gallrats" in page


def test_the_command_prints_its_counts(app, db, region):
    result = app.test_cli_runner().invoke(args=["retention", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "torrkörning" in result.output
    assert f"pupils             {len(region.old)}" in result.output
    assert _student(db, region.old[0].student_id).first_name != ""
    result = app.test_cli_runner().invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert _student(db, region.old[0].student_id).first_name == ""
    one = app.test_cli_runner().invoke(args=["retention", "purge", "--dry-run", "--months", "1"])
    assert "(1 månad)" in one.output and "månader" in result.output


def test_old_emails_go_and_waiting_ones_stay(db, region):
    waiting = factories.OutboxEmailFactory(recipient="samordnare@exempel.se")
    db.session.commit()
    purge(MONTHS)
    left = set(db.session.scalars(select(OutboxEmail.recipient)))
    assert waiting.recipient in left
    assert not any(name in left for p in region.old for name in p.names)
    assert all(p.names[2] in left for p in region.new[:-1])


def test_two_runs_at_once_purge_each_pupil_once(separate_app, smtp_server):
    needs_concurrent_writers(separate_app)
    from portal import clock

    clock.set_now(support.TODAY.replace(tzinfo=clock.STOCKHOLM))
    try:
        with separate_app.app_context():
            world = _world()
            region = support.build(world)
            _db.session.remove()
        reports: list[Any] = []
        errors: list[BaseException] = []
        barrier = threading.Barrier(2)

        def run() -> None:
            with separate_app.app_context(), writing():
                barrier.wait()
                try:
                    reports.append(purge(MONTHS))
                except BaseException as error:  # noqa: BLE001 - reported below
                    errors.append(error)
                finally:
                    _db.session.remove()

        run_threads([run, run])
        assert not errors, errors
        assert sorted(r.pupils for r in reports) == [0, len(region.old)]
        with separate_app.app_context():
            purged = _db.session.scalar(select(func.count()).select_from(Student).where(
                Student.purged_at.is_not(None)))
            runs = _db.session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "retention_purge"))
            _db.session.remove()
        assert purged == len(region.old)
        assert runs == 2
    finally:
        clock.set_now(None)


def _world() -> Any:
    from portal.accounts.models import Role

    school = factories.SchoolFactory()
    return World(school.municipality, school.municipality, school, school,
                 factories.OrganisationFactory(), factories.OrganisationFactory(),
                 {"counsellor": factories.UserFactory(role=Role.COUNSELLOR, schools=[school])})


def test_an_account_switched_off_longer_ago_than_the_retention_time_is_blanked(
        app, client, db, world, set_clock, login_as):
    from datetime import datetime

    from portal.accounts import services as accounts
    from portal.accounts.models import User
    from tests.conftest import login, new_client, post_form

    coordinator = world.users["coordinator"]
    gone, recent = world.users["counsellor"], world.users["council"]
    set_clock(datetime(2025, 1, 10, 12))
    accounts.set_active(coordinator, gone.id, False)
    set_clock(datetime(2026, 12, 1, 12))
    accounts.set_active(coordinator, recent.id, False)
    set_clock(datetime(2027, 2, 1, 12))  # 24 months after the first was switched off

    report = purge(MONTHS)

    assert report.counts["staff_accounts"] == 1
    gone = db.session.scalars(select(User).where(User.id == gone.id)
                              .execution_options(populate_existing=True)).one()
    assert (gone.name, gone.phone, gone.password_hash, gone.schools) == ("", "", None, [])
    assert gone.email == f"gallrad-{gone.id}@konto.invalid" and gone.purged_at is not None
    assert "syv@exempel.se" not in _every_text(db, skip=("audit_event", "outbox_email"))
    recent = db.session.get(User, recent.id)
    assert recent.email == "rad@exempel.se" and recent.purged_at is None
    assert db.session.get(User, world.users["employer"].id).name  # active: untouched
    assert purge(MONTHS).counts["staff_accounts"] == 0

    login_as("coordinator")
    assert "Gallrat konto" in client.get("/anvandare").get_data(as_text=True)
    page = client.get(f"/anvandare/{gone.id}").get_data(as_text=True)
    assert "Gallrat 2027-02-01" in page and "Öppna kontot igen" not in page
    refused = post_form(client, f"/anvandare/{gone.id}/oppna", {}, follow_redirects=True)
    assert "Kontot är gallrat" in refused.get_data(as_text=True)
    assert db.session.get(User, gone.id).active is False
    assert login(new_client(app), "syv@exempel.se").status_code == 200  # no such account


def test_a_purged_accounts_name_leaves_the_labels_of_what_it_did(db, world, set_clock):
    from datetime import datetime

    from portal.accounts import services as accounts

    coordinator, gone = world.users["coordinator"], world.users["counsellor"]
    gone.name = "Greta Gallring"
    assignment = factories.AssignmentFactory(enrolment__period__school=world.school_a)
    db.session.add_all([
        StepRecord(assignment_id=assignment.id, step="pupil_prepared", done_by_id=gone.id,
                   done_by_label=gone.name),
        StepRecord(assignment_id=assignment.id, step="pupil_contacted",
                   done_by_id=coordinator.id, done_by_label=coordinator.name)])
    assignment.decided_by_id, assignment.decided_by_label = gone.id, gone.name
    db.session.commit()
    set_clock(datetime(2025, 1, 10, 12))
    accounts.set_active(coordinator, gone.id, False)
    set_clock(datetime(2027, 2, 1, 12))

    purge(MONTHS)

    labels = dict(db.session.execute(select(StepRecord.done_by_id, StepRecord.done_by_label)
                                     .where(StepRecord.assignment_id == assignment.id)).all())
    assert labels == {gone.id: "Gallrat konto", coordinator.id: coordinator.name}
    assert db.session.scalar(select(Assignment.decided_by_label).where(
        Assignment.id == assignment.id)) == "Gallrat konto"
    assert "Greta Gallring" not in _every_text(db, skip=("audit_event", "outbox_email"))


def test_the_log_keeps_its_rows_for_the_log_retention_time(app, db, world, set_clock):
    from datetime import datetime

    from portal.audit import audit

    counsellor = world.users["counsellor"]
    for year in (2024, 2026):
        set_clock(datetime(year, 1, 20, 12))
        audit(counsellor, "login", counsellor, detail=f"läst {year}")
        db.session.commit()
    set_clock(datetime(2027, 2, 1, 12))

    assert "log_rows" not in purge(MONTHS).counts  # without a log retention time: kept
    report = purge(MONTHS, log_months=app.config["LOG_RETENTION_MONTHS"])

    assert app.config["LOG_RETENTION_MONTHS"] == 36
    assert report.counts["log_rows"] == 1
    kept = db.session.scalars(select(AuditEvent.detail).where(
        AuditEvent.action == "login")).all()
    assert kept == ["läst 2026"]


def test_the_pupils_page_says_when_the_purge_takes_the_pupil(app, client, db, world,
                                                             set_clock):
    """The coordinator and the counsellor read the day the purge takes the pupil's data:
    counted from the end of the pupil's last period (a later one too), and true to the
    purge itself, which leaves the pupil alone the day before and takes them that day."""
    from datetime import date, datetime

    from tests.conftest import login, new_client

    assert app.config["RETENTION_MONTHS"] == MONTHS
    student = factories.StudentFactory(school=world.school_a, first_name="Saga",
                                       last_name="Gallring")
    grade8 = factories.PraoPeriodFactory(school=world.school_a, first_day=date(2027, 3, 15),
                                         last_day=date(2027, 3, 26))
    grade9 = factories.PraoPeriodFactory(school=world.school_a, grade=9,
                                         first_day=date(2028, 3, 13),
                                         last_day=date(2028, 3, 24))
    enrolment = factories.EnrolmentFactory(period=grade8, student=student)
    factories.EnrolmentFactory(period=grade9, student=student)
    db.session.commit()
    set_clock(datetime(2027, 4, 1, 9, 0))
    url = f"/perioder/{grade8.id}/elever/{enrolment.id}"
    for role in ("coordinator", "counsellor"):
        reader = new_client(app)
        login(reader, world.users[role].email)
        html = reader.get(url).get_data(as_text=True)
        assert ("Personuppgifterna tas bort 24 månader efter att elevens sista praoperiod "
                "slutat, tidigast den 25 mars 2030.") in html, role
        reader.get("/sprak/en")
        english = reader.get(url).get_data(as_text=True)
        assert ("The personal data is removed 24 months after the pupil's last prao period "
                "ended, on 25 March 2030 at the earliest.") in english, role
    set_clock(datetime(2030, 3, 24, 23, 0))
    purge(MONTHS)
    assert _student(db, student.id).purged_at is None
    set_clock(datetime(2030, 3, 25, 1, 0))
    purge(MONTHS)
    assert _student(db, student.id).purged_at is not None
    login(client, world.users["coordinator"].email)
    client.get("/sprak/sv")  # the account kept the English chosen above
    assert "Elevens personuppgifter togs bort den 25 mars 2030." in client.get(url).get_data(
        as_text=True)
