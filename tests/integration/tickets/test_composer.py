"""The agent's ticket page in one action: the composer (a reply or an internal note, a canned
reply, files and the new status, sent in one POST), the other controls in panels, the transfer
list grouped, and a history that names things instead of showing their codes."""

from __future__ import annotations

import io
import re

import pytest
from integration.tickets.page_helpers import PNG, field_tag, fresh, hidden_value, page_of
from sqlalchemy import select
from support import csrf_token

from helpdesk import reference_cache, text
from helpdesk.notifications.models import Outbox
from helpdesk.notifications.rendering import render
from helpdesk.routing import services as routing
from helpdesk.routing.models import Membership, Rule
from helpdesk.tickets import services as tickets
from helpdesk.tickets.canned_models import CannedReply
from helpdesk.tickets.models import Attachment, Event


@pytest.fixture
def agent(make_agent):
    return make_agent("moj-it", ("75",))


@pytest.fixture
def ticket(requester, file_ticket):
    return file_ticket(requester)


def compose(client, ticket, data: dict, **kwargs):
    """Send the composer as the page wrote it: its token and version, one POST to /reply."""
    html = page_of(client, ticket)
    hidden = {"csrf_token": csrf_token(html), "version": hidden_value(html, "version")}
    return client.post(f"/tickets/{ticket.number}/reply", data={**hidden, **data}, **kwargs)


def mails(db, ticket) -> list[Outbox]:
    rows = db.session.scalars(select(Outbox).order_by(Outbox.id))
    return [row for row in rows if row.context.get("number") == ticket.number]


def status_events(db, ticket) -> list[tuple]:
    rows = db.session.scalars(
        select(Event).where(Event.ticket_id == ticket.id, Event.kind == "status_changed")
    )
    return [(e.data["old"], e.data["new"], e.actor_id) for e in rows]


def section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


# ---------------------------------------------------------------- one submit, everything


def test_a_reply_with_a_status_is_one_submit_one_mail_and_one_history_line(
    db, browser, requester, agent, ticket
):
    before = len(mails(db, ticket))
    client = browser(agent)
    response = compose(
        client,
        ticket,
        {
            "body": "Xin anh gửi ảnh màn hình lỗi.",
            "visibility": "public",
            "status": "waiting_requester",
        },
    )
    assert response.status_code == 302
    current = fresh(db, ticket)
    assert [(m.body, m.internal) for m in current.messages] == [
        ("Xin anh gửi ảnh màn hình lỗi.", False)
    ]
    assert current.status == "waiting_requester"
    assert current.first_responded_at is not None
    # New straight to waiting: no "opened" step in between.
    assert status_events(db, ticket) == [("new", "waiting_requester", agent.id)]
    # The requester gets one mail: the status mail, carrying the reply.
    sent = mails(db, ticket)[before:]
    assert [(row.template, row.user_id) for row in sent] == [
        ("ticket_waiting_requester", requester.id)
    ]
    assert sent[0].context["body"] == "Xin anh gửi ảnh màn hình lỗi."
    written = render(sent[0])  # the requester's language: English
    assert f"{agent.full_name} replied:\n\nXin anh gửi ảnh màn hình lỗi." in written.body
    assert "Xin anh gửi ảnh màn hình lỗi.</blockquote>" in written.html
    assert "needs more information from you" in written.body
    html = client.get(response.location).get_data(as_text=True)
    assert "Your reply was sent; the status is now Waiting for the requester." in html
    assert "Xin anh gửi ảnh màn hình lỗi." in section(html, "thread")


def test_a_reply_resolving_the_ticket_mails_the_resolution_with_the_reply(
    db, browser, requester, agent, ticket
):
    before = len(mails(db, ticket))
    response = compose(
        browser(agent),
        ticket,
        {
            "body": "Đã khắc phục.",
            "visibility": "public",
            "status": "resolved",
            "resolution": "Đã cấu hình lại cổng thanh toán.",
        },
    )
    assert response.status_code == 302
    assert fresh(db, ticket).status == "resolved"
    sent = mails(db, ticket)[before:]
    assert [row.template for row in sent] == ["ticket_resolved"]
    assert sent[0].context["body"] == "Đã khắc phục."
    assert sent[0].context["resolution"] == "Đã cấu hình lại cổng thanh toán."
    assert sent[0].context["confirm_url"].endswith("#requester-actions")


def test_a_plain_reply_is_mailed_as_a_reply(db, browser, requester, agent, ticket):
    before = len(mails(db, ticket))
    response = compose(browser(agent), ticket, {"body": "Đang kiểm tra.", "status": ""})
    assert response.status_code == 302
    assert fresh(db, ticket).status == "open"  # the first reply opens a new ticket
    assert [row.template for row in mails(db, ticket)[before:]] == ["ticket_reply"]


def test_an_internal_note_with_a_status_tells_the_requester_nothing_of_the_note(
    db, browser, requester, agent, ticket
):
    before = len(mails(db, ticket))
    note = "Ghi chú: lỗi do cổng thanh toán, đã báo FPT."
    response = compose(
        browser(agent),
        ticket,
        {"body": note, "visibility": "internal", "status": "waiting_third_party"},
    )
    assert response.status_code == 302
    current = fresh(db, ticket)
    assert [(m.body, m.internal) for m in current.messages] == [(note, True)]
    assert current.status == "waiting_third_party"
    assert current.first_responded_at is None  # a note is no answer to the requester
    assert status_events(db, ticket) == [("new", "waiting_third_party", agent.id)]
    assert mails(db, ticket)[before:] == []
    kinds = [e.kind for e in current.events]
    assert "note_added" in kinds and "status_changed" in kinds
    html = browser(requester).get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert note not in html


def test_an_internal_note_resolving_a_ticket_mails_the_resolution_without_the_note(
    db, browser, requester, agent, ticket
):
    before = len(mails(db, ticket))
    note = "Bí mật nội bộ: đã sửa trực tiếp trên máy chủ."
    compose(
        browser(agent),
        ticket,
        {"body": note, "visibility": "internal", "status": "resolved", "resolution": "Đã sửa."},
    )
    sent = mails(db, ticket)[before:]
    assert [row.template for row in sent] == ["ticket_resolved"]
    assert "body" not in sent[0].context
    assert "replied" not in render(sent[0]).body
    assert all(note not in str(row.context) for row in mails(db, ticket))


def test_the_status_alone_changes_without_a_message(db, browser, agent, ticket):
    response = compose(browser(agent), ticket, {"body": "", "status": "waiting_third_party"})
    assert response.status_code == 302
    current = fresh(db, ticket)
    assert (current.status, current.messages) == ("waiting_third_party", [])


def test_nothing_written_and_no_status_asks_for_a_message(db, browser, agent, ticket):
    response = compose(browser(agent), ticket, {"body": "  ", "status": ""})
    assert response.status_code == 422
    assert "is-invalid" in field_tag(response.get_data(as_text=True), "body")
    assert fresh(db, ticket).messages == []


def test_a_refused_status_saves_nothing_and_keeps_what_was_typed_in_vietnamese(
    db, browser, agent, ticket
):
    agent.language = "vi"
    db.session.commit()
    client = browser(agent)
    before = len(mails(db, ticket))
    typed = "Ghi chú dài đã gõ, không được mất."
    response = compose(
        client,
        ticket,
        {"body": typed, "visibility": "internal", "status": "closed"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Không thể chuyển yêu cầu từ trạng thái Mới sang Đã đóng." in html
    assert "is-invalid" in field_tag(html, "status")
    composer = html[html.index('data-testid="composer"') :].split("</form>")[0]
    assert typed in composer
    assert re.search(r'<input[^>]*value="internal"[^>]*checked', composer)
    current = fresh(db, ticket)
    assert (current.status, current.messages) == ("new", [])
    assert mails(db, ticket)[before:] == []


def test_files_come_with_the_composers_message(db, browser, agent, ticket):
    response = compose(
        browser(agent),
        ticket,
        {
            "body": "Ảnh chụp nhật ký.",
            "visibility": "internal",
            "status": "",
            "attachments": [(io.BytesIO(PNG), "nhat-ky.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    message = fresh(db, ticket).messages[0]
    files = db.session.scalars(select(Attachment).where(Attachment.message_id == message.id))
    assert [(f.filename, message.internal) for f in files] == [("nhat-ky.png", True)]


def test_a_canned_reply_chosen_without_scripts_is_sent_with_the_text(
    db, browser, requester, agent, ticket
):
    canned = CannedReply(title="Đã cấp quyền", body="Chúng tôi đã cấp lại quyền cho tài khoản.")
    db.session.add(canned)
    db.session.commit()
    client = browser(agent)
    composer = page_of(client, ticket).split('data-testid="composer"')[1].split("</form>")[0]
    assert f'value="{canned.id}"' in composer
    response = compose(
        client,
        ticket,
        {
            "body": "Chào anh,",
            "canned": str(canned.id),
            "status": "resolved",
            "resolution": "Đã cấp lại quyền.",
        },
    )
    assert response.status_code == 302
    current = fresh(db, ticket)
    assert [m.body for m in current.messages] == [
        "Chào anh,\n\nChúng tôi đã cấp lại quyền cho tài khoản."
    ]
    assert current.status == "resolved"


def test_a_stale_composer_gets_the_conflict_and_keeps_its_input(
    db, browser, make_agent, agent, ticket
):
    colleague = browser(make_agent("moj-it", ("75",)))
    html = page_of(colleague, ticket)
    compose(browser(agent), ticket, {"body": "Tôi nhận.", "status": "waiting_third_party"})
    stale = colleague.post(
        f"/tickets/{ticket.number}/reply",
        data={
            "csrf_token": csrf_token(html),
            "version": hidden_value(html, "version"),
            "body": "Trả lời trên trang cũ.",
            "status": "resolved",
            "resolution": "Đã xử lý trên trang cũ.",
        },
    )
    assert stale.status_code == 409
    assert "Trả lời trên trang cũ." in stale.get_data(as_text=True)
    current = fresh(db, ticket)
    assert current.status == "waiting_third_party"
    assert [m.body for m in current.messages] == ["Tôi nhận."]


def test_a_requester_cannot_use_the_composers_fields(db, browser, requester, ticket):
    client = browser(requester)
    html = page_of(client, ticket)
    assert 'data-testid="composer"' not in html
    response = client.post(
        f"/tickets/{ticket.number}/reply",
        data={
            "csrf_token": csrf_token(html),
            "body": "Tôi tự đóng được không?",
            "visibility": "internal",
            "status": "resolved",
        },
    )
    assert response.status_code == 302
    current = fresh(db, ticket)
    assert current.status == "new"
    assert [(m.body, m.internal) for m in current.messages] == [("Tôi tự đóng được không?", False)]


# ---------------------------------------------------------------- staff filing their own ticket


def test_staff_on_their_own_ticket_are_offered_no_internal_note(
    db, browser, make_agent, file_ticket
):
    staff = make_agent("moj-it")
    own = file_ticket(staff)
    client = browser(staff)
    composer = page_of(client, own).split('data-testid="composer"')[1].split("</form>")[0]
    assert 'value="public"' in composer
    assert 'value="internal"' not in composer
    refused = compose(client, own, {"body": "Ghi chú riêng.", "visibility": "internal"})
    assert refused.status_code == 422
    assert "Internal notes are not for your own ticket." in refused.get_data(as_text=True)
    assert fresh(db, own).messages == []


# ---------------------------------------------------------------- the page's shape


def test_the_staff_page_has_one_composer_and_the_rest_in_panels(browser, agent, ticket):
    html = page_of(browser(agent), ticket)
    assert html.count('data-testid="composer"') == 1
    actions = re.findall(r'<form[^>]*action="/tickets/[^/"]+/(\w+)"', html)
    assert "note" not in actions and "status" not in actions
    assert actions.count("reply") == 1
    panels = re.findall(r'<details[^>]*data-panel="(\w+)"', html)
    assert panels == [
        "assignment",
        "priority",
        "move",
        "facts",
        "merge",
        "external_ref",
        "incident",
    ]
    controls = section(html, "staff-controls")
    fields = ("assignee", "priority", "queue", "escalate_reason", "system", "target", "incident")
    for name in (*fields, "title", "provinces"):
        tag = field_tag(controls, name)
        before = controls[: controls.index(tag)]
        assert before.count("<details") == before.count("</details>") + 1, name


def test_the_transfer_list_is_grouped_sorted_and_chooses_nothing(browser, agent, ticket):
    html = page_of(browser(agent), ticket)
    start = html.index(field_tag(html, "queue"))
    select_html = html[start : html.index("</select>", start)]
    assert "selected" not in select_html
    assert re.search(r'<select[^>]*>\s*<option value="">— choose a queue —</option>', select_html)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select_html, re.S)
    labels = [label for label, _ in groups]
    assert labels == ["Ministry IT units", "Vendors", "Provinces", "National"]
    for label, options in groups:
        names = re.findall(r"<option[^>]*>([^<]+)</option>", options)
        assert names, label
        assert names == sorted(names, key=text.fold), label
    vendors = dict(groups)["Vendors"]
    assert "FPT" in vendors


# ---------------------------------------------------------------- history in words


# What a history line must never show: rule conditions, codes of systems and queues, a
# service's English reason.
CODES = re.compile(r"rule \d|\w+=\w|\bmoj\b|\bmoj-\w+|\bnational\b|SLA breach|\(reason")


def test_the_history_names_the_rule_and_never_shows_codes(
    db, browser, requester, agent, file_ticket, queue_by_code
):
    db.session.add(
        Rule(
            name="Thanh toán của phường Trấn Biên",
            system_code="moj",
            category_code="payment",
            province_code="75",
            queue_id=queue_by_code("moj-it").id,
        )
    )
    db.session.commit()
    named = file_ticket(requester, category="payment")
    seeded = file_ticket(requester)
    client = browser(agent)
    history = section(page_of(client, named), "history")
    assert (
        "Routed to" in history
        and "by the routing rule «Thanh toán của phường Trấn Biên»" in history
    )
    assert not CODES.search(history), history
    # A rule `flask seed` made is named in words.
    history = section(page_of(client, seeded), "history")
    assert "by the routing rule «Bộ Tư pháp: " in history
    assert not CODES.search(history), history
    # One an earlier seed named by its codes is described by its conditions.
    for rule in db.session.scalars(select(Rule).where(Rule.name.like("Bộ Tư pháp: %"))):
        rule.name = routing.default_rule_name(rule.system_code, rule.category_code, rule.queue.code)
    db.session.commit()
    reference_cache.clear()
    history = section(page_of(client, seeded), "history")
    assert "by the routing rule «system " in history
    assert not CODES.search(history), history


def test_the_history_of_changed_facts_is_in_vietnamese_with_names(
    db, browser, agent, ticket, queue_by_code
):
    agent.language = "vi"  # and a member of the vendor's queue the new facts route to
    db.session.add(
        Membership(queue_id=queue_by_code("moj-fpt").id, user_id=agent.id, all_provinces=True)
    )
    db.session.commit()
    client = browser(agent)
    html = page_of(client, ticket)
    client.post(
        f"/tickets/{ticket.number}/facts",
        data={
            "csrf_token": csrf_token(html),
            "version": hidden_value(html, "version"),
            "system": "moj",
            "category": "payment",
            "province": "75",
        },
    )
    history = section(page_of(client, ticket), "history")
    assert "theo quy tắc định tuyến «Bộ Tư pháp: " in history
    assert "Đã đổi hệ thống, nhóm vấn đề và tỉnh/thành phố từ Bộ Tư pháp / " in history
    assert " / Đồng Nai thành Bộ Tư pháp / Thanh toán" in history
    assert "Đã điều phối lại từ" in history
    assert not CODES.search(history), history
    assert "(reason" not in history and "moj-" not in history


def test_a_refused_control_comes_back_in_its_open_panel(db, browser, agent, ticket):
    client = browser(agent)
    html = page_of(client, ticket)
    assert not re.search(r'<details[^>]*data-panel="move"[^>]*open', html)
    response = client.post(
        f"/tickets/{ticket.number}/transfer",
        data={
            "csrf_token": csrf_token(html),
            "version": hidden_value(html, "version"),
            "queue": "",
            "transfer_reason": "Cần nhà cung cấp xử lý",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'<details[^>]*data-panel="move"[^>]*open', html)
    assert not re.search(r'<details[^>]*data-panel="facts"[^>]*open', html)
    assert "is-invalid" in field_tag(html, "queue")
    assert 'value="Cần nhà cung cấp xử lý"' in html


def test_every_history_line_reads_as_words(db, browser, agent, ticket, queue_by_code):
    vendor, it = queue_by_code("moj-fpt").id, queue_by_code("moj-it").id
    stage = tickets.stage_event
    stage(ticket, "routed", queue_id=it, rule_id=None, reason="no rule matched; default queue")
    stage(ticket, "routed", queue_id=it, rule_id=987654, reason="rule 987654 (system=moj)")
    stage(
        ticket, "escalated", from_queue_id=vendor, to_queue_id=it, reason="SLA breach: resolution"
    )
    stage(ticket, "facts_changed", old=["moj", "account", "75"], new=["zzz", "payment", "75"])
    stage(ticket, "replied", actor=agent)  # a kind this version does not know
    db.session.commit()
    history = section(page_of(browser(agent), ticket), "history")
    assert "the system&#39;s default queue (no routing rule matched)" in history
    assert "by the routing rule «a removed routing rule»" in history
    assert "Reason: the resolution deadline was missed" in history
    assert "an unknown system / Online payment and beneficiary account / Đồng Nai" in history
    assert "The ticket changed." in history
    assert not CODES.search(history), history
    assert "SLA breach" not in history and "987654" not in history and "zzz" not in history
