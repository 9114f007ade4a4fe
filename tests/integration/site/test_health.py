"""GET /healthz: 200 with the state of the database and Redis, 503 when either is down; and
whether the periodic jobs run and how long due mail and SLA notices have waited."""

from datetime import timedelta

from helpdesk.extensions import redis_connection
from helpdesk.notifications import services as notifications
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
    late = notifications.queue_email(
        template="ticket_closed", to="a@example.vn", language="vi", context={}, key="late"
    )
    later = notifications.queue_email(
        template="ticket_closed", to="b@example.vn", language="vi", context={}, key="later"
    )
    db.session.flush()
    db.session.get(Outbox, notifications.outbox_id(late)).next_attempt_at = now - timedelta(
        minutes=25
    )
    # A message retried later is not late yet, however old it is.
    db.session.get(Outbox, notifications.outbox_id(later)).next_attempt_at = now + timedelta(
        minutes=30
    )
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
