"""Every account mail renders in both languages, carries its link and never the full CCCD."""

import pytest
from sqlalchemy import select

from helpdesk.auth import services
from helpdesk.auth.models import User
from helpdesk.auth.services import links
from helpdesk.notifications.models import Outbox
from helpdesk.timeutil import utcnow

PASSWORD = "Một mật khẩu dài lắm"  # noqa: S105 - a test password
NEW_PASSWORD = "Một mật khẩu mới hơn"  # noqa: S105 - a test password
TEMPLATES = {
    "account_verify",
    "account_activate",
    "account_approved",
    "account_rejected",
    "password_reset",
    "password_changed",
    "email_change_verify",
    "email_changed",
}


def make_every_account_mail(make_user, language):
    admin = make_user("admin")
    draft = services.RegistrationDraft(
        cccd="079090123456",
        domain="ht.com",
        full_name="Hoa",
        email="hoa@example.vn",
        phone="",
        province_code="79",
        unit="Phường Bến Nghé",
        password=PASSWORD,
        language=language,
    )
    user = services.register(draft)  # account_verify
    services.confirm_email(links.issue("verify", user, now=utcnow()))
    services.approve_account(admin, user.id)  # account_approved
    services.request_password_reset(user.username)  # password_reset
    services.change_password(user, PASSWORD, NEW_PASSWORD)  # password_changed
    services.update_profile(  # email_change_verify
        user, services.ProfileChange("Hoa", "hoa.moi@example.vn", "", language, True, NEW_PASSWORD)
    )
    services.confirm_email_change(links.issue("email", user, now=utcnow()))  # email_changed
    second = services.RegistrationDraft(**{**draft.__dict__, "cccd": "079090123457"})
    rejected = services.register(second)
    services.reject_account(admin, rejected.id, reason="Trùng người")  # account_rejected
    services.create_account(  # account_activate
        services.AccountDraft(username="079090123458", email="moi@example.vn", language=language),
        actor=admin,
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_each_account_mail_is_sent_with_its_link_and_a_masked_login(
    db, make_user, sent_texts, language
):
    make_every_account_mail(make_user, language)
    rows = list(db.session.scalars(select(Outbox)))
    assert {row.template for row in rows} == TEMPLATES
    texts = sent_texts()
    db.session.expire_all()
    assert {row.status for row in db.session.scalars(select(Outbox))} == {"sent"}
    assert len(texts) == len(rows)
    full_numbers = [user.cccd for user in db.session.scalars(select(User))]
    for text in texts:
        assert not any(number in text for number in full_numbers)
    for row in rows:
        if "url" in row.context:
            assert any(row.context["url"] in text for text in texts), row.template


def test_english_mail_speaks_english(db, make_user, sent_texts):
    make_every_account_mail(make_user, "en")
    texts = sent_texts()
    assert any(text.startswith("Confirm your e-mail address") for text in texts)
    assert any(text.startswith("Reset your password") for text in texts)
