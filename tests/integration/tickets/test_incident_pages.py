"""Incidents on the staff pages, through real form posts (CSRF on): declaring one from a ticket's
page or from a selection in the queue, attaching tickets with a result per number, the update
that reaches every attached ticket, resolving with it; the incident's page (its tickets, its
provinces, a constant number of statements); what the requester sees of it; the history."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from integration.tickets.page_helpers import fresh, is_invalid, page_of
from sqlalchemy import func, select
from support import csrf_token

from helpdesk.notifications.models import Outbox
from helpdesk.routing.models import Membership
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Kind, Message, Status, Ticket
from helpdesk.tickets.services import incident_pages
from helpdesk.tickets.services.followers import add_follower

TITLE = "Tiền lệ phí không về tài khoản thụ hưởng"


@pytest.fixture
def agent(make_agent):
    """A member of moj-fpt (where payment tickets of moj go), covering every province."""
    return make_agent("moj-fpt")


@pytest.fixture
def official(make_user):
    return make_user(
        "requester", province_code="75", unit="UBND xã Phú Lý", email="phuly@example.vn"
    )


@pytest.fixture
def file_for(file_ticket, make_user):
    """A payment ticket of moj from a new official of the province (or the one given)."""

    def file(province="75", *, by=None, subject=TITLE, **fields):
        by = by or make_user("requester", province_code=province, unit=f"UBND xã {province}")
        return file_ticket(
            by,
            subject=subject,
            category="payment",
            province=province,
            unit=by.unit.name if by.unit else "",
            **fields,
        )

    return file


def post_from(client, page: str, url: str, data: dict):
    """Post a form of `page` as a browser does: with the CSRF token the page carries."""
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def incidents_count(db) -> int:
    return db.session.scalar(select(func.count()).where(Ticket.kind == Kind.INCIDENT))


def the_incident(db) -> Ticket:
    return db.session.scalar(select(Ticket).where(Ticket.kind == Kind.INCIDENT))


def section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def province_rows(html: str) -> list[tuple[str, str, str]]:
    """The affected provinces' table: (code, tickets, open) in the page's order."""
    table = section(html, "incident-provinces")
    return re.findall(
        r'data-province="(\d+)">.*?data-total>([\d.,]+)<.*?data-open>([\d.,]+)<', table, re.S
    )


# ---------------------------------------------------------------- declaring


def test_declaring_from_a_ticket_page_attaches_it_and_goes_to_the_incident(
    db, browser, agent, file_for
):
    ticket = file_for("75")
    client = browser(agent)
    page = page_of(client, ticket)
    form = page[page.index('data-testid="declare-incident"') :].split("</form>")[0]
    assert f'value="{TITLE}"' in form  # the title is the ticket's subject until changed
    assert len(re.findall(r'<input[^>]*name="provinces"[^>]*type="checkbox"', form)) == 34

    response = post_from(
        client,
        f"/tickets/{ticket.number}",
        f"/tickets/{ticket.number}/incident",
        {"title": "Cổng thanh toán lỗi", "provinces": ["75", "01"]},
    )

    incident = the_incident(db)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/tickets/{incident.number}")
    assert (incident.subject, incident.scope) == ("Cổng thanh toán lỗi", ["01", "75"])
    assert fresh(db, ticket).parent_id == incident.id
    html = page_of(client, incident)
    assert 'data-testid="incident-badge"' in html
    assert f"Incident {incident.number} declared." in html
    scope = html[html.index('data-testid="incident-scope"') :].split("</dd>")[0]
    assert "Hà Nội" in scope and "Đồng Nai" in scope
    assert f'data-attached="{ticket.number}"' in section(html, "incident-tickets")
    assert "Incident declared, with 1 ticket attached." in html
    ticket_page = page_of(client, ticket)
    part_of = ticket_page[ticket_page.index('data-testid="parent-incident"') :].split("</dd>")[0]
    assert f'href="/tickets/{incident.number}"' in part_of and "Cổng thanh toán lỗi" in part_of
    assert f"Attached to the incident {incident.number}." in ticket_page


def test_a_declaration_refused_saves_nothing_and_keeps_what_was_typed(db, browser, agent, file_for):
    ticket = file_for("75")
    client = browser(agent)
    page, url = f"/tickets/{ticket.number}", f"/tickets/{ticket.number}/incident"

    untitled = post_from(client, page, url, {"title": "  ", "provinces": ["75"]})
    unknown = post_from(client, page, url, {"title": "Sự cố mới", "provinces": ["75", "99"]})

    assert (untitled.status_code, unknown.status_code) == (422, 422)
    assert is_invalid(untitled.get_data(as_text=True), "title")
    html = unknown.get_data(as_text=True)
    assert "Unknown province: 99." in html
    assert 'value="Sự cố mới"' in html
    (ticked,) = re.findall(r'<input checked[^>]*name="provinces"[^>]*>', html)
    assert 'value="75"' in ticked
    assert incidents_count(db) == 0
    assert fresh(db, ticket).parent_id is None


def test_declaring_from_a_queue_selection_of_two_provinces(db, browser, agent, file_for):
    first, second = file_for("75"), file_for("01")
    client = browser(agent)

    response = post_from(
        client,
        "/tickets/queue",
        "/tickets/queue/bulk",
        {"numbers": [first.number, second.number], "action": "declare", "title": TITLE},
    )

    incident = the_incident(db)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/tickets/{incident.number}")
    assert incident.scope == []  # the whole country
    assert {fresh(db, t).parent_id for t in (first, second)} == {incident.id}
    html = page_of(client, incident)
    assert f"Incident {incident.number} declared with 2 tickets." in html
    assert "Whole country" in html
    assert sorted(province_rows(html)) == [("01", "1", "1"), ("75", "1", "1")]


def test_a_selection_of_two_systems_is_refused_and_nothing_is_saved(
    db, browser, make_user, file_for
):
    admin = make_user("admin", language="en")
    ours, theirs = file_for("75"), file_for("75", system="moha")
    client = browser(admin)

    response = post_from(
        client,
        "/tickets/queue",
        "/tickets/queue/bulk",
        {"numbers": [ours.number, theirs.number], "action": "declare", "title": TITLE},
    )

    assert response.status_code == 302
    assert "/tickets/queue" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The tickets chosen are about several systems" in html
    assert incidents_count(db) == 0
    assert fresh(db, ours).parent_id is None and fresh(db, theirs).parent_id is None


# ---------------------------------------------------------------- attaching


def test_attaching_from_the_queue_and_from_the_incident_page_reports_each_number(
    db, browser, agent, file_for
):
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[file_for().number])
    from_queue, typed, other_system = file_for("01"), file_for("75"), file_for(system="moha")
    # The agent works the other system's ticket too: it is refused for its system alone.
    db.session.add(Membership(queue_id=other_system.queue_id, user_id=agent.id, all_provinces=True))
    db.session.commit()
    client = browser(agent)

    queued = post_from(
        client,
        "/tickets/queue",
        "/tickets/queue/bulk",
        {"numbers": [from_queue.number], "action": "attach", "incident": incident.number},
    )
    assert queued.status_code == 302
    assert fresh(db, from_queue).parent_id == incident.id

    page = f"/tickets/{incident.number}"
    numbers = f"{typed.number.lower()}, {other_system.number}\nHT-1999-999999\n\nxyz!"
    response = post_from(client, page, f"{page}/incident/tickets", {"numbers": numbers})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("#incident-attach")
    assert fresh(db, typed).parent_id == incident.id
    assert fresh(db, other_system).parent_id is None
    html = client.get(page).get_data(as_text=True)
    assert "1 of 4 tickets attached." in html
    refused = html[html.index('data-testid="attach-refused"') :].split("</div>")[0]
    found = re.findall(r'data-refused="([^"]+)"', refused)
    assert sorted(found) == sorted([other_system.number, "HT-1999-999999", "XYZ!"])
    assert "This ticket is about another system." in refused
    assert "Not a ticket number." in refused
    assert 'data-testid="attach-refused"' not in client.get(page).get_data(as_text=True)


def test_the_similar_open_tickets_are_attached_with_one_button(db, browser, agent, file_for):
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[file_for().number])
    alike = file_for("01", subject="tai khoan thu huong chua nhan tien le phi")
    unlike = file_for("01", subject="Không in được biên lai điện tử")
    client = browser(agent)
    page = f"/tickets/{incident.number}"
    suggestions = page_of(client, incident).split('data-testid="similar-tickets"')[1]
    suggestions = suggestions.split("</form>")[0]
    assert f'data-similar="{alike.number}"' in suggestions
    assert unlike.number not in suggestions
    link = re.search(r'href="([^"]+)" data-testid="incident-search"', page_of(client, incident))
    target = urlsplit(unescape(link.group(1)))
    assert (target.path, parse_qs(target.query)) == ("/tickets/queue", {"q": [TITLE]})

    response = post_from(client, page, f"{page}/incident/tickets", {"selected": [alike.number]})

    assert response.status_code == 302
    assert fresh(db, alike).parent_id == incident.id


def test_a_ticket_is_attached_from_its_page_only_to_an_open_incident(db, browser, agent, file_for):
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[file_for().number])
    plain, ticket = file_for(), file_for()
    client = browser(agent)
    page, url = f"/tickets/{ticket.number}", f"/tickets/{ticket.number}/incident/attach"

    not_an_incident = post_from(client, page, url, {"incident": plain.number})
    assert not_an_incident.status_code == 422
    html = not_an_incident.get_data(as_text=True)
    assert is_invalid(html, "incident") and "No open incident has that number." in html
    assert post_from(client, page, url, {"incident": incident.number}).status_code == 302
    assert fresh(db, ticket).parent_id == incident.id

    tickets.post_update(agent, fresh(db, incident), "Đã khắc phục.", resolve=True)
    other = file_for()
    closed = post_from(
        client, f"/tickets/{other.number}", f"/tickets/{other.number}/incident/attach",
        {"incident": incident.number},
    )  # fmt: skip
    assert closed.status_code == 422
    assert "Tickets join an open incident only." in closed.get_data(as_text=True)
    assert fresh(db, other).parent_id is None


# ---------------------------------------------------------------- the update


def test_an_update_from_the_page_reaches_every_ticket_once(db, browser, agent, file_for):
    filed = [file_for(province) for province in ("75", "75", "01")]
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[t.number for t in filed])
    client = browser(agent)
    page = f"/tickets/{incident.number}"
    body = "Nhà cung cấp đang khắc phục cổng thanh toán."

    response = post_from(
        client,
        page,
        f"{page}/incident/updates",
        {"body": body, "expected_at": "2026-12-09T17:30", "version": str(incident.version)},
    )

    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Update sent to 3 tickets." in html
    rows = db.session.scalars(select(Outbox).where(Outbox.template == "incident_update")).all()
    assert sorted(row.user_id for row in rows) == sorted(t.requester_id for t in filed)
    for ticket in filed:
        bodies = db.session.scalars(select(Message.body).where(Message.ticket_id == ticket.id))
        assert list(bodies) == [body]
        assert fresh(db, ticket).status == Status.OPEN
    incident = fresh(db, incident)
    assert incident.expected_at == datetime(2026, 12, 9, 10, 30, tzinfo=UTC)  # 17:30 in Hà Nội
    assert incident.status != Status.RESOLVED
    assert "Update sent to 3 tickets." in section(html, "history")
    assert body in section(html, "thread")  # the incident keeps its updates too


def test_the_resolve_checkbox_resolves_the_incident_and_its_tickets(db, browser, agent, file_for):
    filed = [file_for("75"), file_for("01")]
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[t.number for t in filed])
    client = browser(agent)
    page = f"/tickets/{incident.number}"

    response = post_from(
        client, page, f"{page}/incident/updates", {"body": "Đã khắc phục.", "resolve": "y"}
    )

    assert response.status_code == 302
    assert fresh(db, incident).status == Status.RESOLVED
    for ticket in filed:
        assert (fresh(db, ticket).status, fresh(db, ticket).resolution) == (
            Status.RESOLVED,
            "Đã khắc phục.",
        )
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="incident-update"' not in html  # nothing more to post to
    for requesters_own in ("confirm", "reopen", "rate"):  # its declarer is no requester
        assert f'action="{page}/{requesters_own}"' not in html
    token = csrf_token(html)
    assert client.post(f"{page}/reopen", data={"csrf_token": token}).status_code == 404
    assert fresh(db, incident).status == Status.RESOLVED
    assert "the incident and its open tickets were resolved" in html
    ticket_page = page_of(client, filed[0])
    assert "Reason: an update of its incident" in ticket_page


def test_an_empty_update_is_refused_beside_its_field(db, browser, agent, file_for):
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[file_for().number])
    client = browser(agent)
    page = f"/tickets/{incident.number}"

    response = post_from(client, page, f"{page}/incident/updates", {"body": "", "resolve": "y"})

    assert response.status_code == 422
    assert is_invalid(response.get_data(as_text=True), "body")
    assert fresh(db, incident).status == Status.OPEN


def test_the_composer_writes_an_internal_note_on_the_incident_alone(db, browser, agent, file_for):
    ticket = file_for()
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[ticket.number])
    client = browser(agent)
    page = f"/tickets/{incident.number}"

    response = post_from(
        client,
        page,
        f"{page}/reply",
        {"body": "Đã báo nhà cung cấp.", "visibility": "internal", "version": "1"},
    )

    assert response.status_code == 302
    notes = db.session.execute(select(Message.ticket_id, Message.internal)).all()
    assert notes == [(incident.id, True)]


# ---------------------------------------------------------------- the requester's side


def test_the_requester_sees_the_title_but_the_incident_answers_404(
    db, browser, agent, official, make_user, file_for
):
    ticket = file_for(by=official)
    colleague = make_user("requester", province_code="75", unit="UBND xã Phú Lý")
    add_follower(official, ticket, colleague)
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[ticket.number])

    for person in (official, colleague):
        client = browser(person, "vi")
        html = page_of(client, ticket)
        known = html[html.index('data-testid="known-incident"') :].split("</p>")[0]
        assert f"Thuộc sự cố đã biết: {TITLE}" in known
        assert incident.number not in html
        assert client.get(f"/tickets/{incident.number}").status_code == 404
        token = csrf_token(html)
        update = client.post(
            f"/tickets/{incident.number}/incident/updates",
            data={"csrf_token": token, "body": "x"},
        )
        assert update.status_code in (403, 404)


def test_a_reopen_that_detaches_is_told_in_the_history(db, browser, agent, official, file_for):
    ticket = file_for(by=official)
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[ticket.number])
    tickets.post_update(agent, incident, "Đã khắc phục.", resolve=True)
    tickets.reopen(official, fresh(db, ticket), reason="Xã vẫn chưa nhận được tiền.")

    html = page_of(browser(agent), ticket)

    assert "Detached from its incident: the requester reopened the ticket." in html
    assert 'data-testid="parent-incident"' not in html


# ---------------------------------------------------------------- what the pages cost


def statements_for(client, url: str, count_queries) -> int:
    client.get(url)  # warm: the first request of a session loads what later ones cache
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_the_incident_page_costs_the_same_for_3_and_30_tickets(
    db, browser, agent, file_for, count_queries
):
    def incident_of(count: int) -> Ticket:
        provinces = ("75", "01", "79")
        filed = [file_for(provinces[n % 3]) for n in range(count)]
        return tickets.declare(
            agent, title=f"{TITLE} {count}", system="moj", numbers=[t.number for t in filed]
        )

    few, many = incident_of(3), incident_of(30)
    client = browser(agent)

    assert statements_for(client, f"/tickets/{few.number}", count_queries) == statements_for(
        client, f"/tickets/{many.number}", count_queries
    )
    html = page_of(client, many)
    assert section(html, "incident-tickets").count("data-attached=") == 30
    # As many in each: by name (Đồng Nai, Hà Nội, TP. Hồ Chí Minh).
    assert province_rows(html) == [("75", "10", "10"), ("01", "10", "10"), ("79", "10", "10")]


def test_the_province_table_counts_tickets_and_open_ones(db, browser, agent, file_for):
    filed = [file_for("75"), file_for("75"), file_for("75"), file_for("01")]
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[t.number for t in filed])
    tickets.change_status(agent, fresh(db, filed[0]), "resolved", resolution="Đã xử lý xong.")

    html = page_of(browser(agent), incident)

    assert province_rows(html) == [("75", "3", "2"), ("01", "1", "1")]
    assert section(html, "incident-tickets").count("data-attached=") == 4
    total = html[html.index('data-testid="attached-total"') :].split("</span>")[0]
    assert total.endswith(">4")


def test_the_queue_marks_incidents_with_their_tickets_in_one_query(
    db, browser, agent, file_for, count_queries
):
    client = browser(agent)
    first = tickets.declare(agent, title=TITLE, system="moj", numbers=[file_for().number])
    one = statements_for(client, "/tickets/queue", count_queries)
    for count in (2, 3):
        numbers = [file_for().number for _ in range(count)]
        tickets.declare(agent, title=f"{TITLE} {count}", system="moj", numbers=numbers)

    assert statements_for(client, "/tickets/queue", count_queries) == one
    html = client.get("/tickets/queue").get_data(as_text=True)
    row = re.search(rf'<tr data-number="{first.number}">.*?</tr>', html, re.S).group()
    assert 'data-testid="incident-badge"' in row
    assert "Attached tickets: 1" in row
    assert html.count('data-testid="incident-badge"') == 3  # a row each


def test_staff_see_only_the_attached_tickets_of_the_provinces_they_cover(
    db, browser, agent, make_agent, file_for
):
    near = file_for("01")
    far = file_for("79", subject="ZEBRA79 tiền lệ phí chưa về")
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[near.number, far.number])
    local = browser(make_agent("moj-fpt", ("01",)))  # the incident is filed under province 01

    html = page_of(local, incident)
    queue = local.get("/tickets/queue").get_data(as_text=True)

    assert near.number in html
    assert far.number not in html and "ZEBRA79" not in html
    assert province_rows(html) == [("01", "1", "1")]
    row = re.search(rf'<tr data-number="{incident.number}">.*?</tr>', queue, re.S).group()
    assert "Attached tickets: 1" in row
    assert far.number not in queue


def test_the_attached_tickets_are_listed_a_page_at_a_time(
    db, browser, agent, file_for, monkeypatch
):
    monkeypatch.setattr(incident_pages, "PER_PAGE", 2)
    filed = [file_for("75") for _ in range(3)]
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[t.number for t in filed])
    client = browser(agent)

    first = section(page_of(client, incident), "incident-tickets")
    second = client.get(f"/tickets/{incident.number}?page=2").get_data(as_text=True)
    second = section(second, "incident-tickets")

    assert re.findall(r'data-attached="([^"]+)"', first) == [t.number for t in filed[:2]]
    assert re.findall(r'data-attached="([^"]+)"', second) == [filed[2].number]
    assert f"/tickets/{incident.number}?page=2#incident-tickets" in first
    assert "Page 2 of 2" in second
    assert first.count('data-testid="attached-total">3<') == 1
