"""The periodic sweep: the database's guarantee that every row reaches a job, even when Redis
or a worker lost it, without flooding the work queue with copies of rows that wait their turn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

from helpdesk import periodic  # noqa: F401 - what `flask cron` imports: the sweeps register
from helpdesk.notifications import jobs, sending, sweep
from helpdesk.worker import PERIODIC, work_queue

GRACE = sweep.SWEEP_GRACE


def queued_ids() -> list[list[int]]:
    return [list(job.args) for job in work_queue().get_jobs()]


def test_the_sweep_leaves_fresh_rows_to_their_jobs_and_hands_over_older_ones(db, queue_mail):
    [row] = queue_mail("requester@example.vn")

    assert sweep.sweep(now=row.created_at + GRACE / 2) == 0
    assert sweep.sweep(now=row.created_at + GRACE) == 1

    assert queued_ids() == [[row.id]]


def test_a_row_handed_over_is_not_handed_over_again_while_its_job_waits(db, queue_mail):
    [row] = queue_mail("requester@example.vn")
    handed_at = row.created_at + GRACE

    assert sweep.sweep(now=handed_at) == 1
    assert sweep.sweep(now=handed_at + timedelta(minutes=1)) == 0
    assert sweep.sweep(now=handed_at + sweep.HANDOVER_LEASE + GRACE) == 1

    assert queued_ids() == [[row.id], [row.id]]


def test_with_redis_down_the_sweep_leaves_the_rows_due_for_the_next_sweep(
    db, own_redis, queue_mail
):
    [row] = queue_mail("requester@example.vn")
    own_redis.stop()

    assert sweep.sweep(now=row.created_at + GRACE) == 0

    own_redis.start()
    assert sweep.sweep(now=row.created_at + GRACE) == 1


def test_sent_and_failed_rows_are_never_handed_over(db, queue_mail):
    sent, failed = queue_mail("sent@example.vn", "failed@example.vn")
    sent.status, failed.status = "sent", "failed"
    db.session.commit()

    assert sweep.sweep(now=sent.created_at + timedelta(days=2)) == 0


def test_the_sweep_hands_over_in_batches(db, queue_mail):
    rows = queue_mail(*(f"user{n}@example.vn" for n in range(sending.BATCH_SIZE + 1)))

    assert sweep.sweep(now=rows[-1].created_at + GRACE) == sending.BATCH_SIZE + 1

    assert [len(ids) for ids in queued_ids()] == [sending.BATCH_SIZE, 1]


def test_the_sweep_runs_every_minute():
    assert (jobs.sweep_outbox, 60) in PERIODIC


def test_the_sweep_job_hands_over_what_a_worker_then_sends(db, queue_mail, workers, outbox_rows):

    queue_mail("requester@example.vn")
    work_queue().enqueue(jobs.sweep_outbox)
    workers.burst()
    assert [row.status for row in outbox_rows()] == ["pending"]  # still within the grace

    sweep.sweep(now=outbox_rows()[0].created_at + GRACE)
    workers.burst()
    assert [row.status for row in outbox_rows()] == ["sent"]


def dead_pid() -> int:
    """The id of a process of this host that has ended (and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603 - our own interpreter
    child.wait()
    return child.pid


def test_rows_of_a_sender_gone_mid_job_are_given_back_at_the_next_sweep(db, queue_mail):
    gone, live, elsewhere = queue_mail("a@example.vn", "b@example.vn", "c@example.vn")
    claimed_at = gone.created_at
    for row, claimer in (
        (gone, f"{sending.HOST}:{dead_pid()}"),
        (live, sending.claimer()),  # this process: still sending
        (elsewhere, "another-host:1"),  # not this host's to judge before the claim timeout
    ):
        row.status, row.claimed_at, row.claimed_by, row.attempts = "sending", claimed_at, claimer, 1
    db.session.commit()

    assert sweep.sweep(now=claimed_at + GRACE + timedelta(seconds=1)) == 1

    db.session.expire_all()
    assert (gone.status, gone.attempts) == ("pending", 1)
    assert [live.status, elsewhere.status] == ["sending", "sending"]
    assert queued_ids() == [[gone.id]]
    # Past the claim timeout every silent claim is the sweep's, whoever made it.
    later = claimed_at + sending.CLAIM_TIMEOUT + GRACE + timedelta(seconds=1)
    assert sweep.sweep(now=later) == 2


def test_a_claim_names_the_process_that_holds_the_row(db, queue_mail):
    [row] = queue_mail("requester@example.vn")

    [claimed] = sending.claim_many([row.id], row.created_at)

    db.session.expire_all()
    assert row.claimed_by == f"{sending.HOST}:{os.getpid()}"
    assert row.claimed_by.startswith(socket.gethostname())
    assert claimed.id == row.id
