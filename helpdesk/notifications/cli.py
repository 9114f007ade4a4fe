"""`flask outbox ...`: send due mail now, retry a failed message."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from helpdesk import errors
from helpdesk.notifications import admin

outbox_cli = AppGroup("outbox", help="The mail outbox.")


@outbox_cli.command("deliver")
def deliver() -> None:
    """Send every due message now, in this process (no worker needed)."""
    counts = admin.deliver_pending()
    if not counts:
        click.echo("nothing to send")
        return
    click.echo(", ".join(f"{counts[status]} {status}" for status in sorted(counts)))


@outbox_cli.command("retry")
@click.argument("outbox_id", type=int)
def retry(outbox_id: int) -> None:
    """Queue the failed message OUTBOX_ID again, with a fresh 24-hour retry window."""
    try:
        row = admin.retry_failed(outbox_id)
    except errors.HelpdeskError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"outbox {row.id} ({row.template}) queued again")
