"""Replies as Thunderbird, Gmail, Outlook and Apple Mail send them (tests/fixtures/mail), the whole
way: waiting in a real IMAP server (Debian's Dovecot) or in the embedded default's maildir,
taken in by `flask mail fetch`, landing in the ticket once, without their quoted history.
Automatic mail adds and sends nothing; a forged reply address is set aside; an outage of the
IMAP server in the middle of a fetch loses nothing and doubles nothing."""

from __future__ import annotations

import mailbox
from dataclasses import dataclass

import pytest
from integration.tickets.conftest import make_agent, queue_by_code  # noqa: F401 - fixtures
from integration.tickets.page_helpers import GOOD_FORM
from mail_fixtures import DESK, QUOTED, REPLIES, fixture
from sqlalchemy import func, select

from helpdesk.channels import inbound
from helpdesk.channels.fetching import Counts, fetch, open_source
from helpdesk.channels.imap import ImapError
from helpdesk.channels.models import InboundMail, Outcome
from helpdesk.extensions import db as database
from helpdesk.notifications.models import Outbox
from helpdesk.notifications.reply_addresses import reply_address
from helpdesk.tickets.models import Message, Source, Ticket
from helpdesk.tickets.services import TicketDraft, create_ticket

CLIENTS = (
    "thunderbird_reply.eml",
    "gmail_reply.eml",
    "outlook_reply.eml",
    "gmail_reply_vi.eml",
    "outlook_reply_vi.eml",
    "apple_mail_vi.eml",
)


@dataclass
class Reply:
    ticket_id: int
    user_id: int
    raw: bytes
    typed: str


@pytest.fixture
def reply_base(app, monkeypatch):
    """The reply addresses of the fixtures' desk: hotro+…@example.gov.vn."""
    monkeypatch.setitem(app.config, "HELPDESK_REPLY_ADDRESS", DESK)


@pytest.fixture(params=["maildir", "imap"])
def mailbox_of(request, app, reply_base, tmp_path, monkeypatch):
    """Where the test's mail waits: deliver(raw), folder(name) -> [raw]."""
    if request.param == "imap":
        server = request.getfixturevalue("dovecot")
        monkeypatch.setitem(app.config, "HELPDESK_IMAP_URL", server.url)
        return Box(server.append, server.messages, server)
    folder = tmp_path / "inbox"
    monkeypatch.setitem(app.config, "HELPDESK_IMAP_URL", None)
    monkeypatch.setitem(app.config, "HELPDESK_INBOX_FOLDER", str(folder))
    box = mailbox.Maildir(folder, create=True)

    def read(name: str) -> list[bytes]:
        if name != "INBOX" and name not in box.list_folders():
            return []
        kept = box if name == "INBOX" else box.get_folder(name)
        return [kept.get_bytes(key) for key in kept.keys()]

    return Box(box.add, read, None)


@dataclass
class Box:
    deliver: object
    folder: object
    server: object


@pytest.fixture
def replies(db, reply_base, make_user, make_agent) -> dict[str, Reply]:  # noqa: F811
    """Each client's reply, sent by its own official to the reply address of their ticket."""
    make_agent("moj-it")
    found = {}
    for name in CLIENTS:
        sender, recipients, _, typed = REPLIES[name]
        user = make_user("requester", email=sender, province_code="75")
        ticket = create_ticket(user, TicketDraft(**{**GOOD_FORM, "priority": 3}))
        raw = fixture(name).replace(recipients[0].encode(), readdressed(ticket.number, user.id))
        found[name] = Reply(ticket.id, user.id, raw, typed)
    return found


def readdressed(number: str, user_id: int) -> bytes:
    return reply_address(number, user_id).encode()


def address_of(reply: Reply) -> bytes:
    return readdressed(database.session.get(Ticket, reply.ticket_id).number, reply.user_id)


def thread(reply: Reply) -> list[Message]:
    database.session.expire_all()
    return list(
        database.session.scalars(
            select(Message).where(Message.ticket_id == reply.ticket_id).order_by(Message.id)
        )
    )


def outbox_count() -> int:
    return database.session.scalar(select(func.count()).select_from(Outbox))


def test_each_clients_reply_lands_once_without_its_quote(runner, mailbox_of, replies):
    for reply in replies.values():
        mailbox_of.deliver(reply.raw)

    first = runner.invoke(args=["mail", "fetch"])
    again = runner.invoke(args=["mail", "fetch"])

    assert first.output.strip() == f"{len(CLIENTS)} added, 0 refused, 0 set aside"
    assert again.output.strip() == "0 added, 0 refused, 0 set aside"
    for name, reply in replies.items():
        (message,) = thread(reply)
        assert (message.author_id, message.source, message.internal) == (
            reply.user_id,
            Source.EMAIL,
            False,
        ), name
        assert message.body == reply.typed, name
        assert QUOTED not in message.body, name
    assert len(mailbox_of.folder("processed")) == len(CLIENTS)
    assert mailbox_of.folder("INBOX") == []


def test_automatic_mail_adds_nothing_and_sends_nothing(runner, mailbox_of, replies):
    reply = replies["outlook_reply.eml"]
    # The out-of-office answer goes to the reply address of the desk's mail it answers.
    auto_reply = fixture("auto_reply.eml").replace(
        REPLIES["outlook_reply.eml"][1][0].encode(), address_of(reply)
    )
    mailbox_of.deliver(auto_reply)
    mailbox_of.deliver(fixture("bounce.eml"))
    sent_before = outbox_count()

    result = runner.invoke(args=["mail", "fetch"])

    assert result.output.strip() == "0 added, 2 refused, 0 set aside"
    assert thread(reply) == []
    assert outbox_count() == sent_before
    reasons = database.session.scalars(select(InboundMail.reason).order_by(InboundMail.id))
    assert list(reasons) == ["auto_reply", "bounce"]


def test_a_forged_reply_address_is_set_aside(runner, mailbox_of, replies):
    reply = replies["thunderbird_reply.eml"]
    genuine = address_of(reply)
    forged = genuine[:-20] + (b"0" if genuine[-20:-19] != b"0" else b"1") + genuine[-19:]
    mailbox_of.deliver(reply.raw.replace(genuine, forged))

    result = runner.invoke(args=["mail", "fetch"])

    assert result.output.strip() == "0 added, 0 refused, 1 set aside"
    assert thread(reply) == []
    row = database.session.scalar(select(InboundMail))
    assert (row.outcome, row.reason, row.ticket_id) == (Outcome.SET_ASIDE, "forged_address", None)
    assert len(mailbox_of.folder("rejected")) == 1
    assert mailbox_of.folder("processed") == []


def test_an_imap_outage_in_the_middle_of_a_fetch_loses_and_doubles_nothing(
    app, runner, dovecot, replies, monkeypatch
):
    monkeypatch.setitem(app.config, "HELPDESK_IMAP_URL", dovecot.url)
    chosen = [replies[name] for name in CLIENTS[:5]]
    for reply in chosen:
        dovecot.append(reply.raw)
    calls = []

    def take_in_then_fail(raw: bytes):
        taken = inbound.take_in(raw)  # committed
        calls.append(taken)
        if len(calls) == 2:  # the server goes away before the 2nd message is moved
            dovecot.kill()
        return taken

    with pytest.raises(ImapError):
        fetch(open_source(), take_in_then_fail)
    dovecot.start()
    result = runner.invoke(args=["mail", "fetch"])

    assert [taken.outcome for taken in calls] == [Outcome.ADDED, Outcome.ADDED]
    assert result.output.strip() == "3 added, 0 refused, 0 set aside, 1 already taken in"
    for reply in chosen:
        assert [message.body for message in thread(reply)] == [reply.typed]
    assert len(dovecot.messages("processed")) == 5
    assert dovecot.messages("INBOX") == []
    assert fetch(open_source(), inbound.take_in) == Counts()
