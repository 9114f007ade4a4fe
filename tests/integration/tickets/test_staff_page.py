"""The staff side of the ticket page: who may see it, the controls, optimistic locking,
canned replies, merge and links, and the history."""

from __future__ import annotations

import pytest
from integration.tickets.page_helpers import (
    PNG,
    download,
    field_tag,
    fresh,
    hidden_value,
    is_invalid,
)
from sqlalchemy import func, select
from support import csrf_token

from helpdesk.tickets import services as tickets
from helpdesk.tickets.canned_models import CannedReply
from helpdesk.tickets.models import Message

CONFLICT = "Someone else changed this ticket while you were working on it."


@pytest.fixture
def agent(make_agent):
    return make_agent("moj-it", ("75",))


@pytest.fixture
def colleague(make_agent):
    return make_agent("moj-it", ("75",))


@pytest.fixture
def ticket(requester, file_ticket):
    return file_ticket(requester, attachments=[("anh.png", PNG)])


def read_page(client, ticket) -> dict:
    """The ticket page as a browser holds it: its CSRF token and the version it shows."""
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    return {"csrf_token": csrf_token(html), "version": hidden_value(html, "version"), "html": html}


def act(client, ticket, action: str, data: dict, *, page: dict | None = None, **kwargs):
    """Post a staff control of the ticket page, with the token and version the page showed."""
    page = page or read_page(client, ticket)
    hidden = {"csrf_token": page["csrf_token"], "version": page["version"]}
    return client.post(f"/tickets/{ticket.number}/{action}", data={**hidden, **data}, **kwargs)


# ---------------------------------------------------------------- who sees the ticket


@pytest.mark.parametrize(
    ("queue_code", "provinces"),
    [("moj-it", ("01",)), ("moj-fpt", ()), ("", ())],
    ids=["other-province", "other-queue", "no-queue"],
)
def test_an_agent_outside_the_queue_or_province_gets_404(
    db, browser, make_agent, agent, ticket, queue_code, provinces
):
    outsider = browser(make_agent(queue_code, provinces))
    assert outsider.get(f"/tickets/{ticket.number}").status_code == 404
    url = f"/tickets/{ticket.number}/attachments/{ticket.attachments[0].id}"
    assert download(outsider, url).status_code == 404
    token = csrf_token(outsider.get("/tickets/queue").get_data(as_text=True))
    claim = outsider.post(f"/tickets/{ticket.number}/claim", data={"csrf_token": token})
    assert claim.status_code == 404
    assert fresh(db, ticket).assignee_id == agent.id
    assert browser(agent).get(f"/tickets/{ticket.number}").status_code == 200


def test_the_staff_page_marks_internal_notes_and_shows_the_history(browser, agent, ticket):
    tickets.add_message(agent, ticket, "Đã kiểm tra nhật ký hệ thống.", internal=True)
    html = browser(agent).get(f"/tickets/{ticket.number}").get_data(as_text=True)
    note = html[html.index('data-testid="internal-note"') - 200 :]
    assert "bg-warning-subtle" in note[:400]
    assert "Đã kiểm tra nhật ký hệ thống." in note
    history = html[html.index('data-testid="history"') :]
    for sentence in ("Ticket filed.", "Routed to", "Internal note added."):
        assert sentence in history
    assert 'data-testid="staff-controls"' in html


def test_a_staff_reply_is_public_and_a_note_is_internal(db, browser, agent, ticket):
    client = browser(agent)
    assert act(client, ticket, "reply", {"body": "Đã cấp lại quyền."}).status_code == 302
    assert act(client, ticket, "note", {"note": "Quyền cấp qua VNPT."}).status_code == 302
    messages = fresh(db, ticket).messages
    assert [(m.body, m.internal) for m in messages] == [
        ("Đã cấp lại quyền.", False),
        ("Quyền cấp qua VNPT.", True),
    ]
    assert fresh(db, ticket).status == "open"  # the first public reply opens a new ticket


# ---------------------------------------------------------------- the controls


def test_status_choices_follow_the_state_machine(db, browser, agent, ticket):
    client = browser(agent)
    page = read_page(client, ticket)
    status_select = field_tag(page["html"], "status")
    assert status_select.startswith("<select")
    offered = page["html"][page["html"].index(status_select) :].split("</select>")[0]
    assert 'value="closed"' not in offered and 'value="resolved"' in offered
    refused = act(client, ticket, "status", {"status": "closed"}, page=page)
    assert refused.status_code == 422
    assert is_invalid(refused.get_data(as_text=True), "status")
    assert "A ticket cannot go from" in refused.get_data(as_text=True)
    assert fresh(db, ticket).status == "new"
    moved = act(client, ticket, "status", {"status": "waiting_third_party"})
    assert moved.status_code == 302
    assert fresh(db, ticket).status == "waiting_third_party"


def test_a_second_form_with_the_same_version_gets_the_conflict_and_overwrites_nothing(
    db, browser, agent, colleague, ticket
):
    mine, theirs = browser(agent), browser(colleague)
    my_page, their_page = read_page(mine, ticket), read_page(theirs, ticket)
    assert my_page["version"] == their_page["version"]
    first = act(mine, ticket, "status", {"status": "waiting_third_party"}, page=my_page)
    assert first.status_code == 302
    second = act(theirs, ticket, "priority", {"priority": "1"}, page=their_page)
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert CONFLICT in html
    assert "alert-danger" in html
    assert 'data-status="waiting_third_party"' in html  # the ticket as it is now
    current = fresh(db, ticket)
    assert (current.status, current.priority) == ("waiting_third_party", 3)
    assert hidden_value(html, "version") == str(current.version)


def test_a_stale_reply_keeps_its_text_and_saves_nothing(db, browser, agent, colleague, ticket):
    mine, theirs = browser(agent), browser(colleague)
    their_page = read_page(theirs, ticket)
    act(mine, ticket, "priority", {"priority": "2"})
    stale = act(theirs, ticket, "reply", {"body": "Trả lời dựa trên trang cũ."}, page=their_page)
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert CONFLICT in html
    assert "Trả lời dựa trên trang cũ." in html
    assert fresh(db, ticket).messages == []


def test_taking_a_ticket_assigns_it_to_me(db, browser, agent, colleague, ticket):
    assert fresh(db, ticket).assignee_id == agent.id
    assert act(browser(colleague), ticket, "claim", {}).status_code == 302
    assert fresh(db, ticket).assignee_id == colleague.id


def test_assigning_to_a_member_works_and_to_an_outsider_is_refused(
    db, browser, make_agent, agent, colleague, ticket
):
    client = browser(agent)
    page = read_page(client, ticket)
    assert f'value="{colleague.id}"' in page["html"]
    assert act(client, ticket, "assign", {"assignee": str(colleague.id)}).status_code == 302
    assert fresh(db, ticket).assignee_id == colleague.id
    outsider = make_agent("moj-it", ("01",))
    refused = act(client, ticket, "assign", {"assignee": str(outsider.id)})
    assert refused.status_code == 422
    assert is_invalid(refused.get_data(as_text=True), "assignee")
    assert fresh(db, ticket).assignee_id == colleague.id


def test_a_transfer_needs_a_reason_and_moves_the_ticket(db, browser, agent, ticket, queue_by_code):
    client = browser(agent)
    vendor = queue_by_code("moj-fpt")
    refused = act(client, ticket, "transfer", {"queue": str(vendor.id), "transfer_reason": ""})
    assert refused.status_code == 422
    assert is_invalid(refused.get_data(as_text=True), "transfer_reason")
    assert fresh(db, ticket).queue_id != vendor.id
    moved = act(
        client, ticket, "transfer", {"queue": str(vendor.id), "transfer_reason": "Lỗi phần mềm"}
    )
    assert moved.status_code == 302
    assert moved.headers["Location"] == "/tickets/queue"  # no longer in the agent's queues
    current = fresh(db, ticket)
    assert current.queue_id == vendor.id
    # moj-fpt has nobody here: the admins are told, and the history says so.
    assert [e.kind for e in current.events[-3:]] == ["transferred", "unassigned", "unstaffed"]
    transferred = [e for e in current.events if e.kind == "transferred"]
    assert transferred[0].data["reason"] == "Lỗi phần mềm"


def test_escalation_moves_the_ticket_to_the_next_tier(db, browser, agent, ticket, queue_by_code):
    response = act(browser(agent), ticket, "escalate", {"escalate_reason": "Quá hạn xử lý"})
    assert response.status_code == 302
    current = fresh(db, ticket)
    assert current.queue_id == queue_by_code("national").id  # the ministry IT unit's next tier
    assert any(e.kind == "escalated" for e in current.events)


def test_an_escalation_without_reason_is_refused(db, browser, agent, ticket):
    response = act(browser(agent), ticket, "escalate", {"escalate_reason": ""})
    assert response.status_code == 422
    assert is_invalid(response.get_data(as_text=True), "escalate_reason")
    assert not any(e.kind == "escalated" for e in fresh(db, ticket).events)


def test_changing_the_priority(db, browser, agent, ticket):
    assert act(browser(agent), ticket, "priority", {"priority": "1"}).status_code == 302
    assert fresh(db, ticket).priority == 1


def test_changing_the_category_routes_the_ticket_again(db, browser, agent, ticket, queue_by_code):
    data = {"system": "moj", "category": "payment", "province": "75"}
    assert act(browser(agent), ticket, "facts", data).status_code == 302
    current = fresh(db, ticket)
    assert current.category_code == "payment"
    assert current.queue_id == queue_by_code("moj-fpt").id


def test_an_unknown_code_in_the_facts_is_refused(db, browser, agent, ticket):
    data = {"system": "moj", "category": "khong\x00co", "province": "75"}
    response = act(browser(agent), ticket, "facts", data)
    assert response.status_code == 422
    assert fresh(db, ticket).category_code == "account"


# ---------------------------------------------------------------- merge and links


def test_merging_keeps_every_message(db, browser, requester, other_requester, agent, file_ticket):
    duplicate = file_ticket(requester, subject="Trùng")
    original = file_ticket(other_requester, subject="Gốc")
    tickets.add_message(requester, duplicate, "Tin nhắn một của bản trùng.")
    tickets.add_message(agent, duplicate, "Ghi chú trên bản trùng.", internal=True)
    tickets.add_message(other_requester, original, "Tin nhắn của bản gốc.")
    client = browser(agent)
    response = act(client, duplicate, "merge", {"target": original.number})
    assert response.status_code == 302
    merged, target = fresh(db, duplicate), fresh(db, original)
    assert (merged.status, merged.merged_into_id) == ("closed", target.id)
    assert [m.body for m in merged.messages] == [
        "Tin nhắn một của bản trùng.",
        "Ghi chú trên bản trùng.",
    ]
    assert [m.body for m in target.messages] == ["Tin nhắn của bản gốc."]
    assert db.session.scalar(select(func.count()).select_from(Message)) == 3
    html = client.get(f"/tickets/{duplicate.number}").get_data(as_text=True)
    assert 'data-testid="merged-into"' in html
    assert "Tin nhắn một của bản trùng." in html
    target_html = client.get(f"/tickets/{original.number}").get_data(as_text=True)
    assert f"{duplicate.number} was merged into this ticket." in target_html


def test_merging_into_an_unknown_ticket_is_refused_beside_the_field(db, browser, agent, ticket):
    response = act(browser(agent), ticket, "merge", {"target": "HT-1999-999999"})
    assert response.status_code == 422
    assert is_invalid(response.get_data(as_text=True), "target")
    assert fresh(db, ticket).merged_into_id is None


def test_attaching_to_an_incident_and_detaching(db, browser, requester, agent, ticket, file_ticket):
    first = file_ticket(requester, subject="Sự cố chung")
    incident = tickets.declare(agent, title="Sự cố chung", system="moj", numbers=[first.number])
    client = browser(agent)
    attached = act(client, ticket, "incident/attach", {"incident": incident.number.lower()})
    assert attached.status_code == 302
    assert fresh(db, ticket).parent_id == incident.id
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert f"Attached to the incident {incident.number}." in html
    assert act(client, ticket, "incident/attach", {"incident": ""}).status_code == 302
    assert fresh(db, ticket).parent_id is None
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Detached from its incident." in html


# ---------------------------------------------------------------- canned replies


def test_a_canned_reply_goes_into_the_reply_box_and_nothing_is_sent(db, browser, agent, ticket):
    canned = CannedReply(title="Đã cấp quyền", body="Chúng tôi đã cấp lại quyền cho tài khoản.")
    db.session.add(canned)
    db.session.commit()
    client = browser(agent)
    page = read_page(client, ticket)
    assert f'data-body="{canned.body}"' in page["html"]
    response = act(
        client,
        ticket,
        "reply",
        {"body": "Chào anh,", "canned": str(canned.id), "insert_canned": "1"},
        page=page,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    box = html[html.index('name="body"') :].split("</textarea>")[0]
    assert "Chào anh,\n\nChúng tôi đã cấp lại quyền cho tài khoản." in box
    assert fresh(db, ticket).messages == []


def test_a_canned_reply_of_another_queue_is_not_offered(db, browser, agent, ticket, queue_by_code):
    other = CannedReply(queue_id=queue_by_code("moh-it").id, title="Bộ Y tế", body="Riêng Bộ Y tế.")
    db.session.add(other)
    db.session.commit()
    client = browser(agent)
    assert "Riêng Bộ Y tế." not in read_page(client, ticket)["html"]
    response = act(
        client, ticket, "reply", {"body": "", "canned": str(other.id), "insert_canned": "1"}
    )
    assert "Riêng Bộ Y tế." not in response.get_data(as_text=True)
