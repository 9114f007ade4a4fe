"""The parts of a MIME message the desk keeps: its body as text and its files.

The body: of each multipart/alternative, the plain part (the HTML one made text when the plain
is missing or blank); of the other multiparts, every text part in order; decoded from its
transfer encoding and its charset (a wrong or unknown one read with replacement characters),
format=flowed lines joined. Files: every other leaf part, attached or inline (inline images are
usually screenshots), named by its RFC 2231 or RFC 2047 file name. Messages attached or
forwarded (message/*) are not read: their text and files are not the sender's.

A body is read up to TEXT_LIMIT characters (a message holds at most 20 000; what follows is
quoted history), its HTML parts up to HTML_LIMIT characters in all: the HTML parser's time
grows with the square of the nesting, and a hostile message may nest blocks as deep as its
length allows."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from email.errors import MessageError
from email.message import Message

from helpdesk.channels import headers, html_text
from helpdesk.storage import Upload

BODY_TYPES = ("text/plain", "text/html")
TEXT_LIMIT = 100_000
HTML_LIMIT = 100_000
MAX_DEPTH = 20
# Leaves that are not files a person attached: signatures of the message itself.
NOT_FILES = {
    "application/pgp-signature",
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
}
# What the email package raises on a malformed header parameter (an unknown or odd charset).
MALFORMED = (LookupError, UnicodeError, ValueError, TypeError, IndexError, MessageError)


def body(message: Message, *, cut_quote: bool = True) -> str:
    """The body's text, its parts separated by an empty line; HTML cut before its quoted
    history with `cut_quote`."""
    found = BodyReader(cut_quote).pieces(message)
    return "\n\n".join(piece for piece in found if piece.strip())[:TEXT_LIMIT]


@dataclass
class BodyReader:
    """Reads the body's text parts, with HTML_LIMIT characters of HTML for them all."""

    cut_quote: bool
    html_left: int = HTML_LIMIT

    def pieces(self, part: Message, depth: int = 0) -> list[str]:
        if part.get_content_maintype() == "message":
            return []
        if part.is_multipart():
            children = sub_parts(part, depth)
            if part.get_content_type() == "multipart/alternative":
                return self.alternative(children, depth + 1)
            return [piece for child in children for piece in self.pieces(child, depth + 1)]
        return [self.text(part)] if is_body_text(part) else []

    def alternative(self, children: list[Message], depth: int) -> list[str]:
        """The plain choice when it says something, else the richest (the last) that does."""
        plain = [child for child in children if child.get_content_type() == "text/plain"]
        others = [c for c in reversed(children) if c.get_content_type() != "text/plain"]
        for choice in plain + others:
            found = self.pieces(choice, depth)
            if any(piece.strip() for piece in found):
                return found
        return []

    def text(self, part: Message) -> str:
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            return ""
        text = headers.decode_bytes(data, charset(part))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if part.get_content_type() == "text/html":
            markup, self.html_left = text[: self.html_left], max(self.html_left - len(text), 0)
            return html_text.to_text(markup, cut_quote=self.cut_quote) if markup else ""
        text = text[:TEXT_LIMIT]
        if param(part, "format").lower() == "flowed":
            return unflow(text, delete_space=param(part, "delsp").lower() == "yes")
        return text


def is_body_text(part: Message) -> bool:
    return (
        part.get_content_type() in BODY_TYPES
        and part.get_content_disposition() != "attachment"
        and not filename(part)
    )


def unflow(text: str, *, delete_space: bool) -> str:
    """Plain text sent format=flowed (RFC 3676: Thunderbird, Apple Mail): a line ending in a
    space goes on with the next line of the same quote depth; space-stuffing removed."""
    joined: list[list] = []  # [depth, text, flowed]
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        content = content[1:] if content.startswith(" ") else content
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delete_space:
            content = content[:-1]
        if joined and joined[-1][2] and joined[-1][0] == depth:
            joined[-1][1] += content
            joined[-1][2] = flowed
        else:
            joined.append([depth, content, flowed])
    return "\n".join(">" * depth + (" " if depth else "") + content for depth, content, _ in joined)


def files(message: Message) -> tuple[Upload, ...]:
    """Every file of the message, in order, with its name and its decoded bytes."""
    return tuple(file for part in leaves(message) if (file := as_file(part)) is not None)


def leaves(part: Message, depth: int = 0) -> list[Message]:
    if part.get_content_maintype() == "message":
        return []
    if part.is_multipart():
        return [leaf for child in sub_parts(part, depth) for leaf in leaves(child, depth + 1)]
    return [part]


def sub_parts(part: Message, depth: int) -> list[Message]:
    """A multipart's parts; none below MAX_DEPTH multiparts (mail clients nest three or four)."""
    if depth >= MAX_DEPTH:
        return []
    return [child for child in part.get_payload() if isinstance(child, Message)]


def as_file(part: Message) -> Upload | None:
    """The part as a file, None when it is a body text, an unnamed text (an alternative body,
    a report's headers), a signature, or a multipart whose parts could not be found."""
    content_type = part.get_content_type()
    name = filename(part)
    attached = part.get_content_disposition() == "attachment"
    if content_type in NOT_FILES or part.get_content_maintype() == "multipart":
        return None
    if is_body_text(part):
        return None
    if part.get_content_maintype() == "text" and not name and not attached:
        return None
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes) or not data:
        return None
    return Upload(name or "attachment" + (mimetypes.guess_extension(content_type) or ""), data)


def filename(part: Message) -> str:
    """The part's file name (Content-Disposition's, else Content-Type's), RFC 2231 and RFC 2047
    decoded; "" when none."""
    try:
        name = part.get_filename()
    except MALFORMED:
        return ""
    return headers.readable(name).strip() if isinstance(name, str) else ""


def charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except MALFORMED:
        return None


def param(part: Message, name: str) -> str:
    try:
        value = part.get_param(name)
    except MALFORMED:
        return ""
    return value if isinstance(value, str) else ""
