"""Notification fixtures: a real SMTP server on 127.0.0.1 (aiosmtpd), an app that mails through
it, real RQ workers (in this process, or a `flask worker` subprocess), tickets and their people.

Everything a fault test stops is its own: the SMTP server, a Redis started for the test, a
worker subprocess. The machine's shared services are never touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import functools
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from itertools import count
from pathlib import Path

import pytest
import support
from aiosmtpd.controller import Controller
from rq import SimpleWorker
from sqlalchemy import select
from support import free_port, process_stats, start_redis

from helpdesk.extensions import db as database
from helpdesk.extensions import redis_connection
from helpdesk.notifications.models import Outbox
from helpdesk.routing.models import Membership, Queue
from helpdesk.worker import work_queue

ROOT = Path(__file__).resolve().parents[3]
_subjects = count(1)


fresh_limiter = pytest.fixture(autouse=True)(support.fresh_limiter)


# ---------------------------------------------------------------- SMTP


@dataclass
class Received:
    sender: str
    recipients: list[str]
    content: bytes
    at: float
    peer: tuple  # the client's address and port: one per SMTP connection

    @functools.cached_property
    def message(self) -> EmailMessage:  # parsed when asked: the server stays fast
        return email.message_from_bytes(self.content, policy=email.policy.default)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


@dataclass
class SinkHandler:
    """Keeps what arrives. `reply` answers DATA instead of 250; `refuse` answers MAIL or RCPT
    with 550 for those addresses; `hold` keeps DATA waiting (the message has arrived) until it
    is set; `slow` makes each DATA take that long."""

    received: list[Received] = field(default_factory=list)
    reply: str | None = None
    refuse: set[str] = field(default_factory=set)
    hold: threading.Event | None = None
    arrived: threading.Event = field(default_factory=threading.Event)
    slow: float = 0  # seconds each DATA takes (a slow server)
    senders: list[str] = field(default_factory=list)  # each MAIL FROM, refused or not

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        self.senders.append(address)
        if address in self.refuse:
            return "550 5.7.1 Sender address rejected"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.reply:
            return self.reply
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.content,
                time.monotonic(),
                tuple(session.peer),
            )
        )
        self.arrived.set()
        if self.hold is not None:
            await asyncio.to_thread(self.hold.wait, 30)
        await asyncio.sleep(self.slow)
        return "250 OK"


class SmtpServer:
    """An aiosmtpd server of the test's own on 127.0.0.1; stop() and start() keep its port."""

    def __init__(self) -> None:
        self.handler = SinkHandler()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    if server.handler.hold is not None:
        server.handler.hold.set()
    server.stop()


@pytest.fixture
def smtp_app(app, db, smtp, monkeypatch):
    """The test app, mailing through the test's SMTP server (Flask-Mail not suppressed) for
    this test only."""
    from helpdesk.extensions import mail

    settings = {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_TIMEOUT": 5,
        "MAIL_DEFAULT_SENDER": "Hỗ trợ TTHC <no-reply@hotro.example.vn>",
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.setitem(app.extensions, "mail", mail.init_mail(app.config, app.debug, True))
    return app


@pytest.fixture
def own_redis(app, db, tmp_path, monkeypatch):
    """A Redis server of the test's own (on a TCP port, so that it can stop and come back on
    the same address), carrying the app's work for this test only."""
    folder = tmp_path / "redis"
    folder.mkdir()
    server = start_redis(folder, port=free_port())
    state = {"url": server.url, "client": None}
    monkeypatch.setitem(app.extensions, "helpdesk_redis", state)
    monkeypatch.setitem(app.config, "REDIS_URL", server.url)
    yield server
    if state["client"] is not None:
        state["client"].close()
    server.stop()


# ---------------------------------------------------------------- workers


class Workers:
    """Real RQ workers on the current app's work queue."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def burst(self) -> None:
        """An rq.SimpleWorker in this process until the work queue is empty (jobs run in the
        current app context). RQ installs its own SIGINT/SIGTERM handlers: put ours back."""
        saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            SimpleWorker([work_queue()], connection=redis_connection.client).work(
                burst=True, logging_level="WARNING"
            )
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)

    def environment(self, app) -> dict[str, str]:
        environ = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("MAIL_", "HELPDESK_", "DATABASE_URL", "REDIS_URL"))
        }
        environ.update(
            DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
            REDIS_URL=app.config["REDIS_URL"],
            HELPDESK_INSTANCE_PATH=str(self.tmp_path / "worker-instance"),
            SECRET_KEY=app.config["SECRET_KEY"],
            MAIL_DEFAULT_SENDER=app.config["MAIL_DEFAULT_SENDER"],
            HELPDESK_BASE_URL=app.config["HELPDESK_BASE_URL"],  # the same links as the tests
        )
        if app.config.get("MAIL_SERVER"):
            environ.update(
                MAIL_SERVER=app.config["MAIL_SERVER"], MAIL_PORT=str(app.config["MAIL_PORT"])
            )
        return environ

    def start(self, app, *, burst: bool = False) -> subprocess.Popen:
        """`flask --app wsgi worker` in a process group of its own, configured like `app`;
        its output goes to worker.log in the test's folder."""
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]
        with self.log.open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
                [*command, "--burst"] if burst else command,
                cwd=ROOT,
                env=self.environment(app),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    @property
    def log(self) -> Path:
        return self.tmp_path / "worker.log"

    def run(self, app, *, timeout: float = 60) -> None:
        """A `flask worker --burst` subprocess until the work queue is empty."""
        process = self.start(app, burst=True)
        try:
            process.wait(timeout=timeout)
        finally:
            self.kill(process)
        assert process.returncode == 0, self.log.read_text()[-3000:]

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL to the worker and to its work horse, as when their machine dies (RQ puts the
        horse in a process group of its own: it is found as the worker's child)."""
        if process.poll() is None:
            for pid in [*children(process.pid), process.pid]:
                with contextlib.suppress(ProcessLookupError):  # it ended on its own
                    os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.processes.remove(process)

    def stop_all(self) -> None:
        for process in list(self.processes):
            self.kill(process)


@pytest.fixture
def workers(tmp_path):
    started = Workers(tmp_path)
    yield started
    started.stop_all()


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    return [child for child, fields in process_stats() if int(fields[1]) == pid]


# ---------------------------------------------------------------- people and tickets


@dataclass
class Desk:
    queue: Queue
    requester: object
    agent: object
    supervisor: object


@pytest.fixture
def desk(db, make_user):
    """The seeded `moj-it` queue with a supervisor and one agent covering every province; the
    requester reads English, the agent Vietnamese."""
    queue = database.session.scalar(select(Queue).where(Queue.code == "moj-it"))
    requester = make_user(
        "requester", province_code="01", email="requester@example.vn", language="en"
    )
    agent = make_user("agent", full_name="Cán bộ xử lý", email="agent@example.vn", language="vi")
    supervisor = make_user("supervisor", full_name="Trưởng nhóm", email="lead@example.vn")
    queue.supervisor_id = supervisor.id
    queue.email = ""
    queue.notify_members = False
    database.session.add(
        Membership(queue_id=queue.id, user_id=agent.id, available=True, all_provinces=True)
    )
    database.session.commit()
    return Desk(queue=queue, requester=requester, agent=agent, supervisor=supervisor)


@pytest.fixture
def file_ticket(desk):
    """File a ticket as the desk's requester (moj / account -> moj-it, auto-assigned)."""
    from helpdesk.tickets.services import TicketDraft, create_ticket

    def file(requester=None, **fields):
        values = {
            "system": "moj",
            "category": "account",
            "province": "01",
            "subject": f"Không đăng nhập được {next(_subjects)}",
            "description": "Tài khoản bị khoá.",
            **fields,
        }
        return create_ticket(requester or desk.requester, TicketDraft(**values))

    return file


@pytest.fixture
def outbox_rows(db):
    """Outbox rows, oldest first, optionally of one template."""

    def read(template: str | None = None) -> list[Outbox]:
        database.session.expire_all()
        query = select(Outbox).order_by(Outbox.id)
        if template:
            query = query.where(Outbox.template == template)
        return list(database.session.scalars(query))

    return read


SAMPLE_TICKET = {
    "number": "HT-2026-000123",
    "subject": "Không đăng nhập được",
    "url": "https://hotro.example.vn/tickets/HT-2026-000123",
}


@pytest.fixture
def queue_mail(db):
    """Queue and commit outbox rows (a closed-ticket mail unless told), without dispatching."""
    from helpdesk.notifications import outbox

    keys = count(1)

    def queue(*addresses: str, template: str = "ticket_closed", language: str = "vi", **context):
        rows = [
            outbox.queue_email(
                template=template,
                to=address,
                language=language,
                context={**SAMPLE_TICKET, **context},
                key=f"test:{next(keys)}",
            )
            for address in addresses
        ]
        database.session.commit()
        return rows

    return queue
