"""Evaluation reminders on days 1, 3 and 10 after the period, each once: to the pupil with
an email address, and one email per supervisor listing every pupil still to evaluate;
twice at once from two job runs still once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal import clock, jobs
from portal.feedback import services
from portal.feedback.models import Audience, FeedbackReminder
from portal.feedback.reminders import due_number, send_evaluation_reminders
from portal.notifications.models import OutboxEmail
from portal.prao.services import Actor
from tests import factories
from tests.feedback.support import LAST_DAY, PUPIL_ANSWERS, finished


def _at(days_after: int, hour: int = 8) -> datetime:
    day = LAST_DAY + timedelta(days=days_after)
    return datetime(day.year, day.month, day.day, hour, tzinfo=clock.STOCKHOLM)


def _emails(kind: str) -> list[OutboxEmail]:
    from portal.extensions import db

    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == kind)
                                   .order_by(OutboxEmail.id)))


def test_the_reminder_due_is_the_latest_of_days_1_3_10():
    assert [due_number(LAST_DAY, LAST_DAY + timedelta(days=n)) for n in range(0, 15)] == [
        None, 1, 1, 3, 3, 3, None, None, None, None, 10, 10, 10, None, None]


def test_reminders_go_on_days_1_3_and_10_each_once(db, world, set_clock):
    placement = factories.PlacementFactory(organisation=world.organisation_a,
                                           supervisor_email="Hanna@Bygg.se")
    alva = finished(placement, world.school_a, first_name="Alva", email="alva@elev.se")
    bo = finished(placement, world.school_a, first_name="Bo", email="",
                  period=alva.enrolment.period)
    db.session.commit()
    set_clock(_at(0, 20))
    assert send_evaluation_reminders() == 0  # the last day itself: no reminder yet
    set_clock(_at(1))
    assert send_evaluation_reminders() == 2  # Alva, and the supervisor (Bo has no email)
    assert send_evaluation_reminders() == 0
    [to_alva] = _emails("pupil_evaluation_reminder")
    assert to_alva.recipient == "alva@elev.se" and "/utvardering" in to_alva.body_text
    [to_hanna] = _emails("supervisor_evaluation_reminder")
    assert to_hanna.recipient == "hanna@bygg.se"
    assert "Alva" in to_hanna.body_text and "Bo" in to_hanna.body_text
    assert "/handledare/utvardering/" in to_hanna.body_text
    services.submit(alva, Audience.PUPIL, services.current_form(Audience.PUPIL),
                    PUPIL_ANSWERS, Actor(None, "Alva"))
    set_clock(_at(3))
    assert send_evaluation_reminders() == 1  # the supervisor only: Alva has answered
    set_clock(_at(10))
    assert send_evaluation_reminders() == 1
    set_clock(_at(11))
    assert send_evaluation_reminders() == 0
    assert len(_emails("supervisor_evaluation_reminder")) == 3
    assert bo.id


def _count(model: type) -> int:
    from portal.extensions import db

    return db.session.scalar(select(func.count()).select_from(model))


def test_two_job_runs_at_once_send_each_reminder_once(separate_app, set_clock):
    """Two servers run the jobs at the same moment (real threads, separate connections)."""
    from portal.extensions import db

    with separate_app.app_context():
        school = factories.SchoolFactory()
        organisation = factories.OrganisationFactory()
        period = factories.PraoPeriodFactory(school=school)
        for n in range(6):
            place = factories.PlacementFactory(organisation=organisation,
                                               supervisor_email=f"handledare{n % 3}@bygg.se")
            finished(place, school, period=period, email=f"elev{n}@skola.se")
        db.session.commit()
        db.session.remove()
    set_clock(_at(1))
    barrier = threading.Barrier(2)
    reports: list[jobs.JobReport] = []

    def run() -> None:
        with separate_app.app_context():
            barrier.wait()
            reports.append(jobs.run_due(send_mail=False))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(not r.errors for r in reports), [r.errors for r in reports]
    assert sum(r.done["utvärderingar"] for r in reports) == 9  # 6 pupils, 3 supervisors
    with separate_app.app_context():
        assert _count(FeedbackReminder) == 12  # 6 pupils × (pupil, supervisor)
        recipients = sorted(db.session.scalars(select(OutboxEmail.recipient).where(
            OutboxEmail.kind.in_(["pupil_evaluation_reminder",
                                  "supervisor_evaluation_reminder"]))))
        assert recipients == sorted([f"elev{n}@skola.se" for n in range(6)]
                                    + [f"handledare{n}@bygg.se" for n in range(3)])
        db.session.remove()
