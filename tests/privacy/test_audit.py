"""Every page and file that shows a pupil's personal data writes one audit event per
request (who, what, when, which pupil or which list), and the coordinator reads them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select

from portal.audit import AuditEvent
from portal.extensions import db as _db
from tests import factories
from tests.conftest import login, new_client, post_form
from tests.test_authorization_matrix import CASES

# Every GET route that shows pupils' names or details to someone.
PUPIL_PAGES = {
    "schools.enrolment", "schools.class_list", "schools.period", "schools.import_preview",
    "prao.employer_pupils", "prao.place", "prao.period_checklist", "prao.supervisor",
    "prao.own_risk", "attendance.link_report", "attendance.link_incident",
    "attendance.employer_day", "attendance.employer_pupil", "attendance.period_overview",
    "attendance.record", "attendance.incident", "attendance.employer_incident",
    "guardians.period_overview",
    "guardians.letter", "guardians.letter_pdf", "certificates.period_overview",
    "certificates.assignment", "certificates.pdf", "certificates.pupil_pdf",
    "certificates.verify", "matching.run", "matching.move", "employers.own_placement_requests",
    "main.start_counsellor", "main.start_employer", "notifications.outbox",
    "notifications.outbox_email", "schools.export_pupils", "prao.export_placements",
    "privacy.extract", "feedback.pupil", "feedback.supervisor", "feedback.supervisor_pupil",
    "feedback.employer", "feedback.employer_pupil", "feedback.texts",
}
PREFERRED = ("counsellor", "employer", "coordinator", "anonymous")


def _cases() -> list[Any]:
    chosen = []
    for case in CASES:
        if case.endpoint in PUPIL_PAGES and case.method == "GET":
            role = next((r for r in PREFERRED if case.expect[r] == 200), None)
            if role is not None:
                chosen.append(pytest.param(case, role, id=f"{case.endpoint}:{case.note}"))
    return chosen


def _count() -> int:
    return _db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_every_pupil_page_is_in_the_list():
    assert {c.values[0].endpoint for c in _cases()} == PUPIL_PAGES


@pytest.mark.parametrize(("case", "role"), _cases())
def test_every_page_showing_pupils_writes_one_event(app, db, world, case, role):
    client = new_client(app)
    if role != "anonymous":
        assert login(client, world.users[role].email).status_code == 302
    url = case.url(world)
    db.session.commit()
    before = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    response = client.get(url)
    assert response.status_code == 200, url
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
    assert len(events) == 1, [e.action for e in events]
    user = world.users.get(role)
    assert events[0].user_id == (user.id if user else None)
    assert events[0].object_type or events[0].detail


def test_a_counsellor_opening_a_pupil_page_is_logged_with_user_and_pupil(
        client, db, world, login_as):
    enrolment = factories.EnrolmentFactory(period__school=world.school_a,
                                           student__first_name="Loggad")
    db.session.commit()
    counsellor = login_as("counsellor")
    assert client.get(f"/perioder/{enrolment.period_id}/elever/{enrolment.id}"
                      ).status_code == 200
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.user_id, event.action, event.student_id) == (
        counsellor.id, "read_pupil", enrolment.student_id)
    assert event.at is not None


def test_a_list_is_one_event_with_its_scope_and_size(client, db, world, login_as):
    period = factories.PraoPeriodFactory(school=world.school_a)
    for _ in range(7):
        factories.EnrolmentFactory(period=period)
    db.session.commit()
    login_as("counsellor")
    before = _count()
    assert client.get(f"/perioder/{period.id}/lankar").status_code == 200
    assert _count() == before + 1
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.object_type, event.object_id, event.detail, event.student_id) == (
        "PraoPeriod", str(period.id), "7 pupils", None)


def test_a_read_row_does_not_wait_for_its_wal_flush_but_a_changes_row_does(
        client, db, world, login_as):
    """On PostgreSQL a page's read rows commit with synchronous_commit off (a crash may
    lose the last fraction of a second of them); the row of a change commits as the change
    does. Here the request's commit is a savepoint's release: each savepoint starts from
    "on", as production's default is (the test databases run with it off), and the setting
    is read as a release that wrote to the log commits."""
    enrolment = factories.EnrolmentFactory(period__school=world.school_a)
    db.session.commit()
    login_as("counsellor")
    postgresql, logged, settings = _postgresql(db.engine), [False], []

    def started(connection: Any, *_args: Any) -> None:
        if postgresql:
            connection.exec_driver_sql("SET LOCAL synchronous_commit = on")

    def inserted(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        logged[0] = logged[0] or statement.startswith("INSERT INTO audit_event")

    def committing(connection: Any, *_args: Any) -> None:
        if logged[0]:
            settings.append(connection.exec_driver_sql("SHOW synchronous_commit").scalar()
                            if postgresql else "written")
        logged[0] = False

    listeners = (("savepoint", started), ("after_cursor_execute", inserted),
                 ("release_savepoint", committing))
    for name, listener in listeners:
        event.listen(db.engine, name, listener)
    try:
        page = f"/perioder/{enrolment.period_id}/elever/{enrolment.id}"
        assert client.get(page).status_code == 200
        assert post_form(client, page + "/lank", {"action": "revoke"}).status_code == 302
    finally:
        for name, listener in listeners:
            event.remove(db.engine, name, listener)
    assert settings == (["off", "on"] if postgresql else ["written"] * 2)
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())
                                 .limit(2)).all()
    assert actions == ["pupil_link_revoked", "read_pupil"]


def _postgresql(bind: Any) -> bool:
    return bool(bind.dialect.name == "postgresql")


def test_a_refused_page_writes_nothing(client, db, world, login_as):
    other = factories.EnrolmentFactory(period__school=world.school_b)
    db.session.commit()
    login_as("counsellor")
    before = _count()
    assert client.get(f"/perioder/{other.period_id}/elever/{other.id}").status_code == 404
    assert _count() == before


# --- the coordinator's log ------------------------------------------------------------------

def _events(db: Any, world: Any, n: int, student: Any = None, user: Any = None) -> None:
    from portal.audit import audit

    for i in range(n):
        audit(user or world.users["counsellor"], "read_pupil", student, detail=f"nr {i}")
    db.session.commit()


def test_the_log_pages_newest_first(client, db, world, login_as):
    _events(db, world, 120)
    login_as("coordinator")
    # The counsellor's events only: signing in writes one of the coordinator's own.
    page = client.get("/samordnare/logg?anvandare=syv%40exempel.se").get_data(as_text=True)
    assert "nr 119" in page and "nr 70" in page and "nr 69" not in page
    assert "Äldre händelser" in page
    import re
    older = re.search(r'href="(/samordnare/logg\?[^"]*fore=\d+)"', page).group(1)
    page = client.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert "nr 69" in page and "nr 20" in page and "nr 19" not in page and "nr 70" not in page
    assert "Äldre händelser" in page  # 20 more, on a third page


def test_the_log_filters_by_pupil_user_and_day(client, db, world, login_as, set_clock):
    from datetime import datetime

    student = factories.StudentFactory(school=world.school_a)
    other = factories.StudentFactory(school=world.school_a)
    set_clock(datetime(2027, 3, 1, 12))
    _events(db, world, 2, student)
    _events(db, world, 3, other, user=world.users["coordinator"])
    set_clock(datetime(2027, 3, 5, 12))
    _events(db, world, 4, student)
    login_as("coordinator")

    def rows(query: str) -> int:
        response = client.get(f"/samordnare/logg?{query}")
        assert response.status_code == 200, query
        return response.get_data(as_text=True).count("\">Läste en elevs sida</td>")

    assert rows(f"elev={student.id}") == 6
    assert rows(f"elev={other.id}") == 3
    assert rows("anvandare=samordnare%40exempel.se") >= 3
    assert rows(f"elev={student.id}&fran=2027-03-02") == 4
    assert rows(f"elev={student.id}&till=2027-03-01") == 2
    assert rows("anvandare=ingen%40exempel.se") == 0


def test_a_wrong_filter_is_told_beside_its_field(client, db, world, login_as):
    login_as("coordinator")
    response = client.get("/samordnare/logg?fran=2027-03-05&till=2027-03-01&elev=x")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Slutdagen kan inte vara före startdagen." in page
    assert "Skriv ett nummer, till exempel 123." in page
    assert client.get("/samordnare/logg?fran=0001-01-01").status_code == 400


def test_the_log_uses_an_index_for_a_pupil(db):
    """The filter by pupil reads an index, not the whole table."""
    from sqlalchemy import text

    bind = db.session.get_bind()
    if bind.dialect.name == "sqlite":
        plan = " ".join(str(r) for r in db.session.execute(text(
            "EXPLAIN QUERY PLAN SELECT * FROM audit_event WHERE student_id = 1 "
            "ORDER BY id DESC LIMIT 51")))
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(str(r) for r in db.session.execute(text(
            "EXPLAIN SELECT * FROM audit_event WHERE student_id = 1 "
            "ORDER BY id DESC LIMIT 51")))
    assert "ix_audit_event_student_id_id" in plan


# Full-width digits are read as ASCII (portal.inputs, NFKC): "５５" would be a real position
# (events before id 55, none on PostgreSQL once earlier tests used those ids), so the
# full-width case is one beyond the ids.
@pytest.mark.parametrize("value", ["x", "9" * 100_000, "-5", "0", "２１４７４８３６４８",
                                   "2147483648"])
def test_an_unreadable_page_position_shows_the_newest_page(client, db, world, login_as,
                                                           value):
    _events(db, world, 3)
    login_as("coordinator")
    response = client.get("/samordnare/logg", query_string={"fore": value})
    assert response.status_code == 200
    assert "nr 2" in response.get_data(as_text=True)


# --- the evaluation pages -------------------------------------------------------------------

def _new_events(db: Any, before: int) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.id > before)
                                   .order_by(AuditEvent.id)))


def test_the_evaluation_texts_are_one_event_with_their_pupils(client, db, world, set_clock,
                                                              login_as):
    from tests.privacy import support

    set_clock(support.TODAY)
    region = support.build(world)
    coordinator = login_as("coordinator")
    before = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    page = client.get("/samordnare/utvardering/fritext").get_data(as_text=True)
    assert f"{region.new[0].names[0]} tyckte om kassan" in page
    [event] = _new_events(db, before)
    assert (event.user_id, event.action, event.detail) == (
        coordinator.id, "read_evaluation_texts", "3 pupils; school year 2028")


def test_the_employers_evaluation_pages_name_the_pupil_in_the_log(client, db, world,
                                                                  set_clock, login_as):
    from tests.privacy import support

    set_clock(support.TODAY)
    pupil = support.build(world).new[0]
    employer = login_as("employer")
    before = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    assert client.get("/arbetsgivare/utvarderingar").status_code == 200
    assert client.get(f"/arbetsgivare/utvarderingar/{pupil.assignment_id}").status_code == 200
    home, one = _new_events(db, before)
    assert (home.action, home.detail, home.student_id) == (
        "read_employer_evaluations", "3 pupils", None)
    assert (one.user_id, one.action, one.student_id) == (
        employer.id, "read_employer_evaluation", pupil.student_id)


def _written_actions() -> set[str]:
    """Every action the portal's code writes: the literal ones, read from the source, and
    the ones it builds from a value (an enum's or a yes/no), spelled out."""
    import ast
    from pathlib import Path

    import portal

    found = set()
    for path in Path(portal.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            position = {"audit": 1, "audit_read": 0}.get(name)
            if position is None or len(node.args) <= position:
                continue
            action = node.args[position]
            if isinstance(action, ast.Constant):
                found.add(action.value)
    return found | {
        "auto_publish_on", "auto_publish_off", "join_approved", "join_rejected",
        "organisation_approved", "organisation_rejected", "organisation_suspended",
        "placement_approved", "placement_rejected", "pupil_evaluation", "employer_evaluation",
        "read_pupil_evaluation", "read_employer_evaluation", "absence_excused",
        "absence_unexcused", "own_placement_confirmed", "own_placement_declined",
        "user_blocked", "user_reopened"}


def test_every_action_the_portal_writes_has_words_in_the_log():
    from portal.privacy.actions import ACTION_LABELS

    written = _written_actions()
    assert len(written) > 90
    assert sorted(written - set(ACTION_LABELS)) == []


def test_the_log_says_what_happened_in_words_in_both_languages(app, client, db, world,
                                                              login_as):
    enrolment = factories.EnrolmentFactory(period__school=world.school_a)
    db.session.commit()
    login_as("counsellor")
    client.get(f"/perioder/{enrolment.period_id}/elever/{enrolment.id}")
    client = new_client(app)
    login(client, world.users["coordinator"].email)
    page = client.get("/samordnare/logg").get_data(as_text=True)
    assert "Läste en elevs sida" in page and "Loggade in" in page
    assert "read_pupil" not in page  # the words, not the code the portal wrote
    client.get("/sprak/en?next=/")
    english = client.get("/samordnare/logg").get_data(as_text=True)
    assert "Read a pupil&#39;s page" in english and "Läste en elevs sida" not in english


def test_signing_out_names_the_account_not_a_proxy(client, db, world, login_as):
    me = login_as("counsellor")
    post_form(client, "/logga-ut", {})
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "logout")).one()
    assert (event.object_type, event.object_id) == ("User", str(me.id))


def test_every_kind_of_object_an_event_names_has_words():
    from portal.db import Base
    from portal.privacy.actions import OBJECT_LABELS

    unlabelled = {m.class_.__name__ for m in Base.registry.mappers} - set(OBJECT_LABELS)
    # Rows no event is about: steps, days, answers, jobs' bookkeeping and the log itself.
    assert unlabelled == {
        "StepRecord", "AttendanceDay", "AttendanceReport", "AttendanceAlert", "FeedbackAnswer",
        "FeedbackReminder", "MorningEmail", "StepReminder", "CouncilTarget", "ReportSnapshot",
        "ReportRefresh", "ReportYearClaim", "Wish", "AuditEvent", "RegionSettings"}


def test_the_details_say_steps_fields_roles_and_pupils_in_words(app):
    from portal.privacy.actions import detail_label

    with app.test_request_context():
        assert detail_label("step_ticked", "pupil_prepared") == "Eleven förberedd i klassen"
        assert detail_label("organisation_updated", "city, contact_phone") == \
            "Ort, Kontaktpersonens telefon"
        assert detail_label("user_access_changed", "counsellor (Skola A) -> council") == \
            "Studie- och yrkesvägledare (Skola A) → Samverkansrådet"
        assert detail_label("read_period", "1 pupils") == "1 elev"
        assert detail_label("read_employer_day", "2 pupils; 2026-11-29") == \
            "2 elever; 2026-11-29"
        assert detail_label("matching_round", "seed=1 policy=none") == "seed=1 policy=none"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask import session

        session["lang"] = "en"
        assert detail_label("read_period", "3 pupils") == "3 pupils"


@pytest.mark.parametrize(("action", "detail", "swedish", "english"), [
    # Without the page's names (a school since removed): its id.
    ("read_counsellor_start", "schools 4,3", "skolor: skola 4, skola 3",
     "schools: school 4, school 3"),
    ("read_evaluation_texts", "6 pupils; school year 2026", "6 elever; läsåret 2026/27",
     "6 pupils; school year 2026/27"),
    ("pupils_exported", "format=xlsx rows=12", "XLSX, 12 rader", "XLSX, 12 rows"),
    ("register_extract", "format=pdf", "PDF", "PDF"),
    ("certificate_verified", "public check", "kontroll utan inloggning",
     "checked without signing in"),
    ("password_reset_requested", "no such account", "inget konto med den adressen",
     "no account with that address"),
])
def test_what_the_portal_wrote_in_codes_is_read_in_words_of_the_readers_language(
        app, action, detail, swedish, english):
    """A probe found the Swedish log saying "schools 4,3" and "6 elever; school year 2026"."""
    from flask import session

    from portal.privacy.actions import detail_label

    for lang, expected in (("sv", swedish), ("en", english)):
        with app.test_request_context():
            session["lang"] = lang
            assert detail_label(action, detail) == expected


def test_an_event_about_an_account_names_its_address(client, db, world, login_as):
    counsellor = world.users["counsellor"]
    # An event about another kind of object with the same id names no account.
    db.session.add(AuditEvent(user_id=counsellor.id, action="read_period",
                              object_type="PraoPeriod", object_id=str(counsellor.id)))
    db.session.commit()
    login_as("coordinator")
    post_form(client, f"/anvandare/{counsellor.id}/stang-av", {})
    page = client.get("/samordnare/logg").get_data(as_text=True)
    assert "Stängde av ett konto" in page and "Användarkonto syv@exempel.se" in page
    assert f"Praoperiod {counsellor.id}<" in page and "Praoperiod syv@" not in page


def test_the_schools_a_start_page_showed_are_named_in_the_log(client, db, world, login_as):
    """A probe found "skolor (id) 4, 3": the coordinator had to look the ids up."""
    login_as("counsellor")
    client.get("/syv")
    post_form(client, "/logga-ut", {})
    login_as("coordinator")
    page = client.get("/samordnare/logg").get_data(as_text=True)
    assert f"skolor: {world.school_a.name}" in page
    assert "skolor (id)" not in page and f"skola {world.school_a.id}" not in page


def test_the_details_of_a_pupils_prao_are_words_in_the_readers_language(
        app, client, db, world, login_as):
    """Attendance, incidents, follow-ups and who answered through a link, as the portal
    writes them (codes, and a label in the language of whoever used the link), read by an
    auditor in words and in the auditor's language, with no action codes."""
    from datetime import date, time

    from portal.audit import audit
    from portal.prao.attendance.services import Entry, Reporter, _detail
    from portal.prao.models import AttendanceStatus

    student = factories.StudentFactory(school=world.school_a)
    db.session.commit()
    link = Reporter(None, "Supervisor vard@exempel.se (link)")  # written on an English page
    for action, detail in (
            ("attendance_reported", _detail(date(2026, 11, 27), Entry(
                1, AttendanceStatus.PRESENT, time(8), time(14, 30), 30), link)),
            ("attendance_reported", _detail(date(2026, 11, 26), Entry(
                1, AttendanceStatus.ABSENT), link)),
            ("incident_reported", "near_miss minor (Supervisor vard@exempel.se (link))"),
            ("follow_up_logged", "visit"),
            ("assignment_confirmed", "Anna Ek (supervisor, via link)"),
            ("guardian_letter_sent", "en")):
        audit(world.users["counsellor"], action, student, detail=detail)
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/samordnare/logg?elev={student.id}").get_data(as_text=True)
    for words in ("2026-11-27: Närvarande, 08:00–14:30, rast 30 min "
                  "(Handledare vard@exempel.se (länk))",
                  "2026-11-26: Frånvarande (Handledare vard@exempel.se (länk))",
                  "Tillbud, lindrigt (Handledare vard@exempel.se (länk))",
                  "Besök på arbetsplatsen", "Anna Ek (handledare, via länk)", "på engelska"):
        assert words in page, words
    for code in ("present", "absent", "near_miss", "minor", "visit", "(link)",
                 "attendance_reported", "incident_reported", "follow_up_logged"):
        assert code not in page, code
    client.get("/sprak/en?next=/")
    english = client.get(f"/samordnare/logg?elev={student.id}").get_data(as_text=True)
    for words in ("2026-11-27: Present, 08:00–14:30, break 30 min "
                  "(Supervisor vard@exempel.se (link))",
                  "Near miss, minor (Supervisor vard@exempel.se (link))",
                  "Visit to the workplace", "in English"):
        assert words in english, words
