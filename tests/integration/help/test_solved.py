""" "Solved, no need to send" (POST /help/<slug>/solved from the filing form's suggestions):
one deflection per account, article and day, with the codes that exist; no ticket, ever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from integration.help.suggestion_helpers import add_article
from sqlalchemy import func, select
from support import csrf_token

from helpdesk.help import deflections
from helpdesk.help.models import ArticleStatus, Deflection, Readers
from helpdesk.tickets.models import Ticket
from helpdesk.timeutil import utcnow

CHOSEN = {"system": "moj", "category": "payment", "province": "75"}
THANKS = "Cảm ơn bạn. Yêu cầu không được gửi vì bài hướng dẫn đã giải quyết được vấn đề."


@pytest.fixture
def article(db):
    return add_article(
        db,
        "Tiền phí chưa về tài khoản thụ hưởng",
        systems=("moj",),
        categories=("payment",),
        slug="tai-khoan-thu-huong",
    )


def solved(reader, slug: str = "tai-khoan-thu-huong", data: dict | None = None):
    """Press the button as the filing form's script does: the form page's CSRF token."""
    token = csrf_token(reader.get("/tickets/new").get_data(as_text=True))
    return reader.post(f"/help/{slug}/solved", data={**(data or CHOSEN), "csrf_token": token})


def counts(db) -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Deflection)),
        db.session.scalar(select(func.count()).select_from(Ticket)),
    )


def test_solved_records_one_deflection_files_nothing_and_thanks_on_the_home_page(
    db, browser, make_user, article
):
    requester = make_user("requester", province_code="75")
    reader = browser(requester, "vi")

    response = solved(reader)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert THANKS in reader.get("/").get_data(as_text=True)
    assert counts(db) == (1, 0)
    deflection = db.session.scalar(select(Deflection))
    assert (deflection.article_id, deflection.user_id) == (article.id, requester.id)
    assert (deflection.system_code, deflection.category_code, deflection.province_code) == (
        "moj",
        "payment",
        "75",
    )


def test_a_second_click_the_same_day_thanks_again_and_records_nothing(
    db, browser, make_user, article
):
    reader = browser(make_user("requester"), "vi")

    assert solved(reader).status_code == 302
    second = solved(reader)

    assert second.status_code == 302
    assert THANKS in reader.get("/").get_data(as_text=True)
    assert counts(db) == (1, 0)


def test_another_account_or_another_day_counts_again(db, browser, make_user, article):
    first, other = make_user("requester"), make_user("requester")
    solved(browser(first))
    solved(browser(other))
    assert counts(db) == (2, 0)

    tomorrow = utcnow() + timedelta(days=1)
    assert deflections.record(
        first,
        article,
        system="moj",
        category=None,
        province=None,
        timezone="Asia/Ho_Chi_Minh",
        now=tomorrow,
    )
    assert counts(db) == (3, 0)


def test_unknown_codes_are_kept_as_none_not_refused(db, browser, make_user, article):
    reader = browser(make_user("requester"))

    response = solved(reader, data={"system": "nope", "category": "", "province": "x" * 300})

    assert response.status_code == 302
    deflection = db.session.scalar(select(Deflection))
    assert (deflection.system_code, deflection.category_code, deflection.province_code) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize("kind", ["unknown", "draft"])
def test_an_article_that_does_not_exist_or_is_a_draft_is_not_found(db, browser, make_user, kind):
    add_article(db, "Bản nháp", status=ArticleStatus.DRAFT, slug="ban-nhap")
    slug = {"unknown": "khong-co", "draft": "ban-nhap"}[kind]

    for role in ("requester", "agent"):
        assert solved(browser(make_user(role)), slug).status_code == 404
    assert counts(db) == (0, 0)


def test_an_article_for_signed_in_readers_counts_for_a_signed_in_official(db, browser, make_user):
    add_article(db, "Chỉ cán bộ", readers=Readers.SIGNED_IN, slug="chi-can-bo")

    assert solved(browser(make_user("requester")), "chi-can-bo").status_code == 302
    assert counts(db) == (1, 0)


def test_a_visitor_is_sent_to_log_in_and_nothing_is_counted(db, client, article):
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/help/tai-khoan-thu-huong/solved", data={**CHOSEN, "csrf_token": token})

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert counts(db) == (0, 0)


def test_without_the_form_token_nothing_is_counted(db, browser, make_user, article):
    reader = browser(make_user("requester"))

    response = reader.post("/help/tai-khoan-thu-huong/solved", data=CHOSEN)

    assert response.status_code == 400
    assert counts(db) == (0, 0)


def test_the_filing_form_carries_the_panel_for_the_script(browser, make_user):
    html = browser(make_user("requester"), "vi").get("/tickets/new").get_data(as_text=True)

    assert 'id="filing-suggestions"' in html
    assert 'data-url="/api/v1/suggestions"' in html
    assert 'data-solved-url="/help/__slug__/solved"' in html
    assert "Đã giải quyết được, không cần gửi" in html
    assert 'aria-live="polite"' in html
    assert "js/suggestions.js" in html
    # The panel is no form of its own: the filing form stays the only one around its fields.
    panel = html.split('id="filing-suggestions"')[1].split("</aside>")[0]
    assert "<form" not in panel
