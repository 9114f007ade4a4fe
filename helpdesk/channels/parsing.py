"""An inbound message as the desk reads it: who sent it, to which addresses, its new text, its
files, and whether it is automatic mail that must never be taken in or answered.

No Flask, no database: the standard library, nh3 and mail-parser-reply (storage only for its
Upload); never raises on a malformed message. headers.py reads the headers, mime.py the parts,
html_text.py the HTML, quoting.py the new text of a reply."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses

from helpdesk import text as rules
from helpdesk.channels import headers, mime, quoting
from helpdesk.storage import Upload

# Headers that name where a message was delivered, beside To and Cc (servers add them).
DELIVERY_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")
# Subjects of out-of-office replies sent without Auto-Submitted (Outlook, Exchange, Notes).
AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto|autoreply|auto-reply|out of (?:the )?office|"
    r"trả lời tự động)\s*:|^\s*out of (?:the )?office\b",
    re.IGNORECASE,
)
# A subject naming a forward: its quoted part is the substance, kept whole.
FORWARD_SUBJECT = re.compile(r"^\s*fwd?\s*:", re.IGNORECASE)
BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")


@dataclass(frozen=True)
class Inbound:
    message_id: str  # as in the header ("" when it has none)
    key: str  # sha256 of the Message-ID, of the whole message when it has none
    sender: str  # the From address, lower-case ("" when none)
    recipients: tuple[str, ...]  # every address it was delivered to, lower-case
    subject: str
    text: str  # the new text: quoted history and signature removed, HTML made text
    files: tuple[Upload, ...]
    automatic: str  # "" or why it is automatic mail: "auto_reply", "bounce", "list"
    size: int  # bytes as received
    in_reply_to: tuple[str, ...] = ()  # the Message-IDs it answers, "<...>"
    references: tuple[str, ...] = ()  # the Message-IDs of its thread, oldest first


def parse(raw: bytes) -> Inbound:
    """Read a message as received (RFC 5322 bytes); never raises on a malformed one."""
    raw = bytes(raw)
    message = read_message(raw)
    message_id = " ".join(headers.value(message, "message-id").split())
    subject = " ".join(headers.value(message, "subject").split())
    return Inbound(
        message_id=message_id,
        key=hashlib.sha256(message_id.encode() if message_id else raw).hexdigest(),
        sender=sender(message),
        recipients=recipients(message),
        subject=subject,
        text=text(message, subject),
        files=mime.files(message),
        automatic=automatic(message, subject),
        size=len(raw),
        in_reply_to=headers.message_ids(" ".join(headers.values(message, "in-reply-to"))),
        references=headers.message_ids(" ".join(headers.values(message, "references"))),
    )


def read_message(raw: bytes) -> Message:
    """The message's tree of parts. The standard library's parser recurses once per nested
    multipart: a message nesting them past Python's recursion limit (no mail client does; a
    hostile sender may) is read by its headers alone."""
    try:
        return BytesParser(policy=policy.compat32).parsebytes(raw)
    except RecursionError:
        return BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)


def text(message: Message, subject: str) -> str:
    """The new text; a forward's whole text (what it forwards is what the sender means)."""
    if FORWARD_SUBJECT.match(subject):
        found = quoting.tidy(mime.body(message, cut_quote=False))
    else:
        found = quoting.new_text(mime.body(message))
    return quoting.tidy(rules.FORBIDDEN.sub("", found))


def sender(message: Message) -> str:
    """The From address, read from the header as sent (a display name decoded could pass for
    another address); "" when it names none, or several."""
    found = [address(value) for _, value in getaddresses(headers.raw_values(message, "from"))]
    found = [value for value in found if value]
    return found[0] if len(found) == 1 else ""


def recipients(message: Message) -> tuple[str, ...]:
    found: list[str] = []
    for name in DELIVERY_HEADERS:
        for _, value in getaddresses(headers.raw_values(message, name)):
            if (found_address := address(value)) and found_address not in found:
                found.append(found_address)
    return tuple(found)


def address(value: str) -> str:
    """An address as the desk compares them: lower-case, no spaces or angle brackets; "" for
    what is no address (spaces, an encoded word, no @)."""
    value = value.strip().strip("<>").strip().lower()
    if any(c.isspace() for c in value) or "=?" in value or "@" not in value:
        return ""
    return value


def automatic(message: Message, subject: str) -> str:
    """Why a message is automatic (an auto-reply, a bounce, a list's), "" when a person wrote
    it. X-Auto-Response-Suppress is not a sign: Outlook sets it on mail people write."""
    content_type = message.get_content_type()
    if content_type == "multipart/report":
        report = mime.param(message, "report-type").lower()
        return "auto_reply" if report == "disposition-notification" else "bounce"
    if content_type == "message/delivery-status" or is_from_mailer(message):
        return "bounce"
    if headers.value(message, "return-path").strip() == "<>":
        return "bounce"
    submitted = headers.value(message, "auto-submitted").strip().lower()
    if submitted and submitted != "no":
        return "auto_reply"
    if headers.values(message, "x-autoreply") or headers.values(message, "x-autorespond"):
        return "auto_reply"
    precedence = headers.value(message, "precedence").strip().lower()
    if precedence == "auto_reply" or AUTO_REPLY_SUBJECT.match(subject):
        return "auto_reply"
    if precedence in ("bulk", "junk", "list"):
        return "list"
    if headers.values(message, "list-id") or headers.values(message, "list-unsubscribe"):
        return "list"
    return ""


def is_from_mailer(message: Message) -> bool:
    return sender(message).startswith(BOUNCE_SENDERS)
