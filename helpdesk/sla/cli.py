"""`flask sla ...`: business-time arithmetic from the command line."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask.cli import AppGroup

from helpdesk.sla import clock, services

sla_cli = AppGroup("sla", help="SLA deadlines in business time.")


@sla_cli.command("due")
@click.option("--start", required=True, help="ISO 8601; without an offset, the calendar's zone.")
@click.option("--minutes", required=True, type=click.IntRange(min=0), help="Business minutes.")
@click.option("--calendar", "name", default=services.DEFAULT_CALENDAR, show_default=True)
def due_command(start: str, minutes: int, name: str) -> None:
    """Print the deadline N business minutes after START (ISO 8601 with offset)."""
    calendar = services.named_calendar(name)
    if calendar is None:
        raise click.ClickException(f"no calendar named {name!r}")
    try:
        moment = datetime.fromisoformat(start)
    except ValueError as error:
        raise click.ClickException(f"--start is not ISO 8601: {start!r}") from error
    zone = ZoneInfo(calendar.timezone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        due = clock.add(moment, minutes, calendar)
    except clock.ClockError as error:
        raise click.ClickException(str(error)) from error
    click.echo(due.astimezone(zone).isoformat())
