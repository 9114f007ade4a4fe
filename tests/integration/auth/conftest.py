"""Helpers of the account tests: a fresh rate limiter per test, mail read from the outbox."""

from __future__ import annotations

import email
from urllib.parse import urlsplit

import pytest
import support
from sqlalchemy import select

fresh_limiter = pytest.fixture(autouse=True)(support.fresh_limiter)


@pytest.fixture
def mails(db):
    """Outbox rows, oldest first, optionally of one template or recipient."""
    from helpdesk.notifications.models import Outbox

    def read(template: str | None = None, *, to: str | None = None):
        query = select(Outbox).order_by(Outbox.id)
        if template:
            query = query.where(Outbox.template == template)
        if to:
            query = query.where(Outbox.to == to)
        return list(db.session.scalars(query))

    return read


@pytest.fixture
def mail_link(mails):
    """The path of the link in the latest mail of a template (the test client needs no host)."""

    def read(template: str, *, to: str | None = None) -> str:
        rows = mails(template, to=to)
        assert rows, f"no {template} mail queued"
        return urlsplit(rows[-1].context["url"]).path

    return read


@pytest.fixture
def sent_texts(app):
    """Send what the outbox holds, then the decoded text of every .eml written (parts joined)."""
    from pathlib import Path

    from helpdesk.notifications import admin

    def read() -> list[str]:
        admin.deliver_pending()
        folder = Path(app.config["HELPDESK_OUTBOX_FOLDER"])
        texts = []
        for path in sorted(folder.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes())
            parts = [
                part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
                for part in message.walk()
                if not part.is_multipart()
            ]
            texts.append(str(message["Subject"]) + "\n" + "\n".join(parts))
        return texts

    return read


@pytest.fixture
def registration():
    """A valid registration form (docs/contract.md's field names), a fresh copy per test."""
    return dict(REGISTRATION)


REGISTRATION = {
    "cccd": "079090123456",
    "domain": "ht.com",
    "full_name": "Nguyễn Thị Hoa",
    "email": "hoa@phuong-ben-nghe.vn",
    "phone": "0912 345 678",
    "province": "79",
    "unit": "UBND phường Bến Nghé",
    "password": "Hoa đăng ký 2026!",
    "password_confirm": "Hoa đăng ký 2026!",
}
