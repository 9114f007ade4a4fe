"""Colleagues and followers: the requester adds colleagues of their unit, staff add anyone who
may see the ticket; followers open it, reply, and get the mail of its public events (never an
internal note); a unit may share all its tickets with its members; a merged ticket's people
follow the ticket it was merged into."""

from __future__ import annotations

import re

import pytest
from integration.tickets.page_helpers import fresh, page_of, post_page_form
from sqlalchemy import select

from helpdesk.auth.models import Unit
from helpdesk.notifications.models import Outbox
from helpdesk.tickets import services as tickets
from helpdesk.tickets.follower_models import Follower
from helpdesk.tickets.models import Event, EventKind, Status
from helpdesk.tickets.services import followers


@pytest.fixture
def colleague(make_user):
    """An official of the requester's ward (the `requester` fixture's unit)."""
    return make_user("requester", province_code="75", unit="UBND phường Trấn Biên", language="vi")


@pytest.fixture
def agent(make_agent):
    return make_agent("moj-it", ("75",))


@pytest.fixture
def ticket(requester, agent, file_ticket):
    return file_ticket(requester)


def follower_ids(db, ticket) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(Follower.user_id).where(Follower.ticket_id == ticket.id)))


def mail_to(db, user, *, after: int = 0) -> list[str]:
    """The templates of the mail queued for the user past the outbox id `after`."""
    query = select(Outbox.template).where(Outbox.user_id == user.id, Outbox.id > after)
    return list(db.session.scalars(query.order_by(Outbox.id)))


def last_outbox_id(db) -> int:
    return db.session.scalar(select(Outbox.id).order_by(Outbox.id.desc()).limit(1)) or 0


def add_colleague(client, ticket, person):
    page = f"/tickets/{ticket.number}"
    return post_page_form(
        client, page, f"{page}/followers", {"colleague": str(person.id)}, follow_redirects=False
    )


def add_by_login(client, ticket, username: str):
    page = f"/tickets/{ticket.number}"
    return post_page_form(client, page, f"{page}/followers", {"username": username})


# ---------------------------------------------------------------- the requester's colleagues


def test_the_requester_adds_a_colleague_who_then_opens_and_answers_the_ticket(
    db, browser, requester, colleague, other_requester, ticket
):
    client = browser(requester)
    html = page_of(client, ticket)
    assert 'data-testid="followers"' in html
    assert colleague.full_name in html and colleague.masked_username in html
    assert colleague.username not in html  # the CCCD is masked
    assert other_requester.full_name not in html  # another unit's official is not offered
    assert browser(colleague).get(f"/tickets/{ticket.number}").status_code == 404

    response = add_colleague(client, ticket, colleague)

    assert response.status_code == 302
    assert follower_ids(db, ticket) == {colleague.id}
    kinds = [e.kind for e in fresh(db, ticket).events]
    assert kinds[-1] == EventKind.FOLLOWER_ADDED
    colleague_client = browser(colleague)
    html = page_of(colleague_client, ticket)
    assert f"/followers/{colleague.id}/remove" in html  # the follower may stop following
    assert 'id="reply"' in html  # and reply publicly
    page = f"/tickets/{ticket.number}"
    response = post_page_form(colleague_client, page, f"{page}/reply", {"body": "Bổ sung ảnh"})
    assert response.status_code == 302
    assert [m.body for m in fresh(db, ticket).messages] == ["Bổ sung ảnh"]
    listed = colleague_client.get("/tickets/").get_data(as_text=True)
    assert f'data-number="{ticket.number}"' in listed


def test_an_official_of_another_unit_is_refused(db, browser, requester, other_requester, ticket):
    response = add_colleague(browser(requester), ticket, other_requester)

    assert response.status_code == 422
    assert "Only active colleagues of your unit can follow your ticket." in response.get_data(
        as_text=True
    )
    assert follower_ids(db, ticket) == set()
    assert browser(other_requester).get(f"/tickets/{ticket.number}").status_code == 404


def test_a_follower_is_not_the_requester(db, browser, requester, colleague, ticket, agent):
    followers.add_follower(requester, ticket, colleague)
    tickets.change_status(agent, ticket, Status.RESOLVED, resolution="Đã xử lý xong.")
    client = browser(colleague)
    html = page_of(client, ticket)

    assert 'id="requester-actions"' not in html
    page = f"/tickets/{ticket.number}"
    response = post_page_form(client, page, f"{page}/confirm", {})
    assert response.status_code == 404
    assert fresh(db, ticket).status == Status.RESOLVED


def test_followers_get_public_replies_and_status_mail_but_never_internal_notes(
    db, requester, colleague, ticket, agent, make_user
):
    quiet = make_user("requester", province_code="75", unit="UBND phường Trấn Biên")
    quiet.notify_updates = False
    db.session.commit()
    followers.add_follower(requester, ticket, colleague)
    followers.add_follower(requester, ticket, quiet)
    start = last_outbox_id(db)

    tickets.respond(agent, ticket, "Ghi chú cho tổ xử lý", internal=True)
    assert mail_to(db, colleague, after=start) == []

    tickets.respond(agent, ticket, "Anh/chị thử đăng nhập lại")
    assert mail_to(db, colleague, after=start) == ["ticket_followed"]
    row = db.session.scalar(select(Outbox).where(Outbox.user_id == colleague.id, Outbox.id > start))
    assert (row.language, row.context["what"]) == ("vi", "reply")
    assert "Anh/chị thử đăng nhập lại" in row.context["body"]
    assert mail_to(db, requester, after=start) == ["ticket_reply"]

    tickets.respond(
        agent, ticket, "Đã cấp lại mật khẩu", status=Status.RESOLVED, resolution="Đã cấp lại."
    )
    assert mail_to(db, colleague, after=start) == ["ticket_followed", "ticket_followed"]
    assert mail_to(db, quiet, after=start) == []  # opted out of updates


def test_a_followers_reply_tells_the_requester_and_the_assignee_once_each(
    db, requester, colleague, ticket, agent
):
    tickets.assign(agent, ticket, agent)
    followers.add_follower(requester, ticket, colleague)
    followers.add_follower(agent, ticket, agent)  # the assignee follows too
    start = last_outbox_id(db)

    tickets.add_message(colleague, ticket, "Tôi là đồng nghiệp, xin bổ sung")

    assert mail_to(db, requester, after=start) == ["ticket_reply"]
    assert mail_to(db, agent, after=start) == ["ticket_requester_reply"]
    assert mail_to(db, colleague, after=start) == []


# ---------------------------------------------------------------- staff


def test_staff_add_someone_who_may_see_the_ticket_and_not_someone_who_may_not(
    db, browser, agent, make_agent, ticket, other_requester
):
    seeing = make_agent("moj-it", ("75",))
    elsewhere = make_agent("moj-it", ("01",))  # covers another province: never sees it
    client = browser(agent)

    response = add_by_login(client, ticket, seeing.username)
    assert response.status_code == 302
    refused = add_by_login(client, ticket, elsewhere.username)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "This account cannot see this ticket, so it cannot follow it." in html
    assert add_by_login(client, ticket, other_requester.username).status_code == 422
    assert add_by_login(client, ticket, "079999999999@ht.com").status_code == 422

    assert follower_ids(db, ticket) == {seeing.id}
    html = page_of(client, ticket)
    assert seeing.full_name in html and seeing.masked_username in html
    assert "theo dõi yêu cầu" in page_of(browser(agent, "vi"), ticket)  # history in words


def test_staff_follow_and_unfollow_themselves(db, browser, agent, ticket):
    client = browser(agent)
    page = f"/tickets/{ticket.number}"

    assert post_page_form(client, page, f"{page}/follow", {}).status_code == 302
    assert follower_ids(db, ticket) == {agent.id}
    url = f"{page}/followers/{agent.id}/remove"
    assert post_page_form(client, page, url, {}).status_code == 302
    assert follower_ids(db, ticket) == set()
    kinds = [e.kind for e in fresh(db, ticket).events][-2:]
    assert kinds == [EventKind.FOLLOWER_ADDED, EventKind.FOLLOWER_REMOVED]


def test_the_requester_removes_a_follower_and_a_follower_leaves(
    db, browser, requester, colleague, make_user, ticket
):
    third = make_user("requester", province_code="75", unit="UBND phường Trấn Biên")
    followers.add_follower(requester, ticket, colleague)
    followers.add_follower(requester, ticket, third)
    page = f"/tickets/{ticket.number}"

    response = post_page_form(
        browser(requester), page, f"{page}/followers/{colleague.id}/remove", {}
    )
    assert response.status_code == 302
    third_client = browser(third)
    other = f"{page}/followers/{requester.id}/remove"  # not theirs to end: 404
    assert post_page_form(third_client, page, other, {}).status_code == 404
    response = post_page_form(third_client, page, f"{page}/followers/{third.id}/remove", {})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/tickets/")

    assert follower_ids(db, ticket) == set()
    assert third_client.get(page).status_code == 404


# ---------------------------------------------------------------- the unit's tickets


@pytest.mark.parametrize("shared", [True, False])
def test_a_unit_that_shares_its_tickets_shows_them_to_its_members(
    db, browser, requester, colleague, ticket, shared
):
    ticket.unit_id = requester.unit_id
    unit = db.session.get(Unit, requester.unit_id)
    unit.members_see_tickets = shared
    db.session.commit()
    client = browser(colleague)

    response = client.get(f"/tickets/{ticket.number}")
    listed = client.get("/tickets/?scope=unit").get_data(as_text=True)
    found = client.get("/tickets/?q=dang+nhap").get_data(as_text=True)

    if shared:
        assert response.status_code == 200
        assert 'data-testid="scope-filter"' in listed
        assert f'data-number="{ticket.number}"' in listed
        assert f'data-number="{ticket.number}"' in found
        assert 'id="reply"' not in response.get_data(as_text=True)  # reads; follows to reply
    else:
        assert response.status_code == 404
        assert 'data-testid="scope-filter"' not in listed
        assert ticket.number not in listed and ticket.number not in found


def test_the_list_filters_whose_tickets(db, browser, requester, colleague, file_ticket, agent):
    own = file_ticket(colleague, subject="Của tôi")
    followed = file_ticket(requester, subject="Tôi theo dõi")
    followers.add_follower(requester, followed, colleague)
    client = browser(colleague)

    def numbers(query: str) -> set[str]:
        html = client.get(f"/tickets/{query}").get_data(as_text=True)
        return set(re.findall(r'data-number="([^"]+)"', html))

    assert numbers("") == {own.number, followed.number}
    assert numbers("?scope=mine") == {own.number}
    assert numbers("?scope=following") == {followed.number}
    assert numbers("?scope=unit") == {own.number, followed.number}  # not offered: every one


def test_the_requesters_list_costs_the_same_with_followed_tickets(
    db, browser, requester, colleague, file_ticket, count_queries
):
    client = browser(colleague)

    def statements() -> int:
        client.get("/tickets/?scope=following")
        with count_queries() as seen:
            assert client.get("/tickets/?scope=following").status_code == 200
        return len(seen)

    followers.add_follower(requester, file_ticket(requester), colleague)
    few = statements()
    for _ in range(5):
        followers.add_follower(requester, file_ticket(requester), colleague)
    assert statements() == few


# ---------------------------------------------------------------- merge


def test_the_merged_tickets_people_follow_the_surviving_ticket(
    db, browser, requester, other_requester, agent, file_ticket, make_user
):
    target = file_ticket(requester)
    source = file_ticket(other_requester)
    friend_of_source = make_user("requester", province_code="75", unit="UBND xã Phú Lý")
    followers.add_follower(agent, source, friend_of_source)
    assert browser(other_requester).get(f"/tickets/{target.number}").status_code == 404

    tickets.merge(agent, source, target)

    assert follower_ids(db, target) == {other_requester.id, friend_of_source.id}
    page = browser(other_requester).get(f"/tickets/{target.number}")
    assert page.status_code == 200
    added = db.session.scalars(
        select(Event.data).where(
            Event.ticket_id == target.id, Event.kind == EventKind.FOLLOWER_ADDED
        )
    ).all()
    assert {"user_id": other_requester.id, "source": source.number} in added
