"""The answer before the ticket: GET /api/v1/suggestions (what the filing form shows) and the
service behind it: the best matching published articles the caller reads, of the filing's
system and category or of none, never a draft, never another system's."""

from __future__ import annotations

import pytest
from integration.help.suggestion_helpers import add_article

from helpdesk.api.services import issue_token
from helpdesk.help import suggestions
from helpdesk.help.models import ArticleStatus, Readers

SUBJECT = "Tiền phí chưa về tài khoản thụ hưởng"


def ask(client, subject: str = SUBJECT, *, system: str = "moj", category: str = "payment", **kw):
    query = {"system": system, "category": category, "subject": subject}
    return client.get("/api/v1/suggestions", query_string=query, **kw)


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["slug"] for item in response.get_json()["articles"]]


@pytest.fixture
def articles(db):
    """The beneficiary-account article, a weaker one of the same system and category, a general
    one, and four that must never come for a moj payment subject."""
    add_article(
        db,
        "Tiền phí, lệ phí chưa về tài khoản thụ hưởng",
        summary="Kiểm tra giao dịch và khai báo tài khoản thụ hưởng của đơn vị trên Hệ thống.",
        body="Vào mục Cấu hình, chọn Tài khoản thụ hưởng, đối chiếu số tài khoản với Kho bạc.",
        systems=("moj",),
        categories=("payment",),
        slug="tai-khoan-thu-huong",
    )
    add_article(
        db,
        "Đối chiếu giao dịch thanh toán trực tuyến",
        summary="Tra cứu trạng thái giao dịch trên cổng thanh toán.",
        body="Giao dịch thành công nhưng tiền chưa về: chờ hai ngày làm việc rồi đối chiếu.",
        systems=("moj",),
        categories=("payment",),
        slug="doi-chieu-giao-dich",
    )
    add_article(
        db,
        "Phí và lệ phí nộp trực tuyến: câu hỏi thường gặp",
        summary="Những câu hỏi chung về tiền phí, lệ phí của mọi hệ thống.",
        slug="phi-le-phi-chung",
    )
    add_article(
        db,
        "Tài khoản thụ hưởng trên Hệ thống của Bộ Nội vụ",
        summary="Khai báo tài khoản thụ hưởng, tiền phí.",
        systems=("moha",),
        categories=("payment",),
        slug="thu-huong-bo-noi-vu",
    )
    add_article(
        db,
        "Cấp lại mật khẩu tài khoản một cửa",
        summary="Quên mật khẩu tài khoản, tiền phí không liên quan.",
        systems=("moj",),
        categories=("account",),
        slug="cap-lai-mat-khau",
    )
    add_article(db, "Đổi tên đơn vị hành chính sau sắp xếp", slug="doi-ten-don-vi")
    add_article(
        db,
        "Tài khoản thụ hưởng: bản nháp chưa duyệt",
        summary="Tiền phí chưa về tài khoản thụ hưởng.",
        systems=("moj",),
        categories=("payment",),
        status=ArticleStatus.DRAFT,
        slug="ban-nhap-thu-huong",
    )


def test_the_beneficiary_account_article_comes_first_and_unrelated_ones_never(client, articles):
    found = slugs(ask(client))

    assert found[0] == "tai-khoan-thu-huong"
    assert set(found) == {"tai-khoan-thu-huong", "doi-chieu-giao-dich", "phi-le-phi-chung"}
    for absent in ("thu-huong-bo-noi-vu", "cap-lai-mat-khau", "doi-ten-don-vi"):
        assert absent not in found


def test_an_article_of_the_very_system_and_category_outranks_a_general_one(db, client):
    add_article(db, "Tiền phí chưa về tài khoản", slug="chung")
    add_article(
        db, "Tiền phí chưa về tài khoản", systems=("moj",), categories=("payment",), slug="rieng"
    )

    assert slugs(ask(client, "tiền phí chưa về tài khoản")) == ["rieng", "chung"]


def test_each_answer_names_slug_title_summary_and_page(client, articles):
    body = ask(client).get_json()

    assert body["incidents"] == []
    first = body["articles"][0]
    assert first == {
        "slug": "tai-khoan-thu-huong",
        "title": "Tiền phí, lệ phí chưa về tài khoản thụ hưởng",
        "summary": "Kiểm tra giao dịch và khai báo tài khoản thụ hưởng của đơn vị trên Hệ thống.",
        "url": "http://localhost/help/tai-khoan-thu-huong",
    }


def test_diacritics_and_case_do_not_matter(client, articles):
    assert slugs(ask(client, "TIEN PHI chua ve TAI KHOAN thu huong"))[0] == "tai-khoan-thu-huong"


def test_no_words_or_only_common_words_suggest_nothing(client, articles):
    assert slugs(ask(client, "")) == []
    assert slugs(ask(client, "   ")) == []
    assert slugs(ask(client, "và của là không được chưa")) == []


def test_at_most_five(db, client):
    for n in range(8):
        add_article(db, f"Tài khoản thụ hưởng, trường hợp {n}", categories=("payment",))

    assert len(slugs(ask(client))) == 5
    assert (
        len(
            suggestions.suggest(
                None, system_code="moj", category_code="payment", subject=SUBJECT, limit=2
            )
        )
        == 2
    )


def test_a_draft_is_suggested_to_nobody(client, browser, make_user, articles):
    for caller in (client, browser(make_user("requester")), browser(make_user("agent"))):
        assert "ban-nhap-thu-huong" not in slugs(ask(caller))


def test_an_article_for_signed_in_readers_reaches_sessions_and_tokens_not_visitors(
    db, client, browser, make_user
):
    add_article(
        db,
        "Tài khoản thụ hưởng của cán bộ",
        categories=("payment",),
        readers=Readers.SIGNED_IN,
        slug="chi-can-bo",
    )
    requester = make_user("requester")
    token = issue_token(requester, name="test")

    assert slugs(ask(client)) == []
    assert slugs(ask(browser(requester))) == ["chi-can-bo"]
    assert slugs(ask(client, headers={"Authorization": f"Bearer {token}"})) == ["chi-can-bo"]


def test_a_bad_token_is_refused_rather_than_read_as_a_visitor(client, articles):
    response = ask(client, headers={"Authorization": "Bearer not-a-token"})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"category": "payment", "subject": SUBJECT}, "system"),
        ({"system": "nope", "category": "payment", "subject": SUBJECT}, "system"),
        ({"system": "moj", "subject": SUBJECT}, "category"),
        ({"system": "moj", "category": "nope", "subject": SUBJECT}, "category"),
    ],
)
def test_a_missing_or_unknown_system_or_category_answers_400_naming_it(client, query, field):
    response = client.get("/api/v1/suggestions", query_string=query)

    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {field}


def test_a_subject_past_the_limit_answers_422_naming_it(client):
    response = ask(client, "t" * 201)

    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"subject"}
    assert ask(client, "t" * 200).status_code == 200


def test_the_endpoint_costs_the_same_statements_for_few_or_many_articles(
    db, browser, make_user, count_queries
):
    reader = browser(make_user("requester"))
    add_article(db, "Tiền phí chưa về tài khoản thụ hưởng", categories=("payment",))
    reader.get("/api/v1/suggestions")  # the session's first request warms what it caches
    with count_queries() as few:
        assert len(slugs(ask(reader))) == 1
    for n in range(30):
        add_article(
            db,
            f"Tài khoản thụ hưởng {n}",
            summary="Tiền phí chưa về.",
            systems=("moj",) if n % 2 else (),
            categories=("payment", "account") if n % 3 else (),
        )
    with count_queries() as many:
        assert len(slugs(ask(reader))) == 5

    assert len(many) == len(few) <= 3
