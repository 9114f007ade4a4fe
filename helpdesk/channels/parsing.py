"""An inbound message as the desk reads it: who sent it, to which addresses, its new text, its
files, and whether it is automatic mail that must never be taken in or answered."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from helpdesk.storage import Upload

# Headers that name where a message was delivered, beside To and Cc (servers add them).
DELIVERY_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")


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


def parse(raw: bytes) -> Inbound:
    """Read a message as received (RFC 5322 bytes); never raises on a malformed one."""
    message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
    message_id = header(message, "message-id").strip()
    key_source = message_id.encode() if message_id else raw
    return Inbound(
        message_id=message_id,
        key=hashlib.sha256(key_source).hexdigest(),
        sender=parseaddr(header(message, "from"))[1].lower(),
        recipients=recipients(message),
        subject=" ".join(header(message, "subject").split()),
        text=body_text(message),
        files=files(message),
        automatic=automatic(message),
        size=len(raw),
    )


def header(message: EmailMessage, name: str) -> str:
    """A header's decoded value, "" when absent or undecodable."""
    try:
        return str(message.get(name, "") or "")
    except (ValueError, TypeError, IndexError):
        return ""


def recipients(message: EmailMessage) -> tuple[str, ...]:
    values = [value for name in DELIVERY_HEADERS for value in message.get_all(name, [])]
    found = []
    for _, address in getaddresses([str(value) for value in values]):
        address = address.strip().lower()
        if address and address not in found:
            found.append(address)
    return tuple(found)


def automatic(message: EmailMessage) -> str:
    """Why a message is automatic (an auto-reply, a bounce, a list's), "" when a person wrote it."""
    if message.get_content_type() == "multipart/report" or message.get_content_type() in (
        "message/delivery-status",
    ):
        return "bounce"
    if header(message, "return-path").strip() == "<>":
        return "bounce"
    submitted = header(message, "auto-submitted").strip().lower()
    if submitted and submitted != "no":
        return "auto_reply"
    if header(message, "x-autoreply") or header(message, "x-autorespond"):
        return "auto_reply"
    precedence = header(message, "precedence").strip().lower()
    if precedence in ("auto_reply", "bulk", "junk", "list"):
        return "auto_reply" if precedence == "auto_reply" else "list"
    return ""


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    try:
        return str(part.get_content()).strip()
    except (LookupError, ValueError):
        return ""


def files(message: EmailMessage) -> tuple[Upload, ...]:
    found = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        if isinstance(data, bytes):
            found.append(Upload(part.get_filename() or "file", data))
    return tuple(found)
