"""Fixtures for requests with a due date: senders, the coordinators of a few provinces, a
request sent through the service at a fixed instant."""

from __future__ import annotations

import pytest
import support
from integration.requests.helpers import DUE_ON, SENT_AT
from integration.tickets.conftest import make_agent, queue_by_code  # noqa: F401 - fixtures

from helpdesk import storage
from helpdesk.auth.services import AccountDraft
from helpdesk.requests.models import InfoRequest
from helpdesk.requests.services import RequestDraft, send_request
from helpdesk.routing import services as routing

PASSWORD = "Mật-khẩu-dài-2026"  # noqa: S105 - the make_user fixture's
fresh_limiter = pytest.fixture(autouse=True)(support.fresh_limiter)


@pytest.fixture
def admin(make_user):
    return make_user("admin", language="en")


@pytest.fixture
def make_coordinator(db):
    """make_coordinator(province) -> a coordinator as the accounts pages make one: a member of
    its province's queue, covering it."""
    numbers = iter(range(1, 1000))

    def make(province: str, **fields):
        number = next(numbers)
        draft = AccountDraft(
            username=f"0011{88:02d}{number:06d}@ht.com",
            role="coordinator",
            password=PASSWORD,
            full_name=f"Đầu mối {province} {number}",
            email=f"dau-moi-{province}-{number}@example.vn",
            province_code=province,
            language="en",
            **fields,
        )
        return routing.provision_account(draft)

    return make


@pytest.fixture
def coordinators(make_coordinator):
    """The coordinators of provinces 79, 01 and 75 (one each), by province."""
    return {code: make_coordinator(code) for code in ("79", "01", "75")}


@pytest.fixture
def send(db):
    """send(sender, **fields) -> the request, sent at SENT_AT (fields as RequestDraft's)."""

    def sending(sender, *, now=SENT_AT, template=None, **fields):
        values = {"title": "Danh sách tài khoản quản trị", "body": "Gửi danh sách.", **fields}
        values.setdefault("due", DUE_ON)
        upload = storage.Upload(*template) if template else None
        sent = send_request(sender, RequestDraft(template=upload, **values), now=now)
        return db.session.get(InfoRequest, sent.request_id)

    return sending
