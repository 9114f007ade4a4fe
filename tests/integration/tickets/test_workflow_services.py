"""The workflow as services, without HTTP: each use case leaves the rows, the events and the
outbox rows its rule says, and refuses what the rule refuses, changing nothing then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from integration.tickets.page_helpers import GOOD_FORM
from sqlalchemy import select

from helpdesk import errors
from helpdesk.notifications.models import Outbox
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Event, EventKind, Message, Status, Ticket

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # a Tuesday, 09:00 in Hà Nội


@pytest.fixture
def agent(make_agent):
    """The one member of moj-it, where GOOD_FORM's tickets go: each new ticket is theirs."""
    return make_agent("moj-it")


@pytest.fixture
def file(db, requester, agent):
    def file_one(**fields) -> Ticket:
        draft = tickets.TicketDraft(**{**GOOD_FORM, "priority": 3, **fields})
        return tickets.create_ticket(requester, draft, now=NOW)

    return file_one


def events_of(db, ticket: Ticket, *, after: int = 0) -> list[tuple[str, dict]]:
    """The ticket's events as stored (kind, data), past the event id `after`."""
    rows = db.session.execute(
        select(Event.kind, Event.data)
        .where(Event.ticket_id == ticket.id, Event.id > after)
        .order_by(Event.id)
    )
    return [(kind, data) for kind, data in rows]


def last_event_id(db) -> int:
    return db.session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0


def mail_since(db, outbox_id: int) -> list[tuple[str, int | None]]:
    """The outbox rows written past `outbox_id`: (template, recipient's user id)."""
    rows = db.session.execute(
        select(Outbox.template, Outbox.user_id).where(Outbox.id > outbox_id).order_by(Outbox.id)
    )
    return [tuple(row) for row in rows]


def last_outbox_id(db) -> int:
    return db.session.scalar(select(Outbox.id).order_by(Outbox.id.desc()).limit(1)) or 0


def stored(db, ticket: Ticket) -> Ticket:
    """The ticket as the database holds it now."""
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id)


# ---------------------------------------------------------------- status


def test_staff_move_a_ticket_along_the_state_machine(db, file, agent, requester):
    ticket = file()
    event_id, outbox_id = last_event_id(db), last_outbox_id(db)

    tickets.change_status(
        agent,
        ticket,
        Status.RESOLVED,
        reason="Đã cấp lại mật khẩu",
        now=NOW,
        resolution="Đã xử lý xong.",
    )

    ticket = stored(db, ticket)
    assert (ticket.status, ticket.resolved_at) == (Status.RESOLVED, NOW)
    assert events_of(db, ticket, after=event_id) == [
        ("status_changed", {"old": "new", "new": "resolved", "reason": "Đã cấp lại mật khẩu"})
    ]
    assert mail_since(db, outbox_id) == [("ticket_resolved", requester.id)]


def test_a_move_the_state_machine_refuses_changes_nothing(db, file, agent):
    ticket = file()
    tickets.change_status(agent, ticket, Status.RESOLVED, now=NOW, resolution="Đã xử lý xong.")
    tickets.confirm_resolution(ticket.requester, ticket, now=NOW)
    event_id, outbox_id = last_event_id(db), last_outbox_id(db)

    with pytest.raises(errors.Invalid) as refused:
        tickets.change_status(agent, ticket, Status.OPEN, now=NOW)

    db.session.rollback()
    assert refused.value.fields == {"status": refused.value.message}
    assert stored(db, ticket).status == Status.CLOSED
    assert events_of(db, ticket, after=event_id) == []
    assert mail_since(db, outbox_id) == []


def test_a_requester_may_not_change_the_status(db, file, requester):
    ticket = file()
    with pytest.raises(errors.NotFound):
        tickets.change_status(
            requester, ticket, Status.RESOLVED, now=NOW, resolution="Đã xử lý xong."
        )


def test_resolved_tickets_close_once_the_reopen_window_is_over(db, file, agent):
    ticket = file()
    tickets.change_status(agent, ticket, Status.RESOLVED, now=NOW, resolution="Đã xử lý xong.")
    event_id = last_event_id(db)

    assert tickets.close_resolved(now=NOW + timedelta(days=6)) == 0
    assert tickets.close_resolved(now=NOW + timedelta(days=8)) == 1

    ticket = stored(db, ticket)
    assert ticket.status == Status.CLOSED
    assert events_of(db, ticket, after=event_id) == [
        ("status_changed", {"old": "resolved", "new": "closed", "reason": "auto_closed"})
    ]


# ---------------------------------------------------------------- replies and notes


def test_a_staff_reply_meets_the_first_response_and_opens_a_new_ticket(db, file, agent, requester):
    ticket = file()
    event_id, outbox_id = last_event_id(db), last_outbox_id(db)
    later = NOW + timedelta(minutes=30)

    message = tickets.add_message(agent, ticket, "Anh chị thử đăng nhập lại giúp em.", now=later)

    ticket = stored(db, ticket)
    assert (ticket.first_responded_at, ticket.status) == (later, Status.OPEN)
    assert db.session.get(Message, message.id).internal is False
    assert events_of(db, ticket, after=event_id) == [
        ("status_changed", {"old": "new", "new": "open"})
    ]
    assert mail_since(db, outbox_id) == [("ticket_reply", requester.id)]


def test_the_requesters_own_reply_is_no_first_response(db, file, requester):
    ticket = file()
    tickets.add_message(requester, ticket, "Bổ sung: lỗi xuất hiện từ 8 giờ.", now=NOW)
    ticket = stored(db, ticket)
    assert (ticket.first_responded_at, ticket.status) == (None, Status.NEW)


def test_an_internal_note_is_recorded_and_mails_nobody(db, file, agent):
    ticket = file()
    event_id, outbox_id = last_event_id(db), last_outbox_id(db)

    message = tickets.add_message(agent, ticket, "Đã hỏi nhà cung cấp.", internal=True, now=NOW)

    ticket = stored(db, ticket)
    assert db.session.get(Message, message.id).internal is True
    assert (ticket.first_responded_at, ticket.status) == (None, Status.NEW)
    assert events_of(db, ticket, after=event_id) == [("note_added", {})]
    assert mail_since(db, outbox_id) == []


def test_requesters_write_no_internal_note(db, file, requester):
    ticket = file()
    with pytest.raises(errors.NotFound):
        tickets.add_message(requester, ticket, "Ghi chú", internal=True, now=NOW)
    db.session.rollback()
    assert db.session.scalars(select(Message).where(Message.ticket_id == ticket.id)).all() == []


def test_a_requesters_reply_resumes_a_ticket_waiting_on_them(db, file, agent, requester):
    ticket = file()
    tickets.change_status(agent, ticket, Status.WAITING_REQUESTER, now=NOW)
    assert stored(db, ticket).sla_paused_at == NOW  # the resolution clock stopped
    event_id, outbox_id = last_event_id(db), last_outbox_id(db)
    later = NOW + timedelta(hours=2)

    tickets.add_message(requester, ticket, "Em gửi ảnh chụp màn hình.", now=later)

    ticket = stored(db, ticket)
    assert (ticket.status, ticket.sla_paused_at) == (Status.OPEN, None)
    assert events_of(db, ticket, after=event_id) == [
        ("status_changed", {"old": "waiting_requester", "new": "open"})
    ]
    actors = db.session.scalars(
        select(Event.actor_id).where(Event.ticket_id == ticket.id, Event.id > event_id)
    ).all()
    assert actors == [requester.id]
    assert mail_since(db, outbox_id) == [("ticket_requester_reply", agent.id)]


def test_a_closed_ticket_takes_no_message(db, file, agent, requester):
    ticket = file()
    tickets.change_status(agent, ticket, Status.RESOLVED, now=NOW, resolution="Đã xử lý xong.")
    tickets.confirm_resolution(requester, ticket, now=NOW)
    with pytest.raises(errors.Invalid):
        tickets.add_message(requester, ticket, "Vẫn lỗi", now=NOW)


# ---------------------------------------------------------------- reopen window


def test_the_requester_reopens_within_the_window_with_a_reason(db, file, agent, requester):
    ticket = file()
    tickets.change_status(agent, ticket, Status.RESOLVED, now=NOW, resolution="Đã xử lý xong.")
    event_id = last_event_id(db)
    later = NOW + timedelta(days=7)

    tickets.reopen(requester, ticket, reason="Vẫn chưa đăng nhập được.", now=later)

    ticket = stored(db, ticket)
    assert (ticket.status, ticket.resolved_at) == (Status.OPEN, None)
    assert events_of(db, ticket, after=event_id) == [
        ("status_changed", {"old": "resolved", "new": "open", "reason": "Vẫn chưa đăng nhập được."})
    ]
    bodies = db.session.scalars(select(Message.body).where(Message.ticket_id == ticket.id)).all()
    assert bodies == ["Vẫn chưa đăng nhập được."]


def test_past_the_window_the_ticket_cannot_be_reopened(db, file, agent, requester):
    ticket = file()
    tickets.change_status(agent, ticket, Status.RESOLVED, now=NOW, resolution="Đã xử lý xong.")
    too_late = NOW + timedelta(days=7, minutes=1)

    assert not tickets.can_reopen(ticket, too_late)
    with pytest.raises(errors.Invalid):
        tickets.reopen(requester, ticket, reason="", now=too_late)
    db.session.rollback()
    assert stored(db, ticket).status == Status.RESOLVED


# ---------------------------------------------------------------- assignment


def test_a_new_ticket_goes_to_the_covering_member(db, file, agent, requester):
    outbox_id = last_outbox_id(db)
    ticket = file()
    assert stored(db, ticket).assignee_id == agent.id
    assert ("assigned", {"assignee_id": agent.id, "automatic": True}) in events_of(db, ticket)
    assert ("ticket_assigned", agent.id) in mail_since(db, outbox_id)


def test_staff_assign_to_a_covering_colleague_who_is_told(db, file, agent, make_agent):
    colleague = make_agent("moj-it", provinces=("75",))
    ticket = file()
    event_id, outbox_id = last_event_id(db), last_outbox_id(db)

    tickets.assign(agent, ticket, colleague, now=NOW)

    assert stored(db, ticket).assignee_id == colleague.id
    assert events_of(db, ticket, after=event_id) == [("assigned", {"assignee_id": colleague.id})]
    assert mail_since(db, outbox_id) == [("ticket_assigned", colleague.id)]


def test_nobody_outside_the_queues_coverage_is_given_the_ticket(db, file, agent, make_agent):
    elsewhere = make_agent("moj-it", provinces=("01",))
    ticket = file()
    event_id = last_event_id(db)

    with pytest.raises(errors.Invalid) as refused:
        tickets.assign(agent, ticket, elsewhere, now=NOW)

    db.session.rollback()
    assert list(refused.value.fields) == ["assignee"]
    assert stored(db, ticket).assignee_id == agent.id
    assert events_of(db, ticket, after=event_id) == []


# ---------------------------------------------------------------- merge and links


def test_a_duplicate_merged_into_another_closes_and_both_requesters_are_told(
    db, file, agent, requester, other_requester
):
    target = file()
    source = tickets.create_ticket(
        other_requester, tickets.TicketDraft(**{**GOOD_FORM, "priority": 3}), now=NOW
    )
    event_id, outbox_id = last_event_id(db), last_outbox_id(db)

    tickets.merge(agent, source, target, now=NOW)

    source, target = stored(db, source), stored(db, target)
    assert (source.status, source.merged_into_id) == (Status.CLOSED, target.id)
    assert target.status == Status.NEW
    assert events_of(db, source, after=event_id) == [
        ("merged", {"into": target.number}),
        ("status_changed", {"old": "new", "new": "resolved", "reason": "merged"}),
        ("status_changed", {"old": "resolved", "new": "closed", "reason": "merged"}),
    ]
    assert events_of(db, target, after=event_id) == [
        ("merged_in", {"source": source.number}),
        ("follower_added", {"user_id": other_requester.id, "source": source.number}),
    ]
    assert sorted(mail_since(db, outbox_id)) == [
        ("ticket_merged", other_requester.id),
        ("ticket_merged_in", requester.id),
    ]


def test_a_ticket_is_not_merged_into_itself(db, file, agent):
    ticket = file()
    with pytest.raises(errors.Invalid):
        tickets.merge(agent, ticket, ticket, now=NOW)
    db.session.rollback()
    assert stored(db, ticket).merged_into_id is None


def test_a_ticket_is_attached_to_an_incident_and_detached_by_staff(db, file, agent):
    ticket = file()
    incident = tickets.declare(agent, title="Sự cố đăng nhập", system="moj", now=NOW)
    event_id, outbox_id = last_event_id(db), last_outbox_id(db)

    assert tickets.attach(agent, incident, [ticket.number], now=NOW) == {ticket.number: "ok"}
    assert stored(db, ticket).parent_id == incident.id
    tickets.detach(agent, ticket, version=stored(db, ticket).version, now=NOW)

    assert stored(db, ticket).parent_id is None
    assert events_of(db, ticket, after=event_id) == [
        ("linked", {"parent": incident.number}),
        ("linked", {"parent": None}),
    ]
    assert mail_since(db, outbox_id) == []


def test_a_ticket_attached_to_no_incident_is_not_detached(db, file, agent):
    ticket = file()
    version = stored(db, ticket).version
    with pytest.raises(errors.Invalid) as raised:
        tickets.detach(agent, ticket, now=NOW)
    assert "incident" in raised.value.fields
    db.session.rollback()
    assert stored(db, ticket).version == version


# ---------------------------------------------------------------- what the viewer may do


def test_the_abilities_follow_the_ticket_and_the_viewer(db, file, agent, requester):
    ticket = file()
    as_agent = tickets.abilities_of(agent, ticket, now=NOW)
    as_requester = tickets.abilities_of(requester, ticket, now=NOW)
    assert as_agent.staff and as_agent.can_write_notes and not as_agent.can_rate
    assert as_agent.statuses == (
        Status.OPEN,
        Status.WAITING_REQUESTER,
        Status.WAITING_THIRD_PARTY,
        Status.RESOLVED,
    )
    assert not as_requester.staff and as_requester.can_reply and not as_requester.can_confirm

    tickets.change_status(agent, ticket, Status.RESOLVED, now=NOW, resolution="Đã xử lý xong.")
    resolved = tickets.abilities_of(requester, ticket, now=NOW + timedelta(days=1))
    assert resolved.can_confirm and resolved.can_reopen and resolved.can_rate
    assert not tickets.abilities_of(requester, ticket, now=NOW + timedelta(days=8)).can_reopen


def test_every_kind_recorded_is_an_event_kind(db, file, agent):
    ticket = file()
    tickets.add_message(agent, ticket, "Đã nhận.", now=NOW)
    tickets.change_status(agent, ticket, Status.RESOLVED, now=NOW, resolution="Đã xử lý xong.")
    kinds = db.session.scalars(select(Event.kind).where(Event.ticket_id == ticket.id)).all()
    assert {EventKind(kind) for kind in kinds} == {
        EventKind.CREATED,
        EventKind.ROUTED,
        EventKind.ASSIGNED,
        EventKind.STATUS_CHANGED,
    }
