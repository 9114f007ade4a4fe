"""The layout, the language switch, error pages and request logging."""

import logging

from support import csrf_token


def test_home_page_speaks_vietnamese_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Hệ thống hỗ trợ TTHC" in html


def test_language_switch_sets_english_and_back(client):
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post("/language", data={"language": "en", "next": "/", "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "TTHC Support Desk" in html
    client.post("/language", data={"language": "vi", "next": "/", "csrf_token": token})
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_language_switch_refuses_a_post_without_csrf_token(client):
    response = client.post("/language", data={"language": "en"})
    assert response.status_code == 400
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    token = csrf_token(client.get("/").get_data(as_text=True))
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            "/language", data={"language": "en", "next": target, "csrf_token": token}
        )
        assert response.headers["Location"] == "/"


def test_unknown_language_is_ignored(client):
    token = csrf_token(client.get("/").get_data(as_text=True))
    client.post("/language", data={"language": "fr", "csrf_token": token})
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_unknown_page_is_404_in_the_product_layout(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert 'class="navbar-brand' in html
    assert "404" in html


def test_unknown_api_path_answers_the_contract_error_shape(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert set(response.json["error"]) == {"code", "message", "fields"}


def test_pages_carry_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_assets_are_served_locally(client):
    html = client.get("/").get_data(as_text=True)
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "https://" not in html.split("<body")[0]
    for asset in ("bootstrap.min.css", "bootstrap.bundle.min.js"):
        response = client.get(f"/static/vendor/bootstrap/{asset}")
        response.close()
        assert response.status_code == 200


def test_each_request_is_logged_once_with_its_id_and_no_cccd(client, caplog):
    caplog.set_level(logging.INFO, logger="helpdesk.request")
    response = client.get("/nowhere/001166668888", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    lines = [r.getMessage() for r in caplog.records if r.name == "helpdesk.request"]
    assert len(lines) == 1
    assert "001166668888" not in lines[0]
    assert "********8888" in lines[0]
    assert " 404 " in lines[0]


def test_a_malformed_request_id_is_replaced(client):
    response = client.get("/", headers={"X-Request-ID": "bad id <script>"})
    assert response.headers["X-Request-ID"] != "bad id <script>"
    assert len(response.headers["X-Request-ID"]) == 32


def test_request_log_names_the_user_by_id_never_by_session_token(client, login, make_user, caplog):
    user = make_user("requester")
    login(user)
    caplog.set_level(logging.INFO, logger="helpdesk.request")
    client.get("/")
    line = [r.getMessage() for r in caplog.records if r.name == "helpdesk.request"][-1]
    assert line.endswith(f"user={user.id}")
    assert user.session_token not in line
