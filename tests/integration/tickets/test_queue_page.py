"""The agent workspace /tickets/queue: what it lists, its filters, its pages, bulk actions."""

from __future__ import annotations

import re

import pytest
from integration.tickets.page_helpers import fresh
from sqlalchemy import func, select
from support import csrf_token

from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Message

ROW = re.compile(r'<tr data-number="([^"]+)"')


def listed(client, query: str = "") -> list[str]:
    response = client.get(f"/tickets/queue{query}")
    assert response.status_code == 200
    return ROW.findall(response.get_data(as_text=True))


def bulk(client, numbers: list[str], **fields):
    token = csrf_token(client.get("/tickets/queue").get_data(as_text=True))
    data = {"csrf_token": token, "numbers": numbers, **fields}
    return client.post("/tickets/queue/bulk", data=data)


@pytest.fixture
def agent(make_agent):
    return make_agent("moj-it", ("75",))


@pytest.fixture
def spread(requester, other_requester, file_ticket):
    """Tickets in the agent's queue and province, in another province, in another queue."""
    return {
        "mine": file_ticket(requester, subject="Trong phạm vi"),
        "other_province": file_ticket(other_requester, province="01", subject="Tỉnh khác"),
        "other_queue": file_ticket(requester, category="payment", subject="Hàng đợi khác"),
    }


def test_the_queue_lists_only_the_queues_and_provinces_i_cover(browser, agent, spread):
    assert listed(browser(agent)) == [spread["mine"].number]


def test_a_supervisor_sees_the_whole_queue(db, browser, make_agent, spread, queue_by_code):
    supervisor = make_agent("", role="supervisor")
    queue_by_code("moj-it").supervisor_id = supervisor.id
    db.session.commit()
    numbers = listed(browser(supervisor))
    assert sorted(numbers) == sorted([spread["mine"].number, spread["other_province"].number])


def test_requesters_do_not_get_the_queue(browser, requester):
    assert browser(requester).get("/tickets/queue").status_code == 404


def test_the_queue_filters_by_province_assignee_and_status(
    db, browser, make_agent, requester, file_ticket, queue_by_code
):
    everywhere = make_agent("moj-it")  # covers every province; new tickets go to them
    in_75 = file_ticket(requester, province="75")
    in_01 = file_ticket(requester, province="01")
    tickets.assign(everywhere, in_01, None)
    done = tickets.change_status(
        everywhere, file_ticket(requester), "resolved", resolution="Đã xử lý xong."
    )
    client = browser(everywhere)
    assert listed(client, "?province=75") == [in_75.number]
    assert listed(client, "?assignee=unassigned") == [in_01.number]
    assert listed(client, "?assignee=mine") == [in_75.number]
    assert done.number not in listed(client)  # open tickets by default
    assert listed(client, "?status=resolved") == [done.number]
    assert len(listed(client, "?status=all")) == 3
    queue_id = queue_by_code("moj-it").id
    assert len(listed(client, f"?queue={queue_id}&category=account&system=moj")) == 2
    assert listed(client, "?sla=breached") == []  # just filed: no deadline has passed


def test_values_that_are_not_offered_are_ignored(browser, agent, spread):
    query = "?province=%27&queue=abc&status=bogus&sla=x&assignee=%C2%B2&category=%27--&page=x"
    assert listed(browser(agent), query) == [spread["mine"].number]


def test_rows_go_by_deadline(browser, agent, requester, file_ticket):
    low = file_ticket(requester, priority=4, subject="Câu hỏi")
    critical = file_ticket(requester, priority=1, subject="Mất tiền hàng loạt")
    assert listed(browser(agent)) == [critical.number, low.number]


def test_the_queue_shows_50_tickets_a_page(browser, agent, requester, file_ticket):
    numbers = {file_ticket(requester, subject=f"Vấn đề {n}").number for n in range(51)}
    client = browser(agent)
    first, second = listed(client), listed(client, "?page=2")
    assert (len(first), len(second)) == (50, 1)
    assert set(first) | set(second) == numbers


def test_past_its_limit_the_count_says_more_than(
    monkeypatch, browser, agent, requester, file_ticket
):
    from helpdesk.tickets.views import queue as staff

    monkeypatch.setattr(staff, "COUNT_LIMIT", 3)
    monkeypatch.setattr(staff, "PER_PAGE", 2)
    for n in range(5):
        file_ticket(requester, subject=f"Vấn đề {n}")
    client = browser(agent)
    first = client.get("/tickets/queue").get_data(as_text=True)
    assert re.search(r'data-testid="total">\s*More than 3 tickets\s*<', first)
    assert "Page 1<" in first and "Page 1 of" not in first and "?page=2" in first
    last = client.get("/tickets/queue?page=3").get_data(as_text=True)
    assert len(ROW.findall(last)) == 1 and "?page=4" not in last and "?page=2" in last


def test_under_its_limit_the_count_is_exact(monkeypatch, browser, agent, requester, file_ticket):
    from helpdesk.tickets.views import queue as staff

    monkeypatch.setattr(staff, "PER_PAGE", 2)
    for n in range(3):
        file_ticket(requester, subject=f"Vấn đề {n}")
    html = browser(agent).get("/tickets/queue").get_data(as_text=True)
    assert re.search(r'data-testid="total">\s*3 tickets\s*<', html)
    assert "Page 1 of 2" in html


def test_the_queue_searches_words_without_diacritics(browser, agent, requester, file_ticket):
    paid = file_ticket(requester, subject="Đã thanh toán nhưng chưa nhận tiền")
    file_ticket(requester, subject="Không đăng nhập được")
    client = browser(agent)
    assert listed(client, "?q=THANH+toan") == [paid.number]
    html = client.get("/tickets/queue?q=thanh+toan").get_data(as_text=True)
    assert 'name="q" value="thanh toan"' in html
    assert listed(client, "?q=" + "x" * 201) == listed(client)  # too long: not a search


# ---------------------------------------------------------------- bulk actions


def test_bulk_assign_to_me_reports_each_ticket(
    db, browser, make_agent, requester, file_ticket, spread
):
    colleague = make_agent("moj-it", ("75",))
    second = file_ticket(requester, subject="Thứ hai")
    client = browser(colleague)
    numbers = [spread["mine"].number, second.number, spread["other_province"].number]
    response = bulk(client, numbers, action="claim")
    assert response.status_code == 302
    assert fresh(db, spread["mine"]).assignee_id == colleague.id
    assert fresh(db, second).assignee_id == colleague.id
    assert fresh(db, spread["other_province"]).assignee_id != colleague.id
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    results = html[html.index('data-testid="bulk-results"') :]
    assert f'data-result="ok">{spread["mine"].number}' in results
    assert f'data-result="ok">{second.number}' in results
    assert f'data-result="Ticket not found.">{spread["other_province"].number}' in results
    assert 'data-testid="bulk-results"' not in client.get("/tickets/queue").get_data(as_text=True)


def test_bulk_assign_to_an_agent(db, browser, make_agent, agent, spread):
    colleague = make_agent("moj-it", ("75",))
    response = bulk(
        browser(agent), [spread["mine"].number], action="assign", assignee=str(colleague.id)
    )
    assert response.status_code == 302
    assert fresh(db, spread["mine"]).assignee_id == colleague.id


def test_bulk_status_follows_the_state_machine(db, browser, agent, requester, file_ticket):
    first, second = file_ticket(requester), file_ticket(requester)
    client = browser(agent)
    bulk(client, [first.number, second.number], action="status", status="waiting_third_party")
    assert fresh(db, first).status == fresh(db, second).status == "waiting_third_party"
    bulk(client, [first.number], action="status", status="new")
    assert fresh(db, first).status == "waiting_third_party"


def test_bulk_transfer_needs_a_reason_and_keeps_every_message(
    db, browser, agent, requester, file_ticket, queue_by_code
):
    first, second = file_ticket(requester), file_ticket(requester)
    tickets.add_message(requester, first, "Bổ sung thông tin.")
    tickets.add_message(agent, first, "Ghi chú.", internal=True)
    tickets.add_message(requester, second, "Thêm ảnh.")
    vendor = queue_by_code("moj-fpt")
    client = browser(agent)
    numbers = [first.number, second.number]
    bulk(client, numbers, action="transfer", queue=str(vendor.id), reason="")
    assert fresh(db, first).queue_id != vendor.id
    response = bulk(client, numbers, action="transfer", queue=str(vendor.id), reason="Lỗi phần mềm")
    assert response.status_code == 302
    assert fresh(db, first).queue_id == fresh(db, second).queue_id == vendor.id
    assert [m.body for m in fresh(db, first).messages] == ["Bổ sung thông tin.", "Ghi chú."]
    assert [m.body for m in fresh(db, second).messages] == ["Thêm ảnh."]
    assert db.session.scalar(select(func.count()).select_from(Message)) == 3


def test_bulk_without_a_ticket_changes_nothing(db, browser, agent, spread):
    response = bulk(browser(agent), [], action="status", status="waiting_third_party")
    assert response.status_code == 302
    assert fresh(db, spread["mine"]).status == "new"


def row_of(html: str, number: str) -> str:
    return html.split(f'<tr data-number="{number}">', 1)[1].split("</tr>", 1)[0]


@pytest.mark.parametrize(("language", "badge"), [("vi", "Đúng hạn · còn "), ("en", "On time · ")])
def test_a_row_shows_the_catalogues_names_and_the_sla_badge_in_the_chosen_language(
    browser, agent, requester, file_ticket, language, badge
):
    from helpdesk.catalogue import services as catalogue

    ticket = file_ticket(requester, subject="<b>Bảng</b> & lương")
    client = browser(agent)
    client.set_cookie("lang", language)

    row = row_of(client.get("/tickets/queue").get_data(as_text=True), ticket.number)

    assert "&lt;b&gt;Bảng&lt;/b&gt; &amp; lương" in row
    province = catalogue.find_province(ticket.province_code).name
    assert f'<td class="queue-place">{province}</td>' in row
    category = catalogue.find_category(ticket.category_code).name(language)
    assert f'<td class="queue-more">{category}</td>' in row
    assert f'href="/tickets/{ticket.number}"' in row
    assert 'data-sla-state="ok"' in row
    assert badge in row


def test_the_queue_reads_only_the_columns_its_rows_show(app, db, agent, requester, file_ticket):
    from helpdesk.tickets.views.queue import QUEUE_COLUMNS

    tickets.assign(agent, file_ticket(requester, description="Mô tả dài"), agent)
    agent_id, name = agent.id, agent.full_name
    db.session.expunge_all()  # as a new request: nothing of the ticket in memory yet
    agent = db.session.get(type(agent), agent_id)

    (ticket,) = tickets.list_ticket_columns(agent, tickets.TicketFilters(), QUEUE_COLUMNS).items

    assert ticket.subject
    assert ticket.assignee_name == name
    with pytest.raises(AttributeError):
        ticket.description  # noqa: B018 - reading it is the test


def test_the_queues_selects_are_written_as_the_wtforms_widget_writes_them(app, agent):
    from flask_login import login_user

    from helpdesk.site.widgets import field_html
    from helpdesk.tickets import forms, queue_forms

    query = "/tickets/queue?assignee=7&status=open"
    with app.test_request_context(query):
        login_user(agent)
        form = queue_forms.QueueFilterForm()
        form.assignee.choices = forms.options(
            [("", "All"), ("7", 'An <Bình> & "Chi"'), ("8", "Dũng")]
        )
        form.status.choices = forms.options([("open", "Open"), ("all", "All")])
        bulk = queue_forms.BulkForm(formdata=None)

        for field in (form.assignee, form.status, bulk.action):
            assert field_html(field, class_="form-select") == field(class_="form-select")
