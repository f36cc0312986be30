"""The demo region: one command, every role can log in, the whole prao process is there to
see the first minute, and running it twice is harmless."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role, User
from portal.demo import DEMO_PASSWORD, FORMER_COUNSELLOR, USERS, finished_days, in_progress_days
from portal.employers.models import Organisation, OrganisationStatus
from portal.notifications.models import OutboxEmail
from portal.prao.days import is_prao_day
from portal.prao.links import GRACE
from portal.prao.models import (
    AlertKind,
    Assignment,
    AssignmentSource,
    AssignmentState,
    AttendanceAlert,
    AttendanceDay,
    AttendanceStatus,
    Certificate,
    FollowUp,
    GuardianNotice,
    Incident,
    IncidentKind,
    StepRecord,
)
from portal.schools.models import (
    Enrolment,
    EnrolmentState,
    Municipality,
    PraoPeriod,
    School,
    Student,
)
from tests.conftest import AUTUMN_DEMO_MOMENT, DEMO_MOMENT, login, new_client

# A Wednesday whose week has a holiday (Ascension Day, Thursday 6 May 2027): the moment the
# demo_app fixture's copy of the demo region was seeded at.
WEDNESDAY = DEMO_MOMENT
PROCESS_MODELS = (User, School, Municipality, Organisation, PraoPeriod, Student, Enrolment,
                  Assignment, AttendanceDay, AttendanceAlert, Incident, FollowUp,
                  GuardianNotice, StepRecord, Certificate, OutboxEmail)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _seed(app) -> str:
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return result.output


def _running(db) -> PraoPeriod:
    return db.session.scalars(select(PraoPeriod).join(School).where(
        School.unit_code == "34567890", PraoPeriod.grade == 9)).one()


def _assignments(db, period: PraoPeriod) -> dict[str, list[Assignment]]:
    found: dict[str, list[Assignment]] = {}
    for assignment in db.session.scalars(select(Assignment).join(Enrolment).where(
            Enrolment.period_id == period.id).order_by(Assignment.id)):
        found.setdefault(assignment.enrolment.student.first_name, []).append(assignment)
    return found


def test_demo_seed_prints_logins_and_is_idempotent(app, db):
    first = _seed(app)
    for email, *_ in USERS:
        assert email in first
    assert DEMO_PASSWORD in first
    counts = [_count(db, m) for m in (User, School, Municipality, Organisation)]
    # The fourth organisation is the workplace of a pupil's own placement; the eighth user
    # a counsellor who has left, switched off.
    assert counts == [8, 4, 2, 4]
    _seed(app)
    assert [_count(db, m) for m in (User, School, Municipality, Organisation)] == counts


def test_demo_region_has_what_the_readme_promises(app, db):
    _seed(app)
    roles = db.session.scalars(select(User.role).where(User.active)).all()
    assert sorted(roles) == sorted([Role.COORDINATOR, Role.COUNSELLOR, Role.COUNSELLOR,
                                    Role.EMPLOYER, Role.EMPLOYER, Role.EMPLOYER, Role.COUNCIL])
    counsellors = db.session.scalars(select(User).where(User.role == Role.COUNSELLOR,
                                                        User.active)).all()
    assert not set(counsellors[0].schools) & set(counsellors[1].schools)
    pending = db.session.scalars(select(Organisation.name).where(
        Organisation.status == OrganisationStatus.PENDING)).all()
    assert sorted(pending) == ["Kaffestugan i Luleå AB"]  # the salon is approved: its link went out


def test_every_demo_login_works_and_the_former_counsellor_is_switched_off(app, db):
    _seed(app)
    for email, *_ in USERS:
        assert login(new_client(app), email, DEMO_PASSWORD).status_code == 302, email
    former = login(new_client(app), FORMER_COUNSELLOR[0], DEMO_PASSWORD)
    assert "Ditt konto är avstängt." in former.get_data(as_text=True)


@pytest.mark.parametrize("today", [date(2026, 11, 28), date(2026, 11, 30), date(2027, 3, 29),
                                   date(2027, 5, 5), date(2027, 6, 25), date(2027, 12, 27)])
def test_the_period_in_progress_has_ten_prao_days_around_today(today):
    """Also on a Saturday, a Monday, Easter Monday, midsummer's eve and between Christmas
    and New Year: today lies inside, with days behind it, and holidays are skipped."""
    days = in_progress_days(today)
    assert len(days) == 10 and all(is_prao_day(d) for d in days)
    assert days[0] <= today <= days[-1]
    assert sum(1 for d in days if d < today) >= 2
    finished = finished_days(today)
    assert len(finished) == 10 and today - finished[-1] >= timedelta(days=21)


def test_in_progress_holds_every_day_of_two_years():
    """...and the finished period ended before it began, recently enough that the
    supervisors' evaluation links in the demo's reminders still open."""
    day = date(2027, 1, 1)
    while day < date(2029, 1, 1):
        days = in_progress_days(day)
        assert days[0] <= day <= days[-1] and sum(1 for d in days if d < day) >= 2, day
        finished = finished_days(day)
        assert finished[-1] < days[0] and day <= finished[-1] + GRACE, day
        day += timedelta(days=1)


def test_the_demo_shows_the_whole_prao_process(demo_app, demo_db, set_clock):
    set_clock(WEDNESDAY)
    output = _seed(demo_app)
    period = _running(demo_db)
    assert period.first_day <= WEDNESDAY.date() <= period.last_day
    assert date(2027, 5, 6) not in in_progress_days(WEDNESDAY.date())  # Ascension Day

    by_pupil = _assignments(demo_db, period)
    states = {a.state for found in by_pupil.values() for a in found}
    # The calendar has moved the confirmed pupils on: the period is in progress.
    assert {AssignmentState.PROPOSED, AssignmentState.IN_PROGRESS,
            AssignmentState.DECLINED} <= states
    assert AssignmentState.CONFIRMED not in states
    declined, replaced = by_pupil["Hugo"]
    assert declined.state is AssignmentState.DECLINED and declined.decline_reason
    assert replaced.state is AssignmentState.PROPOSED
    assert replaced.source is AssignmentSource.MANUAL
    assert replaced.placement_id != declined.placement_id
    ella = demo_db.session.scalars(select(Enrolment).join(Student).where(
        Student.first_name == "Ella")).one()
    assert ella.state is EnrolmentState.OWN_PLACEMENT and "Ella" not in by_pupil

    omar = by_pupil["Omar"][0]
    # The council report's school years (grade 8, in bulk) have absences and incidents of
    # their own: here only the story's period counts.
    ours = [a.id for found in by_pupil.values() for a in found]
    absent = demo_db.session.scalars(select(AttendanceDay).where(
        AttendanceDay.status == AttendanceStatus.ABSENT,
        AttendanceDay.assignment_id.in_(ours))).all()
    assert [(d.assignment_id, d.day < WEDNESDAY.date()) for d in absent] == [(omar.id, True)]
    alerts = demo_db.session.scalars(select(AttendanceAlert).where(
        AttendanceAlert.assignment_id.in_(ours))).all()
    assert [(a.assignment_id, a.kind) for a in alerts] == [(omar.id, AlertKind.ABSENT)]
    incident = demo_db.session.scalars(select(Incident).where(
        Incident.assignment_id.in_(ours))).one()
    assert incident.kind is IncidentKind.NEAR_MISS
    assert incident.assignment_id == by_pupil["Linnea"][0].id
    notice = demo_db.session.scalars(select(GuardianNotice)).one()
    assert notice.acknowledged_at is not None
    # What a counsellor would write: no plan for a 14-year-old to work in the evening, at
    # night or at a weekend (the rules for minors: 06-20 on weekdays).
    for follow_up in demo_db.session.scalars(select(FollowUp)):
        texts = " ".join(filter(None, (follow_up.enjoys, follow_up.adjust, follow_up.tasks,
                                       follow_up.plan, follow_up.questions, follow_up.note)))
        assert not re.search(r"kväll|natt|helg|lördag|söndag", texts, re.IGNORECASE), texts

    counsellor = new_client(demo_app)
    login(counsellor, "syv.stromback@demo.praoportalen.se", DEMO_PASSWORD)
    assert "Omar Ali" in counsellor.get("/syv").get_data(as_text=True)
    checklist = counsellor.get(f"/perioder/{period.id}/checklista").get_data(as_text=True)
    assert "Försenat" in checklist and "Alva" in checklist

    employer = new_client(demo_app)
    login(employer, "bygg@demo.praoportalen.se", DEMO_PASSWORD)
    start = employer.get("/arbetsgivare").get_data(as_text=True)
    assert "Hugo" in start and "Lindgren" in start and "Bekräfta" in start

    pupil_link = re.search(r"(/elev/\S+)\s+\(Alva Nyström", output).group(1)
    day_one = new_client(demo_app).get(pupil_link).get_data(as_text=True)
    assert "Piteå Vård och Omsorg" in day_one and "Fråga efter" in day_one

    supervisor_link = re.search(r"handledare +\S+?(/narvaro/\S+)", output).group(1)
    assert new_client(demo_app).get(supervisor_link).status_code == 200

    # The pages the guide names beside a login, each printed with its link.
    linnea = re.search(r"Linneas närvaro och tillbudet: \S+?(/arbetsgivare/\S+)", output)
    assert "Tillbud" in employer.get(linnea.group(1)).get_data(as_text=True)
    # Bergsskolan's period with its wish window open; its page says when it is short of ten.
    wishing = re.search(r"önskefönstret öppet, (\d+) praodagar.*?: \S+?(/perioder/\d+)", output)
    bergsskolan = new_client(demo_app)
    login(bergsskolan, "syv.bergsskolan@demo.praoportalen.se", DEMO_PASSWORD)
    page = bergsskolan.get(wishing.group(2)).get_data(as_text=True)
    assert (f"Perioden har {wishing.group(1)} praodagar, färre än tio" in page) == (
        int(wishing.group(1)) < 10)
    ella = re.search(r"Ella, egen praoplats att godkänna: \S+?(/perioder/\S+)", output)
    counsellor = new_client(demo_app)
    login(counsellor, "syv.stromback@demo.praoportalen.se", DEMO_PASSWORD)
    assert "Godkänn den egna platsen" in counsellor.get(ella.group(1)).get_data(as_text=True)


def test_a_demo_pupil_reads_why_her_own_placement_was_not_approved(app, db):
    output = _seed(app)
    fatima = db.session.scalars(select(Enrolment).join(Student).where(
        Student.first_name == "Fatima")).one()
    assert fatima.state is EnrolmentState.NEEDS_PLACEMENT and fatima.own_refusal
    link = next(line for line in output.splitlines() if "Fatimas egna plats" in line)
    page = new_client(app).get(urlsplit(link.rsplit(" ", 1)[1]).path).get_data(as_text=True)
    assert "Din egen praoplats godkändes inte" in page
    assert "Önska platsen där i stället" in page and "Praoplatser som passar dig" in page


def test_the_demo_certificate_verifies(demo_app, demo_db, set_clock):
    set_clock(WEDNESDAY)
    output = _seed(demo_app)
    certificate = demo_db.session.scalars(select(Certificate)).one()
    assert certificate.snapshot["name"] == "Nora Eriksson"
    finished = demo_db.session.get_one(Assignment, certificate.assignment_id)
    assert finished.state is AssignmentState.COMPLETED  # the period is over
    assert certificate.snapshot["days_attended"] == 10
    assert f"/intyg/{certificate.code}" in output
    page = new_client(demo_app).get(f"/intyg/{certificate.code}")
    assert page.status_code == 200 and "Nora Eriksson" in page.get_data(as_text=True)
    wrong = certificate.code[:-1] + ("A" if certificate.code[-1] != "A" else "B")
    assert new_client(demo_app).get(f"/intyg/{wrong}").status_code == 404


def test_seeding_the_process_twice_changes_nothing(app, db, set_clock):
    set_clock(WEDNESDAY)
    _seed(app)
    counts = {m.__name__: _count(db, m) for m in PROCESS_MODELS}
    story = db.session.scalar(select(func.count()).select_from(Assignment).join(Enrolment)
                              .join(PraoPeriod).where(PraoPeriod.grade == 9))
    assert story == 11 and counts["Certificate"] == 1
    set_clock(WEDNESDAY + timedelta(hours=2))
    again = _seed(app)
    assert {m.__name__: _count(db, m) for m in PROCESS_MODELS} == counts
    assert "/intyg/" in again


def test_the_demo_has_evaluations_an_employer_may_read(demo_app, demo_db, set_clock):
    """The finished period's pupils have evaluated their prao: the care service sees its
    averages (its five and the report's school years'), Nora's certificate carries her
    supervisor's statement, and the building firm's supervisor, who has not answered, has a
    reminder waiting."""
    set_clock(WEDNESDAY)
    employer = new_client(demo_app)
    login(employer, "vard@demo.praoportalen.se", DEMO_PASSWORD)
    page = employer.get("/arbetsgivare/utvarderingar").get_data(as_text=True)
    # The story's five answers and the report's school years of pupils at its placements.
    answered = re.search(r"Medelvärden av (\d+) elevers svar", page)
    assert answered and int(answered.group(1)) >= 5 and "Jag vill bli" not in page
    certificate = demo_db.session.scalars(select(Certificate)).one()
    assert certificate.snapshot["statement"].startswith("Nora var nyfiken")
    reminders = demo_db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.kind == "supervisor_evaluation_reminder")).all()
    assert len(reminders) == 1 and "Tilde" in reminders[0].body_text


def test_the_coordinator_has_an_employer_to_thank(demo_app, demo_db, set_clock):
    """Pupils liked one workplace more (a mean of at least 4): the list is not empty."""
    set_clock(WEDNESDAY)
    coordinator = new_client(demo_app)
    login(coordinator, "samordnare@demo.praoportalen.se", DEMO_PASSWORD)
    page = coordinator.get("/samordnare/utvardering/tacka").get_data(as_text=True)
    assert "Norrbottens Bygg AB" in page and "Piteå Vård och Omsorg" not in page


def test_every_demo_round_can_be_run_again_with_its_seed(demo_app, demo_db, set_clock):
    """The round form takes a seed of 0–2147483647: a demo seed outside it could not be
    typed in to run the round again."""
    from portal.matching.models import MatchingRun

    set_clock(WEDNESDAY)
    seeds = demo_db.session.scalars(select(MatchingRun.seed)).all()
    assert seeds and all(0 <= seed <= 2**31 - 1 for seed in seeds)


def test_in_the_autumn_the_council_sees_every_sectors_wishes(autumn_demo_app, autumn_demo_db,
                                                             set_clock):
    """Seeded in the autumn, the spring's wish window is open in the same school year. With
    only the five pupils still choosing, its few wishes hid every count of wishing pupils
    per sector ("..") in Luleå and the region: so ten pupils there have wished."""
    set_clock(AUTUMN_DEMO_MOMENT)
    council = new_client(autumn_demo_app)
    login(council, "rad@demo.praoportalen.se", DEMO_PASSWORD)
    for scope in ("", f"?kommun={_municipality_id(autumn_demo_db, 'Luleå')}"):
        report = council.get(f"/rapporter{scope}").get_data(as_text=True)
        sectors = report[report.index('id="seats_per_sector"'):
                         report.index('id="seats_per_week"')]
        assert "Bygg och anläggning" in sectors, scope
        assert ">..<" not in sectors and "&lt;5" not in sectors, scope


def test_every_demo_period_starts_and_ends_on_a_prao_day(autumn_demo_app, autumn_demo_db,
                                                         set_clock):
    """The period form refuses a weekend or a holiday as a first or last day: a demo period
    ending on Good Friday (2027's week 12) could not be saved again by its counsellor."""
    set_clock(AUTUMN_DEMO_MOMENT)
    periods = autumn_demo_db.session.scalars(select(PraoPeriod)).all()
    assert periods
    for period in periods:
        assert is_prao_day(period.first_day) and is_prao_day(period.last_day), period.name


def _municipality_id(db, name: str) -> int:
    return db.session.scalars(select(Municipality.id).filter_by(name=name)).one()


def test_the_council_sees_two_school_years_of_real_charts(demo_app, demo_db, set_clock):
    """The report's demo: three or more schools in two municipalities, most cells 5 or
    more, last year beside this year, and the coordinator's targets."""
    set_clock(WEDNESDAY)
    council = new_client(demo_app)
    login(council, "rad@demo.praoportalen.se", DEMO_PASSWORD)
    report = council.get("/rapporter").get_data(as_text=True)
    assert "Kvalitetsrapport 2026/27" in report
    assert report.count("<svg") >= 8
    for school in ("Bergsskolan", "Hertsöskolan", "Christinaskolan", "Strömbackaskolan 7–9"):
        assert school in report
    coverage = report[report.index('id="coverage"'):report.index('id="placement_source"')]
    assert "&lt;5" not in coverage and "Inget mål satt" not in coverage
    last_year = council.get("/rapporter?lasar=2025").get_data(as_text=True)
    assert "Kvalitetsrapport 2025/26" in last_year and "Bergsskolan" in last_year
    start = council.get("/rad").get_data(as_text=True)
    assert "Läget mot målen" in start and ("Inte nått" in start or "Nått" in start)
