"""Self-registration: register, confirm the address by a POST, approval, then login."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from support import post_form

from helpdesk import errors
from helpdesk.auth import services
from helpdesk.auth.models import Status, User
from helpdesk.auth.services import accounts, links
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


def test_confirmation_link_expires_after_a_day(client, db, registration, mail_link):
    register(client, registration)
    token = mail_link("account_verify").rsplit("/", 1)[-1]
    later = utcnow() + timedelta(hours=24, minutes=1)
    with pytest.raises(services.LinkExpired):
        services.confirm_email(token, now=later)
    assert services.confirm_email(token, now=utcnow() + timedelta(hours=23)).status == (
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


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", html)


def test_registering_an_existing_cccd_answers_like_a_new_one_and_mails_the_owner(
    app, db, registration, make_user, mails, monkeypatch
):
    owner = make_user(
        username="079090123456@ht.com",
        full_name="Trần Văn Bí Mật",
        email="bimat@so-tu-phap.vn",
        province_code="01",
        unit="Sở Tư pháp",
    )
    before = (owner.email, owner.full_name, owner.password_hash, owner.status)
    hashed = []
    hasher = accounts.hasher()
    monkeypatch.setattr(accounts, "hasher", lambda: CountingHasher(hasher, hashed))

    taken = register(app.test_client(), registration)
    taken_hashes, hashed[:] = len(hashed), []
    free = register(app.test_client(), registration, cccd="079090123457")

    assert taken.status_code == free.status_code == 200
    assert without_tokens(taken.get_data(as_text=True)) == without_tokens(
        free.get_data(as_text=True)
    )
    assert taken_hashes == len(hashed) == 1  # the same work, so about the same time
    for secret in ("Trần Văn Bí Mật", "bimat@so-tu-phap.vn", "Sở Tư pháp", "already exists"):
        assert secret not in taken.get_data(as_text=True)
    db.session.expire_all()
    assert (owner.email, owner.full_name, owner.password_hash, owner.status) == before
    [told] = mails("account_registration_attempt")
    assert told.to == "bimat@so-tu-phap.vn"
    assert told.context["login_url"].endswith("/auth/login")
    assert told.context["reset_url"].endswith("/auth/reset")
    assert [m.to for m in mails("account_verify")] == [registration["email"]]  # the free one


class CountingHasher:
    """The real hasher, counting its hashes."""

    def __init__(self, hasher, counted: list) -> None:
        self.hasher = hasher
        self.counted = counted

    def hash(self, password: str) -> str:
        self.counted.append(1)
        return self.hasher.hash(password)

    def __getattr__(self, name):
        return getattr(self.hasher, name)


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.PENDING_APPROVAL, Status.DISABLED])
def test_an_account_that_is_more_than_a_registration_is_kept_and_its_owner_told(
    db, registration, make_user, mails, status
):
    owner = make_user(username="079090123456@ht.com", email="owner@example.vn")
    owner.status = status
    db.session.commit()
    draft = draft_of(registration, email="other@example.vn")
    assert services.register(draft) is None
    db.session.expire_all()
    assert (owner.status, owner.email) == (status, "owner@example.vn")
    assert [m.to for m in mails("account_registration_attempt")] == ["owner@example.vn"]
    assert mails("account_verify") == []


def test_the_owner_is_told_at_most_once_an_hour(db, registration, make_user, mails):
    make_user(username="079090123456@ht.com", email="owner@example.vn")
    start = utcnow().replace(minute=0)
    for minutes in (1, 20, 50):
        services.register(draft_of(registration), now=start + timedelta(minutes=minutes))
    services.register(draft_of(registration), now=start + timedelta(minutes=61))
    assert len(mails("account_registration_attempt")) == 2


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_owners_mail_renders_with_its_links_and_no_full_cccd(
    db, registration, make_user, sent_texts, language
):
    make_user(username="079090123456@ht.com", email="owner@example.vn", language=language)
    services.register(draft_of(registration))
    [text] = sent_texts()
    assert "/auth/login" in text
    assert "/auth/reset" in text
    assert "********3456@ht.com" in text
    assert "079090123456" not in text
    words = {"vi": "Có người đã thử đăng ký", "en": "Someone tried to register"}
    assert words[language] in text


def draft_of(registration, **changes) -> services.RegistrationDraft:
    fields = {**registration, **changes}
    return services.RegistrationDraft(
        cccd=fields["cccd"],
        domain=fields["domain"],
        full_name=fields["full_name"],
        email=fields["email"],
        phone=fields["phone"],
        province_code=fields["province"],
        unit=fields["unit"],
        password=fields["password"],
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
        "Phường Sài Gòn",  # the ward of the list the name means
    )


def test_an_unconfirmed_registration_never_blocks_the_owner(db, registration, mails):
    squatter = draft_of(registration, full_name="Kẻ chiếm chỗ", email="squatter@example.vn")
    start = utcnow()
    squatted = services.register(squatter, now=start)
    squatters_link = links.issue("verify", squatted, now=start)
    owner = draft_of(registration, email="owner@example.vn")
    user = services.register(owner, now=start + timedelta(hours=1))  # the link still lives
    assert (user.id, user.email, user.full_name) == (
        squatted.id,
        "owner@example.vn",
        "Nguyễn Thị Hoa",
    )
    with pytest.raises(services.LinkInvalid):
        services.confirm_email(squatters_link, now=start + timedelta(hours=1))
    [mail] = mails("account_verify", to="owner@example.vn")
    token = mail.context["url"].rsplit("/", 1)[-1]
    assert services.confirm_email(token, now=start + timedelta(hours=2)).status == (
        Status.PENDING_APPROVAL
    )


def test_an_expired_registration_is_replaced(db, registration):
    start = utcnow()
    first = services.register(draft_of(registration, email="old@example.vn"), now=start)
    again = services.register(
        draft_of(registration, email="new@example.vn"), now=start + timedelta(hours=25)
    )
    assert (again.id, again.email, again.status) == (
        first.id,
        "new@example.vn",
        Status.PENDING_VERIFICATION,
    )


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


# ---------------------------------------------------------------- limits


def person(registration, number: int) -> dict:
    return {
        **registration,
        "cccd": f"0790901{number:05d}",
        "full_name": f"Học viên {number}",
        "email": f"hocvien{number}@xa-tan-phu.vn",
    }


def test_a_training_room_of_forty_registers_from_one_address(english, db, registration):
    client = english
    for number in range(40):
        response = register(client, person(registration, number))
        assert response.status_code == 200
        assert "Check your e-mail" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 40


def test_registrations_per_address_stop_at_sixty_an_hour(db, registration, app):
    client = app.test_client()
    statuses = [register(client, person(registration, n)).status_code for n in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429


def test_registrations_of_one_cccd_are_limited_and_the_form_keeps_the_input(
    client, db, registration
):
    for _ in range(3):
        assert "/auth/verify" not in register(client, registration).get_data(as_text=True)
    limited = register(client, registration, full_name="Nguyễn Thị Hoa Lần Bốn")
    html = limited.get_data(as_text=True)
    assert limited.status_code == 429
    assert "Có quá nhiều lượt thử trong thời gian ngắn" in html
    assert re.search(r"vui lòng thử lại sau 1[0-5]? phút, lúc \d\d:\d\d", html)
    for kept in (
        "079090123456",
        "Nguyễn Thị Hoa Lần Bốn",
        "hoa@phuong-ben-nghe.vn",
        "0912 345 678",
    ):
        assert f'value="{kept}"' in html
    assert "UBND phường Bến Nghé" in html
    assert 'value="79" selected' in html or 'selected value="79"' in html
    assert "Retry-After" in limited.headers
    other = register(client, registration, cccd="079090123457")
    assert other.status_code == 200  # another CCCD from the same address goes on


def test_a_refused_registration_does_not_count_against_the_limits(client, db, registration):
    for _ in range(5):
        refused = register(
            client, registration, password="Hanoi@2026", password_confirm="Hanoi@2026"
        )
        assert refused.status_code == 200
    assert register(client, registration).status_code == 200
