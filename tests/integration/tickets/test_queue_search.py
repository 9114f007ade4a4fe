"""The queue's search: words look in every status, a ticket's number finds it, each result
says its status, a note names the filters that narrowed the list; the filters in words; the
rows a phone shows as cards."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask_babel import force_locale
from support import csrf_token

from helpdesk.tickets import forms
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Status

ROW = re.compile(r'<tr data-number="([^"]+)"')


def page(client, query: str = "", language: str = "vi") -> str:
    client.set_cookie("lang", language)
    response = client.get(f"/tickets/queue{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def listed(client, query: str = "") -> list[str]:
    return ROW.findall(page(client, query))


def note_of(html: str) -> str:
    """The search note's text, tags removed, spaces collapsed ("" when there is none)."""
    found = re.search(r'<p[^>]*data-testid="search-note"[^>]*>(.*?)</p>', html, re.S)
    if found is None:
        return ""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def options_of(html: str, name: str) -> list[tuple[str, str]]:
    """The (value, label) options of the filter form's select `name`."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [
        (value, unescape(label).strip())
        for value, label in re.findall(r'<option[^>]*value="([^"]*)"[^>]*>(.*?)</option>', select)
    ]


@pytest.fixture
def agent(make_agent):
    return make_agent("moj-it", ("75",))


@pytest.fixture
def closed(agent, requester, file_ticket):
    """A closed ticket of the agent's queue and province."""
    ticket = file_ticket(requester, subject="Biên lai điện tử bị trùng")
    tickets.change_status(agent, ticket, "resolved", resolution="Đã xử lý xong.")
    return tickets.change_status(agent, ticket, "closed")


def test_words_find_a_closed_ticket_and_the_row_says_it_is_closed(browser, agent, closed):
    client = browser(agent)
    assert closed.number not in listed(client)  # without words: the open tickets
    html = page(client, "?q=bien+lai")
    assert ROW.findall(html) == [closed.number]
    row = html.split(f'<tr data-number="{closed.number}">', 1)[1].split("</tr>", 1)[0]
    assert re.search(r'data-status="closed">Đã đóng<', row)
    assert "Tìm trong mọi trạng thái." in note_of(html)


@pytest.mark.parametrize(
    "shape",
    [str, str.lower, lambda number: number.rsplit("-", 1)[1]],
    ids=["number", "lower-case", "digits"],
)
def test_a_closed_ticket_is_found_by_its_number(browser, agent, closed, shape):
    assert listed(browser(agent), f"?q={shape(closed.number)}") == [closed.number]


def test_a_ticket_is_found_by_its_number_without_the_zeros(
    browser, agent, requester, file_ticket, closed
):
    file_ticket(requester, subject="Khác")
    digits = closed.number.rsplit("-", 1)[1].lstrip("0")
    assert closed.number in listed(browser(agent), f"?q={digits}")


def test_the_search_box_keeps_the_filters_but_not_the_status(browser, agent, closed):
    html = page(browser(agent), "?status=resolved&province=75")
    search = html.split('data-testid="search"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="province" value="75">' in search
    assert 'name="status"' not in search


def test_a_status_chosen_with_the_words_keeps_the_search_to_it(
    browser, agent, requester, file_ticket, closed
):
    still_open = file_ticket(requester, subject="Biên lai chưa cấp")
    client = browser(agent)
    assert sorted(listed(client, "?q=bien+lai")) == sorted([closed.number, still_open.number])
    html = page(client, "?q=bien+lai&status=open")
    assert ROW.findall(html) == [still_open.number]
    assert "trạng thái Chưa giải quyết" in note_of(html)
    assert "Tìm trong mọi trạng thái." not in note_of(html)
    assert listed(client, "?q=bien+lai&status=closed") == [closed.number]
    assert sorted(listed(client, "?q=bien+lai&status=all")) == sorted(
        [closed.number, still_open.number]
    )


def test_a_ticket_outside_the_agents_scope_is_never_found(
    browser, agent, make_agent, requester, other_requester, file_ticket
):
    elsewhere = make_agent("moj-it")  # every province: may close the other province's ticket
    outside = {
        "province": file_ticket(other_requester, province="01", subject="Biên lai Hà Nội"),
        "queue": file_ticket(requester, category="payment", subject="Biên lai thanh toán"),
    }
    tickets.change_status(elsewhere, outside["province"], "resolved", resolution="Đã xử lý xong.")
    tickets.change_status(elsewhere, outside["province"], "closed")
    client = browser(agent)
    for ticket in outside.values():
        for query in ("bien+lai", ticket.number, ticket.number.rsplit("-", 1)[1]):
            for status in ("", "&status=all", "&status=closed"):
                assert ticket.number not in listed(client, f"?q={query}{status}")
    assert outside["province"].number in listed(browser(elsewhere), "?q=bien+lai")


def test_the_note_names_each_narrowing_filter_with_a_way_to_remove_it(
    browser, agent, requester, file_ticket, queue_by_code
):
    ticket = file_ticket(requester, subject="Biên lai lỗi")
    queue = queue_by_code("moj-it")
    client = browser(agent)
    html = page(client, f"?q=bien+lai&queue={queue.id}&province=75&sla=ok&status=open")
    assert ROW.findall(html) == [ticket.number]
    note = note_of(html)
    assert note.startswith("Đang lọc theo:")
    for phrase in (
        f"hàng đợi {queue.name}",
        "tỉnh/thành phố Đồng Nai",
        "SLA Đúng hạn",
        "trạng thái Chưa giải quyết",
        "Bỏ lọc",
    ):
        assert phrase in note, phrase
    links = dict(re.findall(r'data-filter="(\w+)">.*?href="([^"]+)"', html, re.S))
    assert set(links) == {"queue", "province", "sla", "status"}
    for name, href in links.items():
        assert f"{name}=" not in href and "q=bien+lai" in unescape(href), (name, href)
    assert re.search(r'href="/tickets/queue\?q=bien\+lai" data-testid="clear-filters"', html)


def test_without_words_or_filters_there_is_no_note(browser, agent, requester, file_ticket):
    file_ticket(requester)
    assert 'data-testid="search-note"' not in page(browser(agent))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_status_labels_are_distinct(app, browser, agent, language):
    with app.test_request_context(), force_locale(language):
        labels = [str(forms.STATUS_LABELS[status]) for status in Status]
        open_together = str(forms.OPEN_STATUSES_LABEL)
    assert len(set(labels)) == len(labels) == len(Status)
    assert open_together not in labels
    offered = [label for _value, label in options_of(page(browser(agent), "", language), "status")]
    assert len(set(offered)) == len(offered), offered
    if language == "vi":
        assert offered.count("Đang xử lý") == 1
        assert not any(label.startswith("Đang xử lý (") for label in offered)


def test_the_filters_offer_words_not_codes(browser, agent):
    html = page(browser(agent))
    assert options_of(html, "sla") == [
        ("", "Tất cả"),
        ("ok", "Đúng hạn"),
        ("warning", "Sắp đến hạn"),
        ("breached", "Quá hạn"),
        ("paused", "Tạm dừng"),
        ("met", "Đã đạt"),
    ]
    for name in ("sla", "status", "province", "system", "category"):
        for value, label in options_of(html, name):
            assert value == "" or label != value, (name, value)
    assert ("75", "Đồng Nai") in options_of(html, "province")


def test_a_ticket_is_written_once_and_its_row_holds_what_a_phone_shows(
    browser, agent, requester, file_ticket
):
    from helpdesk.catalogue import services as catalogue

    filed = [file_ticket(requester, subject=f"Vấn đề <{n}>") for n in range(3)]
    html = page(browser(agent))
    rows = ROW.findall(html)
    assert sorted(rows) == sorted(t.number for t in filed)
    assert html.count('name="numbers"') == len(rows)  # one checkbox per ticket
    # app.css lays a row of this table out as a card below the md breakpoint.
    assert re.search(r'<table class="[^"]*\btable-queue\b[^"]*" data-testid="queue-table">', html)
    province = catalogue.find_province("75").name
    for ticket in filed:
        row = html.split(f'data-number="{ticket.number}"', 1)[1].split("</tr>", 1)[0]
        assert f">{ticket.number}</a>" in row
        subject = re.search(r'<td class="queue-subject[^"]*">(.*?)</td>', row, re.S).group(1)
        assert ticket.subject.replace("<", "&lt;").replace(">", "&gt;") in subject
        assert f'<td class="queue-place">{province}</td>' in row
        assert re.search(r'data-status="new">Mới<', row)
        sla = r'<td class="queue-place">\s*<span class="badge[^"]*"[^>]*data-sla-state="ok"'
        assert re.search(sla, row)
        assert row.count('<td class="queue-more">') == 3  # kind, priority, assignee: wider screens


def test_a_ticket_checked_twice_is_acted_on_once(browser, agent, requester, file_ticket):
    ticket = file_ticket(requester)
    client = browser(agent)
    token = csrf_token(page(client))
    response = client.post(
        "/tickets/queue/bulk",
        data={"csrf_token": token, "numbers": [ticket.number, ticket.number], "action": "claim"},
    )
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    results = html.split('data-testid="bulk-results"', 1)[1].split("</section>", 1)[0]
    assert results.count(f">{ticket.number}</a>") == 1
