"""Credentials hang together: a new password revokes the API tokens and ends the other
sessions; a new e-mail address needs the password, and the old address can undo it."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from support import post_form, save_profile

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


# ---------------------------------------------------------------- a new e-mail address


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "Enter your current password to change the e-mail address."),
        ("Không phải mật khẩu này", "The current password is not correct."),
    ],
    ids=["missing", "wrong"],
)
def test_a_new_address_needs_the_current_password(
    english, db, make_user, login, mails, given, message
):
    user = make_user(language="en", email="cu@example.vn")
    login(user)

    response = save_profile(english, user, email="moi@example.vn", current_password=given)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert 'id="current_password"' in html.split(message)[0]  # beside its field
    assert 'value="moi@example.vn"' in html  # what was typed is kept
    db.session.refresh(user)
    assert (user.email, user.pending_email) == ("cu@example.vn", None)
    assert mails("email_change_verify") == []


def test_the_rest_of_the_profile_needs_no_password(client, db, make_user, login):
    user = make_user()
    login(user)
    assert save_profile(client, user, full_name="Tên mới").status_code == 302
    db.session.refresh(user)
    assert user.full_name == "Tên mới"


def test_attempts_at_a_new_address_are_rate_limited(client, make_user, login):
    user = make_user()
    login(user)
    statuses = [
        save_profile(client, user, email="moi@example.vn", current_password="sai").status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def change_address(user, new, *, now, password=PASSWORD) -> None:
    """The owner (or whoever holds the password) changes the address and follows the link."""
    change = services.ProfileChange(user.full_name, new, "", user.language, True, password)
    services.update_profile(user, change, now=now)
    services.confirm_email_change(links.issue("email", user, now=now), now=now)


def undo_token(mails, to: str) -> str:
    [row] = mails("email_changed", to=to)
    return urlsplit(row.context["url"]).path.rsplit("/", 1)[1]


def test_the_old_address_is_mailed_an_undo_link_when_the_change_takes_effect(
    client, db, make_user, login, mails, mail_link, sent_texts
):
    user = make_user(email="cu@example.vn", language="en")
    login(user)
    save_profile(client, user, email="moi@example.vn", current_password=PASSWORD)
    assert mails("email_changed") == []  # nothing changed yet

    post_form(client, mail_link("email_change_verify"), {})

    [row] = mails("email_changed")
    assert row.to == "cu@example.vn"
    assert "/auth/email/undo/" in row.context["url"]
    [text] = [t for t in sent_texts() if t.startswith("The e-mail address of your account")]
    assert "moi@example.vn" in text
    assert row.context["url"] in text
    assert "valid for 7 days" in text


def test_the_undo_link_restores_the_old_address_for_seven_days(db, make_user, mails):
    user = make_user(email="cu@example.vn")
    start = utcnow()
    change_address(user, "moi@example.vn", now=start)
    token = undo_token(mails, "cu@example.vn")

    with pytest.raises(links.LinkExpired):
        services.undo_email_change(token, now=start + timedelta(days=7, minutes=1))
    assert services.undo_email_change(token, now=start + timedelta(days=6, hours=23))
    db.session.refresh(user)
    assert (user.email, user.pending_email) == ("cu@example.vn", None)


def test_the_undo_link_works_once(english, db, make_user, mails):
    user = make_user(email="cu@example.vn")
    change_address(user, "moi@example.vn", now=utcnow())
    link = f"/auth/email/undo/{undo_token(mails, 'cu@example.vn')}"
    page = english.get(link)
    assert page.status_code == 200
    db.session.refresh(user)
    assert user.email == "moi@example.vn"  # opening the page changes nothing

    response = post_form(english, link, {})

    assert response.headers["Location"].startswith("/auth/reset/")  # on to a new password
    assert english.get(response.headers["Location"]).status_code == 200
    again = english.get(link)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_undoing_ends_the_takeover(app, client, db, make_user, mails):
    user = make_user(email="cu@example.vn")
    intruder = app.test_client()
    log_in(intruder, user, remember=True)
    token = services.create_token(user)
    change_address(user, "ke-gian@example.vn", now=utcnow())

    services.undo_email_change(undo_token(mails, "cu@example.vn"))

    assert api_status(app, token) == 401
    assert intruder.get("/auth/profile").status_code == 302
    intruder.delete_cookie("session")
    assert intruder.get("/auth/profile").status_code == 302
    assert log_in(app.test_client(), user).status_code == 200  # the known password is gone
    assert db.session.scalar(select(ApiToken.revoked_reason)) == "email_change_undone"


def test_the_owners_undo_link_outlives_the_intruders_further_changes(db, make_user, mails):
    user = make_user(email="cu@example.vn")
    start = utcnow()
    change_address(user, "ke-gian@example.vn", now=start)
    services.change_password(user, PASSWORD, NEW, now=start)
    change_address(user, "ke-gian-2@example.vn", now=start, password=NEW)
    owners, intruders = undo_token(mails, "cu@example.vn"), undo_token(mails, "ke-gian@example.vn")

    services.undo_email_change(intruders)  # back to the intruder's first address
    services.undo_email_change(owners)

    db.session.refresh(user)
    assert user.email == "cu@example.vn"
    with pytest.raises(links.LinkInvalid):
        services.undo_email_change(owners)


def test_the_owners_undo_voids_the_undo_links_of_later_changes(db, make_user, mails):
    user = make_user(email="cu@example.vn")
    start = utcnow()
    change_address(user, "ke-gian@example.vn", now=start)
    change_address(user, "ke-gian-2@example.vn", now=start)
    owners, intruders = undo_token(mails, "cu@example.vn"), undo_token(mails, "ke-gian@example.vn")

    services.undo_email_change(owners)

    with pytest.raises(links.LinkInvalid):
        services.undo_email_change(intruders)
    db.session.refresh(user)
    assert user.email == "cu@example.vn"
