"""Every mail about a ticket says in Reply-To where a reply goes: an address signed for that
ticket and that recipient, which can be neither guessed nor turned to another ticket or
person. Mail about nothing to answer (an activation, a digest) has none."""

from __future__ import annotations

import pytest

from helpdesk.auth.services.accounts import queue_activation
from helpdesk.extensions import db as database
from helpdesk.notifications import rendering
from helpdesk.notifications.reply_addresses import (
    ForgedAddress,
    ReplyTarget,
    read_reply_address,
    reply_address,
)
from helpdesk.tickets.services import mail
from helpdesk.timeutil import utcnow


@pytest.fixture
def reply_base(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "HELPDESK_REPLY_ADDRESS", "Hỗ trợ <HoTro@Example.gov.vn>")


def test_an_address_names_its_ticket_and_recipient(app, reply_base):
    address = reply_address("HT-2026-000123", 42)
    local, _, domain = address.partition("@")
    assert domain == "example.gov.vn"
    assert local.startswith("hotro+ht-2026-000123.42.")
    assert len(local) <= 64 and local == local.lower()
    assert read_reply_address(address) == ReplyTarget("HT-2026-000123", 42)
    # Servers may fold case; a display name around it changes nothing.
    assert read_reply_address(f"Nguyễn Văn A <{address.upper()}>") == ReplyTarget(
        "HT-2026-000123", 42
    )


def test_the_signature_binds_the_ticket_and_the_person(app, reply_base):
    address = reply_address("HT-2026-000123", 42)
    signature = address.partition("@")[0].rpartition(".")[2]
    for forged in (
        f"hotro+ht-2026-000124.42.{signature}@example.gov.vn",  # another ticket
        f"hotro+ht-2026-000123.43.{signature}@example.gov.vn",  # another person
        f"hotro+ht-2026-000123.42.{signature[:-1]}0@example.gov.vn",  # a guessed signature
        "hotro+ht-2026-000123.42@example.gov.vn",  # none
        "hotro+anything@example.gov.vn",
    ):
        with pytest.raises(ForgedAddress):
            read_reply_address(forged)


def test_other_addresses_are_not_reply_addresses(app, reply_base):
    for address in (
        "hotro@example.gov.vn",  # the base itself
        "moj-it@example.gov.vn",  # a queue's address
        "hotro+ht-2026-000123.42.0000@other.gov.vn",  # another domain
        "someone+ht-2026-000123.42.0000@example.gov.vn",
        "",
    ):
        assert read_reply_address(address) is None


def test_another_secret_signs_differently(app, reply_base, monkeypatch):
    address = reply_address("HT-2026-000123", 42)
    monkeypatch.setitem(app.config, "SECRET_KEY", "another deployment")
    with pytest.raises(ForgedAddress):
        read_reply_address(address)


def test_without_a_reply_address_the_base_is_hotro_at_the_senders_domain(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "HELPDESK_REPLY_ADDRESS", None)
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "Hỗ trợ TTHC <no-reply@hotro.tthc.vn>")
    assert reply_address("HT-2026-000001", 7).endswith("@hotro.tthc.vn")
    assert reply_address("HT-2026-000001", 7).startswith("hotro+ht-2026-000001.7.")


def test_a_ticket_mail_carries_the_recipients_own_reply_address(
    app, db, reply_base, desk, file_ticket, outbox_rows
):
    ticket = file_ticket()
    acknowledgement = outbox_rows("ticket_filed")[-1]
    expected = reply_address(ticket.number, desk.requester.id)
    assert acknowledgement.context["reply_to"] == expected
    message = rendering.render(acknowledgement)
    assert message.extra_headers["Reply-To"] == expected
    # Above the text, the line a reply is written above; below it, how to answer.
    assert message.body.startswith("##- ")
    assert "Reply to this message to add your answer to the ticket" in message.body
    assert "replies to it are not read" not in message.body
    assert "##- " in message.html


def test_mail_about_nothing_to_answer_has_no_reply_address(app, db, reply_base, desk):
    row = queue_activation(desk.requester, now=utcnow())
    database.session.commit()
    message = rendering.render(row)
    assert "Reply-To" not in message.extra_headers
    assert "replies to it are not read" in message.body
    assert "##- " not in message.body


@pytest.mark.parametrize(
    "template", ["sla_warning", "sla_breach", "ticket_queued", "ticket_assigned"]
)
def test_alerts_to_staff_carry_no_reply_address(app, db, reply_base, desk, template):
    # An answer to an alert is not meant for the requester: it must not become a public reply.
    context = {"number": "HT-2026-000123", "subject": "Không đăng nhập được"}
    (row,) = mail.to_user(desk.agent, template, f"alert:{template}", context, essential=True)
    assert "reply_to" not in row.context
    assert "Reply-To" not in rendering.render(row).extra_headers
