"""The national day in RESULTS.md: its targets and its section."""

from __future__ import annotations

from collections import Counter

# A web worker's memory over the day, as for the other scenarios (bench/report.py).
MEMORY_TARGET_MB = 200


def answers(day: dict) -> Counter:
    """Every answer of the day by class: 2xx/3xx, expected (409, 404), other 4xx, 5xx, no
    answer at all (a connection refused or cut)."""
    out: Counter = Counter()
    for key, count in day["load"]["counts"].items():
        status = key.rpartition("|")[2]
        if status == "error":
            out["no answer"] += count
        elif int(status) < 400:
            out["2xx/3xx"] += count
        elif int(status) >= 500:
            out["5xx"] += count
        else:
            out[f"{status}"] += count
    return out


def failures(day: dict) -> int:
    """Failed requests, and errors in the people's own code (each stops that person)."""
    failed = sum(p["failures"] for p in day["load"]["pages"] if p["name"] != "Aggregated")
    return failed + sum(e["count"] for e in day["load"].get("exceptions", []))


def targets(results: dict) -> list[tuple[str, str, tuple[str, str, str]]]:
    day = results.get("day")
    names = (
        "National day: no 5xx, no failed request (expected 409/404 apart)",
        "National day: every filing acknowledged by mail exactly once (a killed worker's "
        "message in hand apart)",
        "National day: every mail of the day delivered exactly once (a killed worker's "
        "message in hand apart)",
        "National day: every deadline due during the day told exactly once",
        "National day: the desk drains after the load",
    )
    if not day:
        return []
    if "error" in day:
        return [("day", names[0], ("failed", day["error"][:120].replace("|", "/"), ""))]
    counted = answers(day)
    failed = failures(day)
    bad = counted["5xx"] + counted["no answer"]
    acks = day["acknowledged"]
    mail = day["mail"]
    deadlines = day["deadlines"]
    not_told = deadlines.get("not told", 0) + deadlines.get("told twice or more", 0)
    kills = sum(1 for fault in day["faults"] if fault["kind"] == "worker")
    resent = mail.get("of them re-sent after their sender died", 0)
    # A sender killed between the SMTP server's acceptance and its record of it cannot know
    # that the message arrived: at least once, it is sent again with its Message-ID (one in a
    # mailbox). At most one such message per killed worker; any other doubling is a miss.
    mail_bad = mail["arrived twice or more"] - min(resent, kills) + mail["sent but not arrived"]
    unsent = sum(n for status, n in day["outbox"].items() if status != "sent")
    moved = deadlines.get("moved by the day's work", 0) + deadlines.get("told, then moved", 0)
    return [
        (
            "day",
            names[0],
            verdict(
                bad == 0 and failed == 0,
                f"{sum(counted.values()):,} answers, {counted['5xx']} 5xx, "
                f"{counted['no answer']} unanswered, {failed} failed",
            ),
        ),
        (
            "day",
            names[1],
            verdict(
                day["filed"] > 0
                and acks["not"] == 0
                and acks["twice"] - min(acks.get("re-sent after their sender died", 0), kills) == 0,
                f"{acks['once']:,} of {day['filed']:,} once, {acks['not']} not, "
                f"{acks['twice']} twice ({acks.get('re-sent after their sender died', 0)} re-sent "
                "after the worker sending it was killed)",
            ),
        ),
        (
            "day",
            names[2],
            verdict(
                mail_bad == 0 and unsent == 0,
                f"{mail['arrived once']:,} of {mail['rows']:,} rows once, "
                f"{mail['arrived twice or more']} twice ({resent} re-sent after the worker "
                f"sending it was killed), {mail['sent but not arrived']} lost, {unsent} unsent",
            ),
        ),
        (
            "day",
            names[3],
            verdict(
                not_told == 0,
                f"{deadlines.get('told once', 0):,} of {deadlines['due']:,} told once "
                f"({moved} moved by the day's work), {not_told} not told or doubled",
            ),
        ),
        (
            "day",
            names[4],
            verdict(
                day["drained"],
                f"{day['drain_seconds']:.0f} s after the load stopped"
                if day["drained"]
                else f"not within {day['drain_seconds']:.0f} s",
            ),
        ),
    ]


def verdict(ok: bool, figure: str) -> tuple[str, str, str]:
    return ("met" if ok else "missed"), figure, ""


def section(day: dict | None, tickets: int) -> list[str]:
    lines = ["", "## The national day", ""]
    if not day:
        return lines + ["Not run (`--scenario day` runs it alone)."]
    if "error" in day:
        return lines + [f"Failed: {day['error']}"]
    mix = ", ".join(f"{share} % {role}" for role, share in day["mix"].items())
    lines += [
        f"{day['users']} people ({mix}) for {day['seconds']:g} s against N = {tickets:,} "
        "tickets, driven by Locust (headless, `bench/locustfile.py`: each person signs in "
        "through the login page and sends the forms read from the pages, attachment "
        "included); the product as deployed: gunicorn (the web workers below), two RQ "
        "workers, the cron process, the bench's PostgreSQL, Redis and SMTP sink. The day "
        f"started from a desk with nothing overdue; {day['deadlines']['due']:,} deadlines fell "
        "due during it.",
        "",
        "| fault | at | what happened |",
        "| --- | ---: | --- |",
        *[f"| {f['kind']} | {f['at']:.0f} s | {f['detail']} |" for f in day["faults"]],
        "",
        "| page | requests | failed | p50 ms | p95 ms | p99 ms | rps |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in day["load"]["pages"]:
        name = "**all**" if page["name"] == "Aggregated" else page["name"]
        lines.append(
            f"| {name} | {page['requests']:,} | {page['failures']} | {page['p50_ms']:.0f} | "
            f"{page['p95_ms']:.0f} | {page['p99_ms']:.0f} | {page['rps']:.1f} |"
        )
    counted = answers(day)
    think = day.get("think") or (2.0, 8.0)
    offered = day["users"] / (sum(think) / 2)
    served = next((p["rps"] for p in day["load"]["pages"] if p["name"] == "Aggregated"), 0.0)
    lines += [
        "",
        f"Each person waits {think[0]:g} to {think[1]:g} s between two requests: "
        f"{day['users']} people ask for about {offered:.0f} requests/s were every answer "
        f"instant; the desk served {served:.1f}/s"
        + (
            ", so the people waited in line: the times above are the machine's limit at this "
            "load (its cores shared with Locust, PostgreSQL and the workers), not a page's own."
            if served < offered * 0.8
            else "."
        ),
        "",
        "Answers: " + ", ".join(f"{name}: {n:,}" for name, n in sorted(counted.items())) + ". "
        "409 is the answer to a form sent for a ticket someone changed meanwhile (the page "
        "shows it as it is now and keeps the text), 404 a ticket another agent transferred "
        "out of reach; both are expected on a busy desk.",
        "",
        f"Filed during the day: {day['filed']:,} tickets "
        f"({', '.join(f'{k}: {v:,}' for k, v in day['filed_by_source'].items()) or 'none'}); "
        f"acknowledged exactly once: {day['acknowledged']['once']:,}, not at all: "
        f"{day['acknowledged']['not']}, more than once: {day['acknowledged']['twice']}.",
        "",
        "Mail of the day, outbox row by row against the SMTP sink's Message-IDs: "
        + ", ".join(f"{k}: {v:,}" for k, v in day["mail"].items())
        + "; outbox rows by status: "
        + ", ".join(f"{k}: {v:,}" for k, v in sorted(day["outbox"].items()))
        + ".",
        "",
        "Deadlines due during the day: "
        + ", ".join(f"{k}: {v:,}" for k, v in day["deadlines"].items())
        + " (told: the ticket's warned or breached marker claimed once, its event written "
        "once, its mail in the outbox row by row above).",
        "",
        (
            f"Drained {day['drain_seconds']:.0f} s after the load stopped (every mail of the "
            "day delivered, no timer due, no notice waiting)."
            if day["drained"]
            else f"**Not drained** {day['drain_seconds']:.0f} s after the load stopped."
        ),
        "",
        "| process | pid | peak (VmHWM) MB | now (VmRSS) MB |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, processes in day["memory"].items():
        for process in processes:
            lines.append(
                f"| {name} | {process['pid']} | {mb(process['peak_mb'])} | "
                f"{mb(process['rss_mb'])} |"
            )
    for error in day["load"].get("exceptions", []):
        lines.append(f"- **Error in the load's own code** ({error['count']}×): {error['message']}")
    exited = {name: code for name, code in day["exits"].items() if code is not None}
    lines += [
        "",
        "Peak memory counted from the day's start (web workers' peaks reset then)."
        if day["peaks_reset"]
        else "Web workers' peaks could not be reset: they include the earlier scenarios.",
    ]
    if exited:
        lines.append(f"**Processes that exited during the day**: {exited}.")
    return lines


def mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"
