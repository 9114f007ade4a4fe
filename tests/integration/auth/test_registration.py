"""Self-registration: register, confirm the address by a POST, approval, then login."""

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select
from support import post_form

from helpdesk import errors
from helpdesk.auth import services
from helpdesk.auth.models import Status, User
from helpdesk.auth.services import links
from helpdesk.timeutil import utcnow


def registered_user(db, cccd="079090123456"):
    return db.session.scalar(select(User).where(User.cccd == cccd))


def unit_admin_of(make_user, unit="UBND phường Bến Nghé", province="79"):
    return make_user("unit_admin", province_code=province, unit=unit)


def register(client, registration, **changes):
    return post_form(client, "/auth/register", {**registration, **changes})


def test_registration_waits_for_email_confirmation_and_mails_a_link(
    client, db, registration, mails
):
    response = register(client, registration)
    assert response.status_code == 200
    assert "hoa@phuong-ben-nghe.vn" in response.get_data(as_text=True)
    user = registered_user(db)
    assert user.status == Status.PENDING_VERIFICATION
    assert user.role == "requester"
    assert (user.province_code, user.unit.name) == ("79", "UBND phường Bến Nghé")
    [mail] = mails("account_verify")
    assert mail.to == "hoa@phuong-ben-nghe.vn"
    assert "/auth/verify/" in mail.context["url"]


def test_whole_path_register_confirm_approve_login(
    english, app, db, registration, make_user, login, mail_link
):
    client = english
    approver = unit_admin_of(make_user)
    register(client, registration)
    link = mail_link("account_verify")

    page = client.get(link)  # what a mail scanner does: nothing changes
    assert page.status_code == 200
    assert registered_user(db).status == Status.PENDING_VERIFICATION

    confirmed = post_form(client, link, {})
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert registered_user(db).status == Status.PENDING_APPROVAL

    refused = login("079090123456", registration["password"])
    assert "waiting for approval" in refused.get_data(as_text=True)

    admin_client = app.test_client()
    post_form(
        admin_client,
        "/auth/login",
        {"username": approver.username, "password": "Mật-khẩu-dài-2026"},
    )
    pending_page = admin_client.get("/accounts/pending").get_data(as_text=True)
    assert "Nguyễn Thị Hoa" in pending_page
    user_id = registered_user(db).id
    approved = post_form(
        admin_client, f"/accounts/pending/{user_id}/approve", {}, page="/accounts/pending"
    )
    assert approved.status_code == 302
    db.session.expire_all()
    assert registered_user(db).status == Status.ACTIVE

    response = login("079090123456", registration["password"])  # a bare CCCD gets @ht.com
    assert response.status_code == 302
    assert "Nguyễn Thị Hoa" in client.get("/").get_data(as_text=True)


def test_approval_is_mailed_to_the_applicant(client, db, registration, make_user, mails):
    admin = make_user("admin")
    register(client, registration)
    user = registered_user(db)
    services.confirm_email(links.issue("verify", user, now=utcnow()))
    services.approve_account(admin, user.id)
    [mail] = mails("account_approved")
    assert mail.to == registration["email"]


def test_confirmation_link_works_once(english, db, registration, mail_link):
    client = english
    register(client, registration)
    link = mail_link("account_verify")
    post_form(client, link, {})
    again = client.get(link)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_confirmation_link_expires_after_three_days(client, db, registration, mail_link):
    register(client, registration)
    token = mail_link("account_verify").rsplit("/", 1)[-1]
    later = utcnow() + timedelta(days=3, minutes=1)
    with pytest.raises(services.LinkExpired):
        services.confirm_email(token, now=later)
    assert services.confirm_email(token, now=utcnow() + timedelta(days=2)).status == (
        Status.PENDING_APPROVAL
    )


def test_tampered_confirmation_link_is_refused(client, db, registration, mail_link):
    register(client, registration)
    link = mail_link("account_verify")
    assert client.get(link[:-2] + "xx").status_code == 400


def test_confirmation_without_csrf_token_changes_nothing(client, db, registration, mail_link):
    register(client, registration)
    response = client.post(mail_link("account_verify"), data={})
    assert response.status_code == 400
    assert registered_user(db).status == Status.PENDING_VERIFICATION


def test_registration_without_csrf_token_is_refused(client, db, registration):
    response = client.post("/auth/register", data=registration)
    assert response.status_code == 400
    assert registered_user(db) is None


def test_duplicate_cccd_gets_a_clear_message_that_reveals_nothing(
    english, db, registration, make_user
):
    client = english
    make_user(
        username="079090123456@ht.com",
        full_name="Trần Văn Bí Mật",
        email="bimat@so-tu-phap.vn",
        province_code="01",
        unit="Sở Tư pháp",
    )
    response = register(client, registration)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already exists" in html
    for secret in ("Trần Văn Bí Mật", "bimat@so-tu-phap.vn", "Sở Tư pháp"):
        assert secret not in html
    assert db.session.scalar(select(User.email).where(User.cccd == "079090123456")) == (
        "bimat@so-tu-phap.vn"
    )


def test_rejected_registration_may_be_made_again(english, db, registration, make_user):
    client = english
    admin = make_user("admin")
    register(client, registration)
    user = registered_user(db)
    services.reject_account(admin, user.id, reason="Sai đơn vị")
    response = register(client, registration, unit="UBND phường Sài Gòn")
    assert "already exists" not in response.get_data(as_text=True)
    db.session.expire_all()
    again = registered_user(db)
    assert (again.id, again.status, again.unit.name) == (
        user.id,
        Status.PENDING_VERIFICATION,
        "UBND phường Sài Gòn",
    )


def test_unconfirmed_registration_blocks_the_cccd_only_while_its_link_lives(db, registration):
    draft = services.RegistrationDraft(
        cccd=registration["cccd"],
        domain="ht.com",
        full_name="Kẻ chiếm chỗ",
        email="squatter@example.vn",
        phone="",
        province_code="79",
        unit="Phường X",
        password="Một mật khẩu dài lắm",  # noqa: S106 - a test password
    )
    start = utcnow()
    services.register(draft, now=start)
    owner = dataclasses.replace(draft, email="owner@example.vn")
    with pytest.raises(errors.Conflict):
        services.register(owner, now=start + timedelta(days=2))
    user = services.register(owner, now=start + timedelta(days=3, minutes=1))
    assert user.email == "owner@example.vn"


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"cccd": "123456789"}, "old 9-digit CMND"),
        ({"cccd": "001309000001"}, "holder under 18"),
        ({"password": "Ab@123456", "password_confirm": "Ab@123456"}, "must have at least 10"),
        ({"password": "Ab@123456789", "password_confirm": "Ab@123456789"}, "too common"),
        (
            {"password": "x079090123456", "password_confirm": "x079090123456"},
            "not contain your CCCD",
        ),
        ({"password_confirm": "something else 2026"}, "passwords differ"),
        ({"province": "99"}, "Not a valid choice"),
        ({"email": "not-an-address"}, "Enter a valid e-mail address"),
    ],
    ids=["cmnd", "underage", "short", "common", "contains-cccd", "confirm", "province", "email"],
)
def test_bad_registration_is_refused_with_a_message_and_saves_nothing(
    english, db, registration, changes, field_message
):
    client = english
    response = register(client, registration, **changes)
    assert response.status_code == 200
    assert field_message in response.get_data(as_text=True)
    assert registered_user(db) is None


def test_unit_admin_sees_and_approves_only_their_unit(client, app, db, registration, make_user):
    other_admin = unit_admin_of(make_user, unit="UBND xã Khác")
    register(client, registration)
    user = registered_user(db)
    services.confirm_email(links.issue("verify", user, now=utcnow()))

    assert db.session.scalars(services.pending_for(other_admin)).all() == []
    with pytest.raises(errors.NotFound):
        services.approve_account(other_admin, user.id)
    other = app.test_client()
    post_form(
        other, "/auth/login", {"username": other_admin.username, "password": "Mật-khẩu-dài-2026"}
    )
    assert "Nguyễn Thị Hoa" not in other.get("/accounts/pending").get_data(as_text=True)
    response = post_form(
        other, f"/accounts/pending/{user.id}/approve", {}, page="/accounts/pending"
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert registered_user(db).status == Status.PENDING_APPROVAL


def test_unit_name_is_matched_without_case_or_diacritics(db, registration, make_user):
    approver = unit_admin_of(make_user, unit="UBND Phường Bến Nghé")
    draft = services.RegistrationDraft(
        cccd=registration["cccd"],
        domain="ht.com",
        full_name="Hoa",
        email="hoa@example.vn",
        phone="",
        province_code="79",
        unit="  ubnd   phuong ben nghe ",
        password="Một mật khẩu dài lắm",  # noqa: S106 - a test password
    )
    user = services.register(draft)
    assert user.unit_id == approver.unit_id


def test_rejection_is_mailed_with_its_reason(client, db, registration, make_user, mails):
    admin = make_user("admin")
    register(client, registration)
    user = registered_user(db)
    services.reject_account(admin, user.id, reason="Không thuộc đơn vị")
    [mail] = mails("account_rejected")
    assert mail.context["reason"] == "Không thuộc đơn vị"
    assert registered_user(db).status == Status.REJECTED


def test_verification_mail_renders_with_the_link_and_no_full_cccd(
    client, db, registration, mail_link, sent_texts
):
    register(client, registration)
    link = mail_link("account_verify")
    [text] = sent_texts()
    assert link in text
    assert "********3456@ht.com" in text
    assert "079090123456" not in text
