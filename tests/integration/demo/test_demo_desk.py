"""The living demo of `make run`: `flask user demo` makes, on the embedded default only and
once, demo agents, a supervisor in two queues and a few dozen tickets in varied states through
the real services, each marked as demo data; every page then shows a banner."""

from __future__ import annotations

from collections import Counter

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from helpdesk.auth.models import Role, User
from helpdesk.extensions import db as database
from helpdesk.help.models import Article
from helpdesk.notifications.models import Outbox
from helpdesk.routing.models import Membership, Queue
from helpdesk.tickets.models import Event, Kind, Message, Ticket
from helpdesk.tickets.services import demo


def count(model) -> int:
    return database.session.scalar(select(func.count()).select_from(model))


def test_the_demo_desk_is_made_once_with_tickets_in_every_state(db):
    logins = demo.create_demo()

    assert Counter(login.role for login in logins) == {
        Role.SUPERVISOR: 1,
        Role.AGENT: 3,
        Role.COORDINATOR: 2,
        Role.REQUESTER: 2,
    }
    users = list(db.session.scalars(select(User).where(User.demo)))
    assert {user.username for user in users} == {login.username for login in logins}
    tickets = list(db.session.scalars(select(Ticket).where(Ticket.kind == Kind.TICKET)))
    assert len(tickets) >= 24 and all(ticket.demo for ticket in tickets)
    # The open payment tickets are one fault: an incident with an update and an expected time.
    incident = db.session.scalar(select(Ticket).where(Ticket.kind == Kind.INCIDENT))
    assert incident.demo and incident.is_open and incident.expected_at is not None
    attached = [t for t in tickets if t.parent_id == incident.id]
    assert attached and {t.category_code for t in attached} == {"payment"}
    assert all(t.first_responded_at is not None for t in attached)
    statuses = Counter(ticket.status for ticket in tickets)
    assert {"new", "open", "waiting_requester", "resolved", "closed"} <= set(statuses)
    ended = [t for t in tickets if t.status in ("resolved", "closed")]
    assert all(t.resolution for t in ended)  # every outcome told to its requester
    assert any(t.assignee_id is None and t.status == "new" for t in tickets)
    assert any(t.first_response_breached_at is not None for t in tickets)
    assert any(t.rating == 5 for t in tickets)
    assert count(Message) >= 15
    assert db.session.scalar(select(func.count()).where(Message.internal)) >= 1
    # Made by the services: routed, with deadlines, history and mail.
    assert {t.queue.code for t in tickets} == {"moj-it", "moj-fpt", "province-01", "province-79"}
    coordinators = {u.province_code: u.id for u in users if u.role == Role.COORDINATOR}
    for ticket in tickets:  # each province's dossiers and training, worked by its coordinator
        if ticket.queue.code.startswith("province-") and ticket.assignee_id is not None:
            assert ticket.assignee_id == coordinators[ticket.province_code]
    assert all(t.sla_policy_id and t.first_response_due for t in tickets)
    kinds = set(db.session.scalars(select(Event.kind)))
    assert {"created", "routed", "assigned", "status_changed", "sla_breached", "rated"} <= kinds
    assert db.session.scalar(select(func.count()).where(Outbox.template == "ticket_filed")) == len(
        tickets
    )
    supervisor = next(u for u in users if u.role == Role.SUPERVISOR)
    queues = db.session.scalars(select(Queue).where(Queue.code.in_(demo.QUEUES)))
    assert {q.supervisor_id for q in queues} == {supervisor.id}
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == supervisor.id))
    assert len(list(memberships)) == 2
    # Three published public help articles, one about the system's beneficiary accounts.
    articles = list(db.session.scalars(select(Article)))
    assert len(articles) == 3
    assert {(a.status, a.readers) for a in articles} == {("published", "public")}
    assert {c.category_code for a in articles for c in a.categories} == {
        "payment",
        "account",
        "process",
    }
    assert supervisor.edits_articles

    before = (count(User), count(Ticket), count(Message), count(Outbox), count(Article))
    assert demo.create_demo() is None
    assert (count(User), count(Ticket), count(Message), count(Outbox), count(Article)) == before


def test_the_home_page_shows_the_demo_banner_while_demo_tickets_exist(db, client, login, make_user):
    admin = make_user("admin")
    login(admin)
    assert 'data-testid="demo-banner"' not in client.get("/").get_data(as_text=True)

    demo.create_demo()

    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="demo-banner"' in html and "dữ liệu minh hoạ" in html
    queue = client.get("/tickets/queue").get_data(as_text=True)
    assert 'data-testid="demo-badge"' in queue  # each demo ticket says so where it is listed


# ---------------------------------------------------------------- the command


@pytest.fixture
def fresh_app(make_app, tmp_path, redis_url):
    """An app on an instance folder of its own, as `make run` makes it: SQLite under it,
    migrated; `flask seed` run through the command line."""

    def make(**overrides):
        app = make_app(REDIS_URL=redis_url, **overrides)
        with app.app_context():
            upgrade()
        runner = app.test_cli_runner()
        result = runner.invoke(args=["seed"])
        assert result.exit_code == 0, result.output
        return app, runner

    return make


def demo_counts(app) -> tuple[int, int]:
    with app.app_context():
        users = database.session.scalar(select(func.count()).where(User.demo))
        tickets = database.session.scalar(select(func.count()).where(Ticket.demo))
        return users, tickets


def test_user_demo_makes_the_desk_once_and_keeps_its_logins(fresh_app, tmp_path):
    app, runner = fresh_app()
    assert demo_counts(app) == (0, 0)  # `flask seed` makes no demo data

    first = runner.invoke(args=["user", "demo"])

    assert first.exit_code == 0, first.output
    assert "Demo admin: 001166668888@ht.com" in first.output
    users, tickets = demo_counts(app)
    assert users == 8 and tickets >= 24
    kept = (tmp_path / "demo-logins.txt").read_text(encoding="utf-8")
    assert (tmp_path / "demo-logins.txt").stat().st_mode & 0o777 == 0o600
    assert "supervisor 001185000101@ht.com  password: " in kept
    assert kept.splitlines()[-1] in first.output

    second = runner.invoke(args=["user", "demo"])

    assert second.exit_code == 0, second.output
    assert "already there" in second.output
    assert demo_counts(app) == (users, tickets)
    assert (tmp_path / "demo-logins.txt").read_text(encoding="utf-8") == kept


def test_user_demo_makes_no_desk_when_mail_goes_to_a_server(fresh_app):
    app, runner = fresh_app(MAIL_SERVER="smtp.example.gov.vn")

    result = runner.invoke(args=["user", "demo"])

    assert result.exit_code == 0, result.output
    assert "Demo admin: 001166668888@ht.com" in result.output  # as before
    assert "No demo desk" in result.output
    assert demo_counts(app) == (0, 0)


def test_user_demo_makes_no_desk_on_postgresql(app, runner, backend, monkeypatch, tmp_path):
    if backend != "postgresql":
        pytest.skip("production's database: the PostgreSQL backend")
    monkeypatch.setattr(app, "instance_path", str(tmp_path))

    result = runner.invoke(args=["user", "demo"])

    assert result.exit_code == 0, result.output
    assert "No demo desk" in result.output
    assert demo_counts(app) == (0, 0)
    assert not (tmp_path / "demo-logins.txt").exists()
