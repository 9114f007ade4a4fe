"""The `flask worker` class: jobs run in the worker's process, each in an app context of its own."""

from __future__ import annotations

import os
import signal

from helpdesk.extensions import redis_connection
from helpdesk.processes import JobWorker
from helpdesk.worker import work_queue


def test_the_worker_runs_each_job_in_its_own_process_with_a_fresh_app_context(app, db):
    queue = work_queue()
    pid = queue.enqueue("os.getpid")
    # Each job keeps a value in `g`: the second finds none left by the first.
    first = queue.enqueue("flask.g.setdefault", "job", "first")
    second = queue.enqueue("flask.g.setdefault", "job", "second")

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        worker = JobWorker([queue], connection=redis_connection.client, app=app)
        worker.work(burst=True, logging_level="WARNING")
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)

    assert pid.return_value() == os.getpid()  # no work horse forked
    assert (first.return_value(), second.return_value()) == ("first", "second")
