"""Who is told what: each event's mail goes to the right people, in each one's language, and
never carries an internal note or a whole CCCD. The desk's requester reads English, its agent
Vietnamese (see conftest.py); every ticket below carries an internal note before its event."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from integration.sla import sweeping
from sqlalchemy import func, select

from helpdesk.auth import services as accounts
from helpdesk.auth.models import Status
from helpdesk.extensions import db as database
from helpdesk.notifications import outbox, rendering
from helpdesk.notifications.models import Outbox
from helpdesk.routing.models import Membership, MembershipProvince
from helpdesk.tickets import services as tickets

NOTE = "Ghi chú nội bộ: mật khẩu máy chủ là Xuan-2026"
FOOTER = {"vi": "Hệ thống hỗ trợ TTHC", "en": "TTHC Support Desk"}  # the layout's, translated


@pytest.fixture
def mails_after(db):
    """The rows queued after a mark: `mark = mails_after()`, then `mails_after(mark)`."""

    def read(mark: int | None = None) -> list[Outbox] | int:
        if mark is None:
            return db.session.scalar(select(func.coalesce(func.max(Outbox.id), 0)))
        database.session.expire_all()
        return list(db.session.scalars(select(Outbox).where(Outbox.id > mark).order_by(Outbox.id)))

    return read


@pytest.fixture
def ticket(desk, file_ticket):
    """A ticket assigned to the desk's agent, with an internal note on it."""
    filed = file_ticket()
    tickets.add_message(desk.agent, filed, NOTE, internal=True)
    return filed


def rendered(row: Outbox) -> str:
    message = rendering.render(row)
    return "\n".join((message.subject, message.body, message.html))


def told(rows: list[Outbox]) -> list[tuple[str, str, str]]:
    """(template, address, language) of each row; each mail checked for what it must not say."""
    for row in rows:
        text = rendered(row)
        assert NOTE not in text
        assert not re.search(r"(?<!\d)\d{12}(?!\d)", text)
        assert f'lang="{row.language}"' in rendering.render(row).html
        assert FOOTER[row.language] in text
    return [(row.template, row.to, row.language) for row in rows]


def test_filing_acknowledges_to_the_requester_with_number_queue_and_deadline(
    desk, file_ticket, outbox_rows
):
    ticket = file_ticket()

    [row] = outbox_rows("ticket_filed")
    assert told([row]) == [("ticket_filed", desk.requester.email, "en")]
    text = rendered(row)
    assert rendering.render(row).subject.startswith(f"[{ticket.number}] ")
    assert desk.queue.name in text
    assert ticket.first_response_due is not None
    assert row.context["first_response_due"] in text
    assert f"/tickets/{ticket.number}" in text


def test_a_new_ticket_alerts_the_queue_address_and_the_members_covering_its_province(
    db, desk, make_user, file_ticket, outbox_rows
):
    elsewhere = make_user("agent", email="agent79@example.vn", language="en")
    membership = Membership(queue_id=desk.queue.id, user_id=elsewhere.id, available=True)
    membership.coverage = [MembershipProvince(province_code="79")]
    db.session.add(membership)
    desk.queue.email = "moj-it@example.vn"
    desk.queue.notify_members = True
    db.session.commit()

    file_ticket(province="01")

    assert sorted(told(outbox_rows("ticket_queued"))) == [
        ("ticket_queued", desk.agent.email, "vi"),
        ("ticket_queued", "moj-it@example.vn", "vi"),
    ]


def test_a_member_covering_no_province_is_not_alerted(
    db, desk, make_user, file_ticket, outbox_rows
):
    idle = make_user("agent", email="idle@example.vn", language="en")
    db.session.add(Membership(queue_id=desk.queue.id, user_id=idle.id, available=True))
    desk.queue.notify_members = True
    db.session.commit()

    file_ticket(province="01")

    assert [to for _template, to, _language in told(outbox_rows("ticket_queued"))] == [
        desk.agent.email
    ]


def test_a_queue_that_does_not_notify_its_members_is_told_at_its_address_only(
    db, desk, file_ticket, outbox_rows
):
    desk.queue.email = "moj-it@example.vn"
    desk.queue.notify_members = False
    db.session.commit()

    file_ticket()

    assert told(outbox_rows("ticket_queued")) == [("ticket_queued", "moj-it@example.vn", "vi")]


def test_assignment_tells_the_agent(desk, make_user, ticket, mails_after, db):
    other = make_user("agent", email="other-agent@example.vn", language="en")
    db.session.add(
        Membership(queue_id=desk.queue.id, user_id=other.id, available=True, all_provinces=True)
    )
    db.session.commit()
    mark = mails_after()

    tickets.assign(desk.supervisor, ticket, other)

    assert told(mails_after(mark)) == [("ticket_assigned", "other-agent@example.vn", "en")]


def test_an_internal_note_is_mailed_to_nobody(desk, ticket, mails_after):
    mark = mails_after()

    tickets.add_message(desk.agent, ticket, "Một ghi chú nội bộ khác", internal=True)

    assert mails_after(mark) == []


def test_a_staff_reply_is_mailed_to_the_requester(desk, ticket, mails_after):
    mark = mails_after()

    tickets.add_message(desk.agent, ticket, "Anh/chị vui lòng đăng nhập lại.")

    [row] = mails_after(mark)
    assert told([row]) == [("ticket_reply", desk.requester.email, "en")]
    assert "Anh/chị vui lòng đăng nhập lại." in rendered(row)


def test_a_requesters_reply_is_mailed_to_the_assignee(desk, ticket, mails_after):
    mark = mails_after()

    tickets.add_message(desk.requester, ticket, "Tôi vẫn chưa đăng nhập được.")

    [row] = mails_after(mark)
    assert told([row]) == [("ticket_requester_reply", desk.agent.email, "vi")]
    assert "Tôi vẫn chưa đăng nhập được." in rendered(row)


def test_waiting_on_the_requester_is_mailed_to_the_requester(desk, ticket, mails_after):
    mark = mails_after()

    tickets.change_status(desk.agent, ticket, "waiting_requester")

    assert told(mails_after(mark)) == [("ticket_waiting_requester", desk.requester.email, "en")]


def test_resolution_mails_links_that_open_the_ticket_page_and_change_nothing(
    desk, ticket, mails_after, client, login
):
    mark = mails_after()
    tickets.change_status(desk.agent, ticket, "resolved", resolution="Đã xử lý xong.")

    [row] = mails_after(mark)
    assert told([row]) == [("ticket_resolved", desk.requester.email, "en")]
    login(desk.requester)
    for action in ("confirm", "reopen", "rate"):
        link = urlsplit(row.context[f"{action}_url"])
        assert link.path == f"/tickets/{ticket.number}"
        assert link.geturl() in rendered(row)
        page = client.get(link.path)
        assert page.status_code == 200
        assert f'action="/tickets/{ticket.number}/{action}"' in page.get_data(as_text=True)
    database.session.refresh(ticket)
    assert ticket.status == "resolved"


def test_closing_a_resolved_ticket_is_mailed_unless_the_requester_opted_out(
    db, desk, ticket, mails_after
):
    tickets.change_status(desk.agent, ticket, "resolved", resolution="Đã xử lý xong.")
    mark = mails_after()
    tickets.confirm_resolution(desk.requester, ticket)
    assert told(mails_after(mark)) == [("ticket_closed", desk.requester.email, "en")]

    desk.requester.notify_updates = False
    db.session.commit()
    second = tickets.create_ticket(
        desk.requester,
        tickets.TicketDraft(
            system="moj", category="account", province="01", subject="Lần hai", description="…"
        ),
    )
    tickets.change_status(
        desk.agent, second, "resolved", resolution="Đã xử lý xong."
    )  # essential: still mailed
    mark = mails_after()
    tickets.confirm_resolution(desk.requester, second)
    assert mails_after(mark) == []


def test_a_merge_tells_the_duplicates_requester_and_the_targets(
    desk, make_user, file_ticket, ticket, mails_after
):
    other = make_user("requester", province_code="01", email="other@example.vn", language="vi")
    duplicate = file_ticket(other)
    tickets.add_message(desk.agent, duplicate, NOTE, internal=True)
    mark = mails_after()

    tickets.merge(desk.agent, duplicate, ticket)

    rows = mails_after(mark)
    assert told(rows) == [
        ("ticket_merged", "other@example.vn", "vi"),
        ("ticket_merged_in", desk.requester.email, "en"),
    ]
    assert ticket.number in rendered(rows[0])
    assert duplicate.number in rendered(rows[1])


def timer(ticket, kind: str, stage: str):
    from helpdesk.sla.models import Timer

    found = database.session.get(Timer, (ticket.id, kind, stage))
    assert found is not None, f"no {kind} {stage} timer"
    return found


def test_an_sla_warning_tells_the_assignee(desk, ticket, mails_after):

    tickets.add_message(desk.agent, ticket, "Đã tiếp nhận.")  # answered: the assignee alone
    warning = timer(ticket, "resolution", "warning")
    mark = mails_after()

    sweeping.sweep(now=warning.fire_at)

    assert told(mails_after(mark)) == [("sla_warning", desk.agent.email, "vi")]


def test_an_sla_breach_tells_the_assignee_and_the_supervisor(db, desk, ticket, mails_after):

    desk.supervisor.language = "en"
    db.session.commit()
    breach = timer(ticket, "first_response", "breach")
    mark = mails_after()

    sweeping.sweep(now=breach.fire_at)

    breaches = [t for t in told(mails_after(mark)) if t[0] == "sla_breach"]
    assert breaches == [
        ("sla_breach", desk.agent.email, "vi"),
        ("sla_breach", desk.supervisor.email, "en"),
    ]


def test_registration_mails_the_verification_link_to_the_new_address(db, mails_after):
    mark = mails_after()

    accounts.register(
        accounts.RegistrationDraft(
            cccd="079090123456",
            domain="ht.com",
            full_name="Nguyễn Thị Hoa",
            email="hoa@phuong-ben-nghe.vn",
            phone="0912 345 678",
            province_code="79",
            unit="UBND phường Bến Nghé",
            password="Hoa đăng ký 2026!",  # noqa: S106 - a test account
            language="en",
        )
    )

    [row] = mails_after(mark)
    assert told([row]) == [("account_verify", "hoa@phuong-ben-nghe.vn", "en")]
    assert "********3456@ht.com" in rendered(row)


def test_a_provisioned_account_is_mailed_its_activation_link(db, mails_after):
    mark = mails_after()

    accounts.create_account(
        accounts.AccountDraft(
            username="001166001234@ht.com",
            role="agent",
            full_name="Trần Văn Bình",
            email="binh@example.vn",
            language="vi",
        )
    )

    [row] = mails_after(mark)
    assert told([row]) == [("account_activate", "binh@example.vn", "vi")]


def test_a_password_reset_is_mailed_to_the_account_in_its_language(db, make_user, mails_after):
    user = make_user("requester", email="reset@example.vn", language="en")
    mark = mails_after()

    accounts.request_password_reset(user.username)

    assert told(mails_after(mark)) == [("password_reset", "reset@example.vn", "en")]


def test_nothing_is_mailed_to_an_unverified_address(db, desk, file_ticket, outbox_rows):
    desk.requester.email_verified_at = None
    db.session.commit()

    file_ticket()

    assert outbox_rows("ticket_filed") == []


def test_nothing_is_mailed_to_a_disabled_account(db, desk, ticket, mails_after):
    desk.requester.status = Status.DISABLED
    db.session.commit()
    mark = mails_after()

    tickets.add_message(desk.agent, ticket, "Đã xử lý xong.")

    assert mails_after(mark) == []


def test_a_cccd_typed_into_a_subject_or_reply_is_masked_in_mail(desk, file_ticket, mails_after):
    mark = mails_after()
    filed = file_ticket(subject="Tài khoản 001166001234 không đăng nhập được")
    tickets.add_message(desk.agent, filed, "Đã mở khoá tài khoản 001166001234.")

    texts = [rendered(row) for row in mails_after(mark)]
    assert texts
    assert all("001166001234" not in text for text in texts)
    assert any("********1234" in text for text in texts)


def test_the_same_event_never_mails_the_same_person_twice(db, desk, ticket, outbox_rows):
    from helpdesk.tickets.services import mail as notices

    again = notices.on_ticket_filed(ticket)
    db.session.commit()

    # Queued again, each row is skipped at insertion: it has no id, dispatch hands nothing over.
    assert again
    assert [outbox.outbox_id(row) for row in again] == [None] * len(again)
    assert len(outbox_rows("ticket_filed")) == 1
