"""Replies by mail: a reply to a ticket's mail lands once, as its writer's public message from
e-mail, with the web's rules (who may write, what resumes or reopens a ticket); a reply address
that is forged, or used by someone else, is set aside and changes nothing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from integration.channels.mail_helpers import (
    DESK,
    PNG,
    last_outbox_id,
    mail,
    mail_since,
    messages_of,
    recorded,
    reply_address_in_mail,
)
from integration.tickets.conftest import (  # noqa: F401 - fixtures
    make_agent,
    other_requester,
    queue_by_code,
    requester,
)
from integration.tickets.page_helpers import GOOD_FORM
from sqlalchemy import select

from helpdesk.channels import inbound
from helpdesk.channels.inbound import take_in
from helpdesk.channels.models import InboundMail, Outcome, Taken
from helpdesk.notifications.reply_addresses import reply_address
from helpdesk.tickets import services as tickets
from helpdesk.tickets.follower_models import Follower
from helpdesk.tickets.models import Attachment, Status, Ticket

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # a Tuesday, 09:00 in Hà Nội


@pytest.fixture
def agent(make_agent):  # noqa: F811 - the fixture imported above
    """The one member of moj-it, where GOOD_FORM's tickets go: each new ticket is theirs."""
    return make_agent("moj-it")


@pytest.fixture
def ticket(db, requester, agent):  # noqa: F811
    draft = tickets.TicketDraft(**{**GOOD_FORM, "priority": 3})
    filed = tickets.create_ticket(requester, draft, now=NOW)
    assert filed.assignee_id == agent.id
    return filed


def stored(db, ticket: Ticket) -> Ticket:
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id)


def test_a_requesters_reply_lands_once_as_a_public_message_mailed_to_the_assignee(
    db,
    ticket,
    requester,  # noqa: F811
    agent,
):
    address = reply_address_in_mail(db, requester, ticket)  # the acknowledgement's Reply-To
    raw = mail(requester.email, address, text="Vẫn chưa đăng nhập được.")
    outbox_id = last_outbox_id(db)

    assert take_in(raw, now=NOW + timedelta(hours=1)) == Taken(Outcome.ADDED)
    assert take_in(raw, now=NOW + timedelta(hours=2)) == Taken(Outcome.ADDED, again=True)

    [message] = messages_of(db, ticket)
    assert (message.author_id, message.body) == (requester.id, "Vẫn chưa đăng nhập được.")
    assert (message.internal, message.source) == (False, "email")
    assert mail_since(db, outbox_id) == [("ticket_requester_reply", agent.email)]
    row = db.session.scalar(select(InboundMail))
    assert (row.outcome, row.reason, row.ticket_id) == ("added", "", ticket.id)


def test_a_reply_to_a_ticket_waiting_on_the_requester_resumes_it(
    db,
    ticket,
    requester,  # noqa: F811
    agent,
):
    tickets.respond(agent, ticket, "Anh gửi giúp ảnh màn hình?", status=Status.WAITING_REQUESTER)
    assert stored(db, ticket).status == Status.WAITING_REQUESTER

    raw = mail(requester.email, reply_address(ticket.number, requester.id), text="Ảnh đây ạ.")
    assert take_in(raw) == Taken(Outcome.ADDED)

    assert stored(db, ticket).status == Status.OPEN
    assert stored(db, ticket).sla_paused_at is None


def test_staff_who_work_the_ticket_reply_by_mail(db, ticket, requester, agent):  # noqa: F811
    outbox_id = last_outbox_id(db)
    raw = mail(agent.email.upper(), reply_address(ticket.number, agent.id), text="Đã cấp lại.")

    assert take_in(raw, now=NOW + timedelta(hours=1)) == Taken(Outcome.ADDED)

    [message] = messages_of(db, ticket)
    assert (message.author_id, message.internal, message.source) == (agent.id, False, "email")
    ticket = stored(db, ticket)
    assert (ticket.status, ticket.first_responded_at) == (Status.OPEN, NOW + timedelta(hours=1))
    assert ("ticket_reply", requester.email) in mail_since(db, outbox_id)


def test_staff_who_do_not_work_the_ticket_are_set_aside(db, ticket, make_agent):  # noqa: F811
    outsider = make_agent("moh-it")
    raw = mail(outsider.email, reply_address(ticket.number, outsider.id))

    assert take_in(raw) == Taken(Outcome.SET_ASIDE)

    assert messages_of(db, ticket) == []
    assert recorded(db) == [("set_aside", "not_allowed")]


def test_a_followers_reply_lands_as_theirs(db, ticket, other_requester, agent):  # noqa: F811
    db.session.add(Follower(ticket_id=ticket.id, user_id=other_requester.id))
    db.session.commit()
    outbox_id = last_outbox_id(db)
    raw = mail(other_requester.email, reply_address(ticket.number, other_requester.id))

    assert take_in(raw) == Taken(Outcome.ADDED)

    [message] = messages_of(db, ticket)
    assert (message.author_id, message.source) == (other_requester.id, "email")
    assert ("ticket_requester_reply", agent.email) in mail_since(db, outbox_id)


def test_someone_elses_reply_address_is_set_aside(
    db,
    ticket,
    requester,  # noqa: F811
    other_requester,  # noqa: F811
):
    """A genuine address of the requester's, sent from another official's mailbox."""
    outbox_id = last_outbox_id(db)
    raw = mail(other_requester.email, reply_address(ticket.number, requester.id))

    assert take_in(raw) == Taken(Outcome.SET_ASIDE)

    assert messages_of(db, ticket) == []
    assert recorded(db) == [("set_aside", "sender_mismatch")]
    assert mail_since(db, outbox_id) == []


def test_a_forged_reply_address_is_set_aside_and_kept_whole(
    db,
    ticket,
    requester,  # noqa: F811
):
    genuine = reply_address(ticket.number, requester.id)
    local, _, domain = genuine.partition("@")
    forged = f"{local[:-4]}0000@{domain}"  # another signature
    assert forged != genuine
    raw = mail(requester.email, forged)
    outbox_id = last_outbox_id(db)

    assert take_in(raw) == Taken(Outcome.SET_ASIDE)

    assert messages_of(db, ticket) == []
    assert mail_since(db, outbox_id) == []
    row = db.session.scalar(select(InboundMail))
    assert (row.outcome, row.reason, row.ticket_id) == ("set_aside", "forged_address", None)
    assert row.raw_sha256 is not None


def test_the_subject_number_serves_the_requester_only(
    db,
    ticket,
    requester,  # noqa: F811
    other_requester,  # noqa: F811
):
    """A reply that lost its reply address (sent to the desk's plain address) finds its ticket
    by the number in the subject, when the requester wrote it; a stranger's goes nowhere."""
    subject = f"Re: [{ticket.number}] Chúng tôi đã nhận yêu cầu"

    stranger = mail(other_requester.email, DESK, subject=subject, text="Tôi cũng bị.")
    assert take_in(stranger) == Taken(Outcome.SET_ASIDE)
    own = mail(requester.email.upper(), DESK, subject=subject, text="Vẫn lỗi.")
    assert take_in(own) == Taken(Outcome.ADDED)

    assert [(m.author_id, m.body) for m in messages_of(db, ticket)] == [(requester.id, "Vẫn lỗi.")]
    assert recorded(db) == [("set_aside", "no_destination"), ("added", "")]


def test_a_reply_within_the_reopen_window_reopens_the_ticket(
    db,
    ticket,
    requester,  # noqa: F811
    agent,
):
    tickets.change_status(agent, ticket, Status.RESOLVED, now=NOW, resolution="Đã cấp lại.")
    raw = mail(requester.email, reply_address(ticket.number, requester.id), text="Vẫn lỗi ạ.")

    assert take_in(raw, now=NOW + timedelta(days=2)) == Taken(Outcome.ADDED)

    ticket = stored(db, ticket)
    assert (ticket.status, ticket.resolved_at) == (Status.OPEN, None)
    [message] = messages_of(db, ticket)
    assert (message.author_id, message.body, message.source) == (
        requester.id,
        "Vẫn lỗi ạ.",
        "email",
    )


def test_a_reply_to_a_ticket_closed_long_ago_files_a_linked_ticket(
    db,
    ticket,
    requester,  # noqa: F811
    agent,
):
    tickets.change_status(agent, ticket, Status.RESOLVED, now=NOW, resolution="Đã cấp lại.")
    assert tickets.close_resolved(now=NOW + timedelta(days=8)) == 1
    raw = mail(
        requester.email,
        reply_address(ticket.number, requester.id),
        text="Lại không đăng nhập được.",
        files=(("man-hinh.png", PNG),),
    )

    assert take_in(raw, now=NOW + timedelta(days=30)) == Taken(Outcome.ADDED)

    old = stored(db, ticket)
    assert old.status == Status.CLOSED
    new = db.session.scalar(select(Ticket).where(Ticket.id != old.id))
    assert (new.requester_id, new.source, new.status) == (requester.id, "email", Status.NEW)
    assert (new.system_code, new.category_code, new.province_code) == (
        old.system_code,
        old.category_code,
        old.province_code,
    )
    assert new.subject == f"Re: {old.subject}"
    assert new.description == "Lại không đăng nhập được."
    assert [a.filename for a in new.attachments] == ["man-hinh.png"]
    assert [e.data for e in new.events if e.kind == "follow_up"] == [{"of": old.number}]
    assert [e.data for e in old.events if e.kind == "follow_up"] == [{"by": new.number}]
    row = db.session.scalar(select(InboundMail))
    assert (row.outcome, row.ticket_id) == ("added", new.id)


def test_a_reply_to_a_merged_ticket_goes_to_the_ticket_it_was_merged_into(
    db,
    ticket,
    requester,  # noqa: F811
    agent,
):
    target = tickets.create_ticket(
        requester, tickets.TicketDraft(**{**GOOD_FORM, "priority": 3}), now=NOW
    )
    tickets.merge(agent, ticket, target)
    raw = mail(requester.email, reply_address(ticket.number, requester.id), text="Thêm thông tin.")

    assert take_in(raw) == Taken(Outcome.ADDED)

    assert messages_of(db, ticket) == []
    assert [m.body for m in messages_of(db, target)] == ["Thêm thông tin."]


def test_files_the_web_would_refuse_are_dropped_and_named(
    db,
    ticket,
    requester,  # noqa: F811
):
    raw = mail(
        requester.email,
        reply_address(ticket.number, requester.id),
        text="Gửi kèm ảnh.",
        files=(("anh.png", PNG), ("cong-cu.exe", b"MZ\x90\x00 not a document")),
    )

    assert take_in(raw) == Taken(Outcome.ADDED)

    [message] = messages_of(db, ticket)
    assert message.body.startswith("Gửi kèm ảnh.\n\n")
    assert "cong-cu.exe" in message.body
    files = db.session.scalars(select(Attachment.filename).where(Attachment.ticket_id == ticket.id))
    assert list(files) == ["anh.png"]


def test_a_reply_with_neither_text_nor_file_is_refused(
    db,
    ticket,
    requester,  # noqa: F811
):
    outbox_id = last_outbox_id(db)
    raw = mail(requester.email, reply_address(ticket.number, requester.id), text="")

    assert take_in(raw) == Taken(Outcome.REFUSED)

    assert messages_of(db, ticket) == []
    assert recorded(db) == [("refused", "empty")]
    assert mail_since(db, outbox_id) == []


def test_a_reply_the_ticket_refuses_is_answered_with_the_reason(
    db,
    ticket,
    requester,  # noqa: F811
    agent,
):
    """Staff cannot reply to a closed ticket (nor file a follow-up by mail): told why."""
    tickets.change_status(agent, ticket, Status.RESOLVED, now=NOW, resolution="Đã cấp lại.")
    tickets.close_resolved(now=NOW + timedelta(days=8))
    outbox_id = last_outbox_id(db)
    raw = mail(agent.email, reply_address(ticket.number, agent.id), text="Bổ sung.")

    assert take_in(raw) == Taken(Outcome.REFUSED)

    assert messages_of(db, ticket) == []
    assert recorded(db) == [("refused", "invalid")]
    assert mail_since(db, outbox_id) == [("inbound_refused", agent.email)]


def test_a_disabled_account_cannot_reply(db, ticket, requester):  # noqa: F811
    requester.status = "disabled"
    db.session.commit()
    raw = mail(requester.email, reply_address(ticket.number, requester.id))

    assert take_in(raw) == Taken(Outcome.SET_ASIDE)

    assert messages_of(db, ticket) == []
    assert recorded(db) == [("set_aside", "not_allowed")]


def test_a_message_committed_meanwhile_by_another_worker_is_not_taken_again(
    db,
    ticket,
    requester,  # noqa: F811
    monkeypatch,
):
    """Two workers fetch the same message: the second finds no row at first (the first had not
    committed yet), then its own row of that key is refused by the unique key."""
    raw = mail(requester.email, reply_address(ticket.number, requester.id))
    assert take_in(raw) == Taken(Outcome.ADDED)
    looked = []

    def not_yet_committed(key):
        looked.append(key)
        return None if len(looked) == 1 else original(key)

    original = inbound.recorded
    monkeypatch.setattr(inbound, "recorded", not_yet_committed)

    assert take_in(raw) == Taken(Outcome.ADDED, again=True)

    assert len(looked) == 2
    assert len(messages_of(db, ticket)) == 1
    assert recorded(db) == [("added", "")]


def test_the_log_names_the_sender_masked(db, ticket, caplog):
    raw = mail("001166000123@example.vn", DESK, subject="Hỏi 001166000123")

    with caplog.at_level(logging.INFO, logger="helpdesk.channels.inbound"):
        take_in(raw)

    [line] = [r.getMessage() for r in caplog.records if r.name == "helpdesk.channels.inbound"]
    assert "refused (no_destination)" in line
    assert "0***@example.vn" in line
    assert "001166000123" not in line


def test_a_message_whose_taking_in_fails_is_set_aside_and_the_rest_go_on(
    db,
    ticket,
    requester,  # noqa: F811
    monkeypatch,
    caplog,
):
    """A fault of one message's own (here: the reply's landing raises) keeps it for an admin,
    whole, instead of stopping every fetch at it; the next message is taken in as usual."""
    address = reply_address(ticket.number, requester.id)
    poison, fine = mail(requester.email, address, text="Một"), mail(requester.email, address)
    land = inbound.landing.land_reply

    def fail_once(*args, **kwargs):
        monkeypatch.setattr(inbound.landing, "land_reply", land)
        raise ValueError("a fault")

    monkeypatch.setattr(inbound.landing, "land_reply", fail_once)
    with caplog.at_level(logging.ERROR, logger="helpdesk.channels.inbound"):
        assert take_in(poison) == Taken(Outcome.SET_ASIDE)
    assert take_in(fine) == Taken(Outcome.ADDED)

    assert recorded(db) == [("set_aside", "failed"), ("added", "")]
    assert len(messages_of(db, ticket)) == 1
    kept = db.session.scalar(select(InboundMail).where(InboundMail.reason == "failed"))
    assert kept.raw_sha256 and kept.ticket_id is None
    assert "could not be taken in" in caplog.text
    assert take_in(poison) == Taken(Outcome.SET_ASIDE, again=True)


def test_mail_to_nowhere_is_kept_for_an_official_and_not_for_a_stranger(
    db,
    requester,  # noqa: F811
):
    """An official's mail with no reply address, number or queue address is set aside whole
    for an admin to route; a stranger's (spam, mostly) is recorded as refused, not kept."""
    assert take_in(mail(requester.email, DESK, subject="Hỏi")) == Taken(Outcome.SET_ASIDE)
    assert take_in(mail("la@example.vn", DESK, subject="Quảng cáo")) == Taken(Outcome.REFUSED)

    rows = db.session.execute(
        select(InboundMail.outcome, InboundMail.reason, InboundMail.raw_sha256).order_by(
            InboundMail.id
        )
    ).all()
    assert [(outcome, reason, bool(raw)) for outcome, reason, raw in rows] == [
        ("set_aside", "no_destination", True),
        ("refused", "no_destination", False),
    ]
