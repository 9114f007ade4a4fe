"""A composed message as mail readers parse it (the email package): two alternative parts, and
with attachments a multipart/mixed message whose files come back byte for byte, their names
(Vietnamese, long) intact."""

from __future__ import annotations

import email
import email.policy
import os

import pytest

from helpdesk.notifications.transport import Attachment, Message

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def message(*attachments: Attachment) -> Message:
    return Message(
        subject="Bản tin tuần 30/11 – 06/12/2026",
        recipients=["quan-sat@example.vn"],
        body="Xin chào,\nsố liệu tuần qua.",
        html="<p>Xin chào,</p><p>số liệu tuần qua.</p>",
        sender="Hỗ trợ TTHC <no-reply@hotro.example.vn>",
        message_id="<outbox-1-abc@hotro.example.vn>",
        attachments=attachments,
    )


def parsed(composed: Message, policy=email.policy.default):
    return email.message_from_bytes(composed.as_bytes(), policy=policy)


def test_a_message_without_attachments_keeps_its_two_alternative_parts():
    mail = parsed(message())

    assert mail.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in mail.iter_parts()] == ["text/plain", "text/html"]
    assert list(mail.iter_attachments()) == []


@pytest.mark.parametrize(
    "filename",
    [
        "Bản tin tuần 2026-11-30.xlsx",
        "digest-2026-11.xlsx",
        # Long: its name goes in numbered RFC 2231 pieces and several RFC 2047 words.
        "Bản tổng hợp số liệu hỗ trợ thủ tục hành chính của tháng mười một năm 2026 (đầy đủ).xlsx",
        "a" * 90 + ".xlsx",
    ],
)
def test_an_attachment_comes_back_byte_identical_with_its_name(filename):
    data = os.urandom(3000) + b"\r\n--=_boundary\r\n" + bytes(range(256))
    composed = message(Attachment(filename, XLSX, data))

    mail = parsed(composed)
    assert mail.get_content_type() == "multipart/mixed"
    text = mail.get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n") == "Xin chào,\nsố liệu tuần qua.\n"
    assert "<p>số liệu tuần qua.</p>" in mail.get_body(("html",)).get_content()
    [attachment] = mail.iter_attachments()
    assert attachment.get_content_type() == XLSX
    assert attachment.get_filename() == filename
    assert attachment.get_content() == data
    assert str(mail["Subject"]) == "Bản tin tuần 30/11 – 06/12/2026"
    # The older API (compat32) reads the same name and bytes.
    legacy_parts = parsed(composed, email.policy.compat32).walk()
    [legacy] = [part for part in legacy_parts if part.get_filename()]
    assert legacy.get_filename() == filename
    assert legacy.get_payload(decode=True) == data
    for line in composed.as_bytes().split(b"\r\n"):
        assert len(line) <= 80, line


def test_two_attachments_follow_the_text_in_their_order():
    first = Attachment("một.xlsx", XLSX, b"PK first")
    second = Attachment("hai.txt", "text/plain; charset=utf-8", "dòng chữ\n".encode())

    mail = parsed(message(first, second))

    kinds = [part.get_content_type() for part in mail.iter_parts()]
    assert kinds == ["multipart/alternative", XLSX, "text/plain"]
    names = [(part.get_filename(), part.get_content()) for part in mail.iter_attachments()]
    assert names == [("một.xlsx", b"PK first"), ("hai.txt", "dòng chữ\n")]
    text = mail.get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n") == "Xin chào,\nsố liệu tuần qua.\n"


def test_a_line_break_in_an_attachment_name_is_a_bad_header():
    assert message(Attachment("a\r\nBcc: x@example.vn", XLSX, b"x")).has_bad_headers()
    assert not message(Attachment("bản tin.xlsx", XLSX, b"x")).has_bad_headers()
