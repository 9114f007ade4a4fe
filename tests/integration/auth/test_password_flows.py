"""Changing a password, the forced change at first login, reset and activation by link."""

from datetime import timedelta

import pytest
from support import post_form

from helpdesk import errors
from helpdesk.auth import services
from helpdesk.auth.services import links
from helpdesk.timeutil import utcnow

PASSWORD = "Mật-khẩu-dài-2026"  # noqa: S105 - a test password
NEW = "Một mật khẩu mới 2026"


def change(client, current=PASSWORD, new=NEW, confirm=None):
    return post_form(
        client,
        "/auth/password",
        {"current_password": current, "password": new, "password_confirm": confirm or new},
    )


# ---------------------------------------------------------------- change


def test_change_password_keeps_this_session_and_ends_the_others(app, client, make_user, login):
    user = make_user()
    other = app.test_client()
    post_form(other, "/auth/login", {"username": user.username, "password": PASSWORD})
    login(user.username)

    response = change(client)

    assert response.status_code == 302
    assert client.get("/auth/profile").status_code == 200
    assert other.get("/auth/profile").status_code == 302
    client2 = app.test_client()
    assert (
        post_form(client2, "/auth/login", {"username": user.username, "password": NEW}).status_code
        == 302
    )


def test_change_password_refuses_a_wrong_current_password(english, db, make_user, login):
    user = make_user(language="en")
    login(user.username)
    response = change(english, current="Không phải mật khẩu cũ")
    assert "The current password is not correct" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert services.verify_password(user, PASSWORD)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Ab@123456", "must have at least 10"),
        ("Matkhau@123", "too common"),
        ("PASSWORD123", "too common"),
        ("x{cccd}x", "not contain your CCCD"),
        ("{username}", "not contain your CCCD"),
        (PASSWORD, "must differ"),
    ],
    ids=["short", "default", "common-any-case", "cccd", "login-name", "unchanged"],
)
def test_change_password_applies_the_policy(english, db, make_user, login, new, message):
    user = make_user(language="en")
    login(user.username)
    new = new.format(cccd=user.cccd, username=user.username)
    response = change(english, new=new)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_change_password_needs_a_csrf_token(client, db, make_user, login):
    user = make_user()
    login(user.username)
    response = client.post(
        "/auth/password",
        data={"current_password": PASSWORD, "password": NEW, "password_confirm": NEW},
    )
    assert response.status_code == 400
    db.session.refresh(user)
    assert services.verify_password(user, PASSWORD)


# ---------------------------------------------------------------- forced change


def test_account_given_a_password_must_change_it_before_anything_else(client, db, runner, login):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "079090123456@ht.com",
            "--password",
            "Mật khẩu tạm thời 1",
            "--email",
            "tam@example.vn",
        ]
    )
    assert result.exit_code == 0, result.output
    response = login("079090123456", "Mật khẩu tạm thời 1")
    assert response.headers["Location"] == "/auth/password"
    for path in ("/", "/auth/profile", "/accounts/", "/auth/tokens"):
        answer = client.get(path)
        assert (answer.status_code, answer.headers.get("Location")) == (302, "/auth/password"), path
    assert client.get("/auth/password").status_code == 200
    with client.get("/static/css/app.css") as stylesheet:
        assert stylesheet.status_code == 200

    change(client, current="Mật khẩu tạm thời 1")

    assert client.get("/auth/profile").status_code == 200
    assert client.get("/").status_code == 200


def test_forced_change_still_lets_the_user_log_out(client, db, runner, login):
    runner.invoke(
        args=[
            "user",
            "create",
            "079090123456",
            "--password",
            "Mật khẩu tạm thời 1",
            "--email",
            "tam@example.vn",
        ]
    )
    login("079090123456", "Mật khẩu tạm thời 1")
    response = post_form(client, "/auth/logout", {}, page="/auth/password")
    assert response.headers["Location"] == "/"
    assert client.get("/auth/profile").status_code == 302


def test_demo_admin_is_not_forced_to_change_its_password(
    app, client, db, runner, login, monkeypatch, tmp_path
):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))  # not the real instance/
    result = runner.invoke(args=["user", "demo"])
    assert result.exit_code == 0, result.output
    admin_line = next(line for line in result.output.splitlines() if line.startswith("Demo admin"))
    password = admin_line.split("password: ")[1].strip()
    response = login("001166668888@ht.com", password)
    assert response.headers["Location"] == "/"
    assert client.get("/accounts/").status_code == 200


# ---------------------------------------------------------------- reset by link


def request_reset(client, username):
    return post_form(client, "/auth/reset", {"username": username})


def test_reset_by_link_sets_a_new_password_and_ends_sessions(app, client, db, make_user, mail_link):
    user = make_user()
    other = app.test_client()
    post_form(other, "/auth/login", {"username": user.username, "password": PASSWORD})

    request_reset(client, user.cccd)
    link = mail_link("password_reset", to=user.email)
    assert client.get(link).status_code == 200
    response = post_form(client, link, {"password": NEW, "password_confirm": NEW})

    assert response.headers["Location"] == "/auth/login"
    assert other.get("/auth/profile").status_code == 302
    login_page = post_form(client, "/auth/login", {"username": user.username, "password": NEW})
    assert login_page.status_code == 302


def test_reset_link_works_once(english, db, make_user, mail_link):
    user = make_user()
    request_reset(english, user.username)
    link = mail_link("password_reset")
    post_form(english, link, {"password": NEW, "password_confirm": NEW})
    again = english.get(link)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_reset_link_expires_after_an_hour(db, make_user):
    user = make_user()
    issued = utcnow()
    token = links.issue("reset", user, now=issued)
    with pytest.raises(links.LinkExpired):
        services.set_password_by_link("reset", token, NEW, now=issued + timedelta(minutes=61))
    assert services.set_password_by_link("reset", token, NEW, now=issued + timedelta(minutes=59))


def test_expired_reset_link_page_says_so(english, db, make_user):
    user = make_user()
    token = links.issue("reset", user, now=utcnow() - timedelta(hours=2))
    response = english.get(f"/auth/reset/{token}")
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_reset_link_of_one_purpose_does_not_open_another(db, make_user):
    user = make_user()
    token = links.issue("activate", user, now=utcnow())
    with pytest.raises(links.LinkInvalid):
        services.set_password_by_link("reset", token, NEW)


def test_reset_request_answers_the_same_for_unknown_accounts(english, db, make_user, mails):
    user = make_user()
    known = request_reset(english, user.username)
    flash_known = english.get("/auth/login").get_data(as_text=True)
    unknown = request_reset(english, "079090123456@ht.com")
    flash_unknown = english.get("/auth/login").get_data(as_text=True)
    assert known.status_code == unknown.status_code == 302
    assert "If an active account has this login name" in flash_known
    assert "If an active account has this login name" in flash_unknown
    assert [m.to for m in mails("password_reset")] == [user.email]


def test_new_password_from_a_link_must_pass_the_policy(english, db, make_user, mail_link):
    user = make_user()
    request_reset(english, user.username)
    link = mail_link("password_reset")
    response = post_form(
        english, link, {"password": "Ab@123456789", "password_confirm": "Ab@123456789"}
    )
    assert response.status_code == 200
    assert "too common" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert services.verify_password(user, PASSWORD)


# ---------------------------------------------------------------- activation


def test_provisioned_account_activates_by_link_and_logs_in(
    client, db, make_user, mails, mail_link, login
):
    admin = make_user("admin")
    user = services.create_account(
        services.AccountDraft(
            username="079090123456", email="moi@example.vn", full_name="Người mới"
        ),
        actor=admin,
    )
    assert user.password_hash is None
    [mail] = mails("account_activate")
    assert mail.to == "moi@example.vn"
    link = mail_link("account_activate")
    page = client.get(link)
    assert page.status_code == 200
    assert "********3456@ht.com" in page.get_data(as_text=True)
    post_form(client, link, {"password": NEW, "password_confirm": NEW})
    assert login("079090123456", NEW).status_code == 302
    assert client.get(link).status_code == 400  # used


def test_activation_link_lives_seven_days(db, make_user):
    admin = make_user("admin")
    issued = utcnow()
    user = services.create_account(
        services.AccountDraft(username="079090123456", email="moi@example.vn"),
        actor=admin,
        now=issued,
    )
    token = links.issue("activate", user, now=issued)
    with pytest.raises(links.LinkExpired):
        services.check_password_link("activate", token, now=issued + timedelta(days=7, minutes=1))
    assert services.check_password_link("activate", token, now=issued + timedelta(days=6))


def test_disabled_account_cannot_use_its_links(db, make_user):
    admin = make_user("admin")
    user = make_user()
    token = links.issue("reset", user, now=utcnow())
    services.set_account_enabled(admin, user.id, enabled=False)
    with pytest.raises(errors.Invalid):
        services.set_password_by_link("reset", token, NEW)


# ---------------------------------------------------------------- hashing cost


def test_a_hash_made_at_another_cost_signs_in_and_is_made_again_at_the_apps(
    app, db, make_user, login
):
    from argon2 import PasswordHasher, extract_parameters

    from helpdesk.config import Config

    user = make_user()
    user.password_hash = PasswordHasher(**Config.HELPDESK_PASSWORD_HASHING).hash(PASSWORD)
    db.session.commit()

    assert login(user.username).status_code == 302

    db.session.refresh(user)
    made = extract_parameters(user.password_hash)
    assert {
        "time_cost": made.time_cost,
        "memory_cost": made.memory_cost,
        "parallelism": made.parallelism,
    } == app.config["HELPDESK_PASSWORD_HASHING"]
    assert services.verify_password(user, PASSWORD)
