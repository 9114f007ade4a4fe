"""The home page per role: what each account sees on it, and what it never sees; the counts and
their links; a constant number of SQL statements whatever the number of queues and tickets."""

from __future__ import annotations

import re
from datetime import timedelta

from helpdesk.auth.models import Status as AccountStatus
from helpdesk.routing.models import Membership
from helpdesk.tickets.models import Status
from helpdesk.tickets.services import home as tickets_home
from helpdesk.timeutil import to_local, utcnow

BLOCKS = (
    "file-ticket",
    "home-my-tickets",
    "home-queues",
    "home-assigned",
    "home-oversight",
    "home-registrations",
    "home-unstaffed",
    "home-reports",
)


def shown_blocks(html: str) -> set[str]:
    return {block for block in BLOCKS if f'data-testid="{block}"' in html}


def section(html: str, testid: str) -> str:
    """The HTML of the element with that data-testid, up to the next section."""
    start = html.index(f'data-testid="{testid}"')
    end = html.find("</section>", start)
    return html[start : end if end != -1 else None]


def count_link(html: str, queue_id: int, name: str) -> tuple[str, int]:
    row = re.search(rf'<tr data-queue="{queue_id}">(.*?)</tr>', html, re.S)
    assert row, f"queue {queue_id} is not on the home page"
    link = re.search(rf'<a data-count="{name}" href="([^"]+)">(\d+)</a>', row.group(1))
    assert link, name
    return link.group(1).replace("&amp;", "&"), int(link.group(2))


def test_a_visitor_is_offered_to_log_in_or_register(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/auth/login"' in html
    assert 'href="/auth/register"' in html
    assert shown_blocks(html) == set()


def test_a_requester_files_from_home_and_sees_when_each_open_ticket_is_answered(
    db, make_user, browser, file_ticket, other_requester
):
    official = make_user("requester", province_code="75", unit="UBND phường Trấn Biên")
    waiting = file_ticket(official, subject="Chưa được trả lời")
    answered = file_ticket(official, subject="Đã có phản hồi")
    done = file_ticket(official, subject="Đã xong rồi")
    theirs = file_ticket(other_requester, subject="Của người khác")
    now = utcnow()
    waiting.first_response_due = now + timedelta(minutes=2)
    answered.first_responded_at = now - timedelta(minutes=5)
    answered.resolution_due = now + timedelta(days=1, minutes=2)
    answered.status = Status.OPEN
    done.status = Status.RESOLVED
    db.session.commit()

    html = browser(official, "vi").get("/").get_data(as_text=True)

    assert shown_blocks(html) == {"file-ticket", "home-my-tickets"}
    button = re.search(r'<a [^>]*data-testid="file-ticket"[^>]*>([^<]*)</a>', html)
    assert button and button.group(1).strip() == "Gửi yêu cầu hỗ trợ"
    assert 'href="/tickets/new"' in button.group(0)
    mine = section(html, "home-my-tickets")
    assert waiting.number in mine and answered.number in mine
    assert done.number not in mine and theirs.number not in mine
    local = to_local(waiting.first_response_due)
    day = "hôm nay" if local.date() == to_local(now).date() else "ngày mai"
    assert f"Bộ phận hỗ trợ sẽ phản hồi trước {local:%H:%M} {day}" in mine
    assert f"Sẽ được giải quyết trước {to_local(answered.resolution_due):%H:%M}" in mine
    assert "Mới" in mine  # the status, by its name


def test_an_agent_sees_the_counts_of_each_queue_with_links_to_them(
    db, browser, make_agent, requester, file_ticket, queue_by_code
):
    agent = make_agent("moj-it", ("75",))
    queue_id = queue_by_code("moj-it").id
    now = utcnow()
    fresh = file_ticket(requester, subject="Mới và chưa giao")
    late = file_ticket(requester, subject="Đã quá hạn")
    soon = file_ticket(requester, subject="Sắp đến hạn")
    held = file_ticket(requester, subject="Đang xử lý của tôi")
    elsewhere = file_ticket(requester, province="01", subject="Tỉnh khác")
    for ticket in (fresh, late, soon, elsewhere):
        ticket.assignee_id = None
    late.first_response_due = now - timedelta(hours=1)
    soon.first_response_warned_at = now - timedelta(minutes=1)
    held.assignee_id = agent.id
    held.status = Status.OPEN
    db.session.commit()

    html = browser(agent).get("/").get_data(as_text=True)

    assert shown_blocks(html) == {"home-queues", "home-assigned"}
    assert count_link(html, queue_id, "new") == (f"/tickets/queue?queue={queue_id}&status=new", 3)
    assert count_link(html, queue_id, "unassigned") == (
        f"/tickets/queue?queue={queue_id}&status=open&assignee=unassigned",
        3,
    )
    assert count_link(html, queue_id, "warning")[1] == 1
    assert count_link(html, queue_id, "breached")[1] == 1
    assigned = section(html, "home-assigned")
    assert held.number in assigned and fresh.number not in assigned
    # Each count's link lists as many tickets as it says.
    client = browser(agent)
    for name in ("new", "unassigned", "warning", "breached"):
        url, count = count_link(html, queue_id, name)
        listed = client.get(url).get_data(as_text=True)
        numbers = {t.number for t in (fresh, late, soon, held, elsewhere) if t.number in listed}
        assert len(numbers) == count, name


def test_a_supervisor_also_sees_unanswered_and_overdue(
    db, browser, make_agent, requester, file_ticket
):
    supervisor = make_agent("moj-it", role="supervisor")
    now = utcnow()
    late = file_ticket(requester, subject="Quá hạn")
    soon = file_ticket(requester, subject="Sắp hạn")
    file_ticket(requester, subject="Bình thường")
    late.first_response_due = now - timedelta(hours=1)
    late.first_response_breached_at = now - timedelta(hours=1)
    soon.first_response_warned_at = now - timedelta(minutes=1)
    db.session.commit()

    html = browser(supervisor).get("/").get_data(as_text=True)

    assert {"home-queues", "home-oversight", "home-reports"} <= shown_blocks(html)
    watch = section(html, "home-oversight")
    unanswered = re.search(r'data-count="unanswered" href="([^"]+)"[^>]*>.*?(\d+)</span>', watch)
    breached = re.search(r'data-count="breached" href="([^"]+)"[^>]*>.*?(\d+)</span>', watch)
    assert unanswered.groups() == ("/sla/unanswered", "2")
    assert breached.groups() == ("/sla/breached", "1")


def test_an_observer_sees_the_reports_and_no_tickets(
    db, browser, make_user, requester, file_ticket
):
    observer = make_user("observer", language="en")
    file_ticket(requester)
    html = browser(observer).get("/").get_data(as_text=True)
    assert shown_blocks(html) == {"home-reports"}
    reports = section(html, "home-reports")
    assert 'href="/reports/"' in reports
    assert re.search(r'data-figure="open">(\d+)<', reports).group(1) == "1"


def test_a_count_past_the_cap_reads_more_than_the_cap(
    db, browser, make_agent, make_user, requester, file_ticket, queue_by_code, monkeypatch
):
    monkeypatch.setattr(tickets_home, "COUNT_CAP", 2)
    agent = make_agent("moj-it", ("75",))
    observer = make_user("observer", language="en")
    queue_id = queue_by_code("moj-it").id
    for _ in range(3):
        file_ticket(requester)

    html = browser(agent).get("/").get_data(as_text=True)
    row = re.search(rf'<tr data-queue="{queue_id}">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-count="new" href="[^"]+">more than 2</a>', row)
    # The national agency's key figures are whole: the home page's cap is for queue counts.
    reports = section(browser(observer).get("/").get_data(as_text=True), "home-reports")
    assert 'data-figure="open">3<' in reports

    monkeypatch.setattr(tickets_home, "COUNT_CAP", 3)
    html = browser(agent).get("/").get_data(as_text=True)
    assert count_link(html, queue_id, "new")[1] == 3


def waiting_registration(db, make_user, unit: str, **fields):
    user = make_user("requester", province_code="79", unit=unit, **fields)
    user.status = AccountStatus.PENDING_APPROVAL
    db.session.commit()
    return user


def test_approvers_see_the_registrations_waiting_for_them_and_a_count_in_the_menu(
    db, browser, make_user
):
    admin = make_user("admin", language="en")
    unit_admin = make_user("unit_admin", province_code="79", unit="UBND phường Bến Nghé")
    ben_nghe = waiting_registration(db, make_user, "UBND phường Bến Nghé", full_name="Lê Bến Nghé")
    da_kao = waiting_registration(db, make_user, "UBND phường Đa Kao", full_name="Trần Đa Kao")

    admin_html = browser(admin).get("/").get_data(as_text=True)
    block = section(admin_html, "home-registrations")
    # Bến Nghé has its unit admin, who is asked; Đa Kao has none (nor a coordinator): the admins.
    assert "Trần Đa Kao" in block and "Lê Bến Nghé" not in block
    assert 'href="/accounts/pending"' in block
    assert f'action="/accounts/pending/{da_kao.id}/approve"' in block
    assert re.search(r'data-testid="waiting-registrations">1<', admin_html)

    unit_html = browser(unit_admin).get("/").get_data(as_text=True)
    assert "home-queues" not in shown_blocks(unit_html)
    block = section(unit_html, "home-registrations")
    assert "Lê Bến Nghé" in block and "Trần Đa Kao" not in block
    assert re.search(r'data-testid="waiting-registrations">1<', unit_html)

    # An approved registration no longer waits.
    from helpdesk.auth import services

    services.approve_account(admin, ben_nghe.id)
    admin_html = browser(admin).get("/").get_data(as_text=True)
    assert re.search(r'data-testid="waiting-registrations">1<', admin_html)
    assert "Trần Đa Kao" in section(admin_html, "home-registrations")
    unit_html = browser(unit_admin).get("/").get_data(as_text=True)
    assert 'data-testid="waiting-registrations"' not in unit_html
    assert da_kao.id  # still waiting for the admin


def test_who_may_not_approve_never_sees_registrations(db, browser, make_user, make_agent):
    waiting_registration(db, make_user, "UBND phường Bến Nghé")
    for user in (make_user("requester"), make_agent("moj-it"), make_user("observer")):
        html = browser(user).get("/").get_data(as_text=True)
        assert "home-registrations" not in shown_blocks(html), user.role
        assert 'data-testid="waiting-registrations"' not in html, user.role


def statements_for(client, url: str, count_queries) -> list[str]:
    client.get(url)  # warm: the first request of a session loads what later ones cache
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return list(statements)


def test_the_agent_home_costs_the_same_for_one_queue_and_many(
    db, browser, make_agent, requester, file_ticket, queue_by_code, count_queries
):
    few = make_agent("moj-it", ("75",))
    many = make_agent("moj-it", ("75",))
    for code in ("moh-it", "moj-fpt"):
        db.session.add(
            Membership(queue_id=queue_by_code(code).id, user_id=many.id, all_provinces=True)
        )
    db.session.commit()
    for n in range(6):
        ticket = file_ticket(requester, subject=f"Yêu cầu {n}")
        ticket.assignee_id = many.id if n % 2 else None
    db.session.commit()

    one = statements_for(browser(few), "/", count_queries)
    several = statements_for(browser(many), "/", count_queries)
    assert len(one) == len(several)
    # Who may not approve pays nothing for the menu's count of registrations.
    assert not any("pending_approval" in s or "count(users.id)" in s.lower() for s in one)


def test_an_admin_sees_only_the_queues_with_something_to_count(
    db, browser, make_user, requester, file_ticket, queue_by_code
):
    admin = make_user("admin", language="en")
    ticket = file_ticket(requester)
    ticket.assignee_id = None
    db.session.commit()
    html = browser(admin).get("/").get_data(as_text=True)
    queues = section(html, "home-queues")
    assert re.findall(r'<tr data-queue="(\d+)">', queues) == [str(ticket.queue_id)]
    assert count_link(html, ticket.queue_id, "unassigned")[1] == 1
    assert re.search(r'data-count="quiet">\d+ queues have no open ticket to count', queues)


def test_the_menu_count_costs_an_approver_one_statement(db, browser, make_user, count_queries):
    admin = make_user("admin", language="en")
    waiting_registration(db, make_user, "UBND phường Bến Nghé")
    client = browser(admin)
    statements = statements_for(client, "/auth/profile", count_queries)
    counts = [s for s in statements if "count(users.id)" in s.lower()]
    assert len(counts) == 1
    assert re.search(
        r'data-testid="waiting-registrations">1<',
        client.get("/auth/profile").get_data(as_text=True),
    )


def test_an_admin_sees_the_queues_nobody_staffs_and_an_agent_does_not(
    db, browser, make_user, make_agent, queue_by_code
):
    admin = make_user("admin", language="en")
    staffed, empty = queue_by_code("moj-it"), queue_by_code("moj-fpt")
    agent = make_agent("moj-it")
    block = section(browser(admin).get("/").get_data(as_text=True), "home-unstaffed")
    assert f'href="/admin/routing/queues/{empty.id}/members"' in block, block
    assert f"/queues/{staffed.id}/members" not in block
    assert "home-unstaffed" not in shown_blocks(browser(agent).get("/").get_data(as_text=True))
