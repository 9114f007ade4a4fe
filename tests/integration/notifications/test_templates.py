"""Every mail template (whoever wrote it) renders in Vietnamese and English, as text and HTML,
with a one-line subject; ticket mails are numbered in their subject; no mail shows a CCCD."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import meta

from helpdesk.notifications import rendering

FOLDER = Path(__file__).resolve().parents[3] / "helpdesk" / "templates" / "email"
TEMPLATES = sorted(path.stem for path in FOLDER.glob("*.txt") if not path.name.startswith("_"))
TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")
# The layout's footer, in each language (a phrase the catalogue translates).
FOOTER = {"vi": "Hệ thống hỗ trợ TTHC", "en": "TTHC Support Desk"}

# Values as the services put them into a row's context; a name not listed gets a text value.
SAMPLE = {
    "number": "HT-2026-000123",
    "target_number": "HT-2026-000120",
    "source_number": "HT-2026-000124",
    "subject": "Tiền lệ phí nộp trực tuyến chưa về tài khoản",
    "queue": "Bộ Tư pháp – Trung tâm CNTT",
    "url": "https://hotro.example.vn/tickets/HT-2026-000123",
    "confirm_url": "https://hotro.example.vn/tickets/HT-2026-000123#requester-actions",
    "reopen_url": "https://hotro.example.vn/tickets/HT-2026-000123#reopen-form",
    "rate_url": "https://hotro.example.vn/tickets/HT-2026-000123#requester-actions",
    "first_response_due": "02/03/2026 09:00",
    "resolution_due": "03/03/2026 17:00",
    "due": "02/03/2026 09:00",
    "status": "resolved",
    "old": "open",
    "new": "resolved",
    "priority": 3,
    "body": "Đề nghị anh/chị kiểm tra lại tài khoản thụ hưởng.",
    "author": "Cán bộ xử lý",
    "assignee": "Cán bộ xử lý",
    "answered": False,
    "clock": "first_response",
    "province": "01",
    "full_name": "Nguyễn Thị Hoa",
    "username": "********3456@ht.com",
    "valid_days": 7,
    "valid_hours": 24,
    "valid_minutes": 60,
    "reason": "Thông tin đơn vị chưa đúng.",
    "count": 2,
    "more": 1,
    # The digest's figures (helpdesk/reports/digests/mailing.py, digest_context).
    "period": "week",
    "first_day": "30/11/2026",
    "last_day": "06/12/2026",
    "month": "2026-11",
    "figures": [
        {"name": "filed", "value": 12, "before": 10, "change": 2},
        {"name": "first_response_percent", "value": 91.7, "before": 95.0, "change": -3.3},
        {"name": "resolution_percent", "value": None, "before": 80.0, "change": None},
        {"name": "backlog", "value": 40, "before": 40, "change": 0},
    ],
    "queues": [
        {"name": "Bộ Tư pháp – FPT", "filed": 12, "resolved": 8, "on_time": 75.0, "breached": 3}
    ],
    "provinces": [],
    "registrations": [
        {
            "full_name": "Lê Văn An",
            "unit": "UBND phường Bến Nghé",
            "province": "TP. Hồ Chí Minh",
            "since": "09:15 02/03/2026",
        },
    ],
}


def sample_context(app, template: str) -> dict:
    """SAMPLE, plus a text for any other name the template (or its layout) reads."""
    env = app.jinja_env
    names: set[str] = set()
    for name in (f"email/{template}.txt", f"email/{template}.html"):
        source = env.loader.get_source(env, name)[0]
        names |= meta.find_undeclared_variables(env.parse(source))
    unknown = names - set(SAMPLE) - set(env.globals) - {"language"}
    return {**SAMPLE, **{name: f"{name} mẫu" for name in unknown}}


@pytest.fixture
def render(app):
    def render_one(template: str, language: str):
        row = SimpleNamespace(
            id=123,
            key=f"sample:{template}",
            template=template,
            to="nguoi-nhan@example.vn",
            language=language,
            context=sample_context(app, template),
            message_id="",
        )
        with app.app_context():
            return rendering.render(row)

    return render_one


def test_every_template_has_a_text_and_an_html_part():
    assert "ticket_filed" in TEMPLATES
    for template in TEMPLATES:
        assert (FOLDER / f"{template}.html").exists(), template


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_renders_in_both_languages(render, template, language):
    message = render(template, language)

    assert message.subject.strip()
    assert "\n" not in message.subject
    assert message.body.strip()
    assert f'lang="{language}"' in message.html
    assert message.extra_headers["Content-Language"] == language
    assert FOOTER[language] in message.body
    assert FOOTER[language] in message.html


@pytest.mark.parametrize("template", [t for t in TEMPLATES if t.startswith("ticket_")])
def test_ticket_mail_subjects_start_with_the_ticket_number(render, template):
    for language in ("vi", "en"):
        assert render(template, language).subject.startswith("[HT-2026-000123] ")


@pytest.mark.parametrize("template", TEMPLATES)
def test_no_mail_shows_a_twelve_digit_number(render, template):
    for language in ("vi", "en"):
        message = render(template, language)
        for part in (message.subject, message.body, message.html):
            assert not TWELVE_DIGITS.search(part), (template, language)


def test_a_ticket_mail_links_to_its_ticket_in_both_parts(render):
    message = render("ticket_reply", "vi")

    for part in (message.body, message.html):
        assert SAMPLE["url"] in part
        assert SAMPLE["body"] in part
