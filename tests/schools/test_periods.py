"""A counsellor opens a prao period; the grade's pupils are enrolled; the overview shows them."""

from __future__ import annotations

from datetime import date

from freezegun import freeze_time
from sqlalchemy import select

from portal.schools.models import Enrolment, EnrolmentState, PraoPeriod
from tests import factories
from tests.conftest import post_form

FORM = {"name": "Prao vt 2027 åk 8", "grade": "8", "first_day": "2027-03-15",
        "last_day": "2027-03-26", "wishes_open": "2027-01-11", "wishes_close": "2027-02-05"}


@freeze_time("2026-11-22")
def test_open_a_period_enrols_the_grade(client, login_as, db, world):
    eighth = [factories.StudentFactory(school=world.school_a, grade=8) for _ in range(3)]
    factories.StudentFactory(school=world.school_a, grade=9)
    factories.StudentFactory(school=world.school_b, grade=8)
    db.session.commit()
    login_as("counsellor")
    response = post_form(client, f"/skolor/{world.school_a.id}/perioder/ny", FORM)
    assert response.status_code == 302
    period = db.session.scalars(select(PraoPeriod)).one()
    enrolled = db.session.scalars(select(Enrolment.student_id).filter_by(
        period_id=period.id)).all()
    assert sorted(enrolled) == sorted(s.id for s in eighth)
    page = client.get(f"/perioder/{period.id}").get_data(as_text=True)
    assert "10 arbetsdagar" in page and "Elever (3)" in page


@freeze_time("2026-11-22")
def test_period_dates_are_checked(client, login_as, db, world):
    login_as("counsellor")
    url = f"/skolor/{world.school_a.id}/perioder/ny"
    cases = [
        ({"last_day": "2027-03-01"}, "last_day", "Sista dagen kan inte vara före"),
        ({"first_day": "2026-01-01", "last_day": "2026-01-10"}, "first_day", "förflutna"),
        ({"wishes_close": "2027-01-01"}, "wishes_close", "stänga efter att det öppnar"),
        ({"wishes_close": "2027-03-20"}, "wishes_close", "före periodens första dag"),
        ({"first_day": "2027-03-20", "last_day": "2027-03-21"}, "last_day", "inga arbetsdagar"),
        ({"first_day": "inte ett datum"}, "first_day", "Välj ett datum."),
    ]
    for overrides, field, message in cases:
        html = post_form(client, url, {**FORM, **overrides}).get_data(as_text=True)
        assert f'id="{field}-error"' in html and message in html, overrides
    assert db.session.scalars(select(PraoPeriod)).first() is None


def test_counsellor_cannot_open_a_period_at_another_school(client, login_as, world):
    login_as("counsellor")
    assert client.get(f"/skolor/{world.school_b.id}/perioder/ny").status_code == 404
    assert post_form(client, f"/skolor/{world.school_b.id}/perioder/ny",
                     FORM).status_code == 404


def test_exempt_needs_a_reason(client, login_as, db, world):
    enrolment = factories.EnrolmentFactory(period__school=world.school_a)
    db.session.commit()
    login_as("counsellor")
    url = f"/perioder/{enrolment.period_id}/elever/{enrolment.id}"
    missing = post_form(client, url, {"state": "exempt", "reason": ""})
    assert "Skriv varför eleven är befriad" in missing.get_data(as_text=True)
    post_form(client, url, {"state": "exempt", "reason": "Långvarig sjukskrivning"})
    db.session.refresh(enrolment)
    assert enrolment.state is EnrolmentState.EXEMPT


def test_days_so_far_counts_placed_periods(client, login_as, db, world):
    student = factories.StudentFactory(school=world.school_a)
    done = factories.PraoPeriodFactory(school=world.school_a, first_day=date(2026, 3, 16),
                                       last_day=date(2026, 3, 20), wishes_open=date(2026, 1, 1),
                                       wishes_close=date(2026, 2, 1))
    factories.EnrolmentFactory(period=done, student=student, state=EnrolmentState.ASSIGNED)
    now = factories.PraoPeriodFactory(school=world.school_a)
    factories.EnrolmentFactory(period=now, student=student)
    db.session.commit()
    login_as("counsellor")
    html = client.get(f"/perioder/{now.id}").get_data(as_text=True)
    # five days so far, under the ten required
    assert '<td data-label="Praodagar hittills">5 <span' in html
