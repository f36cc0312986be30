"""A form sent again (a double click, the back button) makes nothing twice: the same
municipality, school or period is the one already saved; a different period on the same
first day is refused beside the field."""

from __future__ import annotations

from freezegun import freeze_time
from sqlalchemy import func, select

from portal.schools.models import Municipality, PraoPeriod, School
from tests.conftest import post_form
from tests.schools.test_periods import FORM


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@freeze_time("2026-11-22")
def test_the_same_period_sent_twice_is_one_period(client, login_as, db, world):
    login_as("counsellor")
    url = f"/skolor/{world.school_a.id}/perioder/ny"
    first = post_form(client, url, FORM)
    again = post_form(client, url, FORM)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert _count(db, PraoPeriod) == 1


@freeze_time("2026-11-22")
def test_another_period_starting_the_same_day_is_refused(client, login_as, db, world):
    login_as("counsellor")
    url = f"/skolor/{world.school_a.id}/perioder/ny"
    post_form(client, url, FORM)
    html = post_form(client, url, {**FORM, "name": "Annan", "last_day": "2027-03-19"}
                     ).get_data(as_text=True)
    assert 'id="first_day-error"' in html
    assert "Skolan har redan en period för årskurs 8 som börjar den dagen" in html
    assert _count(db, PraoPeriod) == 1
    other_grade = post_form(client, url, {**FORM, "grade": "9"})
    assert other_grade.status_code == 302 and _count(db, PraoPeriod) == 2


def test_the_same_municipality_and_school_sent_twice_are_saved_once(client, login_as, db,
                                                                    world):
    login_as("coordinator")
    for _ in range(2):
        assert post_form(client, "/samordnare/kommuner",
                         {"name": "Boden", "code": "2582"}).status_code == 302
    school = {"name": "Nya skolan", "unit_code": "87654321", "address": "Vägen 1",
              "municipality": str(world.municipality_b.id)}
    for _ in range(2):
        assert post_form(client, "/samordnare/skolor", school).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Municipality).where(
        Municipality.code == "2582")) == 1
    assert db.session.scalar(select(func.count()).select_from(School).where(
        School.unit_code == "87654321")) == 1
