"""`flask reports ...`: the weekly and monthly digests, now."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from helpdesk import i18n
from helpdesk.reports.digests import mailing
from helpdesk.reports.digests.schedule import KINDS

reports_cli = AppGroup("reports", help="Reports and their digests.")


@reports_cli.command("digest")
@click.option("--period", "kind", type=click.Choice(KINDS), required=True)
@click.option("--dry-run", is_flag=True, help="Print each recipient's figures; queue nothing.")
def digest(kind: str, dry_run: bool) -> None:
    """Send the digests of the last completed week or month now (each recipient's once: a
    second run sends nothing more)."""
    period = mailing.last_completed(kind)
    span = f"{period.kind} {period.start.isoformat()}..{period.last.isoformat()}"
    if dry_run:
        shown = 0
        for preview in mailing.preview(period):
            figures = preview.figures
            click.echo(
                f"{preview.username} {span}: filed {figures.filed}, resolved {figures.resolved}, "
                f"first response on time {percent(figures.first_response_percent)}, "
                f"resolved on time {percent(figures.resolution_percent)}, "
                f"breached {figures.breached}, open at the end {figures.backlog}"
                + (" (already sent)" if preview.already else "")
            )
            shown += 1
        click.echo(f"{shown} recipients; nothing queued (dry run)")
        return
    outcome = mailing.send(period)
    click.echo(f"digests of {span}: {outcome.queued} queued, {outcome.already} already sent")


def percent(value: float | None) -> str:
    return i18n.MISSING if value is None else f"{value:g}%"
