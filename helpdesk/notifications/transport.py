"""Mail transport: SMTP through Flask-Mail (one connection per batch), or .eml files."""

from __future__ import annotations

import email.policy
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email.header import Header
from pathlib import Path

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


# Headers as composed, lines ended by CRLF for SMTP. Flask-Mail's policy.SMTP re-parses and
# re-folds every header when a message is flattened, which costs more than rendering,
# sending and recording it together, and can glue an encoded word to the text before it.
FLATTENING = email.policy.compat32.clone(linesep="\r\n")


class Message(flask_mail.Message):
    """Flask-Mail's message, flattened with FLATTENING; a non-ASCII subject is one RFC 2047
    header that every reader decodes to the same text."""

    def as_bytes(self) -> bytes:
        message = self._message()
        message.policy = FLATTENING
        if not self.subject.isascii():
            del message["Subject"]
            message["Subject"] = Header(self.subject, "utf-8", header_name="Subject")
        return message.as_bytes()


class Connection(flask_mail.Connection):
    """Flask-Mail's connection with a socket timeout (Flask-Mail's own waits forever)."""

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
