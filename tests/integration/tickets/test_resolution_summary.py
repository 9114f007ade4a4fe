"""Every resolved ticket has an outcome: resolving asks staff for a resolution summary on every
path (the service, the composer, the older status form, the queue's bulk action), refuses and
saves nothing without one, and the requester reads it on the ticket page and in the mail;
reopening clears it."""

from __future__ import annotations

import pytest
from integration.tickets.page_helpers import fresh, hidden_value, is_invalid, page_of
from sqlalchemy import func, select
from support import csrf_token

from helpdesk import errors
from helpdesk.notifications.models import Outbox
from helpdesk.notifications.rendering import render
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Event, Message, Status
from helpdesk.tickets.services import followers

OUTCOME = "Đã cấp lại quyền cho tài khoản một cửa; anh/chị đăng nhập lại là được."
REFUSED_VI = "Hãy ghi kết quả xử lý: người yêu cầu sẽ đọc nội dung này."


@pytest.fixture
def agent(make_agent):
    return make_agent("moj-it", ("75",))


@pytest.fixture
def official(make_user):
    """An official who reads in Vietnamese."""
    return make_user("requester", province_code="75", unit="UBND phường Trấn Biên", language="vi")


@pytest.fixture
def ticket(official, file_ticket):
    return file_ticket(official)


def counts(db) -> tuple[int, int, int]:
    """Events, outbox rows and messages: what an action that saves nothing leaves as it was."""
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Event, Outbox, Message)
    )


def mails_to(db, user, template: str) -> list[Outbox]:
    query = select(Outbox).where(Outbox.user_id == user.id, Outbox.template == template)
    return list(db.session.scalars(query.order_by(Outbox.id)))


def resolution_block(html: str) -> str:
    start = html.index('data-testid="resolution"')
    return html[start : html.index("</section>", start)]


# ---------------------------------------------------------------- the service


@pytest.mark.parametrize("given", [None, "", "   \n  "])
def test_resolving_without_a_resolution_is_refused_and_saves_nothing(db, agent, ticket, given):
    before, version = counts(db), ticket.version
    with pytest.raises(errors.Invalid) as refused:
        tickets.change_status(agent, ticket, Status.RESOLVED, resolution=given)
    assert set(refused.value.fields) == {"resolution"}
    db.session.rollback()
    current = fresh(db, ticket)
    assert (current.status, current.version, current.resolution) == ("new", version, "")
    assert counts(db) == before


@pytest.mark.parametrize("bad", ["x" * 2001, "Đã xử lý\x00"])
def test_a_resolution_too_long_or_with_control_characters_is_refused(db, agent, ticket, bad):
    with pytest.raises(errors.Invalid) as refused:
        tickets.change_status(agent, ticket, Status.RESOLVED, resolution=bad)
    assert set(refused.value.fields) == {"resolution"}
    db.session.rollback()
    assert fresh(db, ticket).status == "new"


def test_the_resolution_is_kept_trimmed_and_cleared_when_the_requester_reopens(
    db, agent, official, ticket
):
    tickets.change_status(agent, ticket, Status.RESOLVED, resolution=f"  {OUTCOME}\r\nHết.  ")
    assert fresh(db, ticket).resolution == f"{OUTCOME}\nHết."
    tickets.reopen(official, fresh(db, ticket), reason="Vẫn chưa đăng nhập được.")
    current = fresh(db, ticket)
    assert (current.status, current.resolution) == ("open", "")


def test_staff_reopening_clears_it_and_closing_keeps_it(db, agent, official, file_ticket, ticket):
    tickets.change_status(agent, ticket, Status.RESOLVED, resolution=OUTCOME)
    tickets.change_status(agent, ticket, Status.OPEN)
    assert fresh(db, ticket).resolution == ""
    closed = file_ticket(official)
    tickets.change_status(agent, closed, Status.RESOLVED, resolution=OUTCOME)
    tickets.confirm_resolution(official, closed)
    assert (fresh(db, closed).status, fresh(db, closed).resolution) == ("closed", OUTCOME)


def test_a_merged_duplicate_is_resolved_with_where_it_went(db, agent, official, file_ticket):
    duplicate, target = file_ticket(official), file_ticket(official)
    tickets.merge(agent, duplicate, target)
    merged = fresh(db, duplicate)
    assert merged.status == "closed"
    assert merged.resolution == f"Đã gộp vào yêu cầu {target.number} cùng nội dung."


# ---------------------------------------------------------------- the requester is told


def test_the_requester_reads_the_resolution_in_the_mail_and_on_the_page(
    db, browser, agent, official, make_user, ticket
):
    colleague = make_user("requester", province_code="75", unit="UBND phường Trấn Biên")
    followers.add_follower(official, ticket, colleague)
    tickets.change_status(agent, ticket, Status.RESOLVED, resolution=f"{OUTCOME}\nMã: 001166668888")
    [row] = mails_to(db, official, "ticket_resolved")
    mail = render(row)
    assert OUTCOME in mail.body and OUTCOME in mail.html
    assert "Kết quả xử lý" in mail.body
    assert "001166668888" not in mail.body  # a CCCD in the text is masked in mail
    [followed] = mails_to(db, colleague, "ticket_followed")
    assert OUTCOME in render(followed).body

    html = page_of(browser(official), ticket)
    block = resolution_block(html)
    assert "Kết quả xử lý" in block and OUTCOME in block
    staff_html = page_of(browser(agent), ticket)
    assert OUTCOME in resolution_block(staff_html)

    tickets.reopen(official, fresh(db, ticket), reason="")
    assert 'data-testid="resolution"' not in page_of(browser(official), ticket)


# ---------------------------------------------------------------- the composer


def compose(client, ticket, data: dict):
    html = page_of(client, ticket)
    hidden = {"csrf_token": csrf_token(html), "version": hidden_value(html, "version")}
    return client.post(f"/tickets/{ticket.number}/reply", data={**hidden, **data})


def test_the_composer_asks_for_the_resolution_in_vietnamese(db, browser, agent, ticket):
    html = page_of(browser(agent, "vi"), ticket)
    composer = html.split('data-testid="composer"')[1].split("</form>")[0]
    assert 'name="resolution"' in composer and "data-resolution-for=" in composer
    assert "Kết quả xử lý (gửi cho người yêu cầu)" in composer
    assert "js/resolution.js" in html


def test_the_composer_without_a_resolution_saves_nothing_and_keeps_the_reply(
    db, browser, agent, ticket
):
    before, client = counts(db), browser(agent, "vi")
    typed = "Chúng tôi đã cấp lại quyền."
    response = compose(client, ticket, {"body": typed, "status": "resolved", "resolution": " "})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert is_invalid(html, "resolution") and REFUSED_VI in html
    composer = html.split('data-testid="composer"')[1].split("</form>")[0]
    assert typed in composer
    assert counts(db) == before and fresh(db, ticket).status == "new"


def test_the_composer_resolves_with_the_reply_and_the_resolution_in_one_mail(
    db, browser, agent, official, ticket
):
    response = compose(
        browser(agent),
        ticket,
        {"body": "Anh/chị thử lại.", "status": "resolved", "resolution": OUTCOME},
    )
    assert response.status_code == 302
    assert (fresh(db, ticket).status, fresh(db, ticket).resolution) == ("resolved", OUTCOME)
    [row] = mails_to(db, official, "ticket_resolved")
    assert (row.context["body"], row.context["resolution"]) == ("Anh/chị thử lại.", OUTCOME)


def test_a_resolution_sent_with_another_status_is_not_kept(db, browser, agent, ticket):
    response = compose(
        browser(agent), ticket, {"body": "", "status": "waiting_third_party", "resolution": "x"}
    )
    assert response.status_code == 302
    assert (fresh(db, ticket).status, fresh(db, ticket).resolution) == ("waiting_third_party", "")


# ---------------------------------------------------------------- the older status form


def post_status(client, ticket, data: dict):
    html = page_of(client, ticket)
    hidden = {"csrf_token": csrf_token(html), "version": hidden_value(html, "version")}
    return client.post(f"/tickets/{ticket.number}/status", data={**hidden, **data})


def test_the_status_form_needs_the_resolution_to_resolve(db, browser, agent, ticket):
    client, before = browser(agent, "vi"), counts(db)
    refused = post_status(client, ticket, {"status": "resolved", "status_reason": "Đã xong"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert is_invalid(html, "resolution") and REFUSED_VI in html
    assert counts(db) == before and fresh(db, ticket).status == "new"

    saved = post_status(client, ticket, {"status": "resolved", "resolution": OUTCOME})
    assert saved.status_code == 302
    assert (fresh(db, ticket).status, fresh(db, ticket).resolution) == ("resolved", OUTCOME)


# ---------------------------------------------------------------- the queue's bulk action


def bulk(client, numbers: list[str], **fields):
    html = client.get("/tickets/queue").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "numbers": numbers, **fields}
    return client.post("/tickets/queue/bulk", data=data)


def test_bulk_resolving_needs_one_resolution_for_all(db, browser, agent, official, file_ticket):
    first, second = file_ticket(official), file_ticket(official)
    client, before = browser(agent, "vi"), counts(db)
    queue = client.get("/tickets/queue").get_data(as_text=True)
    assert 'name="resolution"' in queue and "js/resolution.js" in queue

    numbers = [first.number, second.number]
    refused = bulk(client, numbers, action="status", status="resolved", resolution="")
    assert refused.status_code == 302
    assert f"Kết quả xử lý: {REFUSED_VI}" in client.get(refused.location).get_data(as_text=True)
    assert counts(db) == before
    assert fresh(db, first).status == fresh(db, second).status == "new"

    bulk(client, numbers, action="status", status="resolved", resolution=OUTCOME)
    for done in (fresh(db, first), fresh(db, second)):
        assert (done.status, done.resolution) == ("resolved", OUTCOME)
    assert len(mails_to(db, official, "ticket_resolved")) == 2
