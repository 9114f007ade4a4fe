"""The send job is enqueued by its dotted name (sending.SEND_JOB): the name must stay the job's."""

from __future__ import annotations

import importlib

from helpdesk.notifications import jobs, sending


def test_the_send_job_name_is_the_send_job():
    module, _, name = sending.SEND_JOB.rpartition(".")

    assert importlib.import_module(module) is jobs
    assert getattr(jobs, name) is jobs.send_email
