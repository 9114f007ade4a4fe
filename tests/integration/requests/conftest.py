"""Fixtures for requests with a due date: senders, the coordinators of a few provinces, a
request sent through the service at a fixed instant."""

from __future__ import annotations

import pytest
import support
from integration.requests.helpers import DUE_ON, SENT_AT
from integration.tickets.conftest import (  # noqa: F401 - fixtures
    make_agent,
    make_coordinator,
    queue_by_code,
)

from helpdesk import storage
from helpdesk.requests.models import InfoRequest
from helpdesk.requests.services import RequestDraft, send_request

fresh_limiter = pytest.fixture(autouse=True)(support.fresh_limiter)


@pytest.fixture
def admin(make_user):
    return make_user("admin", language="en")


@pytest.fixture
def coordinators(make_coordinator):  # noqa: F811 - the fixture imported above
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
