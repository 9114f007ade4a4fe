"""Error pages in the user's language, with a way back: home, and the page the user came
from; 429 says when to try again (Flask-Limiter's refusals come through the same page)."""

from __future__ import annotations

import re

from support import csrf_token

from helpdesk import errors

PASSWORD = "Mật-khẩu-dài-2026"


def test_404_speaks_vietnamese_and_leads_home_and_back(client):
    response = client.get("/no-such-page", headers={"Referer": "http://localhost/auth/login"})
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="vi">' in html
    assert "Trang bạn yêu cầu không tồn tại" in html
    assert re.search(r'href="/"[^>]*data-testid="error-home">Về trang chủ<', html)
    assert re.search(r'href="/auth/login"[^>]*data-testid="error-back">Quay lại trang trước<', html)


def test_the_way_back_never_leads_off_site(client):
    for referrer in ("https://evil.example/auth/login", "//evil.example/x", "javascript:x"):
        html = client.get("/no-such-page", headers={"Referer": referrer}).get_data(as_text=True)
        assert 'data-testid="error-back"' not in html, referrer
        assert 'data-testid="error-home"' in html


def test_404_speaks_english_to_who_chose_it(english):
    html = english.get("/no-such-page").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Back to the home page" in html
    assert "Về trang chủ" not in html


def test_403_speaks_vietnamese_and_leads_home(app, db):
    # Pages of other roles answer 404 (nothing said of what exists); 403 is for the services'
    # refusals, as the page shows them.
    with app.test_request_context("/tickets/"):
        html, status = errors.error_response(403, errors.default_message(403))
    assert status == 403
    assert '<html lang="vi">' in html
    assert "Bạn không có quyền truy cập trang này." in html
    assert 'data-testid="error-home"' in html


def test_429_says_in_vietnamese_when_to_try_again(client, login, make_user):
    user = make_user("requester", full_name="Nguyễn Văn An")
    login(user)
    page = client.get("/auth/profile").get_data(as_text=True)
    form = {
        "csrf_token": csrf_token(page),
        "full_name": "Nguyễn Văn An",
        "email": user.email,
        "language": "vi",
        "current_password": "sai-mật-khẩu",
    }
    statuses = [client.post("/auth/profile", data=form).status_code for _ in range(10)]
    assert 429 not in statuses
    response = client.post("/auth/profile", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert '<html lang="vi">' in html
    assert re.search(r"vui lòng thử lại sau 1 phút, lúc \d\d:\d\d", html)
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert 'data-testid="error-home"' in html


def test_500_speaks_vietnamese_and_leads_home(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'broken.sqlite3'}")

    @app.route("/broken")
    def broken():
        raise RuntimeError("a bug")

    response = app.test_client().get("/broken")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert '<html lang="vi">' in html
    assert "Đã xảy ra lỗi phía hệ thống." in html
    assert "Vui lòng thử lại sau vài phút" in html
    assert 'data-testid="error-home"' in html


def test_the_apis_429_says_when_to_try_again_in_the_contract_shape(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "HELPDESK_API_RATE_LIMIT", "2/minute")
    statuses = [client.get("/api/v1/me").status_code for _ in range(2)]
    assert 429 not in statuses
    response = client.get("/api/v1/me")
    assert response.status_code == 429
    assert response.json["error"]["code"] == "too_many_requests"
    assert re.search(
        r"vui lòng thử lại sau 1 phút, lúc \d\d:\d\d", response.json["error"]["message"]
    )
    assert 1 <= int(response.headers["Retry-After"]) <= 60
