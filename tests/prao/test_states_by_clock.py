"""The calendar moves assignments on: confirmed → in progress on the period's first day,
in progress → completed the day after its last; proposed, declined and cancelled ones stay
as they are. `flask jobs run` does it, once, and every page that reads the state still
works and says where the pupil stands."""

from __future__ import annotations

from datetime import date, time, timedelta

from portal.prao import services
from portal.prao.attendance import services as attendance
from portal.prao.models import Assignment, AssignmentState, AttendanceStatus
from portal.schools.pupils import services as pupil_services
from tests.conftest import login, new_client
from tests.prao.attendance.support import MONDAY, at, pupil_at
from tests.prao.attendance.support import placement as make_placement

LAST_DAY = date(2027, 3, 26)  # the factory period: 2027-03-15 (a Monday) – 2027-03-26


def _states(db, *assignments: Assignment) -> list[AssignmentState]:
    db.session.expire_all()
    return [db.session.get_one(Assignment, a.id).state for a in assignments]


def _four(db, world):
    place = make_placement(world.organisation_a)
    confirmed = pupil_at(place, world.school_a, first_name="Bo")
    period = confirmed.enrolment.period
    proposed = pupil_at(place, world.school_a, AssignmentState.PROPOSED, period,
                        first_name="Alva")
    declined = pupil_at(place, world.school_a, AssignmentState.DECLINED, period,
                        first_name="Cai")
    cancelled = pupil_at(place, world.school_a, AssignmentState.CANCELLED, period,
                         first_name="Dag")
    db.session.commit()
    return confirmed, proposed, declined, cancelled


def test_the_period_moves_confirmed_to_in_progress_and_then_to_completed(db, world):
    four = _four(db, world)
    assert services.advance_states(MONDAY - timedelta(days=1)) == 0  # not begun yet
    assert _states(db, *four) == [AssignmentState.CONFIRMED, AssignmentState.PROPOSED,
                                  AssignmentState.DECLINED, AssignmentState.CANCELLED]
    assert services.advance_states(MONDAY) == 1
    assert _states(db, four[0])[0] is AssignmentState.IN_PROGRESS
    assert services.advance_states(LAST_DAY) == 0  # the last day is still a prao day
    assert _states(db, four[0])[0] is AssignmentState.IN_PROGRESS
    assert services.advance_states(LAST_DAY + timedelta(days=1)) == 1
    assert _states(db, *four) == [AssignmentState.COMPLETED, AssignmentState.PROPOSED,
                                  AssignmentState.DECLINED, AssignmentState.CANCELLED]
    assert services.advance_states(LAST_DAY + timedelta(days=2)) == 0  # nothing twice


def test_a_confirmed_pupil_of_a_finished_period_passes_through_to_completed(db, world):
    confirmed = _four(db, world)[0]
    assert services.advance_states(LAST_DAY + timedelta(days=10)) == 2
    assert _states(db, confirmed) == [AssignmentState.COMPLETED]


def test_the_job_command_moves_the_states_and_a_second_run_finds_nothing(app, db, world,
                                                                         set_clock):
    confirmed_id = _four(db, world)[0].id
    set_clock(at(MONDAY, 6, 0))
    runner = app.test_cli_runner()
    assert "lägen 1" in runner.invoke(args=["jobs", "run"]).output
    assert "lägen 0" in runner.invoke(args=["jobs", "run"]).output
    assert db.session.get_one(Assignment, confirmed_id).state is AssignmentState.IN_PROGRESS
    # (two servers at once: tests/prao/attendance/test_jobs.py, the six pupils move once)


def test_the_pages_say_where_the_pupil_stands(app, client, login_as, db, world, set_clock):
    confirmed = _four(db, world)[0]
    enrolment = confirmed.enrolment
    period_id, enrolment_id = enrolment.period_id, enrolment.id
    token = pupil_services.make_link_token(enrolment)
    services.advance_states(MONDAY)
    set_clock(at(MONDAY, 12, 0))
    login_as("counsellor")
    overview = client.get(f"/perioder/{period_id}").get_data(as_text=True)
    assert '<span class="badge text-bg-success">pågår</span>' in overview
    assert '<span class="badge text-bg-warning">ej bekräftad</span>' in overview  # Alva
    page = client.get(f"/perioder/{period_id}/elever/{enrolment_id}").get_data(as_text=True)
    assert "pågår</span>" in page
    employer = new_client(app)
    login(employer, world.users["employer"].email)
    assert "Bekräftad, praon pågår" in employer.get("/arbetsgivare").get_data(as_text=True)
    pupil = new_client(app)
    assert "Din prao pågår." in pupil.get(f"/elev/{token}").get_data(as_text=True)
    services.advance_states(LAST_DAY + timedelta(days=1))
    set_clock(at(LAST_DAY + timedelta(days=1), 12, 0))
    page = client.get(f"/perioder/{period_id}/elever/{enrolment_id}").get_data(as_text=True)
    assert "genomförd</span>" in page
    assert "Din prao är genomförd." in pupil.get(f"/elev/{token}").get_data(as_text=True)


def test_an_assignment_in_progress_or_completed_still_reports_and_certifies(db, world,
                                                                           set_clock):
    confirmed = _four(db, world)[0]
    services.advance_states(MONDAY)
    set_clock(at(MONDAY, 15, 0))
    allowed = attendance.placed([confirmed.id])
    outcome = attendance.report_day(MONDAY, [attendance.Entry(
        confirmed.id, AttendanceStatus.ABSENT)], allowed, attendance.Reporter(None, "x"))
    assert outcome.saved == 1
    services.advance_states(LAST_DAY + timedelta(days=1))
    assert _states(db, confirmed) == [AssignmentState.COMPLETED]
    allowed = attendance.placed([confirmed.id])
    outcome = attendance.report_day(MONDAY, [attendance.Entry(
        confirmed.id, AttendanceStatus.PRESENT, time(8, 0), time(15, 0), 30)], allowed,
        attendance.Reporter(None, "x"))
    assert outcome.saved == 1  # a correction after the period is still taken

