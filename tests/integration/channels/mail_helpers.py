"""Inbound messages as mail clients send them, built with the standard library; where a ticket's
mail says to reply; what the desk wrote since."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import func, select

from helpdesk.channels.models import InboundMail
from helpdesk.notifications.models import Outbox
from helpdesk.tickets.models import Message, Ticket

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
DESK = "hotro@localhost"  # the reply addresses' base under TestConfig (no-reply@localhost sends)
# A reply address of this desk's shape whose signature is not the desk's: always set aside.
FORGED = "hotro+ht-2026-000001.1.00000000000000000000@localhost"


def mail(
    sender: str,
    to: str,
    *,
    subject: str = "Re: yêu cầu hỗ trợ",
    text: str = "Tôi đã thử lại, vẫn chưa được.",
    headers: dict[str, str] | None = None,
    files: tuple[tuple[str, bytes], ...] = (),
    message_id: str | None = None,
) -> bytes:
    """A plain-text message with its files (PNG if the name says so, else octet-stream)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate()
    message["Message-ID"] = message_id or make_msgid(domain="example.vn")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    for name, data in files:
        kind = ("image", "png") if name.endswith(".png") else ("application", "octet-stream")
        message.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=name)
    return message.as_bytes()


def bounce(to: str) -> bytes:
    """A delivery-status report, as a mail server sends one back."""
    return f"""\
From: MAILER-DAEMON@mail.example.vn
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-ID: {make_msgid(domain="mail.example.vn")}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="report"

--report
Content-Type: text/plain; charset=us-ascii

This is the mail system. Your message could not be delivered.
--report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.vn

Final-Recipient: rfc822; x@example.vn
Action: failed
Status: 5.1.1

--report--
""".replace("\n", "\r\n").encode()


def reply_address_in_mail(db, user, ticket: Ticket) -> str:
    """The Reply-To of the latest mail to `user` about `ticket`, from its outbox row."""
    rows = db.session.scalars(
        select(Outbox).where(Outbox.user_id == user.id).order_by(Outbox.id.desc())
    )
    for row in rows:
        if row.context.get("number") == ticket.number and row.context.get("reply_to"):
            return row.context["reply_to"]
    raise AssertionError(f"no mail to user {user.id} about {ticket.number}")


def messages_of(db, ticket: Ticket) -> list[Message]:
    db.session.expire_all()
    query = select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id)
    return list(db.session.scalars(query))


def last_outbox_id(db) -> int:
    return db.session.scalar(select(func.max(Outbox.id))) or 0


def mail_since(db, outbox_id: int) -> list[tuple[str, str]]:
    """The outbox rows written past `outbox_id`: (template, address)."""
    query = select(Outbox.template, Outbox.to).where(Outbox.id > outbox_id).order_by(Outbox.id)
    return [tuple(row) for row in db.session.execute(query)]


def recorded(db) -> list[tuple[str, str]]:
    """Every inbound message recorded: (outcome, reason), oldest first."""
    query = select(InboundMail.outcome, InboundMail.reason).order_by(InboundMail.id)
    return [tuple(row) for row in db.session.execute(query)]
