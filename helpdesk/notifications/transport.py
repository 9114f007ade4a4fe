"""Mail transport: messages composed here, sent over SMTP (Flask-Mail's settings, one connection
per batch), or written as .eml files."""

from __future__ import annotations

import base64
import functools
import re
import secrets
import smtplib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.header import Header
from email.utils import formatdate
from pathlib import Path
from urllib.parse import quote

import flask_mail
from flask import current_app

# Every SMTP step (connect, each command) gives up after this many seconds. One delivery then
# lasts a few minutes at worst, less than the outbox's claim timeout: a slow server never makes
# a second worker take over a message that is still being sent.
DEFAULT_TIMEOUT = 30


class TemporaryFailure(Exception):
    """Try again later: the server was unreachable, dropped the connection or answered 4xx."""


class PermanentFailure(Exception):
    """Do not try again: the server refused this message or its address (5xx)."""


# A line of a body sent as it is ("8bit") may be this long at most (RFC 5321 4.5.3.1.6); a
# part with a longer line goes base64-encoded.
LONGEST_LINE = 998
HEADER_WIDTH = 78  # where header lines are folded (RFC 5322 2.1.1)
CRLF = b"\r\n"
LINE_END = re.compile(rb"\r\n|\r|\n")
WORD_START = b"=?utf-8?b?"
# What RFC 2231 lets a parameter value carry as it is; the rest is %-encoded UTF-8.
ATTRIBUTE_CHARACTERS = "!#$&+-.^_`|~"
PARAMETER_WIDTH = 60  # a file name's parameter written on one line at most this long
PIECE_WIDTH = 48  # a %-encoded piece: ` filename*12*=utf-8''<piece>;` within HEADER_WIDTH


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: its name as the reader sees it, its type and its bytes."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Message:
    """A mail of two alternative parts, text and HTML, composed by hand; with attachments,
    those two inside a multipart/mixed message, each file a base64 part after them.

    The email package builds a tree of MIME objects and walks it again to flatten it; this
    message has one of two fixed shapes, so it writes its bytes directly (bench/FINDINGS.md,
    "Mail"). A non-ASCII subject or sender name is one RFC 2047 header that every
    reader decodes to the same text; headers are folded at 78. A file's name goes as RFC 2231
    parameters (`filename*`, what the standard says) and as RFC 2047 words in the type's
    `name` (what older readers look at).
    """

    subject: str
    recipients: list[str]
    body: str
    html: str
    sender: str
    extra_headers: dict[str, str] = field(default_factory=dict)
    message_id: str = ""
    date: float | None = None
    attachments: Sequence[Attachment] = ()

    def has_bad_headers(self) -> bool:
        """A line break in a header value: something tries to add headers of its own."""
        values = [self.subject, self.sender, self.message_id, *self.recipients]
        values += [*self.extra_headers, *self.extra_headers.values()]
        values += [text for file in self.attachments for text in (file.filename, file.content_type)]
        return any("\r" in value or "\n" in value for value in values)

    @functools.cached_property
    def addresses(self) -> tuple[str, list[str]]:
        """The sender and the recipients as the envelope and the headers give them."""
        return sanitized(self.sender), flask_mail.sanitize_addresses(self.recipients)

    def as_bytes(self) -> bytes:
        """The message as SMTP carries it: CRLF line ends, headers folded, UTF-8 parts."""
        parts = [part_lines("plain", self.body), part_lines("html", self.html)]
        boundary = fresh_boundary(parts)
        content_type = f'multipart/alternative; boundary="{boundary.decode()}"'
        body = multipart(boundary, parts)
        if self.attachments:
            alternative = [f"Content-Type: {content_type}".encode(), b"", *body]
            parts = [alternative, *(attachment_lines(file) for file in self.attachments)]
            boundary = fresh_boundary(parts)
            content_type = f'multipart/mixed; boundary="{boundary.decode()}"'
            body = multipart(boundary, parts)
        sender, recipients = self.addresses
        headers = {
            "From": sender,
            "To": ", ".join(recipients),
            "Subject": self.subject,
            "Date": formatdate(self.date, localtime=True),
            "Message-ID": self.message_id,
            **self.extra_headers,
            "MIME-Version": "1.0",
            "Content-Type": content_type,
        }
        lines = [header_line(name, value).encode() for name, value in headers.items()]
        return CRLF.join([*lines, b"", *body, b""])


def fresh_boundary(parts: list[list[bytes]]) -> bytes:
    """A boundary that no line of the parts contains."""
    while True:
        boundary = f"=_{secrets.token_hex(12)}".encode()
        if not any(boundary in line for part in parts for line in part):
            return boundary


def multipart(boundary: bytes, parts: list[list[bytes]]) -> list[bytes]:
    """The lines of a multipart body: each part after its delimiter, then the closing one."""
    lines: list[bytes] = []
    for part in parts:
        lines += [b"", b"--" + boundary, *part]
    return [*lines[1:], b"", b"--" + boundary + b"--"]


def attachment_lines(file: Attachment) -> list[bytes]:
    """The header and body lines of a file's part: its name in both forms, base64 lines."""
    if file.filename.isascii() and quotable(file.filename):
        name = f'"{file.filename}"'
    else:
        name = '"' + encoded_words(file.filename, first=HEADER_WIDTH - len(' name=""')) + '"'
    disposition = ";\r\n ".join(["attachment", *rfc2231_parameters("filename", file.filename)])
    headers = [
        f"Content-Type: {file.content_type};\r\n name={name}",
        f"Content-Disposition: {disposition}",
        "Content-Transfer-Encoding: base64",
    ]
    return [
        *(line.encode() for header in headers for line in header.split("\r\n")),
        b"",
        *base64.encodebytes(file.data).splitlines(),
    ]


def quotable(value: str) -> bool:
    """Whether an ASCII value may go as a quoted parameter on one short line as it is."""
    return (
        len(value) <= PARAMETER_WIDTH
        and value.isprintable()
        and not any(character in value for character in '"\\')
    )


def rfc2231_parameters(name: str, value: str) -> list[str]:
    """The parameter `name=value` as one or more RFC 2231 parameters, each on a line of its
    own: quoted when it is short ASCII, else %-encoded UTF-8 in numbered pieces (whole
    characters each) that readers join again."""
    if value.isascii() and quotable(value):
        return [f'{name}="{value}"']
    pieces = [""]
    for character in value:
        encoded = quote(character, safe=ATTRIBUTE_CHARACTERS)
        if len(pieces[-1]) + len(encoded) > PIECE_WIDTH:
            pieces.append("")
        pieces[-1] += encoded
    if len(pieces) == 1:
        return [f"{name}*=utf-8''{pieces[0]}"]
    first, *rest = pieces
    return [f"{name}*0*=utf-8''{first}"] + [
        f"{name}*{index}*={piece}" for index, piece in enumerate(rest, start=1)
    ]


# The sender's address as Flask-Mail writes it (its name RFC 2047-encoded), made once.
sanitized = functools.lru_cache(maxsize=8)(flask_mail.sanitize_address)


def header_line(name: str, value: str) -> str:
    """`Name: value`, folded at HEADER_WIDTH; a non-ASCII value as RFC 2047 encoded words."""
    line = f"{name}: {value}"
    if len(line) <= HEADER_WIDTH and value.isascii():
        return line
    if value.isascii():  # folded at its spaces
        folded = Header(value, "us-ascii", maxlinelen=HEADER_WIDTH, header_name=name)
        return f"{name}: {folded.encode(linesep=CRLF.decode())}"
    return f"{name}: {encoded_words(value, first=HEADER_WIDTH - len(name) - 2)}"


def encoded_words(value: str, *, first: int) -> str:
    """The value as base64 RFC 2047 words of UTF-8, each whole characters and on a line of
    its own (the first `first` columns wide, the others HEADER_WIDTH with their leading space).

    Decoders join adjacent words, so every reader gets the value back, as from the email
    package's Header, which is not used here (bench/FINDINGS.md, "Mail").
    """
    data = value.encode()
    words, start, width = [], 0, first
    while start < len(data):
        room = max((width - len(WORD_START) - 2) // 4 * 3, 6)  # 6: at least one character
        end = min(start + room, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # not inside a character
            end -= 1
        words.append(WORD_START + base64.b64encode(data[start:end]) + b"?=")
        start, width = end, HEADER_WIDTH - 1
    return (CRLF + b" ").join(words).decode("ascii")


def part_lines(subtype: str, text: str) -> list[bytes]:
    """The header and body lines of a UTF-8 text part: the text as it is, or base64 when one
    of its lines is too long for SMTP."""
    lines = LINE_END.split(text.encode())
    encoding = "8bit"
    if max(map(len, lines)) > LONGEST_LINE:
        encoding = "base64"
        lines = base64.encodebytes(text.encode()).splitlines()
    return [
        f'Content-Type: text/{subtype}; charset="utf-8"'.encode(),
        f"Content-Transfer-Encoding: {encoding}".encode(),
        b"",
        *lines,
    ]


class Connection(flask_mail.Connection):
    """Flask-Mail's connection with a socket timeout (Flask-Mail's own waits forever), sending
    our Message."""

    def send(self, message: Message) -> None:  # type: ignore[override]
        """Hand the message to the server (nothing, when sending is suppressed)."""
        if message.has_bad_headers():
            raise flask_mail.BadHeaderError
        if self.host is None:
            return
        sender, recipients = message.addresses
        self.host.sendmail(sender, recipients, message.as_bytes())

    def configure_host(self) -> smtplib.SMTP:
        timeout = current_app.config.get("MAIL_TIMEOUT") or DEFAULT_TIMEOUT
        kind = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = kind(self.mail.server, self.mail.port, timeout=timeout)
        try:
            host.set_debuglevel(int(self.mail.debug))
            if self.mail.use_tls:
                host.starttls()
            if self.mail.username and self.mail.password:
                host.login(self.mail.username, self.mail.password)
        except BaseException:
            host.close()
            raise
        return host

    def close(self) -> None:
        """Say goodbye if the server still listens; close the socket in any case."""
        host, self.host = self.host, None
        if host is None:
            return
        try:
            host.quit()
        except (OSError, smtplib.SMTPException):
            pass  # the server is gone or confused: the socket is closed below all the same
        finally:
            host.close()


class Outlet:
    """Hands messages over, reusing one SMTP connection for all of them (or writes files).

    A server that cannot be reached is not tried again by the same outlet: the rest of the
    batch is deferred at once with the same error, instead of waiting for a timeout each.
    """

    def __init__(self) -> None:
        self.connection: Connection | None = None
        self.unreachable: TemporaryFailure | None = None

    def deliver(self, message: Message, *, file_name: str) -> None:
        """Hand one message over; raises TemporaryFailure or PermanentFailure."""
        if not current_app.config.get("MAIL_SERVER"):
            try:
                write_file(message, file_name)
            except OSError as error:  # a full or read-only disk: try again later
                raise TemporaryFailure(f"{type(error).__name__}: {error}") from error
            return
        connection = self.connect()
        try:
            connection.send(message)
        except (flask_mail.BadHeaderError, smtplib.SMTPNotSupportedError, ValueError) as error:
            # A header with a line break, an address the server cannot take (SMTPUTF8) or
            # cannot be parsed: this message will never go, nothing was sent.
            raise PermanentFailure(f"{type(error).__name__}: {error}") from error
        except smtplib.SMTPRecipientsRefused as error:  # the connection stays usable (RSET)
            codes = sorted({code for code, _ in error.recipients.values()})
            raise failure_for(codes, f"recipient refused: {codes}") from error
        except smtplib.SMTPServerDisconnected as error:
            self.close()
            raise TemporaryFailure(f"disconnected: {error}") from error
        except smtplib.SMTPSenderRefused as error:
            # Our own address refused (relay, authentication): every message would be, and
            # fixing the settings takes longer than a batch. The rest waits for a retry.
            self.unreachable = TemporaryFailure(describe(error))
            raise self.unreachable from error
        except smtplib.SMTPResponseException as error:  # DATA refused (RSET sent)
            raise failure_for([error.smtp_code], describe(error)) from error
        except (OSError, smtplib.SMTPException) as error:  # reset, timed out, protocol error
            self.close()
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from error

    def connect(self) -> Connection:
        if self.unreachable is not None:
            raise self.unreachable
        if self.connection is None:
            connection = Connection(current_app.extensions["mail"])
            try:
                connection.host = None if connection.mail.suppress else connection.configure_host()
            except smtplib.SMTPResponseException as error:  # greeting, STARTTLS or login refused
                self.unreachable = TemporaryFailure(describe(error))
                raise self.unreachable from error
            except (OSError, smtplib.SMTPException) as error:  # refused, timed out, TLS
                self.unreachable = TemporaryFailure(f"{type(error).__name__}: {error}")
                raise self.unreachable from error
            self.connection = connection
        return self.connection

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            connection.close()


@contextmanager
def outlet() -> Iterator[Outlet]:
    """An outlet for a batch of messages; its connection is closed when the batch ends."""
    opened = Outlet()
    try:
        yield opened
    finally:
        opened.close()


def deliver(message: Message, *, file_name: str) -> None:
    """Hand one message over on a connection of its own."""
    with outlet() as one:
        one.deliver(message, file_name=file_name)


def failure_for(codes: list[int], text: str) -> Exception:
    """4xx only: try again later; any 5xx: the server refused for good."""
    temporary = all(400 <= code < 500 for code in codes)
    return (TemporaryFailure if temporary else PermanentFailure)(text)


def describe(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"SMTP {error.smtp_code}: {text}"


def write_file(message: Message, file_name: str) -> None:
    """The embedded default's mailbox: one .eml file per message, written atomically."""
    folder = Path(current_app.config["HELPDESK_OUTBOX_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / file_name
    partial = target.with_suffix(".tmp")
    partial.write_bytes(message.as_bytes())
    partial.replace(target)
