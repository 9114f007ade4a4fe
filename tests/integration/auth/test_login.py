"""Login and logout: login names, one failure message, remember-me, cookies, sessions."""

from support import post_form

PASSWORD = "Mật-khẩu-dài-2026"  # make_user's password  # noqa: S105 - a test password


def failure_text(response) -> str:
    html = response.get_data(as_text=True)
    start = html.index('class="alert alert-danger"')
    return html[start : html.index("</div>", html.index("</div>", start) + 1)]


def test_login_with_full_login_name(client, make_user, login):
    user = make_user()
    response = login(user.username)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert user.full_name in client.get("/").get_data(as_text=True)


def test_login_with_a_bare_cccd_gets_the_default_domain(client, make_user, login):
    user = make_user()
    assert login(user.cccd).status_code == 302


def test_login_domain_is_compared_without_case(client, make_user, login):
    user = make_user()
    assert login(f"{user.cccd}@HT.COM").status_code == 302


def test_wrong_password_and_unknown_account_get_the_same_message(client, make_user, login):
    user = make_user()
    wrong_password = login(user.username, "Không đúng mật khẩu")
    unknown = login("079090123456@ht.com", "Không đúng mật khẩu")
    malformed = login("not-a-cccd", "Không đúng mật khẩu")
    assert wrong_password.status_code == unknown.status_code == malformed.status_code == 200
    assert failure_text(wrong_password) == failure_text(unknown) == failure_text(malformed)


def test_account_without_a_password_yet_cannot_log_in(client, db, make_user, login):
    from helpdesk.auth import services

    user = services.create_account(
        services.AccountDraft(username="079090123456@ht.com", email="a@example.vn")
    )
    assert user.password_hash is None
    assert login(user.username, "").status_code == 200
    assert login(user.username, "anything at all 2026").status_code == 200


def test_disabled_account_cannot_log_in(english, db, make_user, login):
    from helpdesk.auth import services

    admin = make_user("admin")
    user = make_user()
    services.set_account_enabled(admin, user.id, enabled=False)
    response = login(user.username)
    assert response.status_code == 200
    assert "This account cannot log in" in response.get_data(as_text=True)


def test_login_never_redirects_off_site(client, make_user):
    user = make_user()
    response = post_form(
        client,
        "/auth/login?next=https://evil.example/",
        {"username": user.username, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(client, make_user):
    user = make_user()
    response = post_form(
        client, "/auth/login?next=/auth/profile", {"username": user.username, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/auth/profile"


def test_login_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/auth/profile").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user, login):
    user = make_user()
    cookie = login(user.username).headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # a permanent session: PERMANENT_SESSION_LIFETIME bounds it
    assert "Secure" not in cookie


def test_cookies_are_secure_behind_https(app, client, make_user, login, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    monkeypatch.setitem(app.config, "REMEMBER_COOKIE_SECURE", True)
    user = make_user()
    response = post_form(
        client, "/auth/login", {"username": user.username, "password": PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 2
    assert all("Secure" in cookie for cookie in cookies)


def test_remember_me_sets_a_lasting_httponly_cookie(client, make_user):
    user = make_user()
    response = post_form(
        client, "/auth/login", {"username": user.username, "password": PASSWORD, "remember": "y"}
    )
    [remember] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_")]
    assert "HttpOnly" in remember
    assert "SameSite=Lax" in remember


def test_remember_cookie_alone_logs_the_user_back_in(app, client, make_user):
    user = make_user()
    post_form(
        client, "/auth/login", {"username": user.username, "password": PASSWORD, "remember": "y"}
    )
    client.delete_cookie("session")  # the browser was closed
    assert client.get("/auth/profile").status_code == 200


def test_logout_ends_the_sessions_on_other_devices(app, client, make_user, login):
    user = make_user()
    phone = app.test_client()
    post_form(
        phone, "/auth/login", {"username": user.username, "password": PASSWORD, "remember": "y"}
    )
    login(user.username)
    assert phone.get("/auth/profile").status_code == 200

    post_form(client, "/auth/logout", {}, page="/")

    assert client.get("/auth/profile").status_code == 302
    assert phone.get("/auth/profile").status_code == 302
    phone.delete_cookie("session")  # the remember-me cookie is dead as well
    assert phone.get("/auth/profile").status_code == 302


def test_logout_needs_a_csrf_token(client, make_user, login):
    user = make_user()
    login(user.username)
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/auth/profile").status_code == 200


def test_pending_registration_is_told_after_the_right_password_only(english, db, login):
    from helpdesk.auth import services

    services.register(
        services.RegistrationDraft(
            cccd="079090123456",
            domain="ht.com",
            full_name="Hoa",
            email="hoa@example.vn",
            phone="",
            province_code="79",
            unit="Phường Bến Nghé",
            password="Một mật khẩu dài lắm",  # noqa: S106 - a test password
        )
    )
    right = login("079090123456", "Một mật khẩu dài lắm").get_data(as_text=True)
    wrong = login("079090123456", "Sai mật khẩu rồi nhé").get_data(as_text=True)
    assert "Confirm your e-mail address first" in right
    assert "Confirm your e-mail address first" not in wrong
    assert "Wrong login name or password" in wrong
