"""Inbound mail fixtures: Debian's Dovecot of the test's own on 127.0.0.1 (`dovecot`, and
`make_dovecot(...)` for a server with TLS, fewer capabilities or another password).

Each server has its own configuration, runtime folder, maildirs and log in a folder of its own;
stop(), kill() and start() touch only its process group (the machine's services never). Run as
root (as CI does), the master stays root and its other processes and the mail user are `nobody`:
Dovecot refuses root for its login processes and for mail access. Run as another user, all of it
is that user (no chroot: only root may).
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from urllib.parse import quote

import pytest
from imap_tools import MailBoxUnencrypted
from support import free_port, process_stats

from helpdesk.channels.models import Outcome, Taken

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DOVECOT = Path("/usr/sbin/dovecot")
USER = "hotro"
PASSWORD = "p@ss/w%rd #1"  # percent-encoded in the URL, quoted in LOGIN
STARTUP_SECONDS = 15

CONFIG = """\
instance_name = helpdesk-test-{port}
base_dir = {folder}/run
state_dir = {folder}/state
listen = 127.0.0.1
protocols = imap
log_path = {folder}/dovecot.log
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_location = maildir:{folder}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={folder}/home/%u
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
"""


def mail_user() -> pwd.struct_passwd:
    """Whom Dovecot's unprivileged processes and mail access run as: this user, or `nobody`
    under root."""
    return pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())


class Dovecot:
    """A Dovecot server of the test's own. `tls`: also imaps on `tls_port` and STARTTLS on the
    plain port, with a self-signed certificate for 127.0.0.1 (`ssl_context()` trusts it).
    `capability`: the capabilities announced after login, instead of Dovecot's (to play a
    server without MOVE or IDLE)."""

    def __init__(
        self, *, tls: bool = False, capability: str | None = None, password: str = PASSWORD
    ) -> None:
        # Not under pytest's tmp_path: run as root, `nobody` must reach the maildirs.
        self.folder = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
        self.folder.chmod(0o755)
        self.password = password
        self.port = free_port()
        self.tls_port = free_port() if tls else 0
        self.process: subprocess.Popen | None = None
        self.config = self.folder / "dovecot.conf"
        self.write_config(tls=tls, capability=capability)

    def write_config(self, *, tls: bool, capability: str | None) -> None:
        user = mail_user()
        for name in ("mail", "home"):
            (self.folder / name).mkdir()
            os.chown(self.folder / name, user.pw_uid, user.pw_gid)
        (self.folder / "users").write_text(f"{USER}:{{PLAIN}}{self.password}::::\n")
        text = CONFIG.format(
            folder=self.folder,
            port=self.port,
            tls_port=self.tls_port,
            user=user.pw_name,
            group=grp.getgrgid(user.pw_gid).gr_name,
            uid=user.pw_uid,
            gid=user.pw_gid,
        )
        if tls:
            self.make_certificate()
            text += f"ssl = yes\nssl_cert = <{self.folder}/cert.pem\n"
            text += f"ssl_key = <{self.folder}/key.pem\n"
        else:
            text += "ssl = no\n"
        if capability:
            text += f"imap_capability = {capability}\n"
        self.config.write_text(text)
        checked = subprocess.run(
            [DOVECOT, "-n", "-c", self.config], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, f"dovecot -n refuses the test's configuration:\n{checked}"

    def make_certificate(self) -> None:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", self.folder / "key.pem", "-out", self.folder / "cert.pem"],
            capture_output=True, check=True,
        )  # fmt: skip

    # ---------------------------------------------------------------- the process

    def start(self) -> Dovecot:
        """Start (again, on the same port and maildirs); returns once the port answers."""
        assert self.process is None, "already running"
        with contextlib.suppress(FileNotFoundError):  # left by a killed master
            (self.folder / "run" / "master.pid").unlink()
        with (self.folder / "output.log").open("ab") as output:
            self.process = subprocess.Popen(
                [DOVECOT, "-F", "-c", self.config],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() ends it all, only it
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                pytest.fail(f"dovecot exited at start:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    if probe.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        pytest.fail(f"dovecot not answering on {self.port} after {STARTUP_SECONDS}s")

    def stop(self) -> None:
        """A clean shutdown (SIGTERM to the master, which ends its processes)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
            return
        self.reap()

    def kill(self) -> None:
        """SIGKILL to the server's whole process group, as when its machine dies: open
        connections are cut without a word."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.reap()

    def reap(self) -> None:
        """Wait until no process of the group is left running (its zombies hold no port)."""
        deadline = time.monotonic() + 10
        while group_running(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.process = None

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def log_tail(self) -> str:
        text = ""
        for name in ("output.log", "dovecot.log"):
            with contextlib.suppress(FileNotFoundError):
                text += (self.folder / name).read_text(errors="replace")[-3000:]
        return text

    # ---------------------------------------------------------------- the mailbox

    @property
    def url(self) -> str:
        """The mailbox for HELPDESK_IMAP_URL (plain IMAP; STARTTLS when `tls`)."""
        return f"imap://{USER}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/INBOX"

    @property
    def tls_url(self) -> str:
        assert self.tls_port, "started without tls"
        return f"imaps://{USER}:{quote(self.password, safe='')}@127.0.0.1:{self.tls_port}/INBOX"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.folder / "cert.pem"))

    def client(self) -> MailBoxUnencrypted:
        box = MailBoxUnencrypted("127.0.0.1", self.port, timeout=10)
        if self.password.isascii():
            return box.login(USER, self.password, initial_folder=None)
        return box.login_utf8(USER, self.password, initial_folder=None)

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver a message (IMAP APPEND), as the mail server does."""
        with self.client() as box:
            box.append(raw, folder)

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        """The folder's messages as stored, by UID ([] when the folder does not exist)."""
        with self.client() as box:
            if not box.folder.exists(folder):
                return []
            box.folder.set(folder, readonly=True)
            uids = box.uids("ALL", charset=None)
            if not uids:
                return []
            kind, data = box.client.uid("FETCH", ",".join(uids), "(UID BODY.PEEK[])")
            assert kind == "OK", data
            return [item[1] for item in data if isinstance(item, tuple)]


def group_running(group: int) -> list[int]:
    """The processes of a process group still running (zombies aside)."""
    return [pid for pid, fields in process_stats() if fields[0] != "Z" and int(fields[2]) == group]


@pytest.fixture
def make_dovecot():
    """make_dovecot(tls=..., capability=..., password=...) -> a started Dovecot, stopped and
    removed after the test. Missing Dovecot: the test fails under CI, else it is skipped."""
    if not DOVECOT.exists():
        message = f"{DOVECOT} missing: apt-get install dovecot-imapd"
        if ON_CI:
            pytest.fail(f"CI=true but {message}", pytrace=False)
        pytest.skip(message)
    servers: list[Dovecot] = []

    def make(**options) -> Dovecot:
        server = Dovecot(**options)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.kill()  # nothing of it is kept: no need to wait for a clean shutdown
        server.remove()


@pytest.fixture
def dovecot(make_dovecot) -> Dovecot:
    """A Dovecot of the test's own: user `hotro`, an empty INBOX, plain IMAP (`url`)."""
    return make_dovecot()


# ---------------------------------------------------------------- messages and a take_in


def mail(number: int, *, body: str = "", size: int = 0) -> bytes:
    """A message as a mail client sends it (CRLF, 8-bit UTF-8 text, no final line break), its
    Message-ID <number@example.vn>, padded with base64-like lines to about `size` bytes."""
    lines = [
        "From: Nguyễn Văn An <an@example.vn>",
        "To: hotro@example.vn",
        f"Subject: Hỏi về hồ sơ số {number}",
        f"Message-ID: <{number}@example.vn>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        body or f"Thư số {number}: tài khoản bị khoá.",
    ]
    raw = "\r\n".join(lines).encode()
    filler = b"\r\n" + b"QUJD" * 19  # 76 characters a line, as base64 is written
    if size > len(raw):
        raw += filler * ((size - len(raw)) // len(filler))
    return raw


@dataclass
class Recorder:
    """A take_in that records by Message-ID, as the desk's does: a message taken in before is
    `again` and changes nothing. `before(raw, calls)` runs first (to crash at a given call)."""

    taken: list[str] = field(default_factory=list)  # keys taken in (committed), in order
    handed: Counter = field(default_factory=Counter)  # key -> times the fetch handed it over
    before: Callable[[bytes, int], None] | None = None
    outcome: Outcome = Outcome.ADDED

    def __call__(self, raw: bytes) -> Taken:
        key = str(message_from_bytes(raw)["Message-ID"])
        self.handed[key] += 1
        if self.before is not None:
            self.before(raw, self.handed.total())
        again = key in self.taken
        if not again:
            self.taken.append(key)  # the commit
        return Taken(self.outcome, again=again)


@pytest.fixture
def make_mail() -> Callable[..., bytes]:
    """make_mail(number, body=..., size=...) -> a message's bytes (see `mail`)."""
    return mail


@pytest.fixture
def take_in() -> Recorder:
    return Recorder()
