"""Where inbound mail waits: the deployment's IMAP mailbox (imap.py) or, on the embedded
default, the maildir instance/inbox/ (new/, cur/). Both are read by the same loop (fetching.py):
each waiting message is taken in and committed, and only then moved out of the way."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from helpdesk.channels.models import Outcome

PROCESSED = "processed"  # where a message goes once taken in (added, or refused)
REJECTED = "rejected"  # where a message set aside for an admin goes


@dataclass(frozen=True)
class Waiting:
    ref: str  # the source's name for it: a maildir key, an IMAP UID
    raw: bytes


class Source(Protocol):
    def waiting(self) -> Iterator[Waiting]:
        """The messages waiting now, oldest first."""

    def done(self, item: Waiting, outcome: Outcome) -> None:
        """After the commit that took `item` in: out of the inbox, into its folder."""

    def close(self) -> None: ...


def folder_for(outcome: Outcome) -> str:
    return REJECTED if outcome == Outcome.SET_ASIDE else PROCESSED


class MaildirSource:
    """A maildir: the messages in new/ and cur/; taken in, they move to the Maildir++ folders
    .processed and .rejected beside them."""

    def __init__(self, path: str) -> None:
        self.box = mailbox.Maildir(path, create=True)

    def waiting(self) -> Iterator[Waiting]:
        for key in sorted(self.box.keys(), key=self.delivered_at):
            try:
                raw = self.box.get_bytes(key)
            except KeyError:  # taken by another fetch meanwhile
                continue
            yield Waiting(key, raw)

    def delivered_at(self, key: str) -> float:
        """When a message was delivered (its file's time); 0 when it went meanwhile."""
        try:
            return self.box.get_message(key).get_date()
        except (KeyError, FileNotFoundError):
            return 0.0

    def done(self, item: Waiting, outcome: Outcome) -> None:
        name = folder_for(outcome)
        if name not in self.box.list_folders():
            self.box.add_folder(name)
        # Copied, then removed: a crash between the two leaves it in both, and the next fetch
        # finds it already taken in (by its Message-ID) and only removes it.
        self.box.get_folder(name).add(item.raw)
        try:
            self.box.remove(item.ref)
        except KeyError:
            pass

    def close(self) -> None:
        self.box.close()
