"""The send job's rules against a real SMTP server: claim once, classify failures, back off,
give up after 24 hours, reuse one connection per batch, keep one Message-ID per row."""

from __future__ import annotations

import email
import threading
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
import sqlalchemy as sa

from helpdesk.extensions import db as database
from helpdesk.notifications import rendering, sending, sweep
from helpdesk.notifications.models import Outbox
from helpdesk.worker import work_queue


def reload(row: Outbox) -> Outbox:
    database.session.expire_all()
    return database.session.get(Outbox, row.id)


def test_a_permanent_refusal_fails_at_once_without_a_retry(smtp_app, smtp, queue_mail):
    smtp.handler.refuse = {"nobody@example.vn"}
    [row] = queue_mail("nobody@example.vn")

    assert sending.send(row.id) == "failed"

    row = reload(row)
    assert row.attempts == 1
    assert "550" in row.last_error
    assert work_queue().scheduled_job_registry.count == 0
    assert sweep.due_ids(row.created_at + timedelta(days=2)) == []


def test_temporary_failures_back_off_from_one_minute_doubling_to_one_hour(
    smtp_app, smtp, queue_mail
):
    smtp.stop()
    [row] = queue_mail("requester@example.vn")
    now, delays = row.created_at, []

    for _ in range(8):
        assert sending.send(row.id, now=now) == "pending"
        row = reload(row)
        delays.append(row.next_attempt_at - now)
        now = row.next_attempt_at

    assert [delay // timedelta(minutes=1) for delay in delays] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert row.attempts == 8
    assert "ConnectionRefusedError" in row.last_error


def test_temporary_failures_give_up_24_hours_after_the_mail_was_queued(smtp_app, smtp, queue_mail):
    smtp.handler.reply = "421 4.3.2 Service shutting down"
    [row] = queue_mail("requester@example.vn")

    almost = row.created_at + timedelta(hours=23, minutes=59)
    assert sending.send(row.id, now=almost) == "pending"
    assert sending.send(row.id, now=row.created_at + timedelta(hours=24)) == "failed"

    assert "421" in reload(row).last_error
    assert smtp.received == []


def test_a_batch_shares_one_smtp_connection(smtp_app, smtp, queue_mail):
    rows = queue_mail(*(f"user{n}@example.vn" for n in range(5)))

    statuses = sending.send_many([row.id for row in rows])

    assert set(statuses.values()) == {"sent"}
    assert len(smtp.received) == 5
    assert len({received.peer for received in smtp.received}) == 1


def test_a_refused_address_does_not_hold_back_the_rest_of_the_batch(smtp_app, smtp, queue_mail):
    smtp.handler.refuse = {"gone@example.vn"}
    rows = queue_mail("first@example.vn", "gone@example.vn", "last@example.vn")

    statuses = sending.send_many([row.id for row in rows])

    assert [statuses[row.id] for row in rows] == ["sent", "failed", "sent"]
    assert [received.recipients for received in smtp.received] == [
        ["first@example.vn"],
        ["last@example.vn"],
    ]


def test_an_unreachable_server_defers_the_whole_batch_to_one_retry_job(smtp_app, smtp, queue_mail):
    smtp.stop()
    rows = queue_mail("a@example.vn", "b@example.vn", "c@example.vn")

    statuses = sending.send_many([row.id for row in rows])

    assert set(statuses.values()) == {"pending"}
    assert {reload(row).attempts for row in rows} == {1}
    registry = work_queue().scheduled_job_registry
    [job_id] = registry.get_job_ids()
    assert list(work_queue().fetch_job(job_id).args) == [row.id for row in rows]


def test_a_slow_server_makes_the_job_give_back_rows_before_their_claim_could_expire(
    smtp_app, smtp, queue_mail, monkeypatch
):
    monkeypatch.setattr(sending, "CLAIM_TIMEOUT", timedelta(seconds=0.6))
    smtp.handler.slow = 0.3  # longer than a third of the claim timeout
    first, second = queue_mail("first@example.vn", "second@example.vn")

    statuses = sending.send_many([first.id, second.id])

    assert statuses == {first.id: "sent", second.id: "pending"}
    second = reload(second)
    assert (second.attempts, second.next_attempt_at) == (0, second.created_at)
    assert sending.send(second.id) == "sent"
    assert [r.recipients for r in smtp.received] == [["first@example.vn"], ["second@example.vn"]]


def test_a_refused_sender_address_is_retried_later_without_trying_the_rest_of_the_batch(
    smtp_app, smtp, queue_mail
):
    smtp.handler.refuse = {"no-reply@hotro.example.vn"}  # our settings, not the recipients
    rows = queue_mail("a@example.vn", "b@example.vn")

    statuses = sending.send_many([row.id for row in rows])

    assert set(statuses.values()) == {"pending"}
    assert smtp.handler.senders == ["no-reply@hotro.example.vn"]
    assert {reload(row).last_error for row in rows} == {"SMTP 550: 5.7.1 Sender address rejected"}


def test_a_job_for_a_row_already_sent_sends_nothing(smtp_app, smtp, queue_mail):
    [row] = queue_mail("requester@example.vn")

    assert sending.send(row.id) == "sent"
    assert sending.send(row.id) == "sent"

    assert len(smtp.received) == 1
    assert reload(row).attempts == 1


def test_a_row_held_by_a_live_worker_is_left_alone_until_its_claim_expires(
    smtp_app, smtp, queue_mail
):
    [row] = queue_mail("requester@example.vn")
    claimed = sending.claim(row.id, row.created_at)

    assert claimed is not None
    assert sending.claim(row.id, row.created_at) is None
    assert sending.send(row.id, now=row.created_at + timedelta(minutes=4)) == "sending"
    assert smtp.received == []
    assert sending.send(row.id, now=row.created_at + sending.CLAIM_TIMEOUT * 2) == "sent"
    assert len(smtp.received) == 1


def test_a_job_that_outlived_its_claim_does_not_undo_the_delivery_of_its_successor(
    smtp_app, smtp, queue_mail
):
    [row] = queue_mail("requester@example.vn")
    stale = sending.claim(row.id, row.created_at)
    later = row.created_at + sending.CLAIM_TIMEOUT * 2
    assert sending.send(row.id, now=later) == "sent"

    status, retry_at = sending.record_failure(
        stale, "timed out", now=later + timedelta(seconds=1), permanent=False
    )

    assert (status, retry_at) == ("sent", None)
    row = reload(row)
    assert (row.status, row.last_error) == ("sent", "")


def test_a_template_that_cannot_be_rendered_fails_the_row_instead_of_the_job(
    smtp_app, smtp, queue_mail
):
    [row] = queue_mail("requester@example.vn", template="ticket_no_such_template")

    assert sending.send(row.id) == "failed"

    assert "rendering failed" in reload(row).last_error
    assert smtp.received == []


def test_the_message_id_uses_the_senders_domain_and_survives_a_failed_attempt(
    smtp_app, smtp, queue_mail
):
    smtp.handler.reply = "451 4.7.1 Greylisted, try again"
    [row] = queue_mail("requester@example.vn")
    assert sending.send(row.id) == "pending"
    kept = reload(row).message_id
    smtp.handler.reply = None
    smtp_app.config["MAIL_DEFAULT_SENDER"] = "Hỗ trợ <no-reply@moved.example.vn>"

    assert sending.send(row.id) == "sent"

    assert kept.startswith(f"<outbox-{row.id}-")
    assert kept.endswith("@hotro.example.vn>")
    assert smtp.received[0].message_id == kept == reload(row).message_id


def test_mail_says_it_is_automatic_and_in_which_language(smtp_app, smtp, queue_mail):
    [row] = queue_mail("requester@example.vn", language="en")

    sending.send(row.id)

    message = smtp.received[0].message
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "en"
    assert message["X-Helpdesk-Outbox"] == str(row.id)
    assert 'lang="en"' in smtp.received[0].html


def test_a_vietnamese_subject_arrives_whole_for_every_kind_of_reader(smtp_app, smtp, queue_mail):
    subject = "Tiền lệ phí nộp trực tuyến chưa về tài khoản thụ hưởng của đơn vị " * 2
    [row] = queue_mail("requester@example.vn", subject=subject.strip())
    expected = rendering.render(row).subject

    sending.send(row.id)

    received = smtp.received[0]
    assert expected.startswith("[HT-2026-000123] ")
    assert received.subject == expected  # a modern parser (email.policy.default)
    legacy = email.message_from_bytes(received.content)["Subject"]
    assert str(make_header(decode_header(legacy))) == expected  # and the old one
    headers = received.content.split(b"\r\n\r\n")[0].decode("ascii")  # 7-bit, folded
    assert all(len(line) <= 78 for line in headers.split("\r\n"))


def test_a_line_too_long_for_smtp_arrives_whole_in_base64(smtp_app, smtp, queue_mail):
    subject = "Tiền lệ phí chưa về tài khoản thụ hưởng " * 40  # one line of 1,600 bytes
    [row] = queue_mail("requester@example.vn", subject=subject.strip())

    assert sending.send(row.id) == "sent"

    [received] = smtp.received
    assert all(len(line) <= 998 for line in received.content.split(b"\r\n"))
    text = received.message.get_body(("plain",))
    assert text["Content-Transfer-Encoding"] == "base64"
    assert subject.strip() in text.get_content()
    assert received.message.get_body(("html",))["Content-Transfer-Encoding"] == "base64"


def test_a_connection_the_database_drops_mid_job_is_replaced_and_nothing_is_sent_twice(
    app, backend, smtp_app, smtp, queue_mail
):
    if backend != "postgresql":
        pytest.skip("a backend is terminated by PostgreSQL's administrator function")
    rows = queue_mail("first@example.vn", "second@example.vn", "third@example.vn")
    smtp.handler.hold = threading.Event()  # the first message has arrived; its answer waits
    statuses: dict[int, str] = {}

    def job() -> None:
        with app.app_context():
            statuses.update(sending.send_many([row.id for row in rows]))

    worker = threading.Thread(target=job)
    worker.start()
    assert smtp.handler.arrived.wait(30), "the job never sent"
    # The job's connection sits idle while the server answers: the database drops it.
    own = database.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    terminated = database.session.execute(
        sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> :own"
        ),
        {"own": own},
    ).scalar()
    smtp.handler.hold.set()
    worker.join(60)

    assert terminated >= 1
    assert [statuses[row.id] for row in rows] == ["sent", "sent", "sent"]
    assert sorted(m.recipients[0] for m in smtp.received) == [
        "first@example.vn",
        "second@example.vn",
        "third@example.vn",
    ]
    assert {reload(row).status for row in rows} == {"sent"}
