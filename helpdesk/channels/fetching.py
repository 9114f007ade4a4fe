"""The fetch: every message waiting in the source, taken in one by one (each in its own
commit), then moved to its folder. A failure of the source midway loses nothing: a message not
yet moved is fetched again, and found already taken in, it is only moved."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from helpdesk.channels.imap import ImapError, ImapSource
from helpdesk.channels.models import Taken
from helpdesk.channels.sources import MaildirSource, Source

log = logging.getLogger(__name__)


@dataclass
class Counts:
    added: int = 0
    refused: int = 0
    set_aside: int = 0
    again: int = 0  # already taken in by an earlier fetch: only moved now

    def count(self, taken: Taken) -> None:
        name = "again" if taken.again else str(taken.outcome)
        setattr(self, name, getattr(self, name) + 1)

    def summary(self) -> str:
        """`N added, M refused, K set aside`, and `, J already taken in` when some were."""
        text = f"{self.added} added, {self.refused} refused, {self.set_aside} set aside"
        return f"{text}, {self.again} already taken in" if self.again else text


# What a mailbox out of reach raises: the source's own error, the network's or the disk's (their
# messages never carry the password).
UNREACHABLE = (ImapError, OSError)


def open_source() -> Source:
    """The deployment's mailbox: HELPDESK_IMAP_URL's, else the maildir HELPDESK_INBOX_FOLDER.
    Opening the IMAP mailbox does not connect yet: its failures come from `fetch`."""
    url = current_app.config.get("HELPDESK_IMAP_URL")
    if url:
        return ImapSource(url)
    return MaildirSource(current_app.config["HELPDESK_INBOX_FOLDER"])


def fetch(source: Source, take_in: Callable[[bytes], Taken]) -> Counts:
    """Take in every waiting message; `take_in` commits each and says what became of it."""
    counts = Counts()
    try:
        for item in source.waiting():
            taken = take_in(item.raw)
            counts.count(taken)
            source.done(item, taken.outcome)
    finally:
        source.close()
    return counts
