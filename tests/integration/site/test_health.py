"""GET /healthz: 200 with the state of the database and Redis, 503 when either is down; and
whether the periodic jobs run and how long due mail and SLA notices have waited."""

from datetime import timedelta

from helpdesk.extensions import redis_connection
from helpdesk.notifications import outbox
from helpdesk.notifications.models import Outbox
from helpdesk.periodic import heartbeat
from helpdesk.sla.models import Notice
from helpdesk.timeutil import utcnow
from helpdesk.worker import CRON_HEARTBEAT


def test_health_is_ok_when_database_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
        "jobs": "late",  # no cron runs in the tests
        "mail_waiting_minutes": 0,
        "sla_waiting_minutes": 0,
    }


def test_health_says_whether_the_periodic_jobs_ran_lately(client):
    heartbeat()
    assert client.get("/healthz").json["jobs"] == "ok"
    four_minutes_ago = (utcnow() - timedelta(minutes=4)).isoformat()
    redis_connection.client.set(CRON_HEARTBEAT, four_minutes_ago)
    response = client.get("/healthz")
    assert response.status_code == 200  # the web still serves
    assert response.json["jobs"] == "late"


def test_health_tells_how_long_due_mail_and_sla_notices_have_waited(db, client):
    now = utcnow()
    late = outbox.queue_email(
        template="ticket_closed", to="a@example.vn", language="vi", context={}, key="late"
    )
    later = outbox.queue_email(
        template="ticket_closed", to="b@example.vn", language="vi", context={}, key="later"
    )
    db.session.flush()
    db.session.get(Outbox, outbox.outbox_id(late)).next_attempt_at = now - timedelta(minutes=25)
    # A message retried later is not late yet, however old it is.
    db.session.get(Outbox, outbox.outbox_id(later)).next_attempt_at = now + timedelta(minutes=30)
    db.session.add(
        Notice(
            ticket_id=1,
            kind="resolution",
            stage="breach",
            due_at=now - timedelta(minutes=12),
            fired_at=now - timedelta(minutes=12),
        )
    )
    db.session.commit()
    body = client.get("/healthz").json
    assert body["mail_waiting_minutes"] == 25
    assert body["sla_waiting_minutes"] == 12


def test_health_is_503_when_redis_is_unreachable(app, db, make_app):
    broken = make_app(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["redis"] == "down"
    assert response.json["database"] == "ok"
    assert response.json["jobs"] == "unknown"


def test_health_is_503_when_the_database_is_unreachable(app, db, tmp_path, backend, make_app):
    url = (
        f"sqlite:///{tmp_path}/missing/dir/helpdesk.sqlite3"
        if backend == "sqlite"
        else "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
    )
    broken = make_app(SQLALCHEMY_DATABASE_URI=url, REDIS_URL=app.config["REDIS_URL"])
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "down"
    assert response.json["redis"] == "ok"
    assert response.json["mail_waiting_minutes"] is None
    assert response.json["sla_waiting_minutes"] is None


# ---------------------------------------------------------------- who sees the backlog

BACKLOG = {"jobs", "mail_waiting_minutes", "sla_waiting_minutes"}
OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


def test_outsiders_get_the_state_without_the_backlog(client):
    response = client.get("/healthz", environ_base=OUTSIDE)
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_outsiders_still_get_503_when_a_part_is_down(app, db, make_app):
    broken = make_app(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    response = broken.test_client().get("/healthz", environ_base=OUTSIDE)
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "ok", "redis": "down"}


def test_listed_monitoring_addresses_see_the_backlog(app, db, make_app):
    monitored = make_app(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        HELPDESK_HEALTH_FROM=("10.0.0.5/32", "203.0.113.0/24"),
    )
    client = monitored.test_client()
    assert BACKLOG <= client.get("/healthz", environ_base=OUTSIDE).json.keys()
    other = client.get("/healthz", environ_base={"REMOTE_ADDR": "198.51.100.1"}).json
    assert not BACKLOG & other.keys()


def test_a_forwarded_address_counts_only_through_trusted_proxy_hops(app, db, make_app):
    settings = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "HELPDESK_HEALTH_FROM": ("10.0.0.5",),
    }
    forged = {"X-Forwarded-For": "10.0.0.5"}
    direct = make_app(**settings).test_client()
    assert not BACKLOG & direct.get("/healthz", environ_base=OUTSIDE, headers=forged).json.keys()
    # Behind one proxy (the loopback peer), the address it forwards is the client's.
    proxied = make_app(**settings, HELPDESK_PROXY_HOPS=1).test_client()
    assert BACKLOG <= proxied.get("/healthz", headers=forged).json.keys()
    outside = {"X-Forwarded-For": "203.0.113.7"}
    assert not BACKLOG & proxied.get("/healthz", headers=outside).json.keys()


def test_a_signed_in_admin_sees_the_backlog_from_anywhere(client, make_user, login):
    login(make_user("admin"))
    assert BACKLOG <= client.get("/healthz", environ_base=OUTSIDE).json.keys()


def test_other_signed_in_staff_do_not(client, make_user, login):
    login(make_user("supervisor"))
    assert not BACKLOG & client.get("/healthz", environ_base=OUTSIDE).json.keys()
