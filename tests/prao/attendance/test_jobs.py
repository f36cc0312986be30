"""`flask jobs run`: what is due happens once, however often and from however many
servers the command runs; reminders for overdue checklist steps go to their owners once;
the outbox is left alone where no SMTP server is configured."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from portal import jobs
from portal.notifications.models import OutboxEmail, OutboxStatus
from portal.prao.attendance import reminders
from portal.prao.models import AssignmentState, AttendanceAlert, MorningEmail, StepReminder
from tests import factories
from tests.conftest import Mailbox
from tests.prao.attendance.support import MONDAY, TUESDAY, at, emails, pupil_at
from tests.prao.attendance.support import placement as make_placement


def test_the_command_runs_what_is_due_and_leaves_mail_in_the_outbox(app, db, world,
                                                                     set_clock, mailbox):
    pupil_at(make_placement(world.organisation_a, supervisor="hanna@bygg.se"), world.school_a)
    db.session.commit()
    set_clock(at(TUESDAY, 10, 5))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "morgonmejl 1" in result.output and "larm 1" in result.output
    assert "skickade" not in result.output  # no SMTP server named: nothing sent
    assert {e.kind for e in emails()} >= {"attendance_morning", "attendance_alerts"}
    assert all(e.status is OutboxStatus.PENDING for e in emails())
    assert mailbox.messages == []
    again = runner.invoke(args=["jobs", "run"])
    assert "morgonmejl 0" in again.output and "larm 0" in again.output


def test_overdue_steps_are_reminded_to_their_owners_once(db, world, set_clock):
    place = make_placement(world.organisation_a)
    pupil_at(place, world.school_a, state=AssignmentState.PROPOSED,
             email="alva@elev.se", first_name="Alva")
    confirmed = pupil_at(place, world.school_a, email="bo@elev.se", first_name="Bo")
    db.session.commit()
    set_clock(at(MONDAY - timedelta(days=2), 9, 0))  # Saturday before the prao
    assert reminders.send_step_reminders() == 3  # counsellor, employer, Bo
    to_counsellor = emails("step_reminders", to=world.users["counsellor"].email)
    assert len(to_counsellor) == 1  # one email, every pupil's overdue steps in it
    assert "Eleven förberedd i klassen" in to_counsellor[0].body_text
    [to_employer] = emails("step_reminders", to=world.users["employer"].email)
    assert "Alva" in to_employer.body_text and "Arbetsgivaren har bekräftat eleven" in \
        to_employer.body_text
    assert "Bo " not in to_employer.body_text  # Bo's employer has confirmed
    [to_bo] = emails("step_reminders", to="bo@elev.se")
    assert "Eleven har kontaktat arbetsplatsen" in to_bo.body_text and "/elev/" in \
        to_bo.body_text
    assert emails("step_reminders", to="alva@elev.se") == []  # waits for the employer
    assert reminders.send_step_reminders() == 0
    assert confirmed.state is AssignmentState.CONFIRMED


def test_an_old_period_gets_no_reminders(db, world, set_clock):
    pupil_at(make_placement(world.organisation_a), world.school_a)
    db.session.commit()
    set_clock(at(date(2027, 6, 1), 9, 0))
    assert reminders.send_step_reminders() == 0


def _count(model: type) -> int:
    from portal.extensions import db

    return db.session.scalar(select(func.count()).select_from(model))


def test_two_runs_at_once_send_every_email_once(separate_app, set_clock, mailbox: Mailbox):
    """Two servers run the jobs at the same moment (real threads, separate connections):
    each supervisor gets one morning email, each counsellor one alert digest, each
    guardian one email, and the SMTP server sees every message once."""
    from portal.extensions import db

    with separate_app.app_context():
        school = factories.SchoolFactory(alert_guardians_on_absence=True)
        factories.UserFactory(role="counsellor", email="syv@skola.se", schools=[school])
        organisation = factories.OrganisationFactory()
        for n in range(6):
            place = make_placement(organisation, supervisor=f"handledare{n % 3}@bygg.se")
            pupil_at(place, school, guardian_email=f"hem{n}@hem.se")
        db.session.commit()
        db.session.remove()
    set_clock(at(TUESDAY, 10, 5))
    barrier = threading.Barrier(2)
    reports: list[jobs.JobReport] = []

    def run() -> None:
        with separate_app.app_context():
            barrier.wait()
            reports.append(jobs.run_due(send_mail=True))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(not r.errors for r in reports), [r.errors for r in reports]
    assert sorted(r.done["morgonmejl"] for r in reports) == [0, 3]
    assert sorted(r.done["lägen"] for r in reports) == [0, 6]  # confirmed → in progress
    assert sum(r.done["larm"] for r in reports) == 6
    received = [m["X-Envelope-To"] for m in mailbox.messages]
    assert len(received) == len(set(m["Message-ID"] for m in mailbox.messages))
    assert sorted(r for r in received if r.startswith("handledare")) == [
        "handledare0@bygg.se", "handledare1@bygg.se", "handledare2@bygg.se"]
    to_counsellor = sorted(m["Subject"].split(":")[0] for m in mailbox.to("syv@skola.se"))
    assert to_counsellor == ["Närvarolarm", "Påminnelse"]  # the digest, the overdue steps
    assert sorted(r for r in received if r.startswith("hem")) == [f"hem{n}@hem.se"
                                                                  for n in range(6)]
    with separate_app.app_context():
        assert _count(MorningEmail) == 3 and _count(AttendanceAlert) == 6
        assert _count(OutboxEmail) == len(received)
        # six pupils × (prepared in class, guardians informed, contacted the workplace)
        assert _count(StepReminder) == 18
        db.session.remove()
