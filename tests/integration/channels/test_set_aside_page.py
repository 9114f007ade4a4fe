"""The admins' page of mail set aside: the messages newest first with why each was kept, the
message as received as a download, a "reviewed" button (a POST with its CSRF token); nobody
else finds it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from integration.channels.mail_helpers import DESK, FORGED, mail
from integration.tickets.page_helpers import download
from sqlalchemy import select
from support import csrf_token

from helpdesk.channels.inbound import take_in
from helpdesk.channels.models import InboundMail
from helpdesk.channels.views import PER_PAGE

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)


@pytest.fixture
def admin(make_user):
    return make_user("admin", language="en")


def set_aside(count: int, *, start: int = 0) -> list[bytes]:
    """Messages to the desk's plain address with no ticket number: set aside, one a minute."""
    raws = []
    for n in range(start, start + count):
        raw = mail(f"khach{n}@example.vn", FORGED, subject=f"Thư số {n}", text="Xin chào.")
        take_in(raw, now=NOW + timedelta(minutes=n))
        raws.append(raw)
    return raws


def test_admins_see_the_mail_set_aside_newest_first(db, browser, admin):
    set_aside(2)
    earlier = NOW - timedelta(minutes=1)
    take_in(mail("tho@example.vn", FORGED, subject="CCCD 001166000123 bị khoá"), now=earlier)

    html = browser(admin, "en").get("/admin/mail/").get_data(as_text=True)

    ids = list(db.session.scalars(select(InboundMail.id).order_by(InboundMail.id)))
    order = [html.index(f'data-mail-id="{mail_id}"') for mail_id in (ids[1], ids[0], ids[2])]
    assert order == sorted(order)
    assert "khach1@example.vn" in html and "Thư số 1" in html
    assert "Its reply address is forged: the signature does not match." in html
    assert "001166000123" not in html  # a CCCD in a subject is masked
    assert f"/admin/mail/{ids[0]}/message.eml" in html


def test_the_message_downloads_as_received_for_admins_only(db, browser, admin, make_user):
    [raw] = set_aside(1)
    mail_id = db.session.scalar(select(InboundMail.id))
    url = f"/admin/mail/{mail_id}/message.eml"

    response = download(browser(admin, "en"), url)

    assert response.status_code == 200
    assert response.get_data() == raw
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.mimetype == "application/octet-stream"
    agent = browser(make_user("agent"), "en")
    assert download(agent, url).status_code == 404
    assert agent.get("/admin/mail/").status_code == 404


@pytest.mark.parametrize("role", ["requester", "supervisor", "observer"])
def test_other_roles_do_not_find_the_page(db, browser, make_user, role):
    assert browser(make_user(role), "en").get("/admin/mail/").status_code == 404


def test_mail_taken_in_is_not_listed(db, browser, admin):
    take_in(mail("ai@example.vn", DESK, headers={"Auto-Submitted": "auto-replied"}))
    mail_id = db.session.scalar(select(InboundMail.id))

    client = browser(admin, "en")

    assert 'data-mail-id="' not in client.get("/admin/mail/").get_data(as_text=True)
    assert download(client, f"/admin/mail/{mail_id}/message.eml").status_code == 404


def test_marking_reviewed_needs_the_csrf_token(db, browser, admin):
    set_aside(1)
    mail_id = db.session.scalar(select(InboundMail.id))
    client = browser(admin, "en")

    assert client.post(f"/admin/mail/{mail_id}/reviewed").status_code == 400
    db.session.expire_all()
    assert db.session.get(InboundMail, mail_id).reviewed_at is None

    token = csrf_token(client.get("/admin/mail/").get_data(as_text=True))
    response = client.post(f"/admin/mail/{mail_id}/reviewed", data={"csrf_token": token})

    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(InboundMail, mail_id)
    assert (row.reviewed_by_id, row.reviewed_at is not None) == (admin.id, True)
    html = client.get("/admin/mail/").get_data(as_text=True)
    assert "Reviewed " in html
    assert f"/admin/mail/{mail_id}/reviewed" not in html


def test_the_list_is_paged_at_a_constant_number_of_queries(db, browser, admin, count_queries):
    client = browser(admin, "en")
    set_aside(2)
    with count_queries() as few:
        client.get("/admin/mail/")
    set_aside(PER_PAGE, start=2)
    with count_queries() as many:
        first = client.get("/admin/mail/").get_data(as_text=True)
    second = client.get("/admin/mail/?page=2").get_data(as_text=True)

    assert len(many) == len(few)
    assert first.count("data-mail-id=") == PER_PAGE
    assert second.count("data-mail-id=") == 2
