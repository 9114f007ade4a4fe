"""`flask route ...`: routing from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from helpdesk import errors
from helpdesk.routing import services

route_cli = AppGroup("route", help="Routing: which queue a ticket goes to, and why.")


@route_cli.command("explain")
@click.option("--system", required=True, help="System code, e.g. moj.")
@click.option("--category", required=True, help="Category code, e.g. payment.")
@click.option("--province", required=True, help="2-digit province code, e.g. 01.")
@click.option("--priority", default="3", show_default=True, help="1 (critical) to 4 (low).")
def explain_command(system: str, category: str, province: str, priority: str) -> None:
    """Print the queue a ticket with these facts goes to, the rule and the reason."""
    try:
        facts = services.check_facts(system, category, province, priority)
        explanation = services.explain_route(facts)
    except errors.HelpdeskError as error:
        raise click.ClickException(
            f"--{error.field}: {error.message}" if error.field else error.message
        ) from error
    decision, queue = explanation.decision, explanation.queue
    click.echo(f"queue: {queue.code} – {queue.name}")
    winner = explanation.winner
    click.echo(
        f"rule: {winner.id} {winner.name}".rstrip()
        if winner
        else "rule: none (default queue of the system)"
    )
    click.echo(f"reason: {decision.reason}")
    click.echo(f"priority: {decision.priority}")
    if not queue.auto_assign:
        click.echo("assignee: none (auto-assignment is off)")
    elif explanation.nobody_covers:
        click.echo(
            f"assignee: none (nobody available covers province {facts.province}; supervisor told)"
        )
    else:
        click.echo(
            f"assignee: {explanation.assignee.full_name} ({explanation.assignee.masked_username})"
        )
    escalation = explanation.escalation_queue
    click.echo(f"escalates to: {escalation.code if escalation else 'none'}")
    for rule in explanation.matching[1:]:
        click.echo(f"also matched: {rule.describe()} -> {explanation.queues[rule.queue_id].code}")
