"""`flask seed`: reference data, default queues, rules, policies; idempotent."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from helpdesk.catalogue import services
from helpdesk.extensions import db
from helpdesk.routing import services as routing
from helpdesk.sla import services as sla


def stage_seed(report: services.SeedReport) -> None:
    """Everything `flask seed` loads, in dependency order; does not commit. The catalogue comes
    first: the queues, rules and policies of the other packages name its systems."""
    services.stage_catalogue(report)
    db.session.flush()
    routing.stage_defaults(report)
    sla.stage_defaults(report)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load reference data, default queues, rules, SLA policies and calendar (idempotent)."""
    report = services.SeedReport()
    stage_seed(report)
    db.session.commit()
    for line in report.lines() or ["nothing to change"]:
        click.echo(line)
