"""The bench harness end to end at a tiny N, so that it does not rot: its own PostgreSQL,
Redis and SMTP sink, the generator, both apps under gunicorn, wrk, RESULTS.md. It checks that
the harness ran and reported every scenario, not how fast the product is."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
SCENARIOS = (
    "queue", "ticket", "search", "dashboard", "issues", "file_form", "file_api", "home",
    "suggestions", "floor", "requester_home", "directory", "help", "article", "incident_page",
    "compliance",
)  # fmt: skip


def missing_tool() -> str | None:
    if shutil.which("wrk") is None:
        return "wrk is missing (apt-get install wrk; `make bench` installs it)"
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL server binaries are missing in {PG_BIN}"
    return None


def run_bench(tmp_path: Path, *arguments: str, timeout: float = 300) -> tuple[str, str]:
    """The harness as `make bench` runs it, into a RESULTS.md of its own: (its text, what the
    harness printed). Skips without the tools it needs; under CI=true, fails instead."""
    reason = missing_tool()
    if reason:
        if ON_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    out = tmp_path / "RESULTS.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL"))}
    command = [sys.executable, "-m", "bench", *arguments, "--no-profile", "--out", str(out)]
    done = subprocess.run(  # noqa: S603 - our own harness
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return out.read_text(encoding="utf-8"), done.stdout


@pytest.mark.slow
def test_bench_runs_end_to_end_and_reports_every_scenario(tmp_path):
    text, printed = run_bench(
        tmp_path,
        "--tickets", "200", "--duration", "1", "--warmup", "0", "--mail", "20", "--sla-due", "10",
        "--workers", "2", "--threads", "1", "--connections", "2", "--incident-tickets", "20",
        *(f"--scenario={name}" for name in (*SCENARIOS, "export", "sla", "mail", "incident")),
    )  # fmt: skip
    assert "## Data: N = 200 tickets" in text
    for name in SCENARIOS:
        assert re.search(rf"^\| {name} \| product \|", text, re.MULTILINE), name
    for name in ("queue", "ticket", "file_form", "file_api", "home", "suggestions", "floor"):
        assert re.search(rf"^\| {name} \| baseline \| `", text, re.MULTILINE), name
    # What each page spends beside the product's floor, and what its target leaves.
    for label in ("Queue page", "Ticket page", "Filing by form", "Filing by API"):
        assert re.search(rf"^\| {label} \| [\d.]+ \| [\d.]+ \| [\d.]+ \|", text, re.MULTILINE)
    assert "## SLA sweep" in text and "## Mail" in text and "## Targets" in text
    # The data's open incidents; one update to an incident's tickets, each requester mailed once.
    assert re.search(r"[1-9]\d* open incidents, [1-9]\d* tickets attached to them", text)
    assert re.search(
        r"^\| Incident update mailed to each requester exactly once \| .* \| met \|",
        text,
        re.MULTILINE,
    )
    # The sweep's notices are claimed and announced by their own job, timed apart.
    assert re.search(r"[1-9]\d* notices announced in \d+ ms", text)
    # The full XLSX export of the issue list: every ticket a row, the worker's peak measured.
    assert "## Issue list export" in text
    assert re.search(
        r"^\| Full XLSX export of the issue list: web worker < 200 MB \| \d+ MB peak, "
        r"[\d,]+ rows in [\d.]+ s \| (met|\*\*missed\*\*) \|",
        text,
        re.MULTILINE,
    )
    assert "<!-- bench-data" in text
    assert "## The national day" in text  # not run here: tests/integration/bench/test_day.py
    folder = re.search(r"bench folder (\S+);", printed).group(1)
    assert not Path(folder).exists(), "the bench folder is removed at the end"
