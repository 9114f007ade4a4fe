"""Job plumbing: @job, enqueue(), timers, the periodic registry. The processes that run the
jobs (`flask worker`, `flask cron`, `flask serve`) are in helpdesk.processes."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import redis
from flask import Flask, has_app_context
from rq import Queue, Retry
from rq.job import JobStatus
from rq.registry import ScheduledJobRegistry

from helpdesk.extensions import redis_connection

log = logging.getLogger(__name__)

WORK_QUEUE = "helpdesk"
# The app a job runs in when it finds no app context (a plain `rq worker`): made once per
# process by the factory helpdesk/__init__ names, or given by the process (`flask worker`).
_app_factory: Callable[[], Flask] | None = None
_worker_app: Flask | None = None


def work_queue() -> Queue:
    return Queue(WORK_QUEUE, connection=redis_connection.client)


def job(func: Callable) -> Callable:
    """Run the function inside an app context: the current one, or the worker's own app."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        if has_app_context():
            return func(*args, **kwargs)
        with worker_app().app_context():
            return func(*args, **kwargs)

    return run


def use_app_factory(factory: Callable[[], Flask]) -> None:
    """Name the factory of the jobs' own app: importing helpdesk names create_app, so that
    every process that imports a job (which imports helpdesk first) can run it."""
    global _app_factory
    _app_factory = factory


def use_app(app: Flask) -> None:
    """Run the jobs of this process that find no app context in `app` (the worker's own)."""
    global _worker_app
    _worker_app = app


def worker_app() -> Flask:
    """The jobs' own app, made by the named factory on first use."""
    global _worker_app
    if _worker_app is None:
        if _app_factory is None:
            raise RuntimeError("no app factory: import helpdesk before running a job")
        _worker_app = _app_factory()
    return _worker_app


def enqueue(
    func: Callable | str, *args, job_id: str | None = None, retry: Retry | None = None, **kwargs
):
    """Hand work to RQ; when Redis is down, log and return None (the sweep re-dispatches).

    `func` is a job function or its dotted name (for a module its jobs module imports)."""
    try:
        return work_queue().enqueue(func, *args, job_id=job_id, retry=retry, **kwargs)
    except redis.RedisError as error:
        log.warning("work queue unavailable, %s left for the sweep: %s", job_name(func), error)
        return None


def job_name(func: Callable | str) -> str:
    """The job's function name, as the logs give it, of a function or a dotted name."""
    return func.rpartition(".")[2] if isinstance(func, str) else func.__name__


@dataclass(frozen=True)
class ScheduledJob:
    """A job to run at an aware UTC instant (`at`; None: as soon as a worker takes it), under a
    deterministic job id (None: RQ makes one); `func` is the job or its dotted name
    ("helpdesk.sla.jobs.fire_deadline"), as RQ takes either; `timeout` in seconds (None: RQ's)."""

    at: datetime | None
    func: Callable | str
    args: tuple
    job_id: str | None = None
    timeout: int | None = None


def enqueue_all(jobs: Sequence[ScheduledJob]) -> bool:
    """Hand these jobs to RQ with one Redis transaction, one round trip whatever their number
    (a filing's mail and timers together); tolerant of Redis being down like enqueue() (False
    then: nothing was handed over, the sweeps catch up).

    RQ's own enqueue costs two round trips a job, its enqueue_at as many: its scheduled
    registry is written outside the pipeline it is given. The jobs and registry entries written
    here are those they write.
    """
    if not jobs:
        return True
    if any(job.at is not None and job.at.tzinfo is None for job in jobs):
        raise ValueError("enqueue_all needs aware datetimes")
    queue = work_queue()
    registry = ScheduledJobRegistry(queue=queue)
    try:
        with queue.connection.pipeline() as pipe:
            # The queue joins the set of queues here, for the scheduled jobs too.
            queue.enqueue_many(
                [
                    Queue.prepare_data(job.func, job.args, job_id=job.job_id, timeout=job.timeout)
                    for job in jobs
                    if job.at is None
                ],
                pipeline=pipe,
            )
            for later in (job for job in jobs if job.at is not None):
                scheduled = queue.create_job(
                    later.func,
                    args=later.args,
                    job_id=later.job_id,
                    timeout=later.timeout,
                    status=JobStatus.SCHEDULED,
                )
                scheduled.save(pipeline=pipe)
                pipe.zadd(registry.key, {scheduled.id: int(later.at.timestamp())})
            pipe.execute()
    except redis.RedisError as error:
        log.warning("work queue unavailable, %s jobs left for the sweeps: %s", len(jobs), error)
        return False
    return True


def redis_is_up() -> bool:
    try:
        return bool(redis_connection.client.ping())
    except redis.RedisError:
        return False


CRON_HEARTBEAT = "helpdesk:cron:last"  # written each minute by helpdesk.periodic.heartbeat


def cron_last_seen() -> datetime | None:
    """When the cron last ran its heartbeat (None: not in the last ten minutes, or Redis is
    down)."""
    try:
        seen = redis_connection.client.get(CRON_HEARTBEAT)
    except redis.RedisError:
        return None
    return datetime.fromisoformat(seen.decode()) if seen is not None else None


# Periodic work: (job function, interval in seconds); helpdesk.periodic registers the sweeps.
PERIODIC: list[tuple[Callable, int]] = []


def register_periodic(func: Callable, interval: int) -> None:
    if (func, interval) not in PERIODIC:
        PERIODIC.append((func, interval))
