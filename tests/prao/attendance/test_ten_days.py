"""The ten-day guarantee: prao days counted from reported attendance (present or late),
across years 8 and 9 and across periods, with what is still planned; a pupil whose
placement fell through (declined, cancelled, no-show) is shown with the days missing."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import delete

from portal.extensions import db
from portal.matching.models import MatchingRun, RunStatus
from portal.prao.attendance import overview, services
from portal.prao.models import AssignmentState, AttendanceStatus
from tests import factories
from tests.prao.attendance.support import at, pupil_at
from tests.prao.attendance.support import placement as make_placement

P, L, A = AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT
GRADE_8 = [date(2027, 3, d) for d in (15, 16, 17, 18, 19)]
GRADE_9 = [date(2028, 3, d) for d in (13, 14, 15)]  # reported by Wednesday 15 March 2028
REPORTER = services.Reporter(None, "Handledare (länk)")


def _report(assignment, days, statuses, set_clock) -> None:  # noqa: ANN001
    for day, status in zip(days, statuses, strict=True):
        set_clock(at(day, 16, 0))
        services.report_day(day, [services.Entry(assignment.id, status, time(8), time(14),
                                                 30)], services.placed([assignment.id]), REPORTER)


def _periods(school):  # noqa: ANN001, ANN202
    grade_8 = factories.PraoPeriodFactory(school=school, grade=8)
    grade_9 = factories.PraoPeriodFactory(
        school=school, grade=9, name="Prao vt 2028 åk 9", first_day=date(2028, 3, 13),
        last_day=date(2028, 3, 24), wishes_open=date(2028, 1, 10),
        wishes_close=date(2028, 2, 4))
    return grade_8, grade_9


def _in_grade_9(place, period, student, state=AssignmentState.CONFIRMED):  # noqa: ANN001, ANN202
    enrolment = factories.EnrolmentFactory(period=period, student=student, state="assigned")
    offer = factories.PlacementOfferFactory(placement=place, first_week=date(2028, 3, 13),
                                            last_week=date(2028, 3, 20), seats_taken=1)
    return factories.AssignmentFactory(enrolment=enrolment, offer=offer, placement=place,
                                       state=state)


def test_days_are_counted_across_years_and_periods(db, world, set_clock):
    place = make_placement(world.organisation_a)
    grade_8, grade_9 = _periods(world.school_a)
    first = pupil_at(place, world.school_a, period=grade_8)
    student = first.enrolment.student
    db.session.commit()
    _report(first, GRADE_8, [P, P, L, A, P], set_clock)  # absence does not count
    second = _in_grade_9(place, grade_9, student)
    db.session.commit()
    _report(second, GRADE_9, [P, A, L], set_clock)
    count = overview.ten_days([student.id], date(2028, 3, 15))[student.id]
    # 4 in year 8, 2 in year 9; planned: 16, 17, 20–24 March 2028
    assert (count.attended, count.planned, count.missing, count.below) == (6, 7, 0, False)
    # Without the rest of year 9 (cancelled), four days are missing.
    second.state = AssignmentState.CANCELLED
    db.session.commit()
    count = overview.ten_days([student.id], date(2028, 3, 15))[student.id]
    assert (count.attended, count.planned, count.missing, count.below) == (6, 0, 4, True)


def test_a_placement_that_falls_through_shows_the_days_missing(client, login_as, world, db,
                                                                set_clock):
    place = make_placement(world.organisation_a)
    grade_8, grade_9 = _periods(world.school_a)
    declined_8 = pupil_at(place, world.school_a, period=grade_8, first_name="Dana")
    no_show = _in_grade_9(place, grade_9,
                          factories.StudentFactory(school=world.school_a, first_name="Nils"))
    kept = _in_grade_9(place, grade_9,
                       factories.StudentFactory(school=world.school_a, first_name="Kim"))
    db.session.commit()
    _report(declined_8, GRADE_8[:3], [P, P, P], set_clock)
    declined = _in_grade_9(place, grade_9, declined_8.enrolment.student,
                           state=AssignmentState.DECLINED)
    db.session.commit()
    _report(no_show, GRADE_9, [A, A, A], set_clock)
    _report(kept, GRADE_9, [P, P, P], set_clock)
    login_as("counsellor")
    page = client.get(f"/perioder/{grade_9.id}/narvaro").get_data(as_text=True)
    fallen = page.split("Placeringar som fallit bort", 1)[1].split("<h2", 1)[0]
    assert "Dana" in fallen and "7 praodagar saknas till tio" in fallen  # 3 in year 8
    assert "Nils" in fallen and "har inte kommit" in fallen
    assert "3 praodagar saknas till tio" in fallen  # Nils: 0 attended, 7 planned
    assert "Kim" not in fallen
    assert declined.state is AssignmentState.DECLINED
    # The employer said no, not its placement: named, with the placement in brackets.
    employer = f"{world.organisation_a.name} ({place.title})"
    assert f"nekad av {employer}" in fallen and f"har inte kommit till {employer}" in fallen
    client.get("/sprak/en")
    page = client.get(f"/perioder/{grade_9.id}/narvaro").get_data(as_text=True)
    assert f"declined by {employer}" in page and f"has not come to {employer}" in page
    client.get("/sprak/sv")
    summary = client.get(f"/perioder/{grade_9.id}").get_data(as_text=True)
    assert "2 elever under tio praodagar" in summary
    assert "2 placeringar har fallit bort" in summary


def test_the_pupils_record_counts_days_attended_as_such(client, login_as, db, world,
                                                        set_clock):
    """Three days reported (two present, one absent): the record says two days attended,
    as the table below it shows, and not "2 reported"; days from an earlier period are
    said to be from there, since the table lists this placement's days only."""
    place = make_placement(world.organisation_a)
    grade_8, grade_9 = _periods(world.school_a)
    first = pupil_at(place, world.school_a, period=grade_8)
    db.session.commit()
    _report(first, GRADE_8[:3], [P, A, L], set_clock)
    login_as("counsellor")
    page = client.get(f"/uppfoljning/{first.id}").get_data(as_text=True)
    assert "Praodagar: 2 närvarodagar, 6 planerade." in page
    assert "rapporterade," not in page and "annan praoperiod" not in page
    second = _in_grade_9(place, grade_9, first.enrolment.student)
    db.session.commit()
    _report(second, GRADE_9[:1], [P], set_clock)
    page = client.get(f"/uppfoljning/{second.id}").get_data(as_text=True)
    assert "Praodagar: 3 närvarodagar" in page
    assert "2 av dem var i en annan praoperiod eller på en annan arbetsplats." in page
    client.get("/sprak/en")
    page = client.get(f"/uppfoljning/{second.id}").get_data(as_text=True)
    assert "Prao days: 3 days attended" in page


def _published_round(world, period) -> None:  # noqa: ANN001
    db.session.add(MatchingRun(created_by_id=world.users["coordinator"].id, seed=1,
                               status=RunStatus.PUBLISHED, periods=[period]))


def test_pupils_not_placed_before_matching_are_not_yet_short_of_ten_days(
        client, login_as, db, world, set_clock):
    """A week before the period, with no matching round published, the pupils without a
    place are still to be matched: counted as such, not flagged in red as short of ten
    days. Once the round is published, a pupil it left without a place is."""
    period = factories.PraoPeriodFactory(school=world.school_a)
    factories.EnrolmentFactory(period=period, student=factories.StudentFactory(
        school=world.school_a, first_name="Utan"))
    db.session.commit()
    set_clock(at(date(2027, 3, 8), 9, 0))
    login_as("counsellor")
    for url in (f"/perioder/{period.id}/narvaro", f"/perioder/{period.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "1 elev har ingen praoplats än" in page
        assert "0 elever under tio praodagar" in page and "text-danger fw-bold" not in page
    _published_round(world, period)
    db.session.commit()
    page = client.get(f"/perioder/{period.id}/narvaro").get_data(as_text=True)
    assert "ingen praoplats än" not in page
    assert "1 elev under tio praodagar" in page and "text-danger fw-bold" in page
    client.get("/sprak/en")
    set_clock(at(date(2027, 3, 1), 9, 0))
    db.session.execute(delete(MatchingRun))
    db.session.commit()
    assert "1 pupil has no placement yet" in client.get(
        f"/perioder/{period.id}/narvaro").get_data(as_text=True)


def test_a_period_of_nine_prao_days_says_so_instead_of_flagging_every_pupil(
        client, login_as, db, world, set_clock):
    """The factories' period, 15–25 March 2027, has nine prao days. A pupil placed for all
    of them is short of ten only by the day the period lacks: the pages say that once and
    mark the pupil quietly; a pupil with nothing planned is still flagged."""
    placed = pupil_at(make_placement(world.organisation_a), world.school_a, first_name="Ines")
    period = placed.enrolment.period
    factories.EnrolmentFactory(period=period, student=factories.StudentFactory(
        school=world.school_a, first_name="Utan"))
    _published_round(world, period)
    db.session.commit()
    set_clock(at(date(2027, 3, 8), 9, 0))
    login_as("counsellor")
    page = client.get(f"/perioder/{period.id}/narvaro").get_data(as_text=True)
    assert "Perioden har 9 praodagar, färre än tio" in page
    assert "1 elev under tio praodagar" in page  # Utan, not Ines
    assert "1 elev behöver praodagar i en annan period" in page
    ines = page[page.index(">Ines "):].split("</tr>")[0]
    assert "1 i en annan period" in ines and "text-bg-danger" not in ines
    record = client.get(f"/uppfoljning/{placed.id}").get_data(as_text=True)
    assert "1 praodag saknas till tio." in record and "text-danger fw-bold" not in record
    assert "Perioden har bara 9 praodagar" in record
    client.get("/sprak/en")
    page = client.get(f"/perioder/{period.id}/narvaro").get_data(as_text=True)
    assert "The period has 9 prao days, fewer than ten" in page
    assert "1 pupil needs prao days in another period" in page
