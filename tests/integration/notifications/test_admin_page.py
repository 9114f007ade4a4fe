"""The admins' outbox page: recent rows and their state, a status filter, pages of constant
cost, and a retry (a POST with its CSRF token) for failed rows."""

from __future__ import annotations

import pytest
from support import csrf_token

from helpdesk.notifications.models import Outbox
from helpdesk.notifications.views import PER_PAGE
from helpdesk.worker import work_queue


@pytest.fixture
def admin(make_user, login):
    user = make_user("admin")
    login(user)
    return user


def mark(rows: list[Outbox], status: str, db, **values) -> None:
    for row in rows:
        row.status = status
        for name, value in values.items():
            setattr(row, name, value)
    db.session.commit()


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get("/admin/outbox/")

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["requester", "agent", "supervisor", "unit_admin", "observer"])
def test_other_roles_do_not_find_the_page(role, client, make_user, login):
    login(make_user(role))

    assert client.get("/admin/outbox/").status_code == 404


def test_admins_see_recent_rows_with_their_state_newest_first(client, admin, queue_mail, db):
    sent, failed, pending = queue_mail("sent@example.vn", "failed@example.vn", "wait@example.vn")
    mark([sent], "sent", db)
    mark([failed], "failed", db, attempts=1, last_error="SMTP 550: No such user here")

    html = client.get("/admin/outbox/").get_data(as_text=True)

    order = [html.index(f'data-outbox-id="{row.id}"') for row in (pending, failed, sent)]
    assert order == sorted(order)
    assert f'data-outbox-id="{failed.id}" data-status="failed"' in html
    assert "SMTP 550: No such user here" in html
    assert "wait@example.vn" in html
    assert "Không đăng nhập được" not in html  # the mail's content stays out of the list


def test_the_status_filter_shows_rows_of_that_status_only(client, admin, queue_mail, db):
    sent, failed = queue_mail("sent@example.vn", "failed@example.vn")
    mark([sent], "sent", db)
    mark([failed], "failed", db)

    html = client.get("/admin/outbox/?status=failed").get_data(as_text=True)

    assert f'data-outbox-id="{failed.id}"' in html
    assert f'data-outbox-id="{sent.id}"' not in html


def test_the_list_is_paginated_with_a_constant_number_of_queries(
    client, admin, queue_mail, count_queries
):
    queue_mail(*(f"user{n}@example.vn" for n in range(3)))
    with count_queries() as few:
        client.get("/admin/outbox/")
    queue_mail(*(f"more{n}@example.vn" for n in range(PER_PAGE)))
    with count_queries() as many:
        first = client.get("/admin/outbox/").get_data(as_text=True)
    second = client.get("/admin/outbox/?page=2").get_data(as_text=True)

    assert len(many) == len(few)
    assert first.count("data-outbox-id=") == PER_PAGE
    assert second.count("data-outbox-id=") == 3


def test_retrying_a_failed_row_queues_it_again(client, admin, queue_mail, db):
    [row] = queue_mail("failed@example.vn")
    mark([row], "failed", db, attempts=3, last_error="SMTP 552: mailbox full")
    page = client.get("/admin/outbox/?status=failed").get_data(as_text=True)

    response = client.post(
        f"/admin/outbox/{row.id}/retry?status=failed",
        data={"csrf_token": csrf_token(page)},
        follow_redirects=True,
    )

    assert response.status_code == 200
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("pending", 0)
    assert row.give_up_at > row.created_at
    assert [list(job.args) for job in work_queue().get_jobs()] == [[row.id]]


def test_a_row_that_has_not_failed_cannot_be_retried(client, admin, queue_mail, db):
    [row] = queue_mail("sent@example.vn")
    mark([row], "sent", db)
    page = client.get("/admin/outbox/").get_data(as_text=True)

    response = client.post(f"/admin/outbox/{row.id}/retry", data={"csrf_token": csrf_token(page)})

    assert response.status_code == 302
    db.session.refresh(row)
    assert row.status == "sent"
    assert work_queue().count == 0


def test_a_retry_needs_the_csrf_token(client, admin, queue_mail, db):
    [row] = queue_mail("failed@example.vn")
    mark([row], "failed", db)

    assert client.post(f"/admin/outbox/{row.id}/retry").status_code == 400
    db.session.refresh(row)
    assert row.status == "failed"


def test_an_unknown_row_is_not_found(client, admin):
    page = client.get("/admin/outbox/").get_data(as_text=True)

    response = client.post("/admin/outbox/999999/retry", data={"csrf_token": csrf_token(page)})

    assert response.status_code == 404
