"""`make run`'s console: `flask serve` prints the address and, last, every demo login; the INFO
lines of the web, the worker and the scheduler go to files under instance/logs/."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from support import free_port

from helpdesk.processes import started_lines

PROJECT_ROOT = Path(__file__).resolve().parents[3]
LOGIN = re.compile(r"(\d{12}@ht\.com)  password: (\S+)")
FOREIGN_SETTINGS = ("DATABASE_URL", "REDIS_URL", "MAIL_SERVER", "HELPDESK_LOG_FILE")


def test_started_lines_end_with_the_demo_logins(tmp_path):
    (tmp_path / "demo-admin.txt").write_text("secret-admin\n")
    (tmp_path / "demo-logins.txt").write_text("agent      001186000102@ht.com  password: p\n")

    lines = started_lines("http://127.0.0.1:5000", "127.0.0.1", 5000, str(tmp_path))

    assert lines[0].startswith("Helpdesk running at http://127.0.0.1:5000/")
    assert lines[-3:] == [
        "Demo logins:",
        "  admin      001166668888@ht.com  password: secret-admin",
        "  agent      001186000102@ht.com  password: p",
    ]


def test_started_lines_without_a_demo_name_no_login(tmp_path):
    lines = started_lines("https://hotro.example.gov.vn", "0.0.0.0", 8000, str(tmp_path))  # noqa: S104

    assert not any("password" in line for line in lines)


def read_lines(stream, into: list[str]) -> None:
    """Each line as it comes (the test watches `into` grow)."""
    for line in stream:
        into.append(line.rstrip("\n"))


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def flask(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our interpreter, our arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_serve_prints_the_address_then_the_demo_logins_and_logs_info_to_files(tmp_path):
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_SETTINGS}
    env.update(HELPDESK_INSTANCE_PATH=str(instance), PYTHONUNBUFFERED="1")
    flask(env, "db", "upgrade")
    flask(env, "seed")
    made = flask(env, "user", "demo")
    logins = [line.strip() for line in made.splitlines() if "password:" in line]
    assert len(logins) == 9  # the admin and the desk's eight accounts

    port = str(free_port())
    process = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--port", port],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    console: list[str] = []
    reader = threading.Thread(target=read_lines, args=(process.stdout, console))
    reader.start()
    try:
        deadline = time.monotonic() + 90
        # The address, the logs, "Demo logins:" and the logins; then what would come after.
        while len(console) < 3 + len(logins) and time.monotonic() < deadline:
            if process.poll() is not None:
                break
            time.sleep(0.2)
        # The worker and the scheduler may start after the web (each imports the app): their
        # first lines go to their files, and nothing of theirs to the console.
        worker_log = instance / "logs" / "worker-1.log"
        while time.monotonic() < deadline and " INFO " not in text_of(worker_log):
            time.sleep(0.2)
        time.sleep(1)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(timeout=10)
        process.stdout.close()

    assert console[0].startswith(f"Helpdesk running at http://127.0.0.1:{port}/"), console
    assert console[-1] == "stopped", console
    shown = console[2:-1]
    assert shown[0] == "Demo logins:", console
    assert len(shown) == 1 + len(logins), console
    for made_line in logins:
        username, password = LOGIN.search(made_line).groups()
        assert any(f"{username}  password: {password}" in line for line in shown[1:]), console
    assert not any(" INFO " in line for line in console), console
    assert " INFO " in text_of(worker_log)
    assert " INFO " in text_of(instance / "logs" / "cron.log")
