"""The counsellor's side: alerts on the start page, an absence judged excused or not, the
follow-up log and who is not yet contacted by day two, incidents (from the counsellor and
from the supervisor's link) with the duty to report a serious one, and the period's
overview. A counsellor of another school gets 404 for all of it."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.prao.attendance import daily, overview, services
from portal.prao.models import (
    AssignmentState,
    AttendanceDay,
    AttendanceStatus,
    FollowUp,
    Incident,
    IncidentSeverity,
    StepRecord,
)
from tests.conftest import post_form
from tests.prao.attendance.support import (
    GOOD_FRIDAY,
    MONDAY,
    SATURDAY,
    TUESDAY,
    at,
    emails,
    link_url,
    pupil_at,
)
from tests.prao.attendance.support import placement as make_placement

SUPERVISOR = services.Reporter(None, "Handledare (länk)")


@pytest.fixture
def alva(db, world, set_clock):
    pupil = pupil_at(make_placement(world.organisation_a, supervisor="hanna@bygg.se"),
                     world.school_a, first_name="Alva", last_name="Ek")
    db.session.commit()
    set_clock(at(TUESDAY, 8, 30))
    return pupil


def _report(pupil, status, start=None, end=None, day=TUESDAY) -> None:  # noqa: ANN001
    services.report_day(day, [services.Entry(pupil.id, status, start, end, 30)],
                        services.placed([pupil.id]), SUPERVISOR)


def _absent(pupil) -> None:  # noqa: ANN001
    _report(pupil, AttendanceStatus.ABSENT)


def test_alerts_show_on_the_start_page_until_the_absence_is_judged(client, login_as, alva):
    _absent(alva)
    login_as("counsellor")
    start = client.get("/syv").get_data(as_text=True)
    assert "Närvarolarm att hantera" in start and "Alva Ek" in start
    assert f'href="/uppfoljning/{alva.id}"' in start
    record = client.get(f"/uppfoljning/{alva.id}").get_data(as_text=True)
    assert "Frånvarande" in record and "Ogiltig" in record
    response = post_form(client, f"/uppfoljning/{alva.id}/franvaro",
                         {"day": TUESDAY.isoformat(), "excused": "no"})
    assert response.status_code == 302
    day = db.session.scalars(select(AttendanceDay)).one()
    assert day.excused is False and day.excused_by_id is not None
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "absence_unexcused")) == "absence_unexcused"
    assert "Alva Ek" not in client.get("/syv").get_data(as_text=True)


def test_the_absence_cell_is_empty_on_a_day_the_pupil_was_there(client, login_as, alva):
    """On a phone each day is a card of label: value lines, and an empty cell is left out
    (.table-stack td:empty): a present day must not end in "Frånvaro:" with nothing after."""
    _report(alva, AttendanceStatus.PRESENT, time(8), time(14), day=MONDAY)
    _absent(alva)
    login_as("counsellor")
    record = client.get(f"/uppfoljning/{alva.id}").get_data(as_text=True)
    cells = re.findall(r'<td data-label="Frånvaro">(.*?)</td>', record, re.DOTALL)
    assert len(cells) == 2
    assert cells[0] == "" and "Ogiltig" in cells[1]


def test_an_alert_leaves_the_periods_count_two_weeks_after_its_day(alva, set_clock):
    """The period overview's queries are built once per process; the two weeks an alert
    is counted run from the day of each reading, not from the day they were built."""
    _absent(alva)
    period = alva.enrolment.period
    assert overview.period_overview(period).counts["alerts"] == 1
    assert [a.assignment_id for a in overview.open_alerts([period.school_id])] == [alva.id]
    set_clock(at(TUESDAY + timedelta(days=15), 9))
    assert overview.period_overview(period).counts["alerts"] == 0
    assert overview.open_alerts([period.school_id]) == []


def test_only_an_absence_can_be_judged(client, login_as, alva):
    _report(alva, AttendanceStatus.PRESENT, time(8), time(14))
    login_as("counsellor")
    page = post_form(client, f"/uppfoljning/{alva.id}/franvaro",
                     {"day": TUESDAY.isoformat(), "excused": "yes"},
                     follow_redirects=True).get_data(as_text=True)
    assert "Den dagen är inte rapporterad som frånvaro." in page
    assert db.session.scalars(select(AttendanceDay)).one().excused is None


def test_a_correction_that_still_says_absent_keeps_the_judgement(client, login_as, alva):
    _absent(alva)
    login_as("counsellor")
    post_form(client, f"/uppfoljning/{alva.id}/franvaro",
              {"day": TUESDAY.isoformat(), "excused": "yes"})
    _report(alva, AttendanceStatus.LATE, time(10), time(14))
    assert db.session.scalars(select(AttendanceDay)).one().excused is None


def test_follow_up_is_logged_and_the_overview_flags_pupils_not_contacted_by_day_two(
        client, login_as, alva, world, set_clock):
    login_as("counsellor")
    period_id = alva.enrolment.period_id
    set_clock(at(MONDAY, 12, 0))
    assert "Ej kontaktad" not in client.get(f"/perioder/{period_id}/narvaro").get_data(
        as_text=True)
    set_clock(at(TUESDAY, 12, 0))
    overview = client.get(f"/perioder/{period_id}/narvaro").get_data(as_text=True)
    assert "Ej kontaktad" in overview
    assert "1 elev inte kontaktad dag två" in client.get(f"/perioder/{period_id}").get_data(
        as_text=True)
    empty = post_form(client, f"/uppfoljning/{alva.id}/kontakt", {"kind": "contact"})
    assert empty.status_code == 400
    assert "Skriv svaret på minst en fråga eller en anteckning." in empty.get_data(as_text=True)
    response = post_form(client, f"/uppfoljning/{alva.id}/kontakt", {
        "kind": "visit", "enjoys": "Ja, mycket", "tasks": "Mätt och sågat",
        "note": "Handledaren är nöjd"})
    assert response.status_code == 302
    follow_up = db.session.scalars(select(FollowUp)).one()
    assert (follow_up.kind.value, follow_up.enjoys, follow_up.by_id) == (
        "visit", "Ja, mycket", world.users["counsellor"].id)
    assert db.session.scalar(select(StepRecord.step)) == "follow_up"
    record = client.get(f"/uppfoljning/{alva.id}").get_data(as_text=True)
    assert "Mätt och sågat" in record and "Besök på arbetsplatsen" in record
    assert "Ej kontaktad" not in client.get(f"/perioder/{period_id}/narvaro").get_data(
        as_text=True)


def test_the_same_follow_up_sent_twice_is_logged_once(client, login_as, alva, set_clock):
    """A double click logs one contact; the same answers the next day are a new contact."""
    login_as("counsellor")
    url = f"/uppfoljning/{alva.id}/kontakt"
    answers = {"kind": "contact", "enjoys": "Ja", "note": "Ringde handledaren"}
    for _ in range(2):
        response = post_form(client, url, answers)
        assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("Uppföljningen är sparad.") == 1
    assert page.count("Ringde handledaren") == 1
    assert len(db.session.scalars(select(FollowUp)).all()) == 1
    post_form(client, url, {**answers, "kind": "visit"})  # another kind: another follow-up
    set_clock(at(TUESDAY + timedelta(days=1), 9, 0))
    post_form(client, url, answers)
    assert len(db.session.scalars(select(FollowUp)).all()) == 3


def _incident(serious: bool, **extra: str) -> dict[str, str]:
    return {"kind": "accident", "severity": "serious" if serious else "minor",
            "day": TUESDAY.isoformat(), "at": "08:10", "what": "Skar sig på en kniv",
            "injury": "Skärsår i handen", "measures": "Plåster, knivar inlåsta", **extra}


def test_counsellor_reports_a_serious_accident(client, login_as, alva, world):
    login_as("counsellor")
    assert client.get(f"/uppfoljning/{alva.id}/tillbud").status_code == 200
    response = post_form(client, f"/uppfoljning/{alva.id}/tillbud", _incident(True))
    assert response.status_code == 302
    incident = db.session.scalars(select(Incident)).one()
    assert incident.severity is IncidentSeverity.SERIOUS
    assert incident.reported_by_id == world.users["counsellor"].id
    recipients = {m.recipient for m in emails("incident_reported")}
    assert recipients == {world.users["counsellor"].email, world.users["coordinator"].email}
    record = client.get(f"/uppfoljning/{alva.id}").get_data(as_text=True)
    assert "Skar sig på en kniv" in record and "Anmälningsplikt" in record
    assert 'href="https://www.av.se/"' in record


def test_supervisor_reports_a_near_miss_through_the_link(client, alva, world):
    url = link_url("hanna@bygg.se", [alva], TUESDAY) + "/tillbud"
    assert "Alva Ek" in client.get(url).get_data(as_text=True)
    response = post_form(client, url, {**_incident(False, kind="near_miss"), "pupil": alva.id})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Händelsen är rapporterad" in page and "Skar sig på en kniv" in page
    assert "Anmälningsplikt" not in page
    incident = db.session.scalars(select(Incident)).one()
    assert incident.reported_by_label == "Handledare hanna@bygg.se (länk)"
    [mail] = emails("incident_reported", to=world.users["counsellor"].email)
    assert mail.subject.startswith("Prao: ett lindrigt tillbud – Alva Ek")
    assert "av.se" not in mail.body_text


def test_the_signed_in_employer_reports_an_accident_from_the_pupils_page(client, login_as,
                                                                        alva, world):
    login_as("employer")
    pupil_page = client.get(f"/arbetsgivare/narvaro/elev/{alva.id}").get_data(as_text=True)
    url = f"/arbetsgivare/narvaro/elev/{alva.id}/tillbud"
    assert f'href="{url}"' in pupil_page
    response = post_form(client, url, _incident(True))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/arbetsgivare/narvaro/elev/{alva.id}#handelser"
    incident = db.session.scalars(select(Incident)).one()
    assert incident.reported_by_id == world.users["employer"].id
    recipients = {m.recipient for m in emails("incident_reported")}
    assert recipients == {world.users["counsellor"].email, world.users["coordinator"].email}
    page = client.get(f"/arbetsgivare/narvaro/elev/{alva.id}").get_data(as_text=True)
    assert "Skar sig på en kniv" in page and "Anmälningsplikt" in page
    assert re.search(r"<title>Alva Ek – Praoportalen</title>", page)
    # The school's follow-up page stays the school's.
    assert client.get(f"/uppfoljning/{alva.id}/tillbud").status_code == 403


def test_a_report_sent_again_with_more_details_is_kept_and_sent(client, login_as, alva,
                                                                world):
    login_as("employer")
    url = f"/arbetsgivare/narvaro/elev/{alva.id}/tillbud"
    post_form(client, url, _incident(True))
    post_form(client, url, _incident(True))  # a double click: the same report
    worse = post_form(client, url, _incident(True, injury="Djupt skärsår, sytt"))
    assert worse.status_code == 302
    injuries = sorted(db.session.scalars(select(Incident.injury)).all())
    assert injuries == ["Djupt skärsår, sytt", "Skärsår i handen"]
    assert len(emails("incident_reported", to=world.users["counsellor"].email)) == 2


def test_no_incident_form_before_the_employer_has_the_pupil(client, login_as, world, db):
    proposed = pupil_at(make_placement(world.organisation_a), world.school_a,
                        state=AssignmentState.PROPOSED)
    db.session.commit()
    login_as("employer")
    page = client.get(f"/arbetsgivare/narvaro/elev/{proposed.id}").get_data(as_text=True)
    assert "/tillbud" not in page
    url = f"/arbetsgivare/narvaro/elev/{proposed.id}/tillbud"
    told = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "Eleven är inte bekräftad på arbetsplatsen än." in told
    assert post_form(client, url, _incident(False)).status_code == 302
    assert db.session.scalars(select(Incident)).all() == []


def test_an_employer_cannot_report_for_another_employers_pupil(client, login_as, world, db):
    theirs = pupil_at(make_placement(world.organisation_b), world.school_a)
    db.session.commit()
    login_as("employer")
    url = f"/arbetsgivare/narvaro/elev/{theirs.id}/tillbud"
    assert client.get(url).status_code == 404
    assert post_form(client, url, _incident(False)).status_code == 404
    assert db.session.scalars(select(Incident)).all() == []


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"what": ""}, "what", "Beskriv vad som hände."),
    ({"day": (TUESDAY + timedelta(days=1)).isoformat()}, "day", "Datumet har inte kommit än."),
    ({"day": (MONDAY - timedelta(days=3)).isoformat()}, "day", "utanför elevens praoperiod"),
    ({"kind": "fire"}, "kind", ""),
])
def test_bad_incident_input_is_shown_beside_the_field(client, login_as, alva, change, field,
                                                       message):
    login_as("counsellor")
    response = post_form(client, f"/uppfoljning/{alva.id}/tillbud", _incident(True, **change))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert db.session.scalars(select(Incident)).all() == []
    assert emails() == []


def test_counsellor_of_another_school_gets_404(client, login_as, world, db, set_clock):
    theirs = pupil_at(make_placement(world.organisation_a), world.school_b)
    db.session.commit()
    set_clock(at(TUESDAY, 10, 30))
    daily.raise_missing_reports()
    login_as("counsellor")
    assert "Närvarolarm" in client.get("/syv").get_data(as_text=True)
    assert theirs.enrolment.student.first_name not in client.get("/syv").get_data(as_text=True)
    assert client.get(f"/uppfoljning/{theirs.id}").status_code == 404
    assert client.get(f"/uppfoljning/{theirs.id}/tillbud").status_code == 404
    assert client.get(f"/perioder/{theirs.enrolment.period_id}/narvaro").status_code == 404
    for path, data in (("franvaro", {"day": TUESDAY.isoformat(), "excused": "no"}),
                       ("kontakt", {"kind": "contact", "note": "x"}),
                       ("tillbud", _incident(False))):
        assert post_form(client, f"/uppfoljning/{theirs.id}/{path}", data).status_code == 404
    assert db.session.scalars(select(FollowUp)).all() == []
    assert db.session.scalars(select(Incident)).all() == []


@pytest.mark.parametrize(("day", "why"), [(SATURDAY, "helg"), (GOOD_FRIDAY, "helgdag")])
def test_the_overview_says_today_is_no_prao_day_on_weekends_and_holidays(
        client, login_as, alva, set_clock, day, why):
    """Nobody reports a Saturday or Good Friday: the overview says so instead of "not
    reported"; on a prao day with no report it still says "not reported"."""
    login_as("counsellor")
    url = f"/perioder/{alva.enrolment.period_id}/narvaro"
    set_clock(at(day, 12, 0))
    page = client.get(url).get_data(as_text=True)
    assert f"Ingen praodag ({why})" in page and "Inte rapporterad" not in page
    set_clock(at(TUESDAY, 12, 0))
    page = client.get(url).get_data(as_text=True)
    assert "Inte rapporterad" in page and "Ingen praodag" not in page
