"""`flask mail ...`: inbound mail, now."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from helpdesk.channels.fetching import Counts, fetch, open_source
from helpdesk.channels.imap import ImapError
from helpdesk.channels.inbound import take_in

mail_cli = AppGroup("mail", help="Inbound mail: replies and tickets by mail.")

# What a mailbox out of reach raises: the source's own error, the network's or the disk's (their
# messages never carry the password); opening it, a malformed HELPDESK_IMAP_URL too.
UNREACHABLE = (ImapError, OSError)


@mail_cli.command("fetch")
def fetch_command() -> None:
    """Take in the mail waiting in the mailbox now (IMAP, or the maildir instance/inbox/)."""
    try:
        source = open_source()
    except (*UNREACHABLE, ValueError) as error:
        raise click.ClickException(f"The mailbox cannot be reached: {error}") from None
    try:
        counts = fetch(source, take_in)
    except UNREACHABLE as error:
        raise click.ClickException(f"The mailbox cannot be reached: {error}") from None
    click.echo(summary(counts))


def summary(counts: Counts) -> str:
    """`N added, M refused, K set aside`, and `, J already taken in` when some were."""
    text = f"{counts.added} added, {counts.refused} refused, {counts.set_aside} set aside"
    return f"{text}, {counts.again} already taken in" if counts.again else text
