"""`flask outbox deliver` and `flask outbox retry ID`."""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext

from helpdesk.notifications.models import Outbox


def test_deliver_sends_the_due_rows_now(app, runner, queue_mail, db):
    rows = queue_mail("a@example.vn", "b@example.vn")

    result = runner.invoke(args=["outbox", "deliver"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 sent"
    written = sorted(Path(app.config["HELPDESK_OUTBOX_FOLDER"]).glob("*.eml"))
    assert [path.name for path in written] == [f"{row.id:08d}-ticket_closed.eml" for row in rows]
    assert runner.invoke(args=["outbox", "deliver"]).output.strip() == "nothing to send"


def test_retry_queues_a_failed_row_again(runner, queue_mail, db):
    [row] = queue_mail("failed@example.vn")
    row.status = "failed"
    db.session.commit()

    result = runner.invoke(args=["outbox", "retry", str(row.id)])

    assert result.exit_code == 0, result.output
    assert f"outbox {row.id} (ticket_closed) queued again" in result.output
    db.session.expire_all()
    assert db.session.get(Outbox, row.id).status == "pending"


def test_retry_refuses_a_row_that_has_not_failed(runner, queue_mail, db):
    [row] = queue_mail("pending@example.vn")

    result = runner.invoke(args=["outbox", "retry", str(row.id)])

    assert result.exit_code == 1
    message = gettext(
        "Only a failed message can be retried; this one is %(status)s.", status="pending"
    )
    assert result.output == f"Error: {message}\n"
    db.session.expire_all()
    assert db.session.get(Outbox, row.id).status == "pending"


def test_retry_of_an_unknown_row_fails(runner, db):
    result = runner.invoke(args=["outbox", "retry", "424242"])

    assert result.exit_code == 1
    assert result.output == f"Error: {gettext('No such message in the outbox.')}\n"
