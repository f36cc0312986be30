"""The praointyg: refused before the last day or while attendance is missing, issued once
however often it is clicked, a PDF that reads back, and a public page that confirms a
right code, refuses a wrong one and stops guessing."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import func, select

from portal.prao.certificates import services
from portal.prao.models import AssignmentState, Certificate, StepRecord
from portal.schools.pupils.services import make_link_token
from tests.conftest import new_client, post_form
from tests.prao.documents.support import (
    PRAO_DAYS,
    make_assignment,
    pdf_text,
    repeated_ids,
    report,
)

AFTER = datetime(2027, 3, 29, 9, 0)  # the Monday after the prao (Easter Monday: no matter)


def _issue(client, assignment, **kwargs):
    return post_form(client, f"/uppdrag/{assignment.id}/intyg", {}, **kwargs)


def _certificates(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Certificate))


def test_refused_before_the_last_day(client, db, login_as, attended, set_clock):
    assignment = attended()
    set_clock(datetime(2027, 3, 25, 15, 0))
    login_as("counsellor")
    response = _issue(client, assignment)
    assert response.status_code == 400
    assert "tidigast praons sista dag, 26 mars 2027" in response.get_data(as_text=True)
    assert _certificates(db) == 0


def test_refused_with_missing_attendance_naming_the_days(client, db, login_as, attended,
                                                         set_clock):
    assignment = attended(leave_out=(PRAO_DAYS[3], PRAO_DAYS[7]))
    set_clock(AFTER)
    login_as("counsellor")
    page = client.get(f"/uppdrag/{assignment.id}/intyg").get_data(as_text=True)
    assert "Närvaro saknas för 2 dagar: 18 mars, 24 mars" in page
    assert "Utfärda praointyg" not in page
    response = _issue(client, assignment)
    assert response.status_code == 400
    assert "Närvaro saknas för 2 dagar: 18 mars, 24 mars" in response.get_data(as_text=True)
    assert _certificates(db) == 0


def test_refused_for_a_placement_never_confirmed(client, db, login_as, world, set_clock):
    proposed = make_assignment(world, state=AssignmentState.PROPOSED)
    db.session.commit()
    set_clock(AFTER)
    login_as("counsellor")
    response = _issue(client, proposed)
    assert response.status_code == 400 and "aldrig bekräftad" in response.get_data(as_text=True)


def test_issued_once_with_days_and_hours_from_attendance(client, db, login_as, attended,
                                                         set_clock):
    assignment = attended()
    set_clock(AFTER)
    login_as("counsellor")
    first = _issue(client, assignment, follow_redirects=True)
    assert "Praointyget är utfärdat." in first.get_data(as_text=True)
    again = _issue(client, assignment, follow_redirects=True)
    assert "Praointyget var redan utfärdat." in again.get_data(as_text=True)
    assert _certificates(db) == 1
    certificate = services.certificate_of(assignment.id)
    facts = certificate.snapshot
    # 9 prao days (Good Friday is not one); one absent; 7 × 6 h + one late day of 5 h
    assert (facts["prao_days"], facts["days_attended"]) == (9, 8)
    assert (facts["worked_minutes"], facts["hours_text"]) == (47 * 60, "47 h")
    assert facts["name"] == "Nguyễn Văn Åsa" and facts["statement"] == ""
    assert len(certificate.code) == 26
    steps = set(db.session.scalars(select(StepRecord.step).where(
        StepRecord.assignment_id == assignment.id)))
    assert {"attendance", "certificate"} <= steps


def test_the_certificate_pdf_reads_back(client, db, login_as, attended, set_clock):
    assignment = attended()
    set_clock(AFTER)
    login_as("counsellor")
    _issue(client, assignment)
    response = client.get(f"/uppdrag/{assignment.id}/intyg.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    code = services.certificate_of(assignment.id).code
    for part in ("Praointyg", "Nguyễn Văn Åsa", "Skola A", "Kafé Ørjan & Łukasz AB",
                 "Hanna Handledare", "15 mars 2027 – 26 mars 2027", "8 av 9 praodagar",
                 "47 h", "Skära grönsaker, diska, ta emot gäster.",
                 f"http://portal.test/intyg/{code}", services.grouped(code)):
        assert part in text, part


def test_the_pupil_downloads_it_from_the_personal_page(client, db, login_as, attended,
                                                       set_clock, app):
    assignment = attended()
    set_clock(AFTER)
    pupil = new_client(app)
    token = make_link_token(assignment.enrolment)
    assert "Ladda ner ditt praointyg" not in pupil.get(f"/elev/{token}").get_data(as_text=True)
    assert pupil.get(f"/elev/{token}/intyg.pdf").status_code == 404
    login_as("counsellor")
    _issue(client, assignment)
    page = pupil.get(f"/elev/{token}").get_data(as_text=True)
    assert f'href="/elev/{token}/intyg.pdf"' in page
    response = pupil.get(f"/elev/{token}/intyg.pdf")
    assert response.status_code == 200 and "Nguyễn Văn Åsa" in pdf_text(response.data)
    assert pupil.get(f"/elev/{token[:-2]}xx/intyg.pdf").status_code == 404


@pytest.fixture
def issued(client, db, login_as, attended, set_clock) -> Certificate:
    assignment = attended()
    set_clock(AFTER)
    login_as("counsellor")
    _issue(client, assignment)
    return services.certificate_of(assignment.id)


def test_days_reported_without_times_leave_the_worked_time_out(client, db, login_as, placed,
                                                               set_clock):
    """Ten days present but no times: "Arbetad tid 0 min" would say something false."""
    for day in PRAO_DAYS:
        report(placed, day, start=None, end=None, break_minutes=0)
    db.session.commit()
    set_clock(AFTER)
    login_as("counsellor")
    _issue(client, placed)
    text = pdf_text(client.get(f"/uppdrag/{placed.id}/intyg.pdf").data)
    assert "9 av 9 praodagar" in text and "Arbetad tid" not in text and "0 min" not in text
    code = services.certificate_of(placed.id).code
    page = new_client(client.application).get(f"/intyg/{code}").get_data(as_text=True)
    assert "Intyget är äkta" in page and "Arbetad tid" not in page


def test_the_verification_page_confirms_a_right_code(issued, app):
    visitor = new_client(app)
    response = visitor.get(f"/intyg/{issued.code}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Everything the paper says, so that a changed paper shows (a probe found the
    # supervisor, the tasks and the grade only on the paper).
    for part in ("Intyget är äkta", "Nguyễn Văn Åsa", "Skola A", "Kafé Ørjan &amp; Łukasz AB",
                 "15 mars 2027", "26 mars 2027", "8 av 9 praodagar", "Hanna Handledare",
                 "Skära grönsaker, diska, ta emot gäster.", "Årskurs"):
        assert part in html, part
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    typed = " ".join([issued.code[:5].lower(), issued.code[5:]]).replace("O", "0")
    found = visitor.get("/intyg", query_string={"kod": typed})
    assert found.status_code == 302 and found.headers["Location"] == f"/intyg/{issued.code}"


def test_a_code_in_full_width_characters_is_the_same_code(issued, app):
    """Pasted from a full-width keyboard into the address: ＫＩＲ６… is KIR6…, as the form
    and every other field read it (NFKC)."""
    wide = "".join(chr(ord(c) + 0xFEE0) for c in issued.code[:5]) + "－" + issued.code[5:]
    response = new_client(app).get(f"/intyg/{wide}")
    assert response.status_code == 200 and "Intyget är äkta" in response.get_data(as_text=True)


def test_the_verification_page_refuses_a_wrong_code(issued, app):
    visitor = new_client(app)
    wrong = ("A" if issued.code[0] != "A" else "B") + issued.code[1:]
    response = visitor.get(f"/intyg/{wrong}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Det finns inget praointyg med den koden" in html and "Nguyễn" not in html
    garbage = visitor.get("/intyg", query_string={"kod": "hej!"})
    assert garbage.status_code == 400 and "Det är ingen kontrollkod" in garbage.get_data(
        as_text=True)
    assert visitor.get("/intyg").status_code == 200


def test_guessing_codes_is_throttled(issued, app):
    visitor = new_client(app)
    answers = [visitor.get(f"/intyg/{'A' * 25}{n % 8 + 2}").status_code for n in range(10)]
    assert answers == [404] * 10
    assert visitor.get(f"/intyg/{issued.code}").status_code == 429


def test_another_schools_counsellor_gets_404_and_an_employer_403(client, db, login_as, world,
                                                                 set_clock):
    other = make_assignment(world, school=world.school_b, state=AssignmentState.COMPLETED)
    db.session.commit()
    set_clock(AFTER)
    login_as("counsellor")
    for path in (f"/uppdrag/{other.id}/intyg", f"/uppdrag/{other.id}/intyg.pdf",
                 f"/perioder/{other.enrolment.period_id}/intyg"):
        assert client.get(path).status_code == 404, path
    assert _issue(client, other).status_code == 404
    employer = new_client(client.application)
    from tests.conftest import login

    login(employer, world.users["employer"].email)
    assert employer.get(f"/uppdrag/{other.id}/intyg").status_code == 403
    assert _certificates(db) == 0


def test_the_period_overview_lists_who_is_ready(client, db, login_as, attended, world,
                                                set_clock):
    assignment = attended()
    set_clock(AFTER)
    login_as("counsellor")
    html = client.get(f"/perioder/{assignment.enrolment.period_id}/intyg").get_data(
        as_text=True)
    assert "9 av 9 dagar" in html and "Utfärda praointyg för Nguyễn Văn Åsa" in html
    _issue(client, assignment)
    html = client.get(f"/perioder/{assignment.enrolment.period_id}/intyg").get_data(
        as_text=True)
    assert "Utfärdat (PDF)" in html


def test_the_overview_of_several_ready_pupils_repeats_no_id(client, db, login_as, world,
                                                           set_clock):
    """One form per pupil ready for a certificate; each carries the CSRF token without the
    token field's id, so the page stays valid HTML (the journey's Nu Html Checker found the
    id `csrf_token` once per form) and issuing from the list still works."""
    pupils = [make_assignment(world, first_name=name) for name in ("Ada", "Bo", "Cecilia")]
    for assignment in pupils:
        for day in PRAO_DAYS:
            report(assignment, day)
    db.session.commit()
    set_clock(AFTER)
    login_as("counsellor")
    url = f"/perioder/{pupils[0].enrolment.period_id}/intyg"
    html = client.get(url).get_data(as_text=True)
    assert html.count('aria-label="Utfärda praointyg för') == 3
    assert repeated_ids(html) == []
    issued = post_form(client, f"/uppdrag/{pupils[1].id}/intyg", {"next": url})
    assert issued.status_code == 302 and _certificates(db) == 1


def test_two_clicks_at_once_issue_one_certificate(separate_app):
    from portal import clock
    from portal.accounts.models import User
    from portal.extensions import db as database
    from portal.prao.models import Assignment
    from tests import factories
    from tests.conftest import World
    from tests.prao.documents.support import report

    with separate_app.app_context():
        school = factories.SchoolFactory()
        counsellor = factories.UserFactory(role="counsellor", schools=[school])
        assignment = make_assignment(World(None, None, school, school, None, None, {}))
        for day in PRAO_DAYS:
            report(assignment, day)
        database.session.commit()
        ids = (assignment.id, counsellor.id)
        database.session.remove()
    barrier = threading.Barrier(2)
    codes: list[str] = []

    def click() -> None:
        with separate_app.test_request_context():
            found = database.session.get(Assignment, ids[0])
            user = database.session.get(User, ids[1])
            barrier.wait()
            try:
                certificate, _issued = services.issue(found, user, AFTER.date())
                codes.append(certificate.code)
            finally:
                database.session.remove()

    clock.set_now(AFTER.replace(tzinfo=clock.STOCKHOLM))
    try:
        threads = [threading.Thread(target=click) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        clock.set_now(None)
    assert len(codes) == 2 and codes[0] == codes[1]
    with separate_app.app_context():
        assert database.session.scalar(select(func.count()).select_from(Certificate)) == 1
        database.session.remove()
