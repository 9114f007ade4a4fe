"""The new text of a reply (helpdesk/channels/quoting.py) and HTML made text
(helpdesk/channels/html_text.py): the clients' reply headers and signatures, in Vietnamese and
English, and what people write that must not be taken for either. Pure."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpdesk.channels import html_text, quoting

NEW = "Đã nhận, cảm ơn anh."


@pytest.mark.parametrize(
    "history",
    [
        # Gmail (Vietnamese), in one line and wrapped where Gmail wraps it
        "Vào Th 2, 7 thg 12, 2026 vào lúc 10:15 Hỗ trợ TTHC <hotro@example.gov.vn> đã viết:",
        "Vào Th 2, 7 thg 12, 2026 vào lúc 10:15 Hỗ trợ TTHC <hotro@example.gov.vn>\nđã viết:",
        "Vào Th 2, 7 thg 12, 2026 vào lúc 10:15 Hỗ trợ TTHC\n<hotro@example.gov.vn> đã viết:",
        "Vào Th 2, 7 thg 12, 2026 vào lúc 10:15 Hỗ trợ TTHC <hotro@example.gov.vn> đã\nviết:",
        # Thunderbird and iOS (Vietnamese)
        "Vào 07/12/2026 10:15, Hỗ trợ TTHC đã viết:",
        "Vào lúc 10:15, 7 thg 12, 2026, Hỗ trợ TTHC <hotro@example.gov.vn> đã viết:",
        # English clients
        "On 07/12/2026 10:15, Hỗ trợ TTHC wrote:",
        "On Mon, Dec 7, 2026 at 10:15\u202fAM Hỗ trợ TTHC <hotro@example.gov.vn>\nwrote:",
        "On 7 Dec 2026, at 10:15, Hỗ trợ TTHC <hotro@example.gov.vn> wrote:",
        # Outlook's header blocks and separators
        "From: Hỗ trợ TTHC <hotro@example.gov.vn>\nSent: Monday, December 7, 2026 10:15 AM\n"
        "To: a@example.gov.vn\nSubject: RE: [HT-2026-000123] x",
        "________________________________\nFrom: Hỗ trợ TTHC\nSent: Monday\nTo: a\nSubject: x",
        "Từ: Hỗ trợ TTHC <hotro@example.gov.vn>\nĐã gửi: Thứ Hai, 7 tháng 12, 2026 10:15 SA\n"
        "Đến: a@example.gov.vn\nChủ đề: [HT-2026-000123] x",
        "Từ: Hỗ trợ TTHC\nGửi: Thứ Hai\nTới: a\nTiêu đề: x",
        "*Từ:* Hỗ trợ TTHC\n*Ngày:* 7/12/2026\n*Chủ đề:* [HT-2026-000123] x",
        "-----Original Message-----\nFrom: Hỗ trợ TTHC\nSent: Monday",
        "-----Thư gốc-----\nTừ: Hỗ trợ TTHC",
        "----- Original Message -----",
        # a quote with no header the reader knows, introduced in another language
        "Le lun. 7 déc. 2026 à 10:15, Hỗ trợ TTHC <hotro@example.gov.vn> a écrit :",
    ],
)
def test_the_quoted_history_is_cut_at_its_header(history):
    body = f"{NEW}\n\n{history}\n\n> Yêu cầu HT-2026-000123 của bạn đã được cập nhật.\n>\n"
    assert quoting.new_text(body) == NEW


@pytest.mark.parametrize(
    "signature",
    [
        "Trân trọng,\nNguyễn Văn A\nUBND xã Tân Phú",
        "Trân trọng cảm ơn!\nNguyễn Văn A",
        "Kính thư,\nNguyễn Văn A",
        "-- \nNguyễn Văn A\nĐT: 0251 3822 123",
        "Gửi từ iPhone của tôi",
        "Được gửi từ điện thoại Samsung Galaxy",
        "Best regards,\nJohn",
        "Regards\nJohn",
        "Thanks,\nJohn",
        "Sent from my iPhone",
        "Get Outlook for iOS",
    ],
)
def test_the_signature_is_cut(signature):
    assert quoting.new_text(f"{NEW}\n\n{signature}\n") == NEW


@pytest.mark.parametrize(
    "body",
    [
        # a line that merely starts like a closing, first or not
        "Thanks, the account works now.",
        "Hello,\nThanks, it works for the first account.\nThe second still fails.",
        "Trân trọng cảm ơn anh đã hướng dẫn, nhưng hệ thống vẫn báo lỗi.",
        # a list, which the library takes for a signature
        "Các bước đã làm:\n- đăng nhập lại\n- xóa bộ nhớ đệm\nvẫn lỗi.",
        # "Warning:" with "mail" in it, which the library takes for a disclaimer
        "Warning: the mail server rejected my message yesterday.\nPlease help.",
        # a form-like text with labels Outlook also uses
        "Mã hồ sơ: 000.00.12.H29-261207-0001\nNgày: 07/12/2026\nĐến: Sở Tư pháp",
        "Tạm dừng dịch vụ:\nTừ: 01/12/2026\nĐến: 05/12/2026\nXin hỗ trợ.",
        # a sentence with "Vào ... đã viết" inside a line
        "Vào hôm qua tôi đã viết: thư cho phòng tài chính, chưa có trả lời.",
    ],
)
def test_what_people_write_is_kept(body):
    assert quoting.new_text(body) == body


def test_an_interleaved_reply_keeps_the_answers():
    body = "Trả lời từng ý:\n> Anh đã thử lại chưa?\nĐã thử.\n> Lỗi gì?\nKhông tìm thấy hồ sơ."
    assert quoting.new_text(body) == "Trả lời từng ý:\nĐã thử.\nKhông tìm thấy hồ sơ."


def test_decomposed_vietnamese_is_composed_and_its_header_found():
    body = "Dạ đã xong.\n\nVào 07/12/2026 10:15, Hỗ trợ TTHC đã viết:\n> Yêu cầu"
    assert quoting.new_text(unicodedata.normalize("NFD", body)) == "Dạ đã xong."


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", ""),
        (" \n\n \r\n", ""),
        # all quote: the text before the first header is nothing, so the whole text
        ("On 07/12/2026 10:15, A wrote:\n> hỏi", "On 07/12/2026 10:15, A wrote:\n> hỏi"),
        ("> hỏi\n> đáp", "> hỏi\n> đáp"),
        # all signature: what was written, the signature with it
        ("-- \nNguyễn Văn A", "--\nNguyễn Văn A"),
    ],
)
def test_only_an_empty_body_gives_no_text(body, expected):
    assert quoting.new_text(body) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=500))
def test_new_text_is_empty_only_for_an_empty_body(body):
    assert (quoting.new_text(body) == "") == (body.strip() == "")


# --- HTML --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<div>một</div><div>hai</div>", "một\nhai"),
        ("<div>một</div><div><br></div><div>hai</div>", "một\n\nhai"),
        ('<p class="MsoNormal">một<o:p></o:p></p><p>&nbsp;</p><p>hai</p>', "một\n\nhai"),
        ("một<br>hai<br/>ba", "một\nhai\nba"),
        ("<ul><li>một</li><li>hai</li></ul>", "- một\n- hai"),
        ("<table><tr><td>Mã</td><td>123</td></tr></table>", "Mã 123"),
        ("<pre>dòng 1\ndòng 2</pre>", "dòng 1\ndòng 2"),
        ("<p>a &lt; b &amp;&amp; c &gt; d &quot;e&quot; &#7871;</p>", 'a < b && c > d "e" ế'),
        ("<p>chữ\n   xuống   dòng</p>", "chữ xuống dòng"),
        ("<b>đậm</b> và <a href='https://x'>liên kết</a>", "đậm và liên kết"),
        ("<script>alert('x')</script><style>p{color:red}</style>chữ", "chữ"),
        ("<head><title>Tiêu đề</title></head><body>chữ</body>", "chữ"),
        ("<!-- chú thích -->chữ<!--[if gte mso 9]><xml>x</xml><![endif]-->", "chữ"),
        ('<img src="x" onerror="alert(1)">chữ<iframe src="y">khung</iframe>', "chữ"),
        ("<svg><text>vẽ</text></svg><textarea>ô</textarea>chữ", "chữ"),
        ("<DIV>HOA<BR>thường</DIV>", "HOA\nthường"),
    ],
)
def test_html_becomes_text(markup, expected):
    assert html_text.to_text(markup) == expected


@pytest.mark.parametrize(
    "quote",
    [
        '<div class="gmail_quote gmail_quote_container"><div class="gmail_attr">On x wrote:</div>',
        '<div class="gmail_quote">',
        "<div class=gmail_quote>",
        '<div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> x',
        '<div id="divRplyFwdMsg" dir="ltr"><b>Từ:</b> x',
        "<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>"
        "<p><b>From:</b> x</p></div>",
        '<div class="moz-cite-prefix">On 07/12/2026 10:15, x wrote:<br></div>',
        '<blockquote type="cite">',
        '<div class="yahoo_quoted">',
    ],
)
def test_html_is_cut_at_the_quoted_history(quote):
    markup = f"<div>{NEW}</div>{quote}<div>Yêu cầu HT-2026-000123 của bạn</div></div>"
    assert html_text.to_text(markup) == NEW
    assert "Yêu cầu HT-2026-000123" in html_text.to_text(markup, cut_quote=False)


def test_html_that_is_all_quote_keeps_its_text():
    markup = '<div class="gmail_quote">Yêu cầu HT-2026-000123</div>'
    assert html_text.to_text(markup) == "Yêu cầu HT-2026-000123"


def test_a_border_that_is_not_a_top_border_does_not_cut():
    markup = '<div style="border:1px solid #ccc">Bảng</div><div>tiếp</div>'
    assert html_text.to_text(markup) == "Bảng\ntiếp"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=500))
def test_no_markup_survives(markup):
    assume("&" not in markup)  # an escaped "&lt;b&gt;" is text, and stays
    found = html_text.to_text(f"<b>{markup}</b><script>alert('{markup}')</script>")
    assert not re.search(r"<[a-zA-Z/!?]", found)
    assert "alert(" not in found


@pytest.mark.parametrize("quote", ["", "> ", ">> "])
def test_a_reply_ends_at_the_desks_reply_above_line(quote):
    # A client whose quote header the reader does not know still stops at the desk's line.
    body = (
        f"{NEW}\n\nLe lun. 7 déc. 2026 à 10:15, Hỗ trợ TTHC a écrit :\n"
        f"{quote}##- Vui lòng viết trả lời phía trên dòng này -##\n"
        f"{quote}\n{quote}Yêu cầu HT-2026-000123: Tiền lệ phí chưa về tài khoản\n"
    )
    assert quoting.new_text(body) == NEW


def test_a_body_that_starts_with_the_line_is_kept_whole():
    body = "##- Please type your reply above this line -##\nYêu cầu HT-2026-000123"
    assert quoting.new_text(body) == body


def test_the_reader_never_gets_a_huge_line_nor_a_huge_text(monkeypatch):
    # The reader's patterns take time growing with the square of a line's length (a 40 000-
    # character line held it half a minute): what it is given is cut to short lines.
    given = []
    reading = quoting.Reading

    def recording(*, text, **options):
        given.append(text)
        return reading(text=text, **options)

    monkeypatch.setattr(quoting, "Reading", recording)
    body = ("On Monday " + "x" * 60 + " ") * 1400 + "\nwrote:\n> quoted"
    assert quoting.new_text(body)
    (text,) = given
    assert len(text) <= quoting.READ_LIMIT
    assert max(len(line) for line in text.split("\n")) <= quoting.LINE_LIMIT


def test_a_long_line_is_broken_at_a_space_and_nothing_is_lost():
    line = " ".join(["Tiền lệ phí chưa về tài khoản thụ hưởng"] * 60)
    broken = quoting.short_lines(line)
    assert max(len(part) for part in broken.split("\n")) <= quoting.LINE_LIMIT
    assert broken.replace("\n", " ") == line
