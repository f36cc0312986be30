"""Same-day alerts and the morning emails, with the portal's clock stopped at chosen
moments (Europe/Stockholm): an absence at 08:30 alerts at once, a day not reported by
10:00 alerts at 10:00, a pupil reported present raises nothing, and weekends and public
holidays are quiet."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.prao.attendance import daily, services
from portal.prao.models import AlertKind, AttendanceAlert, AttendanceStatus, MorningEmail
from tests.prao.attendance.support import (
    GOOD_FRIDAY,
    SATURDAY,
    TUESDAY,
    at,
    emails,
    pupil_at,
)
from tests.prao.attendance.support import placement as make_placement

SUPERVISOR = services.Reporter(None, "Handledare (länk)")


def _alerts(kind: AlertKind | None = None) -> list[AttendanceAlert]:
    stmt = select(AttendanceAlert).order_by(AttendanceAlert.id)
    if kind is not None:
        stmt = stmt.where(AttendanceAlert.kind == kind)
    return list(db.session.scalars(stmt))


def _report(assignment, day, status, start=time(8, 0), end=time(14, 30), pause=30):  # noqa: ANN001, ANN202
    return services.report_day(day, [services.Entry(assignment.id, status, start, end, pause)],
                               services.placed([assignment.id]), SUPERVISOR)


def test_absence_reported_at_half_past_eight_alerts_the_counsellor_at_once(
        db, world, set_clock):
    pupil = pupil_at(make_placement(world.organisation_a), world.school_a)
    db.session.commit()
    set_clock(at(TUESDAY, 8, 30))
    outcome = _report(pupil, TUESDAY, AttendanceStatus.ABSENT)
    assert outcome.alerts == 1
    [alert] = _alerts()
    assert (alert.kind, alert.day, alert.sent_at is not None) == (
        AlertKind.ABSENT, TUESDAY, True)
    [mail] = emails("attendance_alerts")
    assert mail.recipient == world.users["counsellor"].email
    assert pupil.enrolment.student.first_name in mail.body_text
    assert "frånvarande" in mail.body_text


def test_an_absence_reported_days_later_tells_the_school_not_the_guardian(db, world,
                                                                         set_clock):
    """A correction on Thursday of Tuesday's list: the counsellor hears of it, the guardian
    is not told that the pupil is absent "today"."""
    world.school_a.alert_guardians_on_absence = True
    pupil = pupil_at(make_placement(world.organisation_a), world.school_a,
                     guardian_email="mamma@hem.se")
    db.session.commit()
    set_clock(at(TUESDAY + timedelta(days=2), 9, 0))
    assert _report(pupil, TUESDAY, AttendanceStatus.ABSENT).alerts == 1
    assert len(emails("attendance_alerts")) == 1
    assert emails("attendance_guardian") == []
    set_clock(at(TUESDAY + timedelta(days=2), 9, 30))  # the same day's absence: told
    assert _report(pupil, TUESDAY + timedelta(days=2), AttendanceStatus.ABSENT).alerts == 1
    [told] = emails("attendance_guardian")
    assert told.recipient == "mamma@hem.se"


def test_an_absence_corrected_to_present_is_withdrawn_and_everyone_told_is_told_again(
        db, world, set_clock):
    """A probe marked a pupil absent by mistake and corrected it a minute later: the
    guardian's "absent today" and the counsellor's alarm stayed, with nothing after them."""
    world.school_a.alert_guardians_on_absence = True
    pupil = pupil_at(make_placement(world.organisation_a), world.school_a,
                     guardian_email="mamma@hem.se")
    other = pupil_at(make_placement(world.organisation_a), world.school_a,
                     guardian_email="pappa@hem.se")
    db.session.commit()
    set_clock(at(TUESDAY, 8, 30))
    _report(pupil, TUESDAY, AttendanceStatus.ABSENT)
    _report(other, TUESDAY, AttendanceStatus.ABSENT)
    set_clock(at(TUESDAY, 8, 40))
    _report(pupil, TUESDAY, AttendanceStatus.LATE, start=time(8, 35))
    assert [a.assignment_id for a in _alerts()] == [other.id]  # the other stays absent
    name = pupil.enrolment.student.first_name
    [guardian] = emails("attendance_guardian_corrected")
    assert guardian.recipient == "mamma@hem.se"
    assert f"Rättelse: {name} är inte frånvarande" in guardian.subject
    assert "Bortse från vårt förra meddelande om frånvaro" in guardian.body_text
    [counsellor] = emails("attendance_corrected")
    assert counsellor.recipient == world.users["counsellor"].email
    assert name in counsellor.body_text and "larmet är borttaget" in counsellor.body_text
    # The same report again changes nothing and tells nobody twice; absent again alerts again.
    _report(pupil, TUESDAY, AttendanceStatus.LATE, start=time(8, 35))
    assert len(emails("attendance_guardian_corrected")) == 1
    set_clock(at(TUESDAY, 9, 0))
    assert _report(pupil, TUESDAY, AttendanceStatus.ABSENT).alerts == 1
    assert len(emails("attendance_guardian")) == 3


def test_a_corrected_absence_the_guardian_never_heard_of_is_not_sent_to_them(
        db, world, set_clock):
    world.school_a.alert_guardians_on_absence = True
    pupil = pupil_at(make_placement(world.organisation_a), world.school_a,
                     guardian_email="mamma@hem.se")
    db.session.commit()
    set_clock(at(TUESDAY + timedelta(days=2), 9, 0))  # Tuesday's list, on Thursday
    _report(pupil, TUESDAY, AttendanceStatus.ABSENT)
    _report(pupil, TUESDAY, AttendanceStatus.PRESENT)
    assert _alerts() == [] and emails("attendance_guardian_corrected") == []
    assert len(emails("attendance_corrected")) == 1


def test_no_report_by_ten_raises_one_alert_at_ten(db, world, set_clock):
    pupil = pupil_at(make_placement(world.organisation_a), world.school_a)
    db.session.commit()
    set_clock(at(TUESDAY, 9, 59))
    assert daily.raise_missing_reports() == 0
    assert _alerts() == []
    set_clock(at(TUESDAY, 10, 0))
    assert daily.raise_missing_reports() == 1
    [alert] = _alerts(AlertKind.NOT_REPORTED)
    assert alert.assignment_id == pupil.id and alert.day == TUESDAY
    assert len(emails("attendance_alerts")) == 1
    set_clock(at(TUESDAY, 10, 1))
    assert daily.raise_missing_reports() == 0  # every minute from cron: still one alert
    assert len(_alerts()) == 1 and len(emails("attendance_alerts")) == 1


def test_a_pupil_reported_present_raises_nothing(db, world, set_clock):
    pupil = pupil_at(make_placement(world.organisation_a), world.school_a)
    db.session.commit()
    set_clock(at(TUESDAY, 8, 15))
    assert _report(pupil, TUESDAY, AttendanceStatus.PRESENT).alerts == 0
    set_clock(at(TUESDAY, 10, 30))
    assert daily.raise_missing_reports() == 0
    assert _alerts() == [] and emails("attendance_alerts") == []


def test_weekends_and_public_holidays_send_nothing_and_alert_nothing(db, world, set_clock):
    pupil = pupil_at(make_placement(world.organisation_a), world.school_a)
    db.session.commit()
    for day in (SATURDAY, GOOD_FRIDAY):
        set_clock(at(day, 11, 0))
        assert daily.send_morning_emails() == 0
        assert daily.raise_missing_reports() == 0
    set_clock(at(GOOD_FRIDAY, 11, 0))
    _report(pupil, GOOD_FRIDAY, AttendanceStatus.ABSENT)  # recorded, but no prao day
    assert _alerts() == []
    assert emails() == []


def test_guardian_is_told_where_the_school_switched_it_on_and_has_an_address(
        db, world, set_clock):
    place = make_placement(world.organisation_a)
    world.school_a.alert_guardians_on_absence = True
    with_address = pupil_at(place, world.school_a, guardian_email="mamma@hem.se")
    pupil_at(place, world.school_a)  # no guardian address
    pupil_at(place, world.school_b, guardian_email="pappa@hem.se")  # school B: switched off
    db.session.commit()
    set_clock(at(TUESDAY, 10, 5))
    assert daily.raise_missing_reports() == 3
    [mail] = emails("attendance_guardian")
    assert mail.recipient == "mamma@hem.se"
    assert with_address.enrolment.student.first_name in mail.subject
    assert [a.guardian_sent_at is not None for a in _alerts()].count(True) == 1


def test_one_morning_email_per_supervisor_from_seven(db, world, set_clock):
    shared = make_placement(world.organisation_a, supervisor="Hanna@Bygg.se")
    also_hanna = make_placement(world.organisation_a, supervisor="hanna@bygg.se")
    other = make_placement(world.organisation_b, supervisor="olle@butik.se")
    first, second = pupil_at(shared, world.school_a), pupil_at(also_hanna, world.school_b)
    pupil_at(other, world.school_a)
    pupil_at(shared, world.school_a, state="proposed")  # not confirmed: not at work
    db.session.commit()
    set_clock(at(TUESDAY, 6, 59))
    assert daily.send_morning_emails() == 0
    set_clock(at(TUESDAY, 7, 0))
    assert daily.send_morning_emails() == 2
    assert daily.send_morning_emails() == 0
    to_hanna = emails("attendance_morning", to="hanna@bygg.se")
    assert len(to_hanna) == 1
    for pupil in (first, second):
        assert pupil.enrolment.student.first_name in to_hanna[0].body_text
    assert "/narvaro/" in to_hanna[0].body_text
    assert len(emails("attendance_morning", to="olle@butik.se")) == 1
    assert db.session.scalar(select(func.count()).select_from(MorningEmail)) == 2


# --- what the counsellor's alert email tells them to do, for each kind of alert --------------

ABSENCE_ADVICE = "Markera frånvaron som giltig eller ogiltig"
HOURS_ADVICE = "kontakta arbetsplatsen och se till att elevens arbetstid ändras"
NOT_REPORTED_ADVICE = "ring handledaren och fråga om eleven har kommit"


def _advice(mail) -> tuple[bool, bool, bool]:  # noqa: ANN001
    """Which closing advice the email gives, the same in its text and its HTML."""
    found = tuple(text in mail.body_text for text in (ABSENCE_ADVICE, HOURS_ADVICE,
                                                       NOT_REPORTED_ADVICE))
    assert found == tuple(text in mail.body_html for text in (ABSENCE_ADVICE, HOURS_ADVICE,
                                                               NOT_REPORTED_ADVICE))
    return found  # type: ignore[return-value]


def test_a_minor_working_in_the_evening_is_not_told_as_an_absence(db, world, set_clock):
    """19:00–23:30: the counsellor is told to contact the workplace and given the rules for
    minors, not asked to mark an absence that never was."""
    pupil = pupil_at(make_placement(world.organisation_a), world.school_a)
    db.session.commit()
    set_clock(at(TUESDAY, 23, 45))
    _report(pupil, TUESDAY, AttendanceStatus.PRESENT, time(19, 0), time(23, 30), 0)
    [mail] = emails("attendance_alerts")
    assert "arbetstid utanför reglerna för minderåriga" in mail.body_text
    assert _advice(mail) == (False, True, False)
    assert "aldrig mellan 20:00 och 06:00" in mail.body_text


def test_an_absence_alert_asks_for_excused_or_not_and_nothing_else(db, world, set_clock):
    pupil = pupil_at(make_placement(world.organisation_a), world.school_a)
    db.session.commit()
    set_clock(at(TUESDAY, 8, 30))
    _report(pupil, TUESDAY, AttendanceStatus.ABSENT)
    [mail] = emails("attendance_alerts")
    assert _advice(mail) == (True, False, False)


def test_a_day_not_reported_asks_the_counsellor_to_call_the_supervisor(db, world, set_clock):
    pupil_at(make_placement(world.organisation_a), world.school_a)
    db.session.commit()
    set_clock(at(TUESDAY, 10, 0))
    daily.raise_missing_reports()
    [mail] = emails("attendance_alerts")
    assert _advice(mail) == (False, False, True)


def test_a_digest_of_both_kinds_gives_both_pieces_of_advice_in_english(db, world, set_clock):
    world.users["counsellor"].language = "en"
    place = make_placement(world.organisation_a)
    absent, evening = pupil_at(place, world.school_a), pupil_at(place, world.school_a)
    db.session.commit()
    set_clock(at(TUESDAY, 23, 45))
    services.report_day(TUESDAY, [
        services.Entry(absent.id, AttendanceStatus.ABSENT, None, None, 0),
        services.Entry(evening.id, AttendanceStatus.PRESENT, time(19, 0), time(23, 30), 0)],
        services.placed([absent.id, evening.id]), SUPERVISOR)
    [mail] = emails("attendance_alerts")
    for body in (mail.body_text, mail.body_html):
        assert "Mark the absence as excused or unexcused" in body
        assert "contact the workplace" in body and "never between 20:00 and 06:00" in body
        assert "call the supervisor" not in body and "Markera" not in body
