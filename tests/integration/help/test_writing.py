"""Staff write drafts; admins and editors publish; the slug; editors named on the role page and
by the command line."""

from __future__ import annotations

from sqlalchemy import select
from support import csrf_token, post_form

from helpdesk.auth.models import User
from helpdesk.help.models import Article, ArticleStatus

FORM = {
    "title": "Khai báo tài khoản thụ hưởng",
    "summary": "Tóm tắt",
    "body": "Nội dung **đậm**",
    "title_en": "",
    "summary_en": "",
    "body_en": "",
    "readers": "public",
    "systems": ["moj"],
    "categories": ["payment"],
}


def article_of(db, slug: str) -> Article | None:
    db.session.expire_all()
    return db.session.scalar(select(Article).where(Article.slug == slug))


def post_button(client, page: str, url: str):
    return client.post(
        url, data={"csrf_token": csrf_token(client.get(page).get_data(as_text=True))}
    )


def test_an_agent_writes_a_draft_with_its_slug_and_search_text(db, browser, make_user):
    agent = browser(make_user("agent"))
    response = post_form(agent, "/help/new", FORM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/help/khai-bao-tai-khoan-thu-huong/edit")
    article = article_of(db, "khai-bao-tai-khoan-thu-huong")
    assert article.status == ArticleStatus.DRAFT
    assert [link.system_code for link in article.systems] == ["moj"]
    assert [link.category_code for link in article.categories] == ["payment"]
    assert "khai bao tai khoan thu huong" in article.search_text and "dam" in article.search_text
    edit = agent.get("/help/khai-bao-tai-khoan-thu-huong/edit").get_data(as_text=True)
    assert "<strong>đậm</strong>" in edit  # the preview


def test_the_slug_gets_a_suffix_when_taken_and_stays_when_the_title_changes(db, browser, make_user):
    agent = browser(make_user("agent"))
    post_form(agent, "/help/new", FORM)
    response = post_form(agent, "/help/new", FORM)
    assert response.headers["Location"].endswith("/help/khai-bao-tai-khoan-thu-huong-2/edit")
    page = "/help/khai-bao-tai-khoan-thu-huong-2/edit"
    response = post_form(agent, page, {**FORM, "title": "Tên mới hẳn"})
    assert response.status_code == 302
    article = article_of(db, "khai-bao-tai-khoan-thu-huong-2")
    assert article.title == "Tên mới hẳn" and "ten moi han" in article.search_text


def test_the_slug_new_is_never_an_article_s(db, browser, make_user):
    response = post_form(browser(make_user("agent")), "/help/new", {**FORM, "title": "New"})
    assert response.headers["Location"].endswith("/help/new-2/edit")


def test_a_bad_draft_is_refused_beside_its_field(db, browser, make_user):
    agent = browser(make_user("agent"))
    for fields, name in (
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"summary": "x" * 501}, "summary"),
        ({"body": "x\u202ey"}, "body"),
        ({"systems": ["nope"]}, "systems"),
        ({"readers": "everyone"}, "readers"),
    ):
        response = post_form(agent, "/help/new", {**FORM, **fields})
        assert response.status_code == 422, name
        html = response.get_data(as_text=True)
        assert f'name="{name}"' in html and "is-invalid" in html, name
    assert db.session.scalar(select(Article.id)) is None


def test_officials_and_visitors_cannot_write(db, client, browser, make_user, make_article):
    article = make_article(published=False)
    requester = browser(make_user("requester"))
    assert requester.get("/help/new").status_code == 404
    assert requester.get(f"/help/{article.slug}/edit").status_code == 404
    assert client.get("/help/new").status_code == 302  # the login page
    token = csrf_token(requester.get("/auth/profile").get_data(as_text=True))
    for action in ("publish", "unpublish", "delete", "files"):
        url = f"/help/{article.slug}/{action}"
        assert requester.post(url, data={"csrf_token": token}).status_code == 404, action


def test_publishing_is_refused_to_a_plain_agent(db, browser, make_user, make_article):
    article = make_article(published=False)
    agent = browser(make_user("agent"))
    page = f"/help/{article.slug}"
    assert "/publish" not in agent.get(page).get_data(as_text=True)
    assert post_button(agent, page, f"{page}/publish").status_code == 404
    assert article_of(db, article.slug).status == ArticleStatus.DRAFT


def test_an_editor_and_an_admin_publish_and_unpublish(db, client, browser, make_user, make_article):
    for user in (make_user("agent", edits_articles=True), make_user("admin")):
        article = make_article(f"Bài của {user.id}", published=False)
        writer, page = browser(user), f"/help/{article.slug}"
        assert post_button(writer, page, f"{page}/publish").status_code == 302
        published = article_of(db, article.slug)
        assert published.status == ArticleStatus.PUBLISHED and published.published_at is not None
        assert client.get(page).status_code == 200
        assert post_button(writer, page, f"{page}/unpublish").status_code == 302
        assert article_of(db, article.slug).status == ArticleStatus.DRAFT
        assert client.get(page).status_code == 404


def test_only_a_draft_is_deleted(db, browser, make_user, make_article):
    agent = browser(make_user("agent"))
    published, draft = make_article("Đã đăng"), make_article("Bản nháp", published=False)
    page = f"/help/{published.slug}"
    assert post_button(agent, page, f"{page}/delete").status_code == 302
    assert article_of(db, published.slug) is not None
    slug = draft.slug
    page = f"/help/{slug}"
    assert post_button(agent, page, f"{page}/delete").status_code == 302
    assert article_of(db, slug) is None


def test_an_admin_makes_a_staff_account_an_editor_on_the_role_page(db, browser, make_user):
    agent, official = make_user("agent"), make_user("requester")
    admin = browser(make_user("admin"), "en")
    page = f"/accounts/{agent.id}/role"
    assert 'name="edits_articles"' in admin.get(page).get_data(as_text=True)
    response = post_form(admin, page, {"role": "agent", "province": "", "edits_articles": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, agent.id).edits_articles is True
    page = f"/accounts/{official.id}/role"
    response = post_form(admin, page, {"role": "requester", "province": "", "edits_articles": "y"})
    assert response.status_code == 200
    assert "Only staff accounts" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, official.id).edits_articles is False


def test_the_command_line_makes_an_editor_and_refuses_one_who_is_not_staff(db, runner):
    result = runner.invoke(
        args=["user", "create", "001166000777@ht.com", "--role", "agent", "--editor",
              "--password", "Mật-khẩu-dài-2026"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.cccd == "001166000777"))
    assert user.edits_articles is True
    result = runner.invoke(
        args=["user", "create", "001166000778@ht.com", "--role", "requester", "--editor",
              "--password", "Mật-khẩu-dài-2026"]
    )  # fmt: skip
    assert result.exit_code == 1 and "--editor is for staff" in result.output
