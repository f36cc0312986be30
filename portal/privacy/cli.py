"""`flask retention purge`: the retention rule as a command (cron, once a night)."""

from __future__ import annotations

import click
from flask import current_app

from portal.cli import WritingGroup

retention_cli = WritingGroup("retention", help="Gallring av elevers personuppgifter.")


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Räkna bara: ingenting ändras.")
@click.option("--months", type=int, default=None,
              help="Månader efter elevens sista praoperiod (standard: RETENTION_MONTHS).")
def purge(dry_run: bool, months: int | None) -> None:
    """Ta bort personuppgifter om elever vars sista praoperiod slutade för länge sedan."""
    from portal.privacy.retention import purge as run

    months = current_app.config["RETENTION_MONTHS"] if months is None else months
    if months < 1:
        raise click.BadParameter("minst 1", param_hint="--months")
    report = run(months, dry_run=dry_run)
    prefix = "torrkörning, inget ändrat: " if dry_run else ""
    click.echo(f"{prefix}gallringsgräns {report.cutoff.isoformat()} ({months} månader)")
    for name, count in report.counts.items():
        click.echo(f"  {name:<18} {count}")
