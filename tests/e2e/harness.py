"""What the browser walks share: the two viewports, the screenshots they keep as artifacts and
the mail they read from the live server's outbox.

Screenshots taken on purpose with `snap` go to tests/e2e/artifacts/<viewport>/<name>.png
(git-ignored; E2E_ARTIFACTS moves the folder); those of failed tests go beside the live
server's log (see conftest.py)."""

from __future__ import annotations

import email
import os
import re
import time
from email import policy
from pathlib import Path

from playwright.sync_api import expect

# The two screens every walk is checked on: an office desktop and a phone held upright.
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}, "device_scale_factor": 1},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 1,
        "is_mobile": True,
        "has_touch": True,
    },
}
MAIL_SECONDS = 20  # how long a mail may take to reach the live server's outbox
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS") or Path(__file__).resolve().parent / "artifacts")


def viewport_of(page) -> str:
    """The name in VIEWPORTS of the page's viewport ("desktop" when it is none of them)."""
    size = page.viewport_size
    for name, options in VIEWPORTS.items():
        if options["viewport"] == size:
            return name
    return "desktop"


def snap(page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact: ARTIFACTS/<viewport>/<name>.png."""
    target = ARTIFACTS / viewport_of(page) / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    return target


def log_in(page, username: str, password: str) -> None:
    """Sign in through the login form; the user menu is there once signed in (folded into the
    collapsed menu on a phone)."""
    page.goto("/auth/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]:not([form])").click()
    expect(page.locator("[data-testid=current-user]")).to_be_attached()


def no_sideways_scroll(page) -> None:
    """Nothing on the page is wider than the screen (the page never scrolls sideways)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def mail_to(outbox: Path, address: str, subject: str = "") -> email.message.EmailMessage:
    """The first .eml in the outbox addressed to `address` (whose subject holds `subject`);
    polls while the worker sends it."""
    deadline = time.monotonic() + MAIL_SECONDS
    while True:
        for path in sorted(outbox.glob("**/*.eml")) if outbox.exists() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if address.lower() in str(message.get("To", "")).lower() and subject in str(
                message.get("Subject", "")
            ):
                return message
        assert time.monotonic() < deadline, (
            f"no mail to {address} in {outbox} after {MAIL_SECONDS}s"
        )
        time.sleep(0.2)


def link_path(message, pattern: str, base_url: str) -> str:
    """The path of the first link in the mail matching `pattern`; the link points at base_url."""
    body = message.get_body(preferencelist=("plain", "html"))
    found = re.search(rf"(https?://[^/\s\"'<>]+)({pattern}[^\s\"'<>]*)", body.get_content())
    assert found, f"no {pattern} link in:\n{body.get_content()}"
    assert found.group(1) == base_url, f"the mailed link points at {found.group(1)}"
    return found.group(2)
