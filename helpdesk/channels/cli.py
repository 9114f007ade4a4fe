"""`flask mail ...`: inbound mail, now."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from helpdesk.channels.fetching import UNREACHABLE, fetch, open_source
from helpdesk.channels.inbound import take_in

mail_cli = AppGroup("mail", help="Inbound mail: replies and tickets by mail.")


@mail_cli.command("fetch")
def fetch_command() -> None:
    """Take in the mail waiting in the mailbox now (IMAP, or the maildir instance/inbox/)."""
    try:
        source = open_source()
    except (*UNREACHABLE, ValueError) as error:  # ValueError: a malformed HELPDESK_IMAP_URL
        raise click.ClickException(f"The mailbox cannot be reached: {error}") from None
    try:
        counts = fetch(source, take_in)
    except UNREACHABLE as error:
        raise click.ClickException(f"The mailbox cannot be reached: {error}") from None
    click.echo(counts.summary())
