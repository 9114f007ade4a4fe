"""The national day in small (`make bench` runs it at N = 1 000 000 with 300 people for
120 s): 20 people for 20 s over 2 000 tickets, with one fault of each kind (an RQ worker
SIGKILLed, Redis restarted, a PostgreSQL backend terminated, the SMTP sink down), through the
bench's own services. Every target of the day must be met: no 5xx and no failed request,
every filing acknowledged once, every mail of the day delivered once, every deadline due
during the day told once, the desk drained."""

from __future__ import annotations

import re

import pytest

from tests.integration.bench.test_smoke import run_bench

DAY_TARGETS = (
    "no 5xx, no failed request",
    "every filing acknowledged by mail exactly once",
    "every mail of the day delivered exactly once",
    "every deadline due during the day told exactly once",
    "the desk drains after the load",
)


@pytest.mark.slow
def test_national_day_in_small_loses_nothing_through_every_fault(tmp_path):
    text, _printed = run_bench(
        tmp_path,
        "--tickets", "2000", "--scenario", "day", "--day-users", "20", "--day-seconds", "20",
        "--day-smtp-down", "6", "--workers", "2",
        timeout=900,
    )  # fmt: skip
    section = text.split("## The national day", 1)[1].split("\n## ", 1)[0]
    faults = re.findall(r"^\| (worker|redis|postgres|smtp) \| \d+ s \| (.*) \|$", section, re.M)
    assert sorted(kind for kind, _ in faults) == ["postgres", "redis", "smtp", "worker"], section
    assert not [detail for _, detail in faults if "could not" in detail or "no idle" in detail]
    for target in DAY_TARGETS:
        row = re.search(
            rf"^\| National day: {target}.*\| (met|\*\*missed\*\*|\*\*failed\*\*) \|", text, re.M
        )
        assert row and row.group(1) == "met", (target, section)
    # People really worked: they filed, replied and read, and the day's mail went out.
    assert re.search(r"^\| file a ticket \(with attachment\) \| [1-9]", section, re.M), section
    assert re.search(r"Filed during the day: [1-9]", section), section
    assert "Error in the load's own code" not in section
    assert "Processes that exited during the day" not in section
