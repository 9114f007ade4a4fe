"""GET /api/v1/articles: the published articles the caller reads, never a draft."""

from __future__ import annotations

from helpdesk.auth.services import create_token


def test_a_visitor_gets_the_public_published_articles(db, client, make_article):
    article = make_article("Tài khoản thụ hưởng", summary="Các bước.", systems=("moj",))
    make_article("Chỉ cán bộ", readers="signed_in")
    make_article("Bản nháp", published=False)
    answer = client.get("/api/v1/articles")
    assert answer.status_code == 200
    assert answer.get_json() == {
        "items": [
            {
                "slug": article.slug,
                "title": "Tài khoản thụ hưởng",
                "summary": "Các bước.",
                "url": f"http://localhost/help/{article.slug}",
            }
        ]
    }


def test_a_token_reads_what_its_account_reads_but_never_drafts(db, client, make_user, make_article):
    signed_in = make_article("Chỉ cán bộ", readers="signed_in")
    make_article("Bản nháp", published=False)
    for role in ("requester", "admin"):
        headers = {"Authorization": f"Bearer {create_token(make_user(role))}"}
        items = client.get("/api/v1/articles", headers=headers).get_json()["items"]
        assert [item["slug"] for item in items] == [signed_in.slug], role


def test_words_system_and_category_filter(db, client, make_article):
    found = make_article("Khai báo tài khoản thụ hưởng", systems=("moj",), categories=("payment",))
    make_article("Tài khoản của hệ thống khác", systems=("mps",))
    answer = client.get("/api/v1/articles?q=TAI+KHOAN&system=moj&category=payment").get_json()
    assert [item["slug"] for item in answer["items"]] == [found.slug]


def test_an_unknown_system_or_category_is_a_400_naming_it(db, client):
    for name in ("system", "category"):
        answer = client.get(f"/api/v1/articles?{name}=nope")
        assert answer.status_code == 400
        assert list(answer.get_json()["error"]["fields"]) == [name]
        assert client.get(f"/api/v1/articles?{name}=").status_code == 200  # not filtered on
    assert client.get("/api/v1/articles?q=" + "x" * 201).status_code == 422


def test_at_most_20_articles(db, client, make_article):
    for number in range(22):
        make_article(f"Bài {number}")
    assert len(client.get("/api/v1/articles").get_json()["items"]) == 20


def test_a_bad_token_is_refused_not_read_as_a_visitor(db, client, make_article):
    make_article("Công khai")
    answer = client.get("/api/v1/articles", headers={"Authorization": "Bearer not-a-token"})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
