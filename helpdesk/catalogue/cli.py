"""`flask seed`: reference data, default queues, rules, policies; idempotent."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from helpdesk.catalogue import services
from helpdesk.extensions import db


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load reference data, default queues, rules, SLA policies and calendar (idempotent)."""
    report = services.SeedReport()
    services.seed_all(report)
    db.session.commit()
    for line in report.lines() or ["nothing to change"]:
        click.echo(line)
