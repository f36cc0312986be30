"""Command groups: `flask demo …`, `flask mail …`, `flask retention …`."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.db import writing


class WritingGroup(AppGroup):
    """Commands that change the database: each runs marked as writing (portal.db.writing),
    so on SQLite it queues for the write lock at BEGIN instead of failing mid-way."""

    # Only the decorator-factory form, as flask.cli.AppGroup.command itself, which ignores
    # the same click overload.
    def command(  # type: ignore[override]
            self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        register = super().command(*args, **kwargs)

        def decorator(callback: Callable[..., Any]) -> Any:
            @wraps(callback)
            def run(*a: Any, **k: Any) -> Any:
                with writing():
                    return callback(*a, **k)

            return register(run)

        return decorator


demo_cli = WritingGroup("demo", help="Demodata för att prova portalen.")
mail_cli = WritingGroup("mail", help="Utkorgen: skicka väntande e-post.")
retention_cli = WritingGroup("retention",
                             help="Gallring av personuppgifter: elevers och avstängda konton.")


@demo_cli.command("seed")
def demo_seed() -> None:
    """Lägg in en demoregion och skriv ut inloggningarna."""
    from portal.demo import DEMO_PASSWORD, demo_guide, demo_pupil_links, seed_demo

    logins = seed_demo()
    click.echo(f"Demodata klar. Inloggningar (lösenord för alla: {DEMO_PASSWORD}):")
    for login in logins:
        note = f"  ({login.note})" if login.note else ""
        click.echo(f"  {login.role:<12} {login.email}{note}")
    with current_app.test_request_context():
        for name, link in demo_pupil_links():
            click.echo(f"  {'elev':<12} {link}  ({name}, personlig länk utan lösenord)")
        for line in demo_guide():
            click.echo(line)


@demo_cli.command("national")
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(0.001, 2.0),
              help="Andel av Sveriges storlek (1.0: 290 kommuner, 1 400 skolor, 120 000 elever "
                   "per årskurs).")
@click.option("--seed", default=2027, show_default=True, help="Slumpfrö: samma frö, samma data.")
def demo_national(scale: float, seed: int) -> None:
    """Lägg in ett nationellt dataset i en tom databas (för lasttester)."""
    from portal.demo import DEMO_PASSWORD
    from portal.extensions import db
    from portal.nationaldata import DOMAIN, Sizes, database_is_empty, expected_rows, generate

    with db.engine.connect() as connection:
        if not database_is_empty(connection):
            raise click.ClickException("Databasen har redan kommuner eller skolor: det "
                                       "nationella datasetet läggs bara in i en tom databas.")
    started = time.monotonic()
    with db.engine.begin() as connection, click.progressbar(
            length=expected_rows(Sizes.at(scale)), label="Nationellt dataset") as bar:
        counts = generate(connection, scale=scale, seed=seed, progress=bar.update)
    for table, rows in counts.rows.items():
        click.echo(f"  {table:<20} {rows:>10,}".replace(",", " "))
    click.echo(f"Klart på {time.monotonic() - started:.0f} s. Inloggningar (lösenord "
               f"{DEMO_PASSWORD}): samordnare@{DOMAIN}, rad@{DOMAIN}, syv1@{DOMAIN}, "
               f"arbetsgivare1@{DOMAIN} …")


@mail_cli.command("send")
@click.option("--loop", is_flag=True, help="Fortsätt och skicka nya meddelanden tills den stoppas.")
@click.option("--interval", default=5.0, show_default=True, help="Sekunder mellan varven.")
def mail_send(loop: bool, interval: float) -> None:
    """Skicka e-post som väntar i utkorgen."""
    from portal.notifications import worker

    # Flask-Mail has no timeout of its own; a hung SMTP server must not hang the worker.
    socket.setdefaulttimeout(current_app.config["MAIL_TIMEOUT"])
    if loop:
        worker.run_forever(interval)
        return
    report = worker.send_due()
    click.echo(f"skickade {report.sent}, försöker igen senare {report.retried}, "
               f"misslyckade {report.failed}")


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Räkna bara: ingenting ändras.")
@click.option("--months", type=click.IntRange(min=1), default=None,
              help="Månader efter elevens sista praoperiod och efter att ett konto stängdes av "
                   "(standard: RETENTION_MONTHS).")
def retention_purge(dry_run: bool, months: int | None) -> None:
    """Ta bort personuppgifter om elever vars sista praoperiod slutade för länge sedan, och
    om konton som stängdes av för länge sedan."""
    from portal.privacy.retention import purge

    months = current_app.config["RETENTION_MONTHS"] if months is None else months
    report = purge(months, dry_run=dry_run,
                   log_months=current_app.config["LOG_RETENTION_MONTHS"])
    prefix = "torrkörning, inget ändrat: " if dry_run else ""
    unit = "månad" if months == 1 else "månader"
    click.echo(f"{prefix}gallringsgräns {report.cutoff.isoformat()} ({months} {unit})")
    for name, count in report.counts.items():
        click.echo(f"  {name:<18} {count}")


def init_app(app: Flask) -> None:
    from portal.jobs import jobs_cli

    app.cli.add_command(demo_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(jobs_cli)
