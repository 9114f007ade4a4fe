"""Fixtures for the ticket web pages: officials and agents, a logged-in browser per account,
tickets filed through the service."""

from __future__ import annotations

import pytest
import support
from integration.tickets.page_helpers import GOOD_FORM, PASSWORD
from sqlalchemy import select

from helpdesk import storage
from helpdesk.auth.services import AccountDraft
from helpdesk.routing import services as routing
from helpdesk.routing.models import Membership, MembershipProvince, Queue
from helpdesk.tickets import services as tickets

fresh_limiter = pytest.fixture(autouse=True)(support.fresh_limiter)


@pytest.fixture
def requester(make_user):
    """An official of a ward of province 75, reading the pages in English."""
    return make_user("requester", province_code="75", unit="UBND phường Trấn Biên", language="en")


@pytest.fixture
def other_requester(make_user):
    return make_user("requester", province_code="75", unit="UBND xã Phú Lý", language="en")


@pytest.fixture
def officials(make_user):
    """Three officials of two provinces (75 twice, 01), reading in two languages, each with a
    verified address (their mail is queued): the requesters of the incidents' tests."""
    return [
        make_user("requester", province_code=code, unit=f"UBND xã {name}", language=language)
        for code, name, language in (
            ("75", "Phú Lý", "vi"),
            ("75", "An Viễn", "en"),
            ("01", "Đông Anh", "vi"),
        )
    ]


@pytest.fixture
def queue_by_code(db):
    def find(code: str) -> Queue:
        found = db.session.scalar(select(Queue).where(Queue.code == code))
        assert found is not None, code
        return found

    return find


@pytest.fixture
def make_agent(db, make_user, queue_by_code):
    """Staff who are members of a queue, covering the given provinces (none given: every
    province, stated with the membership's flag)."""

    def make(queue_code: str = "moj-it", provinces: tuple[str, ...] = (), role: str = "agent"):
        user = make_user(role, language="en")
        if queue_code:
            membership = Membership(
                queue_id=queue_by_code(queue_code).id,
                user_id=user.id,
                all_provinces=not provinces,
            )
            membership.coverage = [MembershipProvince(province_code=code) for code in provinces]
            db.session.add(membership)
            db.session.commit()
        return user

    return make


@pytest.fixture
def file_ticket(db):
    """A ticket filed through the service (as the form would), for pages that show it."""

    def file(requester, *, attachments: tuple = (), **fields):
        values = {**GOOD_FORM, "priority": 3, **fields}
        draft = tickets.TicketDraft(
            attachments=tuple(storage.Upload(name, data) for name, data in attachments),
            **values,
        )
        return tickets.create_ticket(requester, draft)

    return file


@pytest.fixture
def make_coordinator(db):
    """make_coordinator(province) -> a coordinator made as the accounts pages and the command
    line make one: a member of its province's queue, covering it."""
    counter = iter(range(1, 1000))

    def make(province: str = "79", **fields):
        number = next(counter)
        draft = AccountDraft(
            username=f"0791{88:02d}{number:06d}@ht.com",
            role="coordinator",
            password=PASSWORD,
            full_name=f"Đầu mối {number}",
            email=f"coordinator{number}@example.vn",
            province_code=province,
            language="en",
            **fields,
        )
        return routing.provision_account(draft)

    return make
