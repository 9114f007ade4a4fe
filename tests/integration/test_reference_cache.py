"""Reference data is read once per process and stays right: a change committed anywhere is seen
at the next request of every other process (two apps on one database stand for two)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select, update

from helpdesk.catalogue import services as catalogue
from helpdesk.routing import services as routing
from helpdesk.routing.engine import Facts
from helpdesk.routing.models import Queue, Rule
from helpdesk.sla import services as sla
from helpdesk.sla.models import Policy
from helpdesk.sla.services import admin as sla_admin

MOJ_PAYMENT = Facts(system="moj", category="payment", province="48", priority=3)


@pytest.fixture
def other_app(app, make_app, tmp_path):
    """A second app on the same database and Redis: another process, with a cache of its own."""
    return make_app(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        HELPDESK_OUTBOX_FOLDER=str(tmp_path / "outbox"),
    )


def seen_by(other_app, read):
    """What `read()` returns in a new app context (a request or a job) of the other app."""
    with other_app.app_context():
        return read()


def queue_named(code: str) -> str:
    return next(q.name for q in routing.all_queues() if q.code == code)


def default_policy_minutes() -> int:
    return sla.find_policy(3, "moj", "payment").first_response_minutes


def admin_saves_queue_name(admin, code: str, name: str) -> None:
    from helpdesk.extensions import db

    queue = db.session.scalar(select(Queue).where(Queue.code == code))
    draft = routing.QueueDraft(
        code=queue.code,
        name=name,
        kind=queue.kind,
        system_code=queue.system_code,
        province_code=queue.province_code,
        email=queue.email,
        escalation_queue_id=queue.escalation_queue_id,
        auto_assign=queue.auto_assign,
        notify_members=queue.notify_members,
        active=queue.active,
    )
    routing.save_queue(admin, draft, queue_id=queue.id)


def test_an_admins_change_is_seen_by_the_next_request_of_another_process(db, other_app, make_user):
    admin = make_user("admin")
    before = seen_by(other_app, lambda: (queue_named("moj-it"), default_policy_minutes()))

    admin_saves_queue_name(admin, "moj-it", "Tổ CNTT Bộ Tư pháp (mới)")
    calendar_id = sla.find_policy(3, "moj", "payment").calendar_id
    sla_admin.save_policy(
        admin,
        sla_admin.PolicyDraft(
            name="Tư pháp – thanh toán",
            priority=3,
            system="moj",
            category="payment",
            first_response_minutes=77,
            resolution_minutes=777,
            calendar_id=calendar_id,
        ),
    )
    sla_admin.add_calendar_day(admin, calendar_id, date(2027, 3, 2), working=False)

    after = seen_by(
        other_app,
        lambda: (
            queue_named("moj-it"),
            default_policy_minutes(),
            date(2027, 3, 2) in sla.named_calendar(sla.DEFAULT_CALENDAR).days_off,
        ),
    )
    assert before[0] != "Tổ CNTT Bộ Tư pháp (mới)" and before[1] == 480
    assert after == ("Tổ CNTT Bộ Tư pháp (mới)", 77, True)


def test_a_plain_orm_change_and_a_bulk_update_are_seen_by_another_process(db, other_app, queue_ids):
    seen_by(other_app, lambda: routing.decide(MOJ_PAYMENT))  # cached there
    db.session.add(
        Rule(
            queue_id=queue_ids["province-48"],
            system_code="moj",
            category_code="payment",
            province_code="48",
        )
    )
    db.session.commit()

    assert (
        seen_by(other_app, lambda: routing.decide(MOJ_PAYMENT)).queue_id == queue_ids["province-48"]
    )

    db.session.execute(update(Rule).where(Rule.province_code == "48").values(active=False))
    db.session.commit()

    assert seen_by(other_app, lambda: routing.decide(MOJ_PAYMENT)).queue_id == queue_ids["moj-fpt"]


def test_a_removed_calendar_day_is_seen_by_another_process(db, other_app, make_user):
    admin = make_user("admin")
    calendar_id = sla.find_policy(3, "moj", "payment").calendar_id
    sla_admin.add_calendar_day(admin, calendar_id, date(2027, 3, 2), working=False)
    assert date(2027, 3, 2) in seen_by(other_app, lambda: sla.calendar_for(None).days_off)

    sla_admin.remove_calendar_day(admin, calendar_id, date(2027, 3, 2))

    assert date(2027, 3, 2) not in seen_by(other_app, lambda: sla.calendar_for(None).days_off)


def test_a_request_reads_the_stamp_once_however_much_reference_data_it_reads(
    app, db, count_queries
):
    def read_everything():
        catalogue.provinces(), catalogue.systems(), catalogue.categories()
        catalogue.find_system("moj")
        routing.all_queues(), routing.queue_names([1, 2])
        routing.decide(MOJ_PAYMENT)
        sla.targets_for(sla.find_policy(3, "moj", "payment").id)
        sla.calendar_for(None)

    with app.app_context():
        read_everything()  # the first request of the process fills the cache
    with app.app_context(), count_queries() as statements:
        read_everything()
        read_everything()

    assert len(statements) == 1
    assert "reference_stamp" in statements[0]


def test_a_request_that_reads_no_reference_data_reads_no_stamp(app, db, count_queries):
    with app.app_context(), count_queries() as statements:
        app.test_client().get("/auth/login")

    assert not [s for s in statements if "reference_stamp" in s]


def test_a_change_is_seen_in_the_same_request_after_its_commit(db):
    assert default_policy_minutes() == 480
    policy = db.session.get(Policy, sla.find_policy(3, "moj", "payment").id)
    policy.first_response_minutes = 99
    db.session.commit()

    assert default_policy_minutes() == 99


def test_a_rolled_back_change_is_forgotten(db, queue_ids):
    name = queue_named("moj-it")
    db.session.get(Queue, queue_ids["moj-it"]).name = "Chưa lưu"
    db.session.flush()
    assert queue_named("moj-it") == "Chưa lưu"  # this transaction sees its own change

    db.session.rollback()

    assert queue_named("moj-it") == name


def test_a_change_read_back_before_its_commit_never_reaches_other_requests(app, db, queue_ids):
    winner = routing.decide(MOJ_PAYMENT)
    app.extensions["reference_cache"].snapshot = None  # values to read again, same stamp
    db.session.get(Rule, winner.rule_id).active = False  # not flushed yet
    # Reading the rules flushes this transaction's change first, and moves the stamp.
    assert winner.rule_id not in {rule.id for rule in routing.rules_for("moj")}

    db.session.rollback()

    with app.app_context():  # the next request of the same process
        assert routing.decide(MOJ_PAYMENT) == winner


def test_cached_values_are_plain_and_survive_commit(db, count_queries):
    from helpdesk.extensions import db as database

    queues = routing.all_queues()
    policy = sla.find_policy(3, "moj", "payment")
    provinces = catalogue.provinces()
    database.session.commit()
    database.session.remove()

    with count_queries() as statements:
        names = [q.name for q in queues]
        minutes = policy.resolution_minutes
        province = provinces[0].name
    assert statements == []
    assert names and minutes and province
    with pytest.raises(dataclasses.FrozenInstanceError):
        queues[0].name = "x"  # never written through
    assert not database.session.new and not database.session.dirty


def test_each_app_keeps_its_own_cache(app, db, other_app):
    routing.all_queues()
    seen_by(other_app, routing.all_queues)

    assert app.extensions["reference_cache"] is not other_app.extensions["reference_cache"]


@pytest.fixture
def queue_ids(db):
    from helpdesk.extensions import db as database

    return dict(database.session.execute(select(Queue.code, Queue.id)).all())


def test_a_signed_in_request_reads_the_stamp_with_its_user(
    app, db, client, login, make_user, count_queries
):
    # The session's user is read first thing on every page: the stamp comes in the same statement.
    user = make_user("agent")
    assert login(user).status_code == 302
    client.get("/tickets/queue")  # fills the cache

    with count_queries() as statements:
        assert client.get("/tickets/queue").status_code == 200

    stamped = [s for s in statements if "reference_stamp" in s]
    assert len(stamped) == 1
    assert "FROM users" in stamped[0]
