"""`flask seed`: reference data, default queues, rules, policies; idempotent."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from helpdesk.catalogue import services
from helpdesk.extensions import db


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load provinces, ministries' systems and categories (twice changes nothing)."""
    report = services.SeedReport()
    services.seed_catalogue(report)
    db.session.commit()
    for line in report.lines() or ["nothing to change"]:
        click.echo(line)
