"""`flask mail fetch` and the periodic fetch over the maildir: what waits is taken in once and
counted; a mailbox out of reach is one clear line (the command) or a warning (the job); two
fetches never run at once."""

from __future__ import annotations

import logging
import mailbox
from datetime import UTC, datetime

import pytest
from integration.channels.mail_helpers import FORGED, mail, messages_of
from integration.tickets.conftest import (  # noqa: F401 - fixtures
    make_agent,
    queue_by_code,
    requester,
)
from integration.tickets.page_helpers import GOOD_FORM

from helpdesk import periodic  # noqa: F401 - what `flask cron` imports: the jobs register
from helpdesk.channels import jobs
from helpdesk.channels.fetching import Counts
from helpdesk.extensions import redis_connection
from helpdesk.notifications.reply_addresses import reply_address
from helpdesk.tickets import services as tickets
from helpdesk.worker import PERIODIC

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)


@pytest.fixture
def inbox(app, tmp_path, monkeypatch) -> mailbox.Maildir:
    """The app's maildir (HELPDESK_INBOX_FOLDER), one per test: the app's instance folder is
    shared by the backends and the workers of the suite."""
    folder = tmp_path / "inbox"
    monkeypatch.setitem(app.config, "HELPDESK_INBOX_FOLDER", str(folder))
    return mailbox.Maildir(folder, create=True)


@pytest.fixture
def ticket(db, requester, make_agent):  # noqa: F811 - the fixtures imported above
    make_agent("moj-it")
    return tickets.create_ticket(requester, tickets.TicketDraft(**{**GOOD_FORM, "priority": 3}))


@pytest.fixture
def waiting(inbox, ticket, requester):  # noqa: F811
    """A reply, an auto-reply and a message to nowhere, waiting in the maildir."""
    address = reply_address(ticket.number, requester.id)
    reply = mail(requester.email, address, text="Vẫn chưa được.")
    inbox.add(reply)
    inbox.add(mail(requester.email, address, headers={"Auto-Submitted": "auto-replied"}))
    inbox.add(mail("la@example.vn", FORGED, subject="Giả mạo"))
    return reply


def test_flask_mail_fetch_takes_in_what_waits_once(db, runner, inbox, waiting, ticket):
    first = runner.invoke(args=["mail", "fetch"])
    again = runner.invoke(args=["mail", "fetch"])

    assert (first.exit_code, first.output) == (0, "1 added, 1 refused, 1 set aside\n")
    assert (again.exit_code, again.output) == (0, "0 added, 0 refused, 0 set aside\n")
    assert [m.body for m in messages_of(db, ticket)] == ["Vẫn chưa được."]
    assert len(inbox) == 0
    assert len(inbox.get_folder("processed")) == 2
    assert len(inbox.get_folder("rejected")) == 1


def test_a_message_fetched_again_is_only_counted(db, runner, inbox, waiting, ticket):
    runner.invoke(args=["mail", "fetch"])
    inbox.add(waiting)  # left behind by a crash between the commit and the move

    result = runner.invoke(args=["mail", "fetch"])

    assert result.output == "0 added, 0 refused, 0 set aside, 1 already taken in\n"
    assert len(messages_of(db, ticket)) == 1
    assert len(inbox) == 0


def test_a_mailbox_out_of_reach_is_one_clear_line(app, db, runner, tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setitem(app.config, "HELPDESK_INBOX_FOLDER", str(tmp_path / "a-file" / "inbox"))

    result = runner.invoke(args=["mail", "fetch"])

    assert result.exit_code == 1
    assert result.output.startswith("Error: The mailbox cannot be reached: ")
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_the_periodic_fetch_runs_every_minute_and_takes_in_what_waits(db, waiting, ticket):
    assert (jobs.fetch_mail, 60) in PERIODIC

    assert jobs.fetch_mail() == Counts(added=1, refused=1, set_aside=1)

    assert redis_connection.client.get(jobs.FETCH_LOCK) is None  # released
    assert len(messages_of(db, ticket)) == 1


def test_a_fetch_waits_for_the_one_running(db, inbox, waiting, ticket):
    redis_connection.client.set(jobs.FETCH_LOCK, "another worker", ex=60)

    assert jobs.fetch_mail() is None

    assert messages_of(db, ticket) == []
    assert len(inbox) == 3
    assert redis_connection.client.get(jobs.FETCH_LOCK) == b"another worker"  # not its to free


def test_a_mailbox_out_of_reach_is_a_warning_for_the_job(app, db, tmp_path, monkeypatch, caplog):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setitem(app.config, "HELPDESK_INBOX_FOLDER", str(tmp_path / "a-file" / "inbox"))

    with caplog.at_level(logging.WARNING, logger="helpdesk.channels.jobs"):
        assert jobs.fetch_mail() is None

    assert [r.levelname for r in caplog.records if r.name == "helpdesk.channels.jobs"] == [
        "WARNING"
    ]
    assert redis_connection.client.get(jobs.FETCH_LOCK) is None
