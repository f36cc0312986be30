"""`flask jobs run`: the one command that does what is due — assignments moved on by the
calendar (confirmed → in progress → completed), the morning attendance emails
(from 07:00), the alerts for days not reported (from 10:00), reminders to the owners of
overdue checklist steps and of evaluations (days 1, 3 and 10 after a period), the
council report's snapshots (portal/reports/snapshots.py), and the outbox.

Safe to run every minute from cron, and from several servers at once: every step is
idempotent by a unique key or a leased row, so each email and alert happens once. The
outbox is sent only where an SMTP server is configured (JOBS_SEND_MAIL, on when
MAIL_SERVER is set); elsewhere, as in the demo, mail waits in the outbox for the
coordinator to read."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from portal import clock
from portal.extensions import db
from portal.texts import mark as _l

log = logging.getLogger(__name__)

# The command line has no language choice: its help is the Swedish msgid.
jobs_cli = AppGroup("jobs", help=_l("Periodiska jobb: morgonmejl, närvarolarm, påminnelser, "
                                    "utkorg."))


@dataclass
class JobReport:
    done: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"{name} {count}" for name, count in self.done.items()]
        errors = [_("fel: %(error)s", error=e) for e in self.errors]
        return ", ".join(parts + errors) or _("inget att göra")


def _states(now: datetime) -> int:
    from portal.prao.services import advance_states

    return advance_states(clock.local(now).date())


def _morning(now: datetime) -> int:
    from portal.prao.attendance.daily import send_morning_emails

    return send_morning_emails(now)


def _alerts(now: datetime) -> int:
    from portal.prao.attendance.daily import raise_missing_reports

    return raise_missing_reports(now)


def _reminders(now: datetime) -> int:
    from portal.prao.attendance.reminders import send_step_reminders

    return send_step_reminders(now)


def _evaluations(now: datetime) -> int:
    from portal.feedback.reminders import send_evaluation_reminders

    return send_evaluation_reminders(now)


def _reports(now: datetime) -> int:
    from portal.reports.snapshots import refresh_due, refresh_requested

    return refresh_requested() + refresh_due()


def _outbox(now: datetime) -> int:
    from portal.notifications import worker

    report = worker.send_due()
    return report.sent


# In order: what queues email first, the outbox last, so one run delivers it all.
# The states first: the day's other steps see assignments as the calendar has moved them.
STEPS: tuple[tuple[str, Callable[[datetime], int]], ...] = (
    ("lägen", _states),
    ("morgonmejl", _morning),
    ("larm", _alerts),
    ("påminnelser", _reminders),
    ("utvärderingar", _evaluations),
)
# After the outbox: a country's school year of reports takes minutes to compute, and the
# emails the steps above queued (a 10:00 alert, say) must not wait for it.
LAST = (("rapporter", _reports),)  # the council report's snapshots (at most hourly)


def run_due(send_mail: bool | None = None) -> JobReport:
    """Run every step once. A step that fails is logged and rolled back; the others still
    run, and the next run tries it again."""
    if send_mail is None:
        send_mail = bool(current_app.config.get("JOBS_SEND_MAIL"))
    steps = STEPS + ((("skickade", _outbox),) if send_mail else ()) + LAST
    report = JobReport()
    for name, step in steps:
        try:
            report.done[name] = step(clock.now())
        except Exception as error:  # one broken step must not stop the others
            db.session.rollback()
            log.exception("jobs: %s failed", name)
            report.errors.append(f"{name}: {type(error).__name__}: {error}")
        finally:
            db.session.remove()
    return report


def run_forever(interval: float, stop_after: int | None = None) -> None:
    rounds = 0
    while stop_after is None or rounds < stop_after:
        report = run_due()
        if any(report.done.values()) or report.errors:
            log.info("jobs: %s", report)
        rounds += 1
        time.sleep(interval)


@jobs_cli.command("run")
@click.option("--loop", is_flag=True, help=_l("Fortsätt tills den stoppas."))
@click.option("--interval", default=60.0, show_default=True,
              help=_l("Sekunder mellan varven."))
def jobs_run(loop: bool, interval: float) -> None:
    """Gör det som är dags: morgonmejl, larm, påminnelser och (med SMTP) utkorgen."""
    # Flask-Mail has no timeout of its own; a hung SMTP server must not hang the jobs.
    socket.setdefaulttimeout(current_app.config["MAIL_TIMEOUT"])
    if loop:
        run_forever(interval)
        return
    report = run_due()
    click.echo(str(report))
    if report.errors:
        raise SystemExit(1)
