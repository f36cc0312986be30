"""The supervisor's signed link is the key: a tampered one, an expired one, and one used
for another workplace's pupils open nothing and save nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.prao.attendance import links
from portal.prao.models import AttendanceDay, Incident
from tests.conftest import post_form, summary_and_page_order
from tests.prao.attendance.support import TUESDAY, at, day_form, link_url, pupil_at
from tests.prao.attendance.support import placement as make_placement


@pytest.fixture
def hanna(db, world, set_clock):
    """Hanna supervises one pupil; Olle, at another organisation, another."""
    mine = pupil_at(make_placement(world.organisation_a, supervisor="hanna@bygg.se"),
                    world.school_a, first_name="Alva")
    other = pupil_at(make_placement(world.organisation_b, supervisor="olle@butik.se"),
                     world.school_a, first_name="Zelda")
    db.session.commit()
    set_clock(at(TUESDAY, 8, 0))
    return mine, other


def _saved() -> int:
    return db.session.scalar(select(func.count()).select_from(AttendanceDay))


def test_a_tampered_link_opens_nothing(client, hanna):
    url = link_url("hanna@bygg.se", [hanna[0]], TUESDAY)
    token = url.rsplit("/", 1)[1]
    payload, rest = token.split(".", 1)
    forged = links.make_token("hanna@bygg.se", [hanna[0].id, hanna[1].id], TUESDAY)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
                forged.split(".", 1)[0] + "." + rest):  # Zelda added, old signature
        response = client.get(f"/narvaro/{bad}")
        assert response.status_code == 404
        assert "Länken är inte hel" in response.get_data(as_text=True)
        assert post_form(client, f"/narvaro/{bad}", day_form(
            [{"assignment": hanna[0].id, "status": "absent"}])).status_code == 404
        assert post_form(client, f"/narvaro/{bad}/tillbud",
                         {"pupil": hanna[0].id, "what": "x"}).status_code == 404
    assert _saved() == 0


def test_an_expired_link_opens_nothing(client, hanna, set_clock):
    url = link_url("hanna@bygg.se", [hanna[0]], TUESDAY)
    set_clock(at(TUESDAY, 8, 0) + timedelta(days=3, hours=23))
    assert client.get(url).status_code == 200  # a Friday's link still works on Monday
    set_clock(at(TUESDAY, 8, 0) + timedelta(days=4, minutes=1))
    response = client.get(url)
    assert response.status_code == 404
    assert "för gammal" in response.get_data(as_text=True)
    assert post_form(client, url, day_form(
        [{"assignment": hanna[0].id, "status": "absent"}])).status_code == 404
    assert _saved() == 0


def test_a_link_cannot_report_another_workplaces_pupil(client, hanna):
    url = link_url("hanna@bygg.se", [hanna[0]], TUESDAY)
    assert "Zelda" not in client.get(url).get_data(as_text=True)
    response = post_form(client, url, day_form([{"assignment": hanna[1].id,
                                                 "status": "absent"}]))
    assert response.status_code == 400
    assert "Eleven är inte på prao på den här arbetsplatsen." in response.get_data(as_text=True)
    response = post_form(client, url + "/tillbud", {
        "pupil": hanna[1].id, "kind": "accident", "severity": "minor",
        "day": TUESDAY.isoformat(), "at": "07:30", "what": "Föll"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0
    assert _saved() == 0


def test_a_link_signed_for_another_supervisor_opens_nothing(client, hanna):
    """Olle's address with Hanna's pupil (as if a link were made for the wrong person)."""
    response = client.get(link_url("olle@butik.se", [hanna[0]], TUESDAY))
    assert response.status_code == 404
    assert "inga elever hos er" in response.get_data(as_text=True)


def test_a_pupil_moved_to_another_workplace_drops_out_of_the_link(client, world, hanna):
    url = link_url("hanna@bygg.se", [hanna[0]], TUESDAY)
    hanna[0].placement.supervisor_email = "ny@bygg.se"
    db.session.commit()
    assert client.get(url).status_code == 404


def test_the_no_hours_for_an_absence_hint_is_said_once_and_read_with_every_time_field(
        client, world, set_clock):
    """Three pupils: the hint is on the page once, and every start, end and break field
    points to it, so a screen reader still hears it beside each field."""
    place = make_placement(world.organisation_a, supervisor="hanna@bygg.se")
    pupils = [pupil_at(place, world.school_a, first_name=name) for name in ("Alva", "Bo", "Cai")]
    db.session.commit()
    set_clock(at(TUESDAY, 8, 0))
    page = client.get(link_url("hanna@bygg.se", pupils, TUESDAY)).get_data(as_text=True)
    assert all(p.enrolment.student.first_name in page for p in pupils)
    assert page.count("Vid frånvaro behövs ingen tid.") == 1
    assert page.count('id="tid-vid-franvaro"') == 1
    assert page.count('aria-describedby="tid-vid-franvaro"') == 9  # 3 pupils × 3 fields


def test_the_link_page_reads_its_pupils_schools_with_them_whatever_their_number(client, world,
                                                                              hanna):
    """The pupils with their periods and schools in one query, the day's reports in one:
    no query per pupil (two pupils from two schools took seven before)."""
    from tests.employers.placement_support import count_queries

    place = hanna[0].placement
    third = pupil_at(place, world.school_b, first_name="Bo")
    db.session.commit()

    def queries(assignments: list) -> tuple[int, str]:
        url = link_url("hanna@bygg.se", assignments, TUESDAY)
        client.get(url)
        with count_queries() as statements:
            html = client.get(url).get_data(as_text=True)
        return len(statements), html

    one, _ = queries([hanna[0]])
    two, html = queries([hanna[0], third])
    assert world.school_a.name in html and world.school_b.name in html
    assert one == two == 2


@pytest.mark.parametrize(("language", "message"), [
    ("sv", "Skriv tiden som timmar och minuter, till exempel 08:00."),
    ("en", "Enter the time as hours and minutes, for example 08:00."),
])
def test_a_time_that_is_no_time_is_explained_in_the_readers_language(client, hanna, language,
                                                                    message):
    """A pupil's row is a sub-form: its time fields had WTForms' English message on a
    Swedish page."""
    url = link_url("hanna@bygg.se", [hanna[0]], TUESDAY)
    if language == "en":
        client.get("/sprak/en")
    response = post_form(client, url, day_form(
        [{"assignment": hanna[0].id, "status": "present", "start": "25:00", "end": "14:00"}]))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and "Not a valid time value" not in page
    assert _saved() == 0


def test_an_incident_with_another_fields_mistake_does_not_blame_the_chosen_pupil(client,
                                                                                hanna):
    url = link_url("hanna@bygg.se", [hanna[0]], TUESDAY) + "/tillbud"
    response = post_form(client, url, {
        "pupil": hanna[0].id, "kind": "near_miss", "severity": "minor",
        "day": "2026-02-30", "at": "07:30", "what": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Välj en av eleverna i listan." not in page
    assert "Välj ett datum." in page
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0


def _error_beside(page: str, field: str) -> str:
    """The text of the error shown beside `field` (empty when there is none)."""
    start = page.find(f'id="{field}-error"')
    return "" if start < 0 else page[start:page.find("</div>", start)]


def test_an_incident_later_today_is_refused_beside_the_time(client, hanna):
    """It is 08:00: 09:30 today has not come yet; the date is fine, the time is not."""
    url = link_url("hanna@bygg.se", [hanna[0]], TUESDAY) + "/tillbud"
    response = post_form(client, url, {
        "pupil": hanna[0].id, "kind": "near_miss", "severity": "minor",
        "day": TUESDAY.isoformat(), "at": "09:30", "what": "Halkade"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tidpunkten har inte kommit än." in _error_beside(page, "at")
    assert _error_beside(page, "day") == ""
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0


def test_an_incident_on_a_later_day_is_refused_beside_the_date(client, hanna):
    url = link_url("hanna@bygg.se", [hanna[0]], TUESDAY) + "/tillbud"
    response = post_form(client, url, {
        "pupil": hanna[0].id, "kind": "near_miss", "severity": "minor",
        "day": (TUESDAY + timedelta(days=1)).isoformat(), "at": "07:00", "what": "Halkade"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Datumet har inte kommit än." in _error_beside(page, "day")
    assert _error_beside(page, "at") == ""


def test_the_supervisors_incident_receipt_names_the_pupil(client, hanna):
    """Hanna may have several pupils: the receipt says which one the report was about."""
    url = link_url("hanna@bygg.se", [hanna[0]], TUESDAY) + "/tillbud"
    response = post_form(client, url, {
        "pupil": hanna[0].id, "kind": "near_miss", "severity": "minor",
        "day": TUESDAY.isoformat(), "at": "07:30", "what": "Halkade på golvet"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    receipt = page[page.index("Rapporterat"):page.index("Halkade på golvet")]
    assert f"Elev: Alva {hanna[0].enrolment.student.last_name}" in receipt
    assert "Zelda" not in page


def test_the_incident_forms_error_summary_lists_the_pupil_first_as_on_the_page(client, hanna):
    url = link_url("hanna@bygg.se", [hanna[0]], TUESDAY) + "/tillbud"
    response = post_form(client, url, {"pupil": "", "kind": "", "severity": "", "day": "",
                                       "at": "", "what": ""})
    assert response.status_code == 400
    listed, on_page = summary_and_page_order(response.get_data(as_text=True))
    assert listed == on_page == ["pupil", "kind", "severity", "day", "at", "what"]
