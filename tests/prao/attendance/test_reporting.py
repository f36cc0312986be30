"""Reporting a day through the supervisor's signed link and the employer's page: what is
saved, what a second report does, the rules for minors on the hours actually worked, and
bad input (a message beside the field, nothing half-saved)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.prao.models import (
    AlertKind,
    AttendanceAlert,
    AttendanceDay,
    AttendanceReport,
    AttendanceStatus,
)
from tests.conftest import post_form
from tests.prao.attendance.support import (
    MONDAY,
    SATURDAY,
    TUESDAY,
    at,
    day_form,
    emails,
    link_url,
    pupil_at,
)
from tests.prao.attendance.support import placement as make_placement


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def two_pupils(db, world, set_clock):
    """Two pupils of school A at one supervisor's placement, Tuesday 08:40."""
    place = make_placement(world.organisation_a, supervisor="hanna@bygg.se")
    pupils = [pupil_at(place, world.school_a, first_name=name) for name in ("Alva", "Bo")]
    db.session.commit()
    set_clock(at(TUESDAY, 8, 40))
    return pupils


def test_supervisor_reports_the_day_from_the_link(client, two_pupils):
    alva, bo = two_pupils
    url = link_url("hanna@bygg.se", two_pupils, TUESDAY)
    page = client.get(url).get_data(as_text=True)
    assert "Alva" in page and "Bo" in page and 'value="08:00"' in page
    response = post_form(client, url, day_form([
        {"assignment": alva.id, "status": "present", "start": "08:00", "end": "14:30",
         "break_minutes": 30},
        {"assignment": bo.id, "status": "absent", "start": "", "end": ""}]))
    assert response.status_code == 302
    days = {d.assignment_id: d for d in db.session.scalars(select(AttendanceDay))}
    assert days[alva.id].status is AttendanceStatus.PRESENT
    assert (days[alva.id].start_time, days[alva.id].end_time) == (time(8), time(14, 30))
    assert days[bo.id].status is AttendanceStatus.ABSENT and days[bo.id].start_time is None
    assert days[bo.id].reported_by_label == "Handledare hanna@bygg.se (länk)"
    page = client.get(url).get_data(as_text=True)
    assert "Närvaron är sparad för 2 elever" in page
    assert "Rapporterat kl. 08:40" in page
    assert len(emails("attendance_alerts")) == 1  # Bo's absence, at once


def test_a_second_report_wins_and_both_are_kept(client, two_pupils, set_clock):
    alva = two_pupils[0]
    url = link_url("hanna@bygg.se", two_pupils, TUESDAY)
    post_form(client, url, day_form([{"assignment": alva.id, "status": "absent"}]))
    set_clock(at(TUESDAY, 9, 15))
    post_form(client, url, day_form([{"assignment": alva.id, "status": "late",
                                      "start": "09:10", "end": "14:30",
                                      "break_minutes": 30}]))
    [day] = db.session.scalars(select(AttendanceDay)).all()
    assert day.status is AttendanceStatus.LATE and day.start_time == time(9, 10)
    history = db.session.scalars(select(AttendanceReport.status)
                                 .order_by(AttendanceReport.id)).all()
    assert history == [AttendanceStatus.ABSENT, AttendanceStatus.LATE]
    audited = db.session.scalars(select(AuditEvent.detail).where(
        AuditEvent.action == "attendance_reported").order_by(AuditEvent.id)).all()
    assert len(audited) == 2 and "absent" in audited[0] and "09:10-14:30" in audited[1]
    # The same form sent again says nothing new: no third report.
    post_form(client, url, day_form([{"assignment": alva.id, "status": "late",
                                      "start": "09:10", "end": "14:30",
                                      "break_minutes": 30}]))
    assert _count(AttendanceReport) == 2


def _nothing_saved() -> None:
    assert _count(AttendanceDay) == 0
    assert _count(AttendanceReport) == 0
    assert _count(AttendanceAlert) == 0
    assert emails() == []


def test_hours_that_end_before_they_start_are_refused_beside_the_field(client, two_pupils):
    alva, bo = two_pupils
    url = link_url("hanna@bygg.se", two_pupils, TUESDAY)
    response = post_form(client, url, day_form([
        {"assignment": alva.id, "status": "absent"},
        {"assignment": bo.id, "status": "present", "start": "14:00", "end": "08:00",
         "break_minutes": 0}]))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="pupils-1-end-error"' in page
    assert "Arbetsdagen måste sluta senare än den börjar." in page
    assert "Ingenting har sparats" in page
    _nothing_saved()  # not even Alva's valid absence


def test_present_without_hours_is_refused(client, two_pupils):
    url = link_url("hanna@bygg.se", two_pupils, TUESDAY)
    response = post_form(client, url, day_form([
        {"assignment": two_pupils[0].id, "status": "present", "start": "", "end": ""}]))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="pupils-0-start-error"' in page and "Fyll i när eleven började." in page
    _nothing_saved()


def _refused_break(client, two_pupils, minutes: str) -> str:
    """The page refusing a day of 08:00–14:00 with this break, nothing saved."""
    url = link_url("hanna@bygg.se", two_pupils, TUESDAY)
    response = post_form(client, url, day_form([
        {"assignment": two_pupils[0].id, "status": "present", "start": "08:00",
         "end": "14:00", "break_minutes": minutes}]))
    assert response.status_code == 400
    _nothing_saved()
    return response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_cleared_break_is_asked_for_not_saved_as_no_break(client, two_pupils, language):
    """A probe cleared the break and saved: 0 minutes, reported to the school as a day of
    six hours without a break."""
    client.get(f"/sprak/{language}")
    page = _refused_break(client, two_pupils, "")
    assert 'id="pupils-0-break_minutes-error"' in page
    assert ("Fyll i rasten i minuter, 0 om eleven inte hade någon rast." if language == "sv"
            else "Fill in the break in minutes, 0 if the pupil had no break.") in page


def test_a_break_that_is_no_number_is_told_once(client, two_pupils):
    """A probe typed letters for the break and was told two things: to write a whole
    number, and that the break is between 0 and 480 minutes."""
    page = _refused_break(client, two_pupils, "abc")
    beside = page[page.index('id="pupils-0-break_minutes-error"'):]
    beside = beside[:beside.index("</div>")]
    assert "Rasten är mellan 0 och 480 minuter." not in beside
    assert beside.count("</li>") <= 1 and ("heltal" in beside or "siffror" in beside), beside


def test_a_pupil_not_at_this_workplace_is_refused(client, world, two_pupils):
    elsewhere = pupil_at(make_placement(world.organisation_b, supervisor="olle@butik.se"),
                         world.school_a)
    db.session.commit()
    url = link_url("hanna@bygg.se", two_pupils, TUESDAY)
    response = post_form(client, url, day_form([
        {"assignment": two_pupils[0].id, "status": "absent"},
        {"assignment": elsewhere.id, "status": "absent"}]))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="pupils-1-status-error"' in page
    assert "Eleven är inte på prao på den här arbetsplatsen." in page
    _nothing_saved()


def test_employer_cannot_report_a_day_outside_the_period(client, login_as, two_pupils):
    login_as("employer")
    outside = MONDAY - timedelta(days=7)
    response = post_form(client, "/arbetsgivare/narvaro", day_form(
        [{"assignment": two_pupils[0].id, "status": "absent"}], day=outside.isoformat()))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "ligger utanför elevens praodagar här (2027-03-15–2027-03-26)" in page
    assert 'id="pupils-0-status-error"' in page
    _nothing_saved()


def test_employer_cannot_report_a_day_still_to_come(client, login_as, two_pupils):
    login_as("employer")
    response = post_form(client, "/arbetsgivare/narvaro", day_form(
        [{"assignment": two_pupils[0].id, "status": "absent"}],
        day=(TUESDAY + timedelta(days=1)).isoformat()))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="day-error"' in page and "som inte har kommit än" in page
    _nothing_saved()


def test_a_row_naming_no_pupil_is_refused_once_beside_it(client, login_as, two_pupils):
    login_as("employer")
    response = post_form(client, "/arbetsgivare/narvaro", day_form(
        [{"assignment": "abc", "status": "absent"}], day=TUESDAY.isoformat()))
    page = response.get_data(as_text=True)
    assert page.count("Eleven finns inte.") == 2  # once beside the row, once in the summary
    assert 'id="pupils-0-status-error"' in page
    _nothing_saved()


def test_employer_reports_its_own_pupils_from_its_start_page(client, login_as, two_pupils):
    employer = login_as("employer")
    start = client.get("/arbetsgivare").get_data(as_text=True)
    assert 'href="/arbetsgivare/narvaro"' in start
    page = client.get("/arbetsgivare/narvaro").get_data(as_text=True)
    assert "Alva" in page and "Bo" in page
    response = post_form(client, "/arbetsgivare/narvaro", day_form(
        [{"assignment": p.id, "status": "present", "start": "08:00", "end": "14:30",
          "break_minutes": 30} for p in two_pupils], day=TUESDAY.isoformat()))
    assert response.status_code == 302
    days = db.session.scalars(select(AttendanceDay)).all()
    assert [(d.reported_by_id, d.status) for d in days] == [
        (employer.id, AttendanceStatus.PRESENT)] * 2


def test_employer_of_another_organisation_cannot_report_or_read(client, world, login_as,
                                                                db, set_clock):
    theirs = pupil_at(make_placement(world.organisation_b), world.school_a, first_name="Zelda")
    db.session.commit()
    set_clock(at(TUESDAY, 9, 0))
    login_as("employer")
    assert client.get(f"/arbetsgivare/narvaro/elev/{theirs.id}").status_code == 404
    assert "Zelda" not in client.get("/arbetsgivare/narvaro").get_data(as_text=True)
    response = post_form(client, "/arbetsgivare/narvaro", day_form(
        [{"assignment": theirs.id, "status": "absent"}], day=TUESDAY.isoformat()))
    assert response.status_code == 400
    assert "Eleven är inte på prao på den här arbetsplatsen." in response.get_data(as_text=True)
    _nothing_saved()


# --- the rules for minors, on the hours actually worked -------------------------------------

def _report(client, url, assignment, start, end, pause, **extra):  # noqa: ANN001, ANN202
    return post_form(client, url, day_form([{"assignment": assignment.id, "status": "present",
                                              "start": start, "end": end,
                                              "break_minutes": pause}], **extra),
                     follow_redirects=True)


def test_a_legal_day_shows_no_warning_and_raises_no_alert(client, two_pupils):
    url = link_url("hanna@bygg.se", two_pupils, TUESDAY)
    page = _report(client, url, two_pupils[0], "08:00", "15:00", 30).get_data(as_text=True)
    assert "alert-warning" not in page
    assert _count(AttendanceAlert) == 0


@pytest.mark.parametrize(("start", "end", "pause", "warning"), [
    ("08:00", "16:00", 30, "7 h 30 min arbete en dag: minderåriga får arbeta högst 7 timmar"),
    ("05:30", "11:00", 30, "Minderåriga får inte arbeta mellan 20:00 och 06:00"),
    ("08:00", "13:00", 0, "En dag längre än 4,5 timmar kräver en rast på minst 30 minuter"),
])
def test_a_day_breaking_the_rules_is_saved_shown_and_flagged(client, world, two_pupils,
                                                             start, end, pause, warning):
    url = link_url("hanna@bygg.se", two_pupils, TUESDAY)
    page = _report(client, url, two_pupils[0], start, end, pause).get_data(as_text=True)
    assert warning in page and "Studie- och yrkesvägledaren får veta det." in page
    assert _count(AttendanceDay) == 1
    [alert] = db.session.scalars(select(AttendanceAlert)).all()
    assert alert.kind is AlertKind.HOURS
    [mail] = emails("attendance_alerts")
    assert mail.recipient == world.users["counsellor"].email
    assert "arbetstid utanför reglerna" in mail.body_text
    # The email names the rule the day broke, so the counsellor knows what to ask about.
    assert warning in mail.body_text and warning in mail.body_html


def test_a_week_over_35_hours_is_flagged(client, login_as, two_pupils, set_clock):
    login_as("employer")
    alva = two_pupils[0]
    set_clock(at(MONDAY + timedelta(days=4), 16, 0))  # Friday of week 11
    for offset in range(4):  # Monday–Thursday: 7 h each, legal
        day = MONDAY + timedelta(days=offset)
        page = _report(client, f"/arbetsgivare/narvaro?dag={day}", alva, "08:00", "15:30", 30,
                       day=day.isoformat()).get_data(as_text=True)
        assert "alert-warning" not in page
    friday = MONDAY + timedelta(days=4)
    page = _report(client, f"/arbetsgivare/narvaro?dag={friday}", alva, "08:00", "15:40", 30,
                   day=friday.isoformat()).get_data(as_text=True)
    assert "35 h 10 min arbete vecka 11: minderåriga får arbeta högst 35 timmar" in page
    [mail] = emails("attendance_alerts")
    assert "35 h 10 min arbete vecka 11: minderåriga får arbeta högst 35 timmar" \
        in mail.body_text


def test_weekend_work_is_saved_and_flagged(client, login_as, two_pupils, set_clock):
    login_as("employer")
    set_clock(at(SATURDAY, 15, 0))
    page = client.get(f"/arbetsgivare/narvaro?dag={SATURDAY}").get_data(as_text=True)
    assert "ingen praodag" in page
    page = _report(client, f"/arbetsgivare/narvaro?dag={SATURDAY}", two_pupils[0], "09:00",
                   "13:00", 0, day=SATURDAY.isoformat()).get_data(as_text=True)
    assert "arbetar inte på lördagar och söndagar" in page
    assert [a.kind for a in db.session.scalars(select(AttendanceAlert))] == [AlertKind.HOURS]


def test_a_report_with_one_pupil_unchanged_accounts_for_both(client, two_pupils):
    """Bo's day sent again as it was: the supervisor is told about Bo too, not only Alva."""
    alva, bo = two_pupils
    url = link_url("hanna@bygg.se", two_pupils, TUESDAY)
    bo_absent = {"assignment": bo.id, "status": "absent", "start": "", "end": ""}
    assert post_form(client, url, day_form([
        {"assignment": alva.id, "status": "present", "start": "08:00", "end": "14:30",
         "break_minutes": 30}, bo_absent])).status_code == 302
    client.get(url)
    response = post_form(client, url, day_form([
        {"assignment": alva.id, "status": "present", "start": "08:00", "end": "14:00",
         "break_minutes": 30}, bo_absent]), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert ("Närvaron är sparad för 1 elev. 1 elev var redan rapporterad likadant. Tack!"
            in page)
    client.get("/sprak/en")
    response = post_form(client, url, day_form([
        {"assignment": alva.id, "status": "present", "start": "08:00", "end": "14:30",
         "break_minutes": 30}, bo_absent]), follow_redirects=True)
    assert ("Attendance saved for 1 pupil. 1 pupil had already been reported the same way. "
            "Thank you!") in response.get_data(as_text=True)
