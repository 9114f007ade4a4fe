"""The answer before the ticket, on a phone: choosing the system and the kind of problem and
typing a subject about the beneficiary account shows the matching help article under the
subject without a reload; "Solved, no need to send" lands on the home page with thanks, one
deflection counted and no ticket filed."""

from __future__ import annotations

import re

from e2e.axe import check_accessibility
from e2e.harness import log_in, no_sideways_scroll, snap
from playwright.sync_api import expect

REQUESTER = "079095444555@ht.com"
PASSWORD = "Mat-khau-goi-y-2026"  # noqa: S105 - throwaway
SUBJECT = "Tiền phí chưa về tài khoản thụ hưởng"
TITLE = "Tiền phí, lệ phí chưa về tài khoản thụ hưởng của đơn vị"


def counts(app_python) -> list[str]:
    """Deflections of the article, tickets of the requester."""
    return app_python(
        "from sqlalchemy import func, select\n"
        "from helpdesk.extensions import db\n"
        "from helpdesk.auth.services import find_user\n"
        "from helpdesk.help.models import Article, Deflection\n"
        "from helpdesk.tickets.models import Ticket\n"
        f"user = find_user({REQUESTER!r})\n"
        "article = db.session.scalar(select(Article.id).where(Article.slug == 'thu-huong-e2e'))\n"
        "print(db.session.scalar(select(func.count()).select_from(Deflection)"
        ".where(Deflection.article_id == article, Deflection.user_id == user.id)),"
        " db.session.scalar(select(func.count()).select_from(Ticket)"
        ".where(Ticket.requester_id == user.id)))"
    ).split()


def test_a_requester_on_a_phone_finds_the_answer_and_sends_nothing(
    phone_page, live_server, app_python
):
    page = phone_page
    live_server.run_flask(
        "user", "create", REQUESTER, "--role", "requester", "--password", PASSWORD,
        "--email", "pham.van.goi@example.vn", "--name", "Phạm Văn Gợi", "--province", "75",
        "--unit", "UBND phường Long Bình",
    )  # fmt: skip
    app_python(
        "from helpdesk import text\n"
        "from helpdesk.extensions import db\n"
        "from helpdesk.auth.services import find_user\n"
        "from helpdesk.help.models import Article, ArticleCategory, ArticleSystem\n"
        "from helpdesk.timeutil import utcnow\n"
        f"find_user({REQUESTER!r}).must_change_password = False\n"
        f"title = {TITLE!r}\n"
        "summary = 'Kiểm tra giao dịch, rồi khai báo đúng tài khoản thụ hưởng trên Hệ thống.'\n"
        "article = Article(slug='thu-huong-e2e', title=title, summary=summary, body='',"
        " status='published', readers='signed_in', published_at=utcnow(),"
        " search_text=text.fold(title + ' ' + summary))\n"
        "article.systems = [ArticleSystem(system_code='moj')]\n"
        "article.categories = [ArticleCategory(category_code='payment')]\n"
        "db.session.add(article)\n"
        "db.session.commit()"
    )
    log_in(page, REQUESTER, PASSWORD)

    page.goto("/tickets/new")
    panel = page.locator("#filing-suggestions")
    expect(panel).to_be_hidden()  # nothing to show yet
    page.locator("select[name=system]").select_option("moj")
    page.locator("select[name=category]").select_option("payment")
    page.locator("select[name=province]").select_option("75")
    # The directory's contacts for the chosen system and province, fetched as it was chosen.
    contacts = page.locator("[data-testid=filing-contacts]")
    expect(contacts).to_be_visible()
    expect(contacts.locator('a[href="mailto:cds@moj.gov.vn"]')).to_be_visible()
    subject = page.locator("input[name=subject]")
    subject.press_sequentially(SUBJECT, delay=20)

    link = panel.get_by_role("link", name=TITLE)
    expect(link).to_be_visible()
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("href", re.compile(r"/help/thu-huong-e2e$"))
    # Other tests of the run may have published articles of their own: this one is among them.
    expect(page.locator("#filing-suggestions-status")).to_contain_text(
        re.compile(r"\d+ bài hướng dẫn")
    )
    # On a phone the panel sits under the subject, above the description.
    subject_box = subject.bounding_box()
    panel_box = panel.bounding_box()
    description_box = page.locator("textarea[name=description]").bounding_box()
    assert subject_box["y"] < panel_box["y"] < description_box["y"]
    expect(subject).to_have_value(SUBJECT)  # no reload: what was typed is still there
    no_sideways_scroll(page)
    check_accessibility(page, "the filing form with its suggestions")
    snap(page, "filing-suggestions-phone")

    card = panel.locator(".filing-suggestion").filter(has_text=TITLE)
    card.get_by_role("button", name="Đã giải quyết được, không cần gửi").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("main")).to_contain_text(
        "Cảm ơn bạn. Yêu cầu không được gửi vì bài hướng dẫn đã giải quyết được vấn đề."
    )
    assert counts(app_python) == ["1", "0"]
