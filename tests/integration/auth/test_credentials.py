"""Credentials hang together: a new password revokes the API tokens and ends the other
sessions."""

import pytest
from sqlalchemy import select
from support import post_form

from helpdesk.auth import services
from helpdesk.auth.models import ApiToken
from helpdesk.auth.services import links
from helpdesk.timeutil import to_local, utcnow

PASSWORD = "Mật-khẩu-dài-2026"  # noqa: S105 - make_user's password
NEW = "Một mật khẩu mới 2026"


def api_status(app, token: str) -> int:
    """What the API answers a program holding `token` (a client of its own, no cookies)."""
    return (
        app.test_client()
        .get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        .status_code
    )


def change_password(client):
    return post_form(
        client,
        "/auth/password",
        {"current_password": PASSWORD, "password": NEW, "password_confirm": NEW},
    )


def reset_password(client, user, mail_link):
    post_form(client, "/auth/reset", {"username": user.username})
    link = mail_link("password_reset", to=user.email)
    return post_form(client, link, {"password": NEW, "password_confirm": NEW})


def log_in(client, user, password=PASSWORD, *, remember=False):
    data = {"username": user.username, "password": password}
    if remember:
        data["remember"] = "y"
    return post_form(client, "/auth/login", data)


def revoked_label(db, token_id: int, app) -> str:
    db.session.expire_all()
    revoked_at = db.session.get(ApiToken, token_id).revoked_at
    return to_local(revoked_at, app.config["HELPDESK_TIMEZONE"]).strftime("%d/%m/%Y %H:%M")


def token_id_of(db, user) -> int:
    return db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))


# ---------------------------------------------------------------- a new password


def test_changing_the_password_revokes_the_accounts_api_tokens(app, english, db, make_user, login):
    user = make_user(language="en")
    stranger = make_user()
    token, theirs = services.create_token(user), services.create_token(stranger)
    assert api_status(app, token) == 200
    login(user)

    change_password(english)

    assert api_status(app, token) == 401
    assert api_status(app, theirs) == 200  # only the account's own tokens
    page = english.get("/account/tokens/").get_data(as_text=True)
    when = revoked_label(db, token_id_of(db, user), app)
    assert f"revoked: password changed on {when}" in page


def test_a_password_reset_revokes_the_accounts_api_tokens(
    app, english, db, make_user, mail_link, login
):
    user = make_user(language="en")
    token = services.create_token(user)

    reset_password(english, user, mail_link)

    assert api_status(app, token) == 401
    login(user, NEW)
    page = english.get("/account/tokens/").get_data(as_text=True)
    when = revoked_label(db, token_id_of(db, user), app)
    assert f"revoked: password reset on {when}" in page


def test_a_token_revoked_by_its_owner_says_only_when(app, english, db, make_user, login):
    user = make_user(language="en")
    services.create_token(user)
    login(user)
    post_form(
        english, f"/account/tokens/{token_id_of(db, user)}/revoke", {}, page="/account/tokens/"
    )
    page = english.get("/account/tokens/").get_data(as_text=True)
    assert f"revoked {revoked_label(db, token_id_of(db, user), app)}" in page
    assert "revoked: password" not in page


def test_a_password_change_keeps_this_remember_me_cookie_and_ends_the_others(
    app, client, make_user
):
    user = make_user()
    phone = app.test_client()
    log_in(phone, user, remember=True)
    log_in(client, user, remember=True)

    change_password(client)

    phone.delete_cookie("session")
    assert phone.get("/auth/profile").status_code == 302
    client.delete_cookie("session")  # this browser was closed: its remember-me cookie goes on
    assert client.get("/auth/profile").status_code == 200


def test_a_reset_ends_every_session_and_remember_me_cookie(app, client, make_user, mail_link):
    user = make_user()
    phone = app.test_client()
    log_in(phone, user, remember=True)
    log_in(client, user, remember=True)

    reset_password(client, user, mail_link)

    assert client.get("/auth/profile").status_code == 302
    assert phone.get("/auth/profile").status_code == 302
    phone.delete_cookie("session")
    assert phone.get("/auth/profile").status_code == 302


def mailed_text(sent_texts, phrase: str) -> str:
    """The one mail sent whose text has the phrase, with its lines joined."""
    texts = [" ".join(text.split()) for text in sent_texts()]
    [text] = [text for text in texts if phrase in text]
    return text


@pytest.mark.parametrize(
    ("language", "what", "says"),
    [
        ("en", "was changed on", "every API token of the account was revoked"),
        ("vi", "đã được thay đổi lúc", "mọi mã truy cập API của tài khoản đã bị thu hồi"),
    ],
)
def test_the_owner_is_mailed_that_tokens_and_sessions_ended_after_a_change(
    client, make_user, login, mails, sent_texts, language, what, says
):
    user = make_user(language=language)
    login(user)
    change_password(client)
    assert [row.to for row in mails("password_changed")] == [user.email]
    text = mailed_text(sent_texts, what)
    assert says in text
    assert "/auth/reset" in text  # what to do if it was not the owner


@pytest.mark.parametrize(
    ("language", "what", "says"),
    [
        ("en", "was reset by a link", "every other session was ended"),
        ("vi", "đã được đặt lại qua đường dẫn", "mọi phiên đăng nhập khác đã kết thúc"),
    ],
)
def test_the_owner_is_mailed_that_tokens_and_sessions_ended_after_a_reset(
    client, make_user, mail_link, mails, sent_texts, language, what, says
):
    user = make_user(language=language)
    reset_password(client, user, mail_link)
    assert [row.to for row in mails("password_changed")] == [user.email]
    assert says in mailed_text(sent_texts, what)


def test_a_first_activation_revokes_nothing_and_mails_nothing(app, db, make_user, mails):
    admin = make_user("admin")
    user = services.create_account(
        services.AccountDraft(username="079090123456", email="moi@example.vn"), actor=admin
    )
    token = services.create_token(user)  # `flask token create` needs no password
    services.set_password_by_link("activate", links.issue("activate", user, now=utcnow()), NEW)
    assert api_status(app, token) == 200
    assert mails("password_changed") == []
