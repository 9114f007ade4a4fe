"""`flask seed`: reference data, the official communes and wards (with the free-text units
they match), default queues, rules, policies, the support directory's entries; idempotent."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from helpdesk.auth.services import units_seed
from helpdesk.catalogue import services
from helpdesk.directory import seed as directory
from helpdesk.extensions import db
from helpdesk.routing import services as routing
from helpdesk.sla import services as sla
from helpdesk.tickets.services import unit_records


def stage_seed(report: services.SeedReport) -> None:
    """Everything `flask seed` loads, in dependency order; does not commit. The catalogue comes
    first: the units, queues, rules and policies of the other packages name its provinces and
    systems. Free-text units are matched to the list as soon as the list is loaded."""
    services.stage_catalogue(report)
    db.session.flush()
    units_seed.stage_official_units(report)
    unit_records.stage_reconcile(report)
    routing.stage_defaults(report)
    sla.stage_defaults(report)
    directory.stage_entries(report)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load reference data, communes and wards, default queues, rules, SLA policies and
    calendar, the support directory's IT units and vendors (idempotent)."""
    report = services.SeedReport()
    stage_seed(report)
    db.session.commit()
    for line in report.lines() or ["nothing to change"]:
        click.echo(line)
