"""The maildir source (the embedded default's instance/inbox/) through the fetch loop: fetching
twice, and a crash between taking a message in and moving it."""

from __future__ import annotations

import mailbox
import os
from itertools import count
from pathlib import Path

import pytest

from helpdesk.channels.fetching import Counts, fetch
from helpdesk.channels.models import Outcome
from helpdesk.channels.sources import MaildirSource


@pytest.fixture
def inbox(tmp_path):
    """The maildir, and deliver(*messages) into its new/ as a mail server does (the bytes as
    they are, each file a second older than the next); inbox.folder(name) reads a folder."""
    path = tmp_path / "inbox"
    box = mailbox.Maildir(path, create=True)
    delivered = count(1)

    def deliver(*messages: bytes) -> None:
        for age, raw in enumerate(reversed(messages), start=1):
            name = f"{age}.M{next(delivered)}P1.test"  # names sort newest first: not the order
            (path / "tmp" / name).write_bytes(raw)
            os.utime(path / "tmp" / name, (1_800_000_000 - age,) * 2)
            (path / "tmp" / name).rename(path / "new" / name)

    def folder(name: str) -> list[bytes]:
        """The folder's messages, by Message-ID."""
        if name != "INBOX" and name not in box.list_folders():
            return []
        read = box if name == "INBOX" else box.get_folder(name)
        found = [read.get_bytes(key) for key in read.keys()]
        return sorted(found, key=lambda raw: int(raw.split(b"Message-ID: <")[1].split(b"@")[0]))

    deliver.path = str(path)
    deliver.folder = folder
    return deliver


def keys(*numbers: int) -> list[str]:
    return [f"<{number}@example.vn>" for number in numbers]


def test_messages_wait_oldest_first_whole(inbox, make_mail):
    sent = [make_mail(number) for number in (1, 2, 3)]
    inbox(*sent)

    source = MaildirSource(inbox.path)
    assert [item.raw for item in source.waiting()] == sent
    source.close()


def test_fetching_twice_takes_each_message_in_once(inbox, make_mail, take_in):
    inbox(*[make_mail(number) for number in (1, 2, 3)])
    take_in.outcome = Outcome.ADDED

    assert fetch(MaildirSource(inbox.path), take_in) == Counts(added=3)
    assert fetch(MaildirSource(inbox.path), take_in) == Counts()

    assert take_in.taken == keys(1, 2, 3)
    assert inbox.folder("processed") == [make_mail(n) for n in (1, 2, 3)]
    assert inbox.folder("INBOX") == []


def test_set_aside_goes_to_rejected(inbox, make_mail, take_in):
    inbox(make_mail(1))
    take_in.outcome = Outcome.SET_ASIDE

    assert fetch(MaildirSource(inbox.path), take_in) == Counts(set_aside=1)

    assert inbox.folder("rejected") == [make_mail(1)]
    assert inbox.folder("processed") == []


def test_a_crash_while_taking_in_loses_nothing(inbox, make_mail, take_in):
    sent = [make_mail(number) for number in range(1, 6)]
    inbox(*sent)

    def crash(raw, calls):
        if calls == 2:  # before its commit: the 2nd message is not taken in
            raise RuntimeError("the process died")

    take_in.before = crash
    with pytest.raises(RuntimeError):
        fetch(MaildirSource(inbox.path), take_in)
    take_in.before = None
    assert fetch(MaildirSource(inbox.path), take_in) == Counts(added=4)

    assert take_in.taken == keys(1, 2, 3, 4, 5)
    assert inbox.folder("processed") == sent
    assert inbox.folder("INBOX") == []


def test_a_crash_between_taking_in_and_moving_doubles_nothing(
    inbox, make_mail, take_in, monkeypatch
):
    sent = [make_mail(number) for number in range(1, 6)]
    inbox(*sent)
    moves = []
    rename = Path.rename

    def rename_or_crash(path, target):
        moves.append(path)
        if len(moves) == 2:  # the 2nd message is taken in, its move to .processed fails
            raise OSError("disk full")
        return rename(path, target)

    monkeypatch.setattr(Path, "rename", rename_or_crash)
    with pytest.raises(OSError, match="disk full"):
        fetch(MaildirSource(inbox.path), take_in)
    assert take_in.taken == keys(1, 2)
    assert inbox.folder("processed") == sent[:1]

    assert fetch(MaildirSource(inbox.path), take_in) == Counts(added=3, again=1)

    assert take_in.taken == keys(1, 2, 3, 4, 5)  # each taken in once
    assert take_in.handed == dict.fromkeys(keys(1, 3, 4, 5), 1) | dict.fromkeys(keys(2), 2)
    assert inbox.folder("processed") == sent  # each once
    assert inbox.folder("INBOX") == []
