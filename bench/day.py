"""The national day: mixed load from many people at once, with faults, and nothing lost.

On the bench's product (gunicorn, its PostgreSQL, Redis and SMTP sink), two RQ workers and the
cron process are started as a deployment runs them; Locust (headless, bench/locustfile.py)
plays requesters, agents, supervisors and observers for the day's length. On a schedule during
the load: one RQ worker SIGKILLed and started again, Redis restarted (it keeps nothing on disk:
every queued job is lost), one idle PostgreSQL backend of the product's pool terminated, the
SMTP sink down for a while. Then the load stops and the desk drains: every mail of the day
sent, every deadline due during the day told. What the day shows is counted from the
database, the SMTP sink and Locust's own records (bench/day_report.py writes it up).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis

from bench import day_checks, people
from bench.exports import reset_peak
from bench.scenarios import BIN, PRODUCT_ROLE, ROOT, log
from bench.services import RedisServer, SmtpSink, children, memory_of, stop_process

# Who plays the day, per 100 people (the locustfile's weights say the same).
MIX = {"requesters": 60, "agents": 28, "supervisors": 6, "observers": 6}
# When each fault strikes, as a share of the day's length.
FAULTS_AT = {"worker": 0.2, "redis": 0.35, "postgres": 0.5, "smtp": 0.6}
WORKER_DOWN_SECONDS = 5


@dataclass
class Day:
    users: int = 300
    seconds: float = 120
    smtp_down: float = 30
    drain_timeout: float = 900
    deadlines: int = 200  # open tickets whose resolution deadline is made due during the day
    think: tuple[float, float] = (2.0, 8.0)  # seconds a person waits between two requests


@dataclass
class Services:
    """What the day works against: the bench's own services and the product's web."""

    admin_url: str
    env: dict
    redis: RedisServer
    smtp: SmtpSink
    base: str
    web: subprocess.Popen
    folder: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)


def scenario(day: Day, services: Services) -> dict:
    folder = services.folder / "day"
    folder.mkdir(exist_ok=True)
    roster = cast(services.admin_url, day.users)
    (folder / "people.json").write_text(json.dumps(roster), encoding="utf-8")
    start = day_checks.prepare(services.admin_url, day)
    # The jobs the earlier scenarios left queued are not the day's.
    redis.Redis.from_url(services.redis.url).flushdb()
    expected = day_checks.deadlines_in(services.admin_url, start, day.seconds)
    services.smtp.handler.reset()  # the SMTP sink counts the day's arrivals only
    try:
        for name in ("worker-1", "worker-2", "cron"):
            start_process(services, name)
        peaks_reset = all(reset_peak(pid) for pid in children(services.web.pid))
        faults: list[dict] = []
        injector = threading.Thread(target=inject, args=(day, services, faults), daemon=True)
        began = time.monotonic()
        injector.start()
        locust = run_locust(day, services, folder)
        stopped = time.monotonic()
        injector.join(timeout=day.smtp_down + 60)
        log(f"day: load stopped after {stopped - began:.0f} s; draining")
        drained, until = day_checks.drain(services.admin_url, start, expected, day.drain_timeout)
        drain_seconds = time.monotonic() - stopped
        memory = {
            "web": [memory_of(pid) for pid in children(services.web.pid)],
            **{name: [memory_of(p.pid)] for name, p in services.processes.items()},
        }
        exits = {name: p.poll() for name, p in services.processes.items()}
    finally:
        for process in services.processes.values():
            stop_process(process)
    return {
        "users": day.users,
        "seconds": day.seconds,
        "think": day.think,
        "mix": MIX,
        "faults": faults,
        "load": locust,
        "drained": drained,
        "drain_seconds": drain_seconds,
        "memory": memory,
        "peaks_reset": peaks_reset,
        "exits": exits,
        **day_checks.account(services.admin_url, start, until, services.smtp, expected),
    }


def cast(admin_url: str, users: int) -> dict:
    """The day's people: generated accounts of each role, with their province and unit and,
    for requesters, their latest tickets; as many of each as the mix asks (observers, being
    few, are shared)."""
    wanted = {role: max(1, round(users * share / 100)) for role, share in MIX.items()}
    with psycopg.connect(admin_url) as conn:
        requesters = conn.execute(
            "SELECT u.id, u.cccd || '@' || u.domain, u.province_code, coalesce(n.name, '')"
            " FROM users u LEFT JOIN units n ON n.id = u.unit_id"
            " WHERE u.role = 'requester' AND u.status = 'active'"
            " AND u.email_verified_at IS NOT NULL AND n.name IS NOT NULL"
            " ORDER BY u.id DESC LIMIT %s",
            (wanted["requesters"],),
        ).fetchall()
        tickets: dict[int, list[str]] = {}
        for requester_id, number in conn.execute(
            "SELECT requester_id, number FROM (SELECT requester_id, number, row_number()"
            " OVER (PARTITION BY requester_id ORDER BY id DESC) AS k FROM tickets"
            " WHERE requester_id = ANY(%s)) t WHERE k <= 5",
            ([r[0] for r in requesters],),
        ):
            tickets.setdefault(requester_id, []).append(number)

        def staff(role: str, count: int) -> list[dict]:
            rows = conn.execute(
                "SELECT cccd || '@' || domain FROM users u WHERE role = %s AND status = 'active'"
                " AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)"
                " ORDER BY id LIMIT %s",
                (role, count),
            ).fetchall()
            return [{"username": name} for (name,) in rows]

        observers = conn.execute(
            "SELECT cccd || '@' || domain FROM users WHERE role = 'observer' ORDER BY id"
        ).fetchall()
        return {
            "password": people.PASSWORD,
            "requesters": [
                {"username": name, "province": province, "unit": unit, "tickets": tickets.get(i)}
                for i, name, province, unit in requesters
            ],
            "agents": staff("agent", wanted["agents"]),
            "supervisors": staff("supervisor", wanted["supervisors"]),
            "observers": [{"username": name} for (name,) in observers],
        }


def start_process(services: Services, name: str) -> None:
    command = "cron" if name == "cron" else "worker"
    log_file = services.folder / "day" / f"{name}.log"
    with log_file.open("ab") as out:
        services.processes[name] = subprocess.Popen(  # noqa: S603 - our own venv's flask
            [str(BIN / "flask"), "--app", "wsgi", command],
            cwd=ROOT,
            env=services.env,
            start_new_session=True,
            stdout=out,
            stderr=out,
        )


def run_locust(day: Day, services: Services, folder: Path) -> dict:
    """Locust, headless, for the day's length; its figures per page and the answers' counts."""
    prefix = folder / "locust"
    env = {
        **os.environ,
        "DAY_PEOPLE": str(folder / "people.json"),
        "DAY_COUNTS": str(folder / "counts.json"),
        "DAY_THINK": ",".join(str(seconds) for seconds in day.think),
        "PYTHONPATH": str(ROOT),
    }
    # Everyone signed in within the first 20 s (the first quarter of a shorter day).
    spawn = max(1.0, day.users / min(20, day.seconds / 4))
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(day.users),
        "--spawn-rate",
        f"{spawn:g}",
        "--run-time",
        f"{day.seconds:g}s",
        "--host",
        services.base,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "30",
        "--loglevel",
        "WARNING",
    ]
    log(f"day: {day.users} people for {day.seconds:g} s (Locust)")
    done = subprocess.run(  # noqa: S603 - our own venv's locust
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=day.seconds + 180,
        check=False,
    )
    (folder / "locust.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    pages = []
    stats = Path(f"{prefix}_stats.csv")
    if stats.exists():
        with stats.open(encoding="utf-8") as rows:
            for row in csv.DictReader(rows):
                pages.append(
                    {
                        "name": row["Name"],
                        "method": row["Type"],
                        "requests": int(row["Request Count"]),
                        "failures": int(row["Failure Count"]),
                        "p50_ms": float(row["50%"] or 0),
                        "p95_ms": float(row["95%"] or 0),
                        "p99_ms": float(row["99%"] or 0),
                        "rps": float(row["Requests/s"] or 0),
                    }
                )
    counts_file = folder / "counts.json"
    counts = json.loads(counts_file.read_text()) if counts_file.exists() else {}
    return {
        "exit": done.returncode,
        "pages": pages,
        "counts": counts,
        "exceptions": read_csv(Path(f"{prefix}_exceptions.csv")),
    }


def read_csv(path: Path) -> list[dict]:
    """Locust's record of errors in the people's own code (the harness's, not the product's)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as rows:
        return [
            {"count": int(r["Count"]), "message": r["Message"][:300]} for r in csv.DictReader(rows)
        ]


def inject(day: Day, services: Services, faults: list[dict]) -> None:
    """The faults, each at its share of the day (in a thread of its own: one lasts a while),
    each recorded with what it hit."""
    began = time.monotonic()

    def strike(kind: str, share: float) -> None:
        time.sleep(day.seconds * share)
        at = time.monotonic() - began
        try:
            detail = FAULTS[kind](day, services)
        except Exception as error:  # noqa: BLE001 - a fault that could not be made is reported
            detail = f"could not be made: {error!r}"
        log(f"day: fault at {at:.0f} s: {kind}: {detail}")
        faults.append({"kind": kind, "at": at, "detail": detail})

    strikes = [threading.Thread(target=strike, args=item) for item in FAULTS_AT.items()]
    for thread in strikes:
        thread.start()
    for thread in strikes:
        thread.join()
    faults.sort(key=lambda fault: fault["at"])


def kill_worker(day: Day, services: Services) -> str:  # noqa: ARG001
    process = services.processes["worker-1"]
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    time.sleep(WORKER_DOWN_SECONDS)
    start_process(services, "worker-1")
    return f"RQ worker {process.pid} SIGKILLed, a new one started {WORKER_DOWN_SECONDS} s later"


def restart_redis(day: Day, services: Services) -> str:  # noqa: ARG001
    started = time.monotonic()
    services.redis.stop()
    services.redis.start()
    return f"Redis stopped and started again ({time.monotonic() - started:.1f} s, its data lost)"


def terminate_backend(day: Day, services: Services) -> str:  # noqa: ARG001
    """One backend of the product's pools, idle between two requests or jobs (as a database
    restart, a failover or an idle timeout leaves it); waits up to 10 s for one to be idle."""
    with psycopg.connect(services.admin_url, autocommit=True) as conn:
        for _ in range(100):
            row = conn.execute(
                "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE usename = %s AND state = 'idle' ORDER BY random() LIMIT 1",
                (PRODUCT_ROLE,),
            ).fetchone()
            if row is not None:
                return f"backend {row[0]} of the product (idle in its pool) terminated"
            time.sleep(0.1)
    return "no idle backend of the product to terminate"


def smtp_outage(day: Day, services: Services) -> str:
    services.smtp.stop()
    time.sleep(day.smtp_down)
    services.smtp.start()
    return f"SMTP sink stopped for {day.smtp_down:g} s, then started again on its port"


FAULTS = {
    "worker": kill_worker,
    "redis": restart_redis,
    "postgres": terminate_backend,
    "smtp": smtp_outage,
}
