"""The profile: what a user may change, the e-mail re-confirmed, the CCCD masked for others."""

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from support import post_form, save_profile

from helpdesk.auth import services
from helpdesk.auth.models import User
from helpdesk.auth.services import links
from helpdesk.timeutil import utcnow

UNIT = "UBND phường Bến Nghé"
PASSWORD = "Mật-khẩu-dài-2026"  # noqa: S105 - make_user's password


def test_profile_saves_name_phone_language_and_mail_preference(client, db, make_user, login):
    user = make_user()
    login(user.username)
    data = {
        "full_name": "Tên mới",
        "email": user.email,
        "phone": "0243 123 456",
        "language": "en",
    }  # notify_updates unticked
    response = post_form(client, "/auth/profile", data)
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.full_name, user.phone, user.language, user.notify_updates) == (
        "Tên mới",
        "0243 123 456",
        "en",
        False,
    )
    assert '<html lang="en">' in client.get("/auth/profile").get_data(as_text=True)


def test_new_email_is_used_only_after_its_link_is_confirmed(
    client, db, make_user, login, mails, mail_link
):
    user = make_user(email="cu@example.vn")
    login(user.username)
    save_profile(client, user, email="moi@example.vn", current_password=PASSWORD)
    db.session.refresh(user)
    assert (user.email, user.pending_email) == ("cu@example.vn", "moi@example.vn")
    [mail] = mails("email_change_verify")
    assert mail.to == "moi@example.vn"

    link = mail_link("email_change_verify")
    assert client.get(link).status_code == 200
    db.session.refresh(user)
    assert user.email == "cu@example.vn"  # opening the link changes nothing
    post_form(client, link, {})
    db.session.refresh(user)
    assert (user.email, user.pending_email) == ("moi@example.vn", None)
    assert client.get(link).status_code == 400  # used


def test_email_change_link_expires(db, make_user):
    user = make_user(email="cu@example.vn")
    start = utcnow()
    services.update_profile(
        user, services.ProfileChange("Tên", "moi@example.vn", "", "vi", True, PASSWORD), now=start
    )
    token = links.issue("email", user, now=start)
    with pytest.raises(links.LinkExpired):
        services.confirm_email_change(token, now=start + timedelta(days=3, minutes=1))


def test_a_second_new_address_voids_the_first_link(db, make_user):
    user = make_user(email="cu@example.vn")
    change = services.ProfileChange("Tên", "moi1@example.vn", "", "vi", True, PASSWORD)
    services.update_profile(user, change)
    first = links.issue("email", user, now=utcnow())
    services.update_profile(
        user, services.ProfileChange("Tên", "moi2@example.vn", "", "vi", True, PASSWORD)
    )
    with pytest.raises(links.LinkInvalid):
        services.confirm_email_change(first)


def test_profile_refuses_a_bad_email(english, db, make_user, login):
    user = make_user(language="en")
    login(user.username)
    response = save_profile(english, user, email="khong-phai-email")
    assert "Enter a valid e-mail address" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.pending_email is None


def test_owner_sees_the_whole_cccd_in_the_profile(client, make_user, login):
    user = make_user()
    login(user.username)
    html = client.get("/auth/profile").get_data(as_text=True)
    assert f'data-testid="profile-username">{user.username}<' in html


def test_unit_admin_sees_cccds_masked_and_admin_whole(app, client, make_user, login):
    unit_admin = make_user("unit_admin", province_code="79", unit=UNIT)
    colleague = make_user(province_code="79", unit=UNIT)
    login(unit_admin.username)
    html = client.get("/accounts/").get_data(as_text=True)
    assert f"********{colleague.cccd[-4:]}@ht.com" in html
    assert colleague.cccd not in html

    admin = make_user("admin")
    admin_client = app.test_client()
    post_form(
        admin_client, "/auth/login", {"username": admin.username, "password": "Mật-khẩu-dài-2026"}
    )
    assert colleague.username in admin_client.get("/accounts/").get_data(as_text=True)


def test_header_shows_the_own_login_masked(client, make_user, login):
    user = make_user()
    login(user.username)
    html = client.get("/").get_data(as_text=True)
    assert user.masked_username in html


def test_no_cccd_is_ever_logged(
    client, db, make_user, login, registration, caplog, tmp_path, runner
):
    caplog.set_level(logging.DEBUG)
    admin = make_user("admin")
    post_form(client, "/auth/register", registration)
    login(registration["cccd"], "sai mật khẩu cũng được")
    for _ in range(6):
        services.authenticate(registration["cccd"], "sai")
    user = db.session.scalar(select(User).where(User.cccd == registration["cccd"]))
    services.confirm_email(links.issue("verify", user, now=utcnow()))
    services.approve_account(admin, user.id)
    path = tmp_path / "a.csv"
    path.write_text(
        "cccd,full_name,email,phone,province,unit,role\n"
        "001170000123,An,an@example.vn,,79,Phường,requester\n"
        "0011700001,Sai,sai@example.vn,,79,Phường,requester\n",
        encoding="utf-8",
    )
    runner.invoke(args=["user", "import", str(path)])
    runner.invoke(args=["user", "create", "001170000124", "--email", "b@example.vn"])
    numbers = {registration["cccd"], admin.cccd, "001170000123", "001170000124"}
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "account" in logged  # the flows did log
    assert not numbers & set(re.findall(r"[0-9]{12}", logged))
