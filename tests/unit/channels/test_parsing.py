"""Reading inbound mail (helpdesk/channels/parsing.py): messages as Thunderbird, Gmail, Outlook
and Apple Mail write them (tests/fixtures/mail), automatic mail, charsets, files, and the
promise never to raise. Pure: no app, no database."""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from email import policy
from email.parser import BytesParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mail_fixtures import DESK, QUOTED, REPLIES, fixture

from helpdesk import text as text_rules
from helpdesk.channels import parsing
from helpdesk.channels.parsing import Inbound, parse


def read(name: str) -> Inbound:
    return parse(fixture(name))


def message(body: str = "Xin chào", *, headers: str = "", content_type: str = "") -> bytes:
    """A minimal message: the given headers, then a UTF-8 plain body."""
    content_type = content_type or "text/plain; charset=utf-8"
    return (
        "From: Nguyễn Văn A <a@xa.example.gov.vn>\n"
        f"To: {DESK}\n"
        "Subject: Hỏi\n"
        f"{headers}"
        "MIME-Version: 1.0\n"
        f"Content-Type: {content_type}\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        f"{body}"
    ).encode()


# --- the clients' replies: who, to whom, what they typed, without the quoted history ----------


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_a_reply_is_read_as_its_sender_wrote_it(name):
    sender, recipients, subject, typed = REPLIES[name]
    inbound = read(name)
    assert (inbound.sender, inbound.recipients, inbound.subject) == (sender, recipients, subject)
    assert inbound.text == typed
    assert inbound.automatic == ""
    assert inbound.files == ()


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_a_reply_loses_its_quoted_history_and_signature(name):
    new = read(name).text
    assert QUOTED not in new
    for signature in ("Regards", "John Smith", "Trân trọng", "Lê Thị Bình", "Gửi từ iPhone"):
        assert signature not in new


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_a_reply_names_the_mail_it_answers(name):
    inbound = read(name)
    assert len(inbound.in_reply_to) == 1
    assert inbound.in_reply_to[0].startswith("<outbox-")
    assert inbound.in_reply_to[0] == inbound.references[-1]
    assert inbound.message_id.startswith("<") and inbound.message_id.endswith(">")


def test_a_thread_of_references_is_kept_in_order():
    assert read("gmail_reply_vi.eml").references == (
        "<outbox-40-0a1b2c3d@example.gov.vn>",
        "<outbox-44-7f8e9d0c@example.gov.vn>",
    )


def test_html_only_mail_leaves_no_markup_and_no_script():
    inbound = read("outlook_reply.eml")
    assert "<" not in inbound.text and ">" not in inbound.text
    assert "attacker" not in inbound.text and "document.location" not in inbound.text
    assert "margin-top" not in inbound.text  # the <style> block
    assert "From:" not in inbound.text  # Outlook's header block, cut with the history


def only_html(raw: bytes) -> bytes:
    """The same message with its HTML alternative alone, as Outlook often sends it."""
    mail = BytesParser(policy=policy.default).parsebytes(raw)
    html = mail.get_body(preferencelist=("html",))
    del mail["Content-Type"]
    mail["Content-Type"] = html["Content-Type"]
    mail["Content-Transfer-Encoding"] = html["Content-Transfer-Encoding"]
    mail.set_payload(html.get_payload())
    return mail.as_bytes()


@pytest.mark.parametrize("name", ["gmail_reply.eml", "gmail_reply_vi.eml", "outlook_reply_vi.eml"])
def test_the_html_alternative_alone_gives_the_same_new_text(name):
    assert parse(only_html(fixture(name))).text == REPLIES[name][3]


def test_plain_text_is_preferred_to_html():
    raw = fixture("gmail_reply.eml")
    html_only = only_html(raw)
    assert b"text/plain" not in html_only
    assert parse(raw).text == parse(html_only).text  # the same words, the plain part read


def test_a_new_message_loses_its_closing_and_signature():
    inbound = read("with_signature.eml")
    assert inbound.subject == "Không đăng nhập được hệ thống một cửa"
    assert inbound.sender == "cuongpv@hoabinh.example.gov.vn"
    assert inbound.text == (
        "Kính gửi bộ phận hỗ trợ,\n\n"
        "Từ sáng nay đơn vị chúng tôi không đăng nhập được vào Hệ thống thông tin giải quyết "
        "TTHC\ncủa tỉnh. Hệ thống báo: “Tài khoản đã bị khóa”."
    )
    assert "0251 3822 123" not in inbound.text


# --- files --------------------------------------------------------------------------------------


def test_attachments_keep_their_names_and_bytes():
    inbound = read("with_attachment.eml")
    assert inbound.text == "Gửi kèm ảnh chụp màn hình lỗi và tờ khai lệ phí."
    assert [file.filename for file in inbound.files] == [
        "Ảnh chụp màn hình.png",
        "Tờ khai lệ phí.pdf",
    ]
    screenshot, form = inbound.files
    assert screenshot.data.startswith(b"\x89PNG\r\n\x1a\n") and len(screenshot.data) == 73
    assert form.data.startswith(b"%PDF-1.4") and form.data.endswith(b"%%EOF\n")


def test_a_forwarded_message_gives_neither_text_nor_files():
    inbound = read("with_attachment.eml")
    assert "Inner" not in inbound.text
    assert "noi-bo.txt" not in [file.filename for file in inbound.files]
    assert "chuyen-tiep.eml" not in [file.filename for file in inbound.files]


def test_an_unnamed_attached_image_is_kept_with_a_name_of_its_type():
    png = base64.b64encode(fixture_png()).decode()
    raw = message(
        f"--b\nContent-Type: text/plain\n\nXem ảnh.\n--b\nContent-Type: image/png\n"
        f"Content-Transfer-Encoding: base64\n\n{png}\n--b--\n",
        content_type='multipart/mixed; boundary="b"',
    )
    inbound = parse(raw)
    assert [(file.filename, file.data) for file in inbound.files] == [
        ("attachment.png", fixture_png())
    ]
    assert inbound.text == "Xem ảnh."


def fixture_png() -> bytes:
    return read("with_attachment.eml").files[0].data


# --- automatic mail -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [("auto_reply.eml", "auto_reply"), ("bounce.eml", "bounce"), ("list_mail.eml", "list")],
)
def test_automatic_mail_says_why(name, reason):
    assert read(name).automatic == reason


def test_a_bounce_keeps_nothing_of_the_returned_message():
    inbound = read("bounce.eml")
    assert inbound.files == ()
    assert QUOTED not in inbound.text
    assert inbound.sender == "mailer-daemon@mail.example.gov.vn"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: auto-generated\n", "auto_reply"),
        ("Auto-Submitted: no\n", ""),
        ("Precedence: bulk\n", "list"),
        ("Precedence: junk\n", "list"),
        ("Precedence: list\n", "list"),
        ("Precedence: auto_reply\n", "auto_reply"),
        ("X-Autoreply: yes\n", "auto_reply"),
        ("X-Autorespond: Out of office\n", "auto_reply"),
        ("Return-Path: <>\n", "bounce"),
        ("List-Id: <tin.example.gov.vn>\n", "list"),
        ("List-Unsubscribe: <mailto:leave@example.gov.vn>\n", "list"),
        ("X-Auto-Response-Suppress: All\n", ""),  # Outlook sets it on mail people write
        ("X-MS-Exchange-Inbox-Rules-Loop: a@xa.example.gov.vn\n", ""),
    ],
)
def test_automatic_mail_is_told_by_its_headers(headers, reason):
    assert parse(message(headers=headers)).automatic == reason


@pytest.mark.parametrize(
    ("subject", "reason"),
    [
        ("Automatic reply: [HT-2026-000123] Hỏi", "auto_reply"),
        ("Trả lời tự động: [HT-2026-000123] Hỏi", "auto_reply"),
        ("Auto: Hỏi", "auto_reply"),
        ("Out of Office: Hỏi", "auto_reply"),
        ("Out of office until Monday", "auto_reply"),
        ("Re: [HT-2026-000123] Automatic reply: not sent by the portal", ""),
        ("Re: automatic payment did not arrive", ""),
    ],
)
def test_out_of_office_subjects_are_auto_replies(subject, reason):
    raw = message().replace("Subject: Hỏi".encode(), f"Subject: {subject}".encode())
    assert parse(raw).automatic == reason


@pytest.mark.parametrize(
    ("sender", "reason"),
    [
        ("MAILER-DAEMON@mx.example.gov.vn", "bounce"),
        ("postmaster@example.org", "bounce"),
        ("Mail Delivery Subsystem <mailer-daemon@googlemail.com>", "bounce"),
        ("postmaster.vien@example.gov.vn", ""),
    ],
)
def test_mail_from_the_mail_system_is_a_bounce(sender, reason):
    raw = message().replace("Nguyễn Văn A <a@xa.example.gov.vn>".encode(), sender.encode())
    assert parse(raw).automatic == reason


def test_a_read_receipt_is_an_auto_reply():
    raw = message(
        "--r\nContent-Type: text/plain\n\nĐã đọc.\n--r\n"
        "Content-Type: message/disposition-notification\n\nFinal-Recipient: rfc822; a@b\n--r--\n",
        content_type='multipart/report; report-type=disposition-notification; boundary="r"',
    )
    assert parse(raw).automatic == "auto_reply"


# --- headers, recipients, charsets ------------------------------------------------------------


def test_recipients_come_from_every_delivery_header_once_in_order():
    raw = message(
        headers=(
            "Cc: Phòng A <A@Example.gov.vn>, b@example.gov.vn\n"
            "Delivered-To: hotro@example.gov.vn\n"
            "X-Original-To: HoTro+ht-2026-000001.7.abc@example.gov.vn\n"
            "Envelope-To: c@example.gov.vn\n"
        )
    )
    assert parse(raw).recipients == (
        DESK,
        "a@example.gov.vn",
        "b@example.gov.vn",
        "hotro+ht-2026-000001.7.abc@example.gov.vn",
        "c@example.gov.vn",
    )


def test_raw_utf8_headers_are_read():
    raw = message().replace("Subject: Hỏi".encode(), "Subject: Hỏi về lệ phí".encode())
    assert parse(raw).subject == "Hỏi về lệ phí"


@pytest.mark.parametrize(
    ("charset", "encoding", "body", "expected"),
    [
        # Windows writes Vietnamese tones as combining marks: ê then 0xCC (grave) for "ề".
        ("windows-1258", "8bit", b"Ti\xea\xccn ch\xfda v\xea\xcc", "Tiền chưa về"),
        ("utf-8", "base64", base64.b64encode("Tiền chưa về".encode()), "Tiền chưa về"),
        ("utf-8", "quoted-printable", b"Ti=E1=BB=81n ch=C6=B0a v=E1=BB=81", "Tiền chưa về"),
        ("iso-8859-1", "quoted-printable", b"Caf=E9 ouvert", "Café ouvert"),
        ("iso-8859-1", "8bit", "Tiền chưa về".encode(), "Tiền chưa về"),  # UTF-8 mislabelled
        (None, "8bit", "Tiền chưa về".encode(), "Tiền chưa về"),
    ],
)
def test_bodies_are_decoded_by_charset_and_transfer_encoding(charset, encoding, body, expected):
    content_type = f"text/plain; charset={charset}" if charset else "text/plain"
    raw = (
        f"From: a@example.gov.vn\nSubject: x\nContent-Type: {content_type}\n"
        f"Content-Transfer-Encoding: {encoding}\n\n"
    ).encode() + body
    assert parse(raw).text == expected


def test_windows_1258_vietnamese_is_composed():
    # Windows writes the tone as a combining mark: "ạ" is "a" then 0xF2 (dot below).
    raw = message(content_type="text/plain; charset=windows-1258").replace(
        "Xin chào".encode(), b"Da\xf2, \xf0a\xde xong"
    )
    assert parse(raw).text == "Dạ, đã xong"


def test_a_wrong_charset_gives_replacement_characters_not_an_error():
    raw = message(content_type="text/plain; charset=utf-8").replace(
        "Xin chào".encode(), b"Ti\xea\xccn ch\xfda v\xea\xcc"
    )
    assert "\ufffd" in parse(raw).text
    unknown = message(content_type="text/plain; charset=x-no-such-charset")
    assert parse(unknown).text == "Xin chào"


def test_encoded_subjects_are_decoded_and_composed():
    nfd = unicodedata.normalize("NFD", "Bổ sung hồ sơ")
    word = "=?UTF-8?B?" + base64.b64encode(nfd.encode()).decode() + "?="
    raw = message().replace("Subject: Hỏi".encode(), f"Subject: Re: {word}\n  {word}".encode())
    assert parse(raw).subject == "Re: Bổ sung hồ sơBổ sung hồ sơ"
    broken = message().replace("Subject: Hỏi".encode(), b"Subject: =?utf-8?B?###?= x")
    assert parse(broken).subject == "=?utf-8?B?###?= x"


def test_text_holds_no_character_a_field_refuses():
    raw = message("Ti\x00ền\u202e về\x07 đây\n")
    assert parse(raw).text == "Tiền về đây"


def test_an_empty_message_has_empty_text():
    assert parse(message("")).text == ""
    assert parse(message("\n  \n")).text == ""


def test_a_message_that_is_all_quote_keeps_its_text():
    body = "> Yêu cầu của bạn đã được cập nhật.\n> Trân trọng\n"
    assert parse(message(body)).text == body.strip()


def test_a_forward_keeps_what_it_forwards():
    body = (
        "Chuyển bộ phận hỗ trợ xử lý.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Công dân <congdan@example.com>\n"
        "Date: Mon, Dec 7, 2026 at 9:00 AM\n"
        "Subject: Chưa nhận được kết quả\n"
        "To: <xa@example.gov.vn>\n\n"
        "Tôi nộp hồ sơ đã 20 ngày chưa có kết quả.\n"
    )
    raw = message(body).replace("Subject: Hỏi".encode(), "Subject: Fwd: Chưa nhận".encode())
    assert "Tôi nộp hồ sơ đã 20 ngày chưa có kết quả." in parse(raw).text
    assert parse(raw).text.startswith("Chuyển bộ phận hỗ trợ xử lý.")


# --- the key: one per message -------------------------------------------------------------------


def test_without_message_id_the_key_is_the_hash_of_the_bytes():
    raw = message()
    inbound = parse(raw)
    assert inbound.message_id == ""
    assert inbound.key == hashlib.sha256(raw).hexdigest()
    assert parse(raw + b"\n").key != inbound.key


def test_with_message_id_a_resend_has_the_same_key():
    first = message("Lần đầu", headers="Message-ID: <abc.123@xa.example.gov.vn>\n")
    again = b"Received: from relay by mx; Mon, 7 Dec 2026 10:00:00 +0700\n" + message(
        "Lần gửi lại", headers="Message-ID:\n <abc.123@xa.example.gov.vn>\n"
    )
    assert parse(first).message_id == parse(again).message_id == "<abc.123@xa.example.gov.vn>"
    assert parse(first).key == parse(again).key
    assert parse(first).key == hashlib.sha256(b"<abc.123@xa.example.gov.vn>").hexdigest()
    assert parse(first).size == len(first)


# --- never raises -------------------------------------------------------------------------------

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=3000))
def test_parse_never_raises_on_arbitrary_bytes(raw):
    assert_well_formed(parse(raw), raw)


HEADER_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
CHARSETS = st.one_of(
    st.sampled_from(
        ["utf-8", "windows-1258", "iso-8859-1", "idna", "base64", "utf-16", "x-unknown", "zlib"]
    ),
    st.text(max_size=12),
)


@FUZZ
@given(
    body=st.text(max_size=2000),
    subject=HEADER_TEXT,
    sender=HEADER_TEXT,
    charset=CHARSETS,
    encoding=st.sampled_from(["8bit", "base64", "quoted-printable", "x-uuencode", "7bit", "??"]),
    content_type=st.sampled_from(
        ["text/plain", "text/html", "multipart/mixed", "multipart/alternative", "message/rfc822"]
    ),
    filename=HEADER_TEXT,
)
def test_parse_never_raises_on_arbitrary_text_in_minimal_headers(
    body, subject, sender, charset, encoding, content_type, filename
):
    raw = (
        f"From: {sender}\nTo: {DESK}\nSubject: {subject}\nMIME-Version: 1.0\n"
        f'Content-Type: {content_type}; charset="{charset}"; boundary="b"; format=flowed\n'
        f"Content-Transfer-Encoding: {encoding}\n"
        f"Content-Disposition: inline; filename*=utf-8''{filename}\n\n"
        f"--b\nContent-Type: text/html; charset={charset}\n\n{body}\n--b--\n{body}"
    ).encode()
    assert_well_formed(parse(raw), raw)


@pytest.mark.parametrize("depth", [3, 3000])
def test_multiparts_nested_past_the_recursion_limit_are_not_an_error(depth):
    nested = b"".join(
        b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (i, i + 1) for i in range(depth)
    )
    raw = (
        message(content_type="multipart/mixed; boundary=b0").replace("Xin chào".encode(), b"")
        + nested
        + b"--b%d\nContent-Type: text/plain\n\nXin ch\xc3\xa0o\n" % depth
    )
    inbound = parse(raw)
    assert inbound.sender == "a@xa.example.gov.vn"
    assert inbound.text == ("Xin chào" if depth == 3 else "")
    assert inbound.files == ()


def test_a_multipart_without_its_boundary_is_neither_text_nor_file():
    raw = message("--x\nContent-Type: text/plain\n\nchữ\n--x--\n", content_type="multipart/mixed")
    inbound = parse(raw)
    assert (inbound.text, inbound.files) == ("", ())


def assert_well_formed(inbound: Inbound, raw: bytes) -> None:
    assert inbound.size == len(raw)
    assert len(inbound.key) == 64
    for value in (inbound.text, inbound.subject, inbound.sender, *inbound.recipients):
        assert isinstance(value, str)
        assert not text_rules.FORBIDDEN.search(value)
    assert inbound.automatic in ("", "auto_reply", "bounce", "list")
    assert all(file.filename and file.data for file in inbound.files)
    assert "\n" not in inbound.subject


def test_the_fields_other_work_relies_on_stay():
    names = [field for field in Inbound.__dataclass_fields__]
    assert names[:9] == [
        "message_id",
        "key",
        "sender",
        "recipients",
        "subject",
        "text",
        "files",
        "automatic",
        "size",
    ]
    assert parsing.parse.__annotations__["raw"] == "bytes"


def test_a_display_name_never_passes_for_the_senders_address():
    # "victim@x.gov.vn" encoded as the display name; the address mail servers check is another.
    name = base64.b64encode(b"victim@xa.example.gov.vn").decode()
    raw = message(headers="").replace(
        b"From: Nguy\xe1\xbb\x85n V\xc4\x83n A <a@xa.example.gov.vn>",
        f"From: =?utf-8?b?{name}?= <attacker@evil.example>".encode(),
    )
    assert parse(raw).sender == "attacker@evil.example"


def test_a_from_with_several_addresses_names_no_sender():
    raw = message().replace(
        b"From: Nguy\xe1\xbb\x85n V\xc4\x83n A <a@xa.example.gov.vn>",
        b"From: a@xa.example.gov.vn, b@xa.example.gov.vn",
    )
    assert parse(raw).sender == ""


def test_an_encoded_display_name_adds_no_recipient():
    name = base64.b64encode(b"hotro+ht-2026-000123.42.9c1e7a3b5d0f2e4a6c8b@example.gov.vn")
    raw = message().replace(
        f"To: {DESK}".encode(), f"To: =?utf-8?b?{name.decode()}?= <{DESK}>".encode()
    )
    assert parse(raw).recipients == (DESK,)
