"""Browser tests: the whole system started by `flask serve` on a free port, driven by Playwright
on Debian's Chromium (never a downloaded browser). Every test here is marked `e2e`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2e.harness import VIEWPORTS
from support import free_port

E2E_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = E2E_DIR.parents[1]
ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = Path("/usr/bin/chromium")
# The machine has no internet: without these Chromium keeps dialling Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Settings that would point the live server away from its own instance folder.
FOREIGN_SETTINGS = ("DATABASE_URL", "REDIS_URL", "MAIL_SERVER")
STARTUP_SECONDS = 60
SHUTDOWN_SECONDS = 20


def pytest_collection_modifyitems(config, items):  # noqa: ARG001
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so `page` can take a screenshot after a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# ---------------------------------------------------------------- the live server


@dataclass
class LiveServer:
    url: str
    instance_path: Path
    outbox: Path
    admin_username: str
    admin_password: str
    env: dict[str, str]
    log_path: Path

    def run_flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run `flask --app wsgi ARGS` against the live server's instance; output captured."""
        result = subprocess.run(  # noqa: S603 - our interpreter, our arguments
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=PROJECT_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and result.returncode != 0:
            pytest.fail(
                f"flask {' '.join(args)} exited with {result.returncode}:\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def answers_healthz(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def processes_of(instance_path: Path) -> list[tuple[int, str]]:
    """Live processes started for this instance: its path on their command line or in their env."""
    marker = str(instance_path).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            try:
                environ = (entry / "environ").read_bytes()
            except PermissionError:
                environ = b""
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError):
            continue
        if state == "Z":  # a zombie is gone already, waiting for its parent to reap it
            continue
        if marker in cmdline or b"HELPDESK_INSTANCE_PATH=" + marker in environ:
            found.append((int(entry.name), cmdline.replace(b"\0", b" ").decode(errors="replace")))
    return found


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """`flask serve` (embedded Redis, RQ worker, cron, gunicorn) on a fresh instance folder,
    migrated, seeded and with one admin account. Stopped with SIGTERM at the end of the session."""
    folder = tmp_path_factory.mktemp("live")
    instance = folder / "instance"
    instance.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_SETTINGS}
    env["HELPDESK_INSTANCE_PATH"] = str(instance)
    env["PYTHONUNBUFFERED"] = "1"
    url = f"http://127.0.0.1:{free_port()}"
    server = LiveServer(
        url=url,
        instance_path=instance,
        outbox=instance / "outbox",
        admin_username="079090123456@ht.com",
        admin_password="Mat-khau-dai-2026",  # noqa: S106 - a throwaway account
        env=env,
        log_path=folder / "serve.log",
    )
    server.run_flask("db", "upgrade")
    server.run_flask("seed")
    server.run_flask(
        "user",
        "create",
        server.admin_username,
        "--role",
        "admin",
        "--password",
        server.admin_password,
        "--email",
        "a@example.vn",
    )

    port = url.rsplit(":", 1)[1]
    with server.log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "wsgi",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                port,
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not answers_healthz(url):
            if process.poll() is not None:
                pytest.fail(f"flask serve exited with {process.returncode}:\n{server.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"{url}/healthz not 200 after {STARTUP_SECONDS}s:\n{server.log_tail()}")
            time.sleep(0.1)
        yield server
    finally:
        stop_server(process, server)


def stop_server(process: subprocess.Popen, server: LiveServer) -> None:
    """SIGTERM `serve`, which stops its children and Redis; then check that nothing is left."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=SHUTDOWN_SECONDS)
        killed = False
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
        killed = True
    # Children finish exiting just after `serve` does; give them a moment before looking.
    deadline = time.monotonic() + 5
    while (left := processes_of(server.instance_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid, _command in left:  # never leave them running, even when the test fails below
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not killed, f"flask serve ignored SIGTERM for {SHUTDOWN_SECONDS}s:\n{server.log_tail()}"
    assert not left, "processes left behind by flask serve:\n" + "\n".join(
        f"{pid} {command}" for pid, command in left
    )


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} missing: apt-get install chromium (never `playwright install`)"
        if ON_CI:
            pytest.fail(f"CI=true but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def failure_screenshot(request, live_server, page, suffix: str = "") -> None:
    """After a failed test, a full-page screenshot of `page` beside the live server's log."""
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    target = live_server.instance_path.parent / "screenshots" / f"{request.node.name}{suffix}.png"
    target.parent.mkdir(exist_ok=True)
    try:
        page.screenshot(path=str(target), full_page=True)
        print(f"screenshot: {target}")  # noqa: T201 - shown with the failure's output
    except Exception as error:  # noqa: BLE001 - a screenshot must not hide the failure
        print(f"no screenshot: {error}")  # noqa: T201


def new_context(browser, live_server, viewport: str = "desktop", **context_options):
    """A browser context (own cookies) on one of VIEWPORTS, Vietnamese locale, base_url set."""
    context = browser.new_context(
        base_url=live_server.url, locale="vi-VN", **VIEWPORTS[viewport], **context_options
    )
    context.set_default_timeout(10_000)
    return context


def open_page(request, browser, live_server, viewport: str = "desktop"):
    context = new_context(browser, live_server, viewport)
    page = context.new_page()
    yield page
    failure_screenshot(request, live_server, page)
    context.close()


@pytest.fixture
def page(request, browser, live_server):
    """A page in a fresh browser context on the desktop viewport (1366x900)."""
    yield from open_page(request, browser, live_server, "desktop")


@pytest.fixture
def phone_page(request, browser, live_server):
    """Like `page`, on a phone-sized touch screen (390x844)."""
    yield from open_page(request, browser, live_server, "phone")


@pytest.fixture
def open_context(request, browser, live_server):
    """`open_context(viewport)`: a new browser context on "desktop" or "phone", closed after
    the test; after a failure each of its open pages leaves a screenshot."""
    contexts = []

    def open_one(viewport: str = "desktop", **context_options):
        context = new_context(browser, live_server, viewport, **context_options)
        contexts.append(context)
        return context

    yield open_one
    for number, context in enumerate(contexts):
        for index, opened in enumerate(context.pages):
            failure_screenshot(request, live_server, opened, f"-{number}-{index}")
        context.close()


# ---------------------------------------------------------------- helpers for the flow tests


def run_python(live_server: LiveServer, code: str) -> str:
    """Run a Python snippet inside the live server's app (its instance, an app context)."""
    script = "from helpdesk import create_app\napp = create_app()\nwith app.app_context():\n" + (
        "\n".join("    " + line for line in code.strip().splitlines())
    )
    result = subprocess.run(  # noqa: S603 - our interpreter, our code
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=live_server.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        pytest.fail(f"python snippet failed:\n{code}\n{result.stdout}\n{result.stderr}")
    return result.stdout


@pytest.fixture(scope="session")
def app_python(live_server):
    """`app_python(code)` runs code in an app context against the live server's database."""
    return lambda code: run_python(live_server, code)


@pytest.fixture
def admin_login(live_server, app_python):
    """The admin's (username, password), its first-login password change waived, so the
    session's admin password stays the one the live server announces."""
    app_python(
        "from helpdesk.extensions import db\n"
        "from helpdesk.auth.services import find_user\n"
        f"user = find_user({live_server.admin_username!r})\n"
        "user.must_change_password = False\n"
        "db.session.commit()"
    )
    return live_server.admin_username, live_server.admin_password


@pytest.fixture(scope="session")
def join_routed_queue(app_python):
    """`join_routed_queue(username, system, category, province, priority=3)`: make the staff
    account a member of the queue such a ticket routes to; returns that queue's name."""

    def join(username: str, system: str, category: str, province: str, priority: int = 3) -> str:
        return (
            app_python(
                "from helpdesk.extensions import db\n"
                "from helpdesk.auth.services import find_user\n"
                "from helpdesk.routing.models import Membership, Queue\n"
                "from helpdesk.routing.services.decisions import check_facts, decide\n"
                f"facts = check_facts({system!r}, {category!r}, {province!r}, {priority!r})\n"
                "queue = db.session.get(Queue, decide(facts).queue_id)\n"
                f"user = find_user({username!r})\n"
                "db.session.add(Membership(queue_id=queue.id, user_id=user.id, available=True,"
                " all_provinces=True))\n"
                "db.session.commit()\n"
                "print(queue.name)"
            )
            .strip()
            .splitlines()[-1]
        )

    return join
