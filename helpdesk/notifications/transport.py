"""Mail transport: SMTP through Flask-Mail, or .eml files under instance/outbox/."""

from __future__ import annotations

import smtplib
from pathlib import Path

from flask import current_app
from flask_mail import Message

from helpdesk.extensions import mail


class TemporaryFailure(Exception):
    """Try again later: the server was unreachable or answered 4xx."""


class PermanentFailure(Exception):
    """Do not try again: the server refused the message or the address (5xx)."""


def deliver(message: Message, *, file_name: str) -> None:
    """Hand one message over; raises TemporaryFailure or PermanentFailure."""
    if not current_app.config.get("MAIL_SERVER"):
        write_file(message, file_name)
        return
    try:
        mail.send(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        raise (TemporaryFailure if all(400 <= c < 500 for c in codes) else PermanentFailure)(
            f"recipient refused: {codes}"
        ) from error
    except smtplib.SMTPResponseException as error:
        kind = TemporaryFailure if 400 <= error.smtp_code < 500 else PermanentFailure
        raise kind(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
    except (OSError, smtplib.SMTPException) as error:  # refused, reset, timed out, disconnected
        raise TemporaryFailure(f"{type(error).__name__}: {error}") from error


def write_file(message: Message, file_name: str) -> None:
    """The embedded default's mailbox: one .eml file per message, written atomically."""
    folder = Path(current_app.config["HELPDESK_OUTBOX_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / file_name
    partial = target.with_suffix(".tmp")
    partial.write_bytes(message.as_bytes())
    partial.replace(target)
