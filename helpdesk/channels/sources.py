"""Where inbound mail waits: the deployment's IMAP mailbox (imap.py) or, on the embedded
default, the maildir instance/inbox/ (new/, cur/). Both are read by the same loop (fetching.py):
each waiting message is taken in and committed, and only then moved out of the way."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from helpdesk.channels.models import Outcome

PROCESSED = "processed"  # where a message goes once taken in (added, or refused)
REJECTED = "rejected"  # where a message set aside for an admin goes
SUBFOLDERS = ("new", "cur", "tmp")  # a maildir's


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
    """A maildir: the messages in new/ and cur/, oldest delivery first; taken in, each file is
    renamed into the Maildir++ folder .processed or .rejected beside them (one atomic rename:
    a crash leaves it either waiting, and found already taken in, or moved)."""

    def __init__(self, path: str) -> None:
        self.root = Path(path)
        for sub in SUBFOLDERS:
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    def waiting(self) -> Iterator[Waiting]:
        for path in sorted(self.files(), key=delivered_at):
            try:
                raw = path.read_bytes()
            except FileNotFoundError:  # taken by another fetch meanwhile
                continue
            yield Waiting(str(path), raw)

    def files(self) -> list[Path]:
        return [
            path
            for sub in ("new", "cur")
            for path in (self.root / sub).iterdir()
            if path.is_file() and not path.name.startswith(".")
        ]

    def done(self, item: Waiting, outcome: Outcome) -> None:
        folder = self.root / f".{folder_for(outcome)}"
        for sub in SUBFOLDERS:
            (folder / sub).mkdir(parents=True, exist_ok=True)
        path = Path(item.ref)
        try:
            path.rename(folder / "cur" / path.name)
        except FileNotFoundError:  # moved by another fetch meanwhile
            pass

    def close(self) -> None:
        pass


def delivered_at(path: Path) -> float:
    """When a message was delivered (its file's time); 0 when it went meanwhile."""
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
