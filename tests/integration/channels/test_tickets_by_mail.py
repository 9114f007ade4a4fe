"""Tickets by mail, and mail the desk does not take in: a message to a queue's address from an
official's verified address files a ticket in that queue, acknowledged as any filing; an unknown
address is told once a day how to register; automatic mail is never taken in nor answered; a
message over the size limit is refused with one answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from integration.channels.mail_helpers import (
    PNG,
    bounce,
    last_outbox_id,
    mail,
    mail_since,
    recorded,
)
from integration.tickets.conftest import (  # noqa: F401 - fixtures
    make_agent,
    make_coordinator,
    queue_by_code,
    requester,
)
from sqlalchemy import func, select

from helpdesk.catalogue import services as catalogue
from helpdesk.channels.inbound import take_in
from helpdesk.channels.models import Outcome, Taken
from helpdesk.channels.parsing import parse
from helpdesk.notifications.models import Outbox
from helpdesk.notifications.rendering import render
from helpdesk.notifications.reply_addresses import reply_address
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Event, Message, Ticket

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # a Tuesday, 09:00 in Hà Nội
MOJ = "bo-tu-phap@hotro.example.vn"


@pytest.fixture
def moj_queue(db, queue_by_code):  # noqa: F811 - the fixture imported above
    queue = queue_by_code("moj-it")
    queue.email = "Bo-Tu-Phap@hotro.example.vn"  # matched whatever its case
    db.session.commit()
    return queue


def ticket_count(db) -> int:
    return db.session.scalar(select(func.count(Ticket.id)))


def rendered(db, template: str):
    row = db.session.scalar(select(Outbox).where(Outbox.template == template))
    return render(row)


def test_mail_to_a_queues_address_files_a_ticket_there(db, moj_queue, requester):  # noqa: F811
    raw = mail(
        requester.email,
        MOJ,
        subject="Không ký số được hồ sơ",
        text="Từ sáng nay không ký số được.\nĐã khởi động lại máy.",
        files=(("loi.png", PNG),),
    )

    assert take_in(raw, now=NOW) == Taken(Outcome.ADDED)

    ticket = db.session.scalar(select(Ticket))
    assert (ticket.queue_id, ticket.source, ticket.requester_id) == (
        moj_queue.id,
        "email",
        requester.id,
    )
    assert (ticket.system_code, ticket.category_code, ticket.province_code, ticket.priority) == (
        "moj",
        "other",
        "75",
        3,
    )
    assert ticket.subject == "Không ký số được hồ sơ"
    assert ticket.description == "Từ sáng nay không ký số được.\nĐã khởi động lại máy."
    assert (ticket.unit, ticket.unit_id) == (requester.unit.name, requester.unit_id)
    assert [a.filename for a in ticket.attachments] == ["loi.png"]
    routed = db.session.scalar(select(Event.data).where(Event.kind == "routed"))
    assert routed["reason"] == "addressed"
    created = db.session.scalar(select(Event.data).where(Event.kind == "created"))
    assert created["source"] == "email"
    acknowledged = db.session.scalar(
        select(Outbox).where(Outbox.template == "ticket_filed", Outbox.user_id == requester.id)
    )
    assert acknowledged is not None
    assert acknowledged.context["reply_to"] == reply_address(ticket.number, requester.id)
    assert recorded(db) == [("added", "")]


def test_a_provincial_queue_without_a_system_files_under_the_first_system(
    db,
    queue_by_code,  # noqa: F811
    make_coordinator,  # noqa: F811
):
    queue = queue_by_code("province-75")
    assert queue.system_code is None
    queue.email = "so-tu-phap-75@hotro.example.vn"
    db.session.commit()
    coordinator = make_coordinator("75")
    raw = mail(coordinator.email, queue.email, subject="", text="Xin cấp tài khoản mới.\nCảm ơn.")

    assert take_in(raw) == Taken(Outcome.ADDED)

    ticket = db.session.scalar(select(Ticket))
    assert (ticket.queue_id, ticket.requester_id, ticket.province_code) == (
        queue.id,
        coordinator.id,
        "75",
    )
    assert ticket.system_code == catalogue.systems()[0].code
    assert ticket.subject == "Xin cấp tài khoản mới."  # no subject: the first line


def test_staff_do_not_file_tickets_by_mail(db, moj_queue, make_agent):  # noqa: F811
    agent = make_agent("moj-it")

    assert take_in(mail(agent.email, MOJ, subject="Thử")) == Taken(Outcome.SET_ASIDE)

    assert ticket_count(db) == 0
    assert recorded(db) == [("set_aside", "not_allowed")]


def test_an_unknown_sender_is_told_how_to_register_once_a_day(db, moj_queue):
    outbox_id = last_outbox_id(db)
    first = mail("Ai.Do@example.vn", MOJ, subject="Hỏi", text="Cho tôi hỏi.")
    second = mail("ai.do@example.vn", MOJ, subject="Hỏi lại", text="Cho tôi hỏi lại.")
    next_day = mail("ai.do@example.vn", MOJ, subject="Hỏi nữa", text="Vẫn hỏi.")

    assert take_in(first, now=NOW) == Taken(Outcome.REFUSED)
    assert take_in(second, now=NOW + timedelta(hours=3)) == Taken(Outcome.REFUSED)
    assert mail_since(db, outbox_id) == [("inbound_unknown_sender", "ai.do@example.vn")]
    assert take_in(next_day, now=NOW + timedelta(days=1)) == Taken(Outcome.REFUSED)

    assert mail_since(db, outbox_id) == [("inbound_unknown_sender", "ai.do@example.vn")] * 2
    assert ticket_count(db) == 0
    assert recorded(db) == [("refused", "unknown_sender")] * 3
    message = rendered(db, "inbound_unknown_sender")
    assert "http://localhost/auth/register" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Reply-To" not in message.extra_headers


def test_addresses_that_read_no_mail_are_never_answered(db, moj_queue):
    outbox_id = last_outbox_id(db)

    assert take_in(mail("noreply@example.vn", MOJ)) == Taken(Outcome.REFUSED)
    assert take_in(mail("hotro+abc@localhost", MOJ)) == Taken(Outcome.REFUSED)

    assert recorded(db) == [("refused", "unknown_sender")] * 2
    assert mail_since(db, outbox_id) == []


def test_a_ticket_the_rules_refuse_is_answered_with_the_reason(
    db,
    moj_queue,
    requester,  # noqa: F811
):
    outbox_id = last_outbox_id(db)

    assert take_in(mail(requester.email, MOJ, subject="", text="")) == Taken(Outcome.REFUSED)

    assert ticket_count(db) == 0
    assert recorded(db) == [("refused", "invalid")]
    assert mail_since(db, outbox_id) == [("inbound_refused", requester.email)]
    message = rendered(db, "inbound_refused")  # in the requester's language: English
    assert "Subject: This field is required." in message.body


@pytest.mark.parametrize(
    "automatic",
    [
        pytest.param({"Auto-Submitted": "auto-replied"}, id="auto-reply"),
        pytest.param({"X-Autoreply": "yes"}, id="x-autoreply"),
        pytest.param({"Precedence": "bulk"}, id="bulk"),
        pytest.param(None, id="bounce"),
    ],
)
def test_automatic_mail_is_neither_taken_in_nor_answered(
    db,
    moj_queue,
    requester,  # noqa: F811
    make_agent,  # noqa: F811
    automatic,
):
    make_agent("moj-it")
    ticket = tickets.create_ticket(
        requester,
        tickets.TicketDraft(
            system="moj", category="account", province="75", subject="Lỗi", description="Lỗi."
        ),
    )
    address = reply_address(ticket.number, requester.id)
    if automatic is None:
        raw = bounce(address)
    else:
        raw = mail(requester.email, address, subject="Out of office", headers=automatic)
    outbox_id = last_outbox_id(db)

    assert take_in(raw) == Taken(Outcome.REFUSED)

    assert db.session.scalar(select(func.count(Message.id))) == 0
    assert mail_since(db, outbox_id) == []
    reason = parse(raw).automatic  # as parsing names it
    assert reason
    assert recorded(db) == [("refused", reason)]


def test_a_message_over_the_limit_is_refused_with_one_answer(
    app,
    db,
    moj_queue,
    requester,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setitem(app.config, "HELPDESK_INBOUND_MAX_BYTES", 2 * 1024 * 1024)
    big = (("scan.png", PNG * 40_000),)
    raw = mail(requester.email, MOJ, subject="WIN 1000$ http://spam.example", files=big)
    another = mail(requester.email, MOJ, subject="Hồ sơ", files=big)
    outbox_id = last_outbox_id(db)

    assert take_in(raw) == Taken(Outcome.REFUSED)
    assert take_in(raw) == Taken(Outcome.REFUSED, again=True)
    assert take_in(another) == Taken(Outcome.REFUSED)  # the same day: no second answer

    assert ticket_count(db) == 0
    assert recorded(db) == [("refused", "too_large"), ("refused", "too_large")]
    assert mail_since(db, outbox_id) == [("inbound_too_large", requester.email)]
    message = rendered(db, "inbound_too_large")
    assert "at most 2 MB" in message.body
    assert "http://localhost/tickets/new" in message.body
    # The answer carries nothing of the message: its From may be anyone's.
    assert "spam.example" not in message.body + message.subject + message.html


def test_an_automatic_message_over_the_limit_is_not_answered(
    app,
    db,
    moj_queue,
    requester,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setitem(app.config, "HELPDESK_INBOUND_MAX_BYTES", 1024)
    raw = mail(requester.email, MOJ, text="x" * 2000, headers={"Auto-Submitted": "auto-replied"})
    outbox_id = last_outbox_id(db)

    assert take_in(raw) == Taken(Outcome.REFUSED)

    assert recorded(db) == [("refused", "too_large")]
    assert mail_since(db, outbox_id) == []
