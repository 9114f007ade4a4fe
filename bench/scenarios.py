"""The scenarios: the web ones loaded with wrk against both apps, the SLA sweep and the mail
run inside the product; and the helpers that start the product's own commands."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import psycopg

from bench import browser, schema

if TYPE_CHECKING:
    from bench.generate import Loaded
    from bench.run import Options
    from bench.services import RedisServer, SmtpSink

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PRODUCT_ROLE, BASELINE_ROLE, DATABASE = "helpdesk", "baseline", "helpdesk"
FILING = {
    "system": "moj",
    "category": "payment",
    "province": "01",
    "unit": "UBND Phường Ba Đình",
    "subject": "Thanh toán trực tuyến thành công nhưng tiền chưa về tài khoản",
    "description": "Công dân đã thanh toán lệ phí qua cổng thanh toán nhưng tiền chưa về tài "
    "khoản thụ hưởng của đơn vị. Đề nghị kiểm tra, đối chiếu giao dịch.",
    "dossier_code": "000.00.01.H01-261123-0001",
    "procedure_code": "",
    "priority": "3",
}


@dataclass
class Request:
    method: str
    path: str
    who: str  # agent, requester, observer, admin, api, none
    body: str = ""  # "", form, json, baseline
    paths: tuple[str, ...] = ()  # GETs of these in turn under load (path: the first one)


@dataclass
class Scenario:
    name: str
    title: str
    product: Request
    baseline: Request | None = None
    single: bool = False  # one connection: latency, not throughput
    results: dict = field(default_factory=dict)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def flask(env: dict, *args: str, timeout: float = 300) -> str:
    done = subprocess.run(  # noqa: S603 - our own venv's flask
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def probe(env: dict, command: str, argument=None, *, timeout: float = 600):
    done = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "bench.probes", command, json.dumps(argument or {})],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"probe {command} failed: {done.stderr[-3000:]}")
    return done.stdout if command == "profile" else json.loads(done.stdout)


class Measure:
    """pg_stat_statements around a load: statements of one database role per request."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)

    def reset(self) -> None:
        self.conn.execute("SELECT pg_stat_statements_reset()")

    def statements(self, role: str) -> tuple[int, list[tuple[int, str]]]:
        rows = self.conn.execute(
            "SELECT calls, query FROM pg_stat_statements"
            " WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = %s) ORDER BY calls DESC",
            (role,),
        ).fetchall()
        return sum(calls for calls, _ in rows), rows[:12]

    def wait_quiet(self, role: str, *, quiet: float = 1.5, timeout: float = 120) -> None:
        """Wait until the role runs no statement and has finished none for `quiet` seconds:
        the requests wrk left in flight when it stopped are done."""
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            active = self.conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = %s AND state = 'active'",
                (role,),
            ).fetchone()[0]
            calls = self.statements(role)[0]
            if active or calls != last:
                last, since = calls, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.1)

    def close(self) -> None:
        self.conn.close()


def run_web(
    scenario: Scenario,
    app: str,
    base: str,
    request: Request,
    *,
    ctx: dict,
    options: Options,
    measure: Measure,
) -> dict:
    """Probe once (status, size), warm up, then load with wrk and read the statements."""
    folder: Path = ctx["folder"]
    headers = dict(ctx["headers"].get(request.who, {}))
    body = None
    content_type = ""
    if request.body == "form":
        fields = {**FILING, "csrf_token": ctx["csrf"]}
        body, content_type = (
            (urlencode(fields) + "&submission_key=", ""),
            "application/x-www-form-urlencoded",
        )
    elif request.body == "baseline":
        fields = {**FILING, "requester_id": ctx["requester_id"], "queue_id": ctx["queue_id"]}
        body, content_type = (
            (urlencode(fields) + "&submission_key=", ""),
            "application/x-www-form-urlencoded",
        )
    elif request.body == "json":
        document = {**FILING, "priority": 3}
        text = json.dumps(document, ensure_ascii=False)
        body, content_type = (text[:-1] + ', "submission_key": "', '"}'), "application/json"
    tokens = ctx["tokens"] if request.who == "api" else []
    role = PRODUCT_ROLE if app == "product" else BASELINE_ROLE

    def by_hand() -> browser.Answer:
        """One request with urllib (a fresh submission key for a POST)."""
        sent = dict(headers)
        data = None
        if tokens:
            sent["Authorization"] = f"Bearer {tokens[0]}"
        if body is not None:
            data = (body[0] + f"hand{secrets.token_hex(12)}" + body[1]).encode()
            sent["Content-Type"] = content_type
        return browser.Browser(base).fetch(
            request.path, data=data, headers=sent, method=request.method
        )

    # First one request: its status and body size (and a page that answers at all).
    answer = by_hand()
    result: dict = {
        "method": request.method,
        "path": request.path,
        "status": answer.status,
        "body_bytes": len(answer.body),
    }
    if answer.status >= 400:
        result["error"] = f"HTTP {answer.status}: {answer.body[:300].decode('utf-8', 'replace')}"
    script = browser.write_script(
        folder,
        f"{scenario.name}-{app}",
        body=body,
        content_type=content_type,
        run_tag=ctx["run_tag"],
        tokens=tokens,
        paths=request.paths,
    )
    threads, connections = (1, 1) if scenario.single else (options.threads, options.connections)
    url = base + request.path
    if options.warmup > 0:
        browser.wrk(
            url,
            script,
            duration=options.warmup,
            threads=threads,
            connections=connections,
            headers=headers,
        )
    # Statements per request from requests sent one after the other (up to 5, for at most
    # the load's duration): under load, the statements of requests still in flight when wrk
    # stops would count too.
    if options.warmup > 0:
        measure.wait_quiet(role)
    measure.reset()
    sample, started = 0, time.monotonic()
    while sample < 5 and (sample == 0 or time.monotonic() - started < options.duration):
        by_hand()
        sample += 1
    calls, top = measure.statements(role)
    figures = browser.wrk(
        url,
        script,
        duration=options.duration,
        threads=threads,
        connections=connections,
        headers=headers,
    )
    requests = max(1, figures["requests"])
    seconds = figures["duration_us"] / 1e6
    result.update(
        requests=figures["requests"],
        rps=figures["requests"] / seconds if seconds else 0.0,
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        max_ms=figures["max_us"] / 1000,
        non_2xx_3xx=figures["status"],
        socket_errors=figures["connect"] + figures["read"] + figures["write"] + figures["timeout"],
        wire_bytes=figures["bytes"] / requests,
        sql_sample=sample,
        sql_per_request=calls / sample,
        top_sql=[(c / sample, " ".join(q.split())[:160]) for c, q in top[:6]],
    )
    return result


def push_back_due(conn: psycopg.Connection, within: str) -> None:
    """The deadlines whose timers fire within `within` (an SQL interval) move a day out, their
    tickets' and timers' alike: a scenario starts with none of the data's deadlines due."""
    conn.execute(
        "CREATE TEMP TABLE moved AS SELECT DISTINCT ticket_id, kind FROM sla_timers"
        " WHERE fire_at <= now() + %s::interval",
        (within,),
    )
    for kind in ("resolution", "first_response"):
        conn.execute(
            f"UPDATE tickets t SET {kind}_due = {kind}_due + interval '1 day' FROM moved m"  # noqa: S608
            " WHERE m.ticket_id = t.id AND m.kind = %s",
            (kind,),
        )
    conn.execute(
        "UPDATE sla_timers s SET fire_at = fire_at + interval '1 day',"
        " due_at = due_at + interval '1 day' FROM moved m"
        " WHERE m.ticket_id = s.ticket_id AND m.kind = s.kind"
    )


def sla_scenario(admin_url: str, env: dict, count: int, *, profile: bool = False) -> dict:
    """Make `count` open tickets' resolution deadlines fall due in the current minute (the
    timers of other deadlines due within 5 minutes move a day out), then sweep, timed (or
    once under a profiler, with `profile`)."""
    with psycopg.connect(admin_url) as conn:
        push_back_due(conn, "5 minutes")
        conn.execute(
            "CREATE TEMP TABLE chosen AS SELECT t.id,"
            " date_trunc('milliseconds', now() - random() * interval '50 seconds') AS due"
            " FROM tickets t JOIN sla_timers s ON s.ticket_id = t.id"
            " AND s.kind = 'resolution' AND s.stage = 'breach'"
            " WHERE t.status IN ('new', 'open') ORDER BY s.fire_at LIMIT %s",
            (count,),
        )
        conn.execute(
            "UPDATE tickets t SET resolution_due = c.due,"
            " resolution_warned_at = coalesce(t.resolution_warned_at, c.due - interval '1 hour')"
            " FROM chosen c WHERE t.id = c.id"
        )
        conn.execute(
            "DELETE FROM sla_timers s USING chosen c WHERE s.ticket_id = c.id"
            " AND s.kind = 'resolution' AND s.stage = 'warning'"
        )
        conn.execute(
            "UPDATE sla_timers s SET fire_at = c.due, due_at = c.due FROM chosen c"
            " WHERE s.ticket_id = c.id AND s.kind = 'resolution' AND s.stage = 'breach'"
        )
        chosen = conn.execute("SELECT count(*) FROM chosen").fetchone()[0]
        conn.commit()
    result = probe(env, "sla", {"profile": profile})
    result["chosen"] = chosen
    return result


def mail_scenario(
    admin_url: str,
    env: dict,
    redis: RedisServer,
    smtp: SmtpSink,
    count: int,
    tag: str,
    showcase: str,
) -> dict:
    """Queue `count` pending outbox rows, hand their ids to RQ, run one worker in burst mode
    against the bench's SMTP sink; how fast they arrive, and that each arrives once."""
    import redis as redis_client
    from rq import Queue

    from helpdesk.notifications import sending
    from helpdesk.worker import WORK_QUEUE

    context = {
        "number": showcase,
        "subject": FILING["subject"],
        "status": "new",
        "priority": 3,
        "queue": "FPT (Bộ Tư pháp)",
        "url": f"http://127.0.0.1/tickets/{showcase}",
        "resolution_due": "24/11/2026 17:00",
        "first_response_due": "24/11/2026 09:00",
    }
    connection = redis_client.Redis.from_url(redis.url)
    connection.flushdb()  # the filings' jobs and timers: this worker sends only these rows
    with psycopg.connect(admin_url) as conn:
        given = [
            "key",
            "template",
            "to",
            "language",
            "context",
            "essential",
            "status",
            "attempts",
            "next_attempt_at",
            "give_up_at",
            "last_error",
            "message_id",
            "created_at",
        ]
        extra = schema.extra_values(conn, "outbox", given)
        names = ", ".join(f'"{name}"' for name in [*given, *extra])
        placeholders = ", ".join(["%s"] * (len(given) + len(extra)))
        ids, now = [], datetime.now(UTC)
        # The send job drains every due row: the filings' rows wait a month, out of the way.
        conn.execute(
            "UPDATE outbox SET next_attempt_at = now() + interval '30 days'"
            " WHERE status = 'pending' AND next_attempt_at < now() + interval '1 day'"
        )
        for k in range(count):
            row = conn.execute(
                f"INSERT INTO outbox ({names}) VALUES ({placeholders}) RETURNING id",  # noqa: S608
                (
                    f"bench:{tag}:{k}",
                    "ticket_filed",
                    f"mail{k}@bench.example.vn",
                    "vi",
                    json.dumps(context),
                    True,
                    "pending",
                    0,
                    now,
                    now + timedelta(days=1),
                    "",
                    "",
                    now,
                    *extra.values(),
                ),
            ).fetchone()
            ids.append(row[0])
        conn.commit()
    # Handed over as the product's dispatch() hands over rows queued together: in its batches.
    batches = getattr(sending, "batches", lambda ids: [[i] for i in ids])
    work_queue = Queue(WORK_QUEUE, connection=connection)
    jobs = [
        Queue.prepare_data("helpdesk.notifications.jobs.send_email", args=tuple(batch))
        for batch in batches(ids)
    ]
    work_queue.enqueue_many(jobs)
    smtp.handler.reset()
    started = time.monotonic()
    flask(env, "worker", "--burst", timeout=max(120, count))
    wall = time.monotonic() - started
    arrivals = list(smtp.handler.arrivals)
    ids_seen = smtp.handler.ids
    with psycopg.connect(admin_url) as conn:
        statuses = dict(
            conn.execute(
                "SELECT status, count(*) FROM outbox WHERE key LIKE %s GROUP BY status",
                (f"bench:{tag}:%",),
            ).fetchall()
        )
    steady = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else 0.0
    return {
        "queued": count,
        "jobs": len(jobs),
        "arrived": len(arrivals),
        "distinct_message_ids": len(ids_seen),
        "duplicates": sum(n - 1 for n in ids_seen.values() if n > 1),
        "outbox": statuses,
        "worker_seconds": wall,
        "rate_wall": len(arrivals) / wall if wall else 0.0,
        "rate": steady,
    }


# What officials type on the filing form (system, category, subject as typed so far): the
# suggestions scenario asks for each in turn.
SUBJECTS = (
    ("moj", "payment", "Tiền phí chưa về tài khoản thụ hưởng"),
    ("moj", "payment", "thanh toan truc tuyen thanh cong nhung"),
    ("moha", "account", "Không đăng nhập được tài khoản cán bộ"),
    ("moj", "permission", "Phân quyền tiếp nhận hồ sơ"),
    ("mps", "dossier", "Hồ sơ quá hạn"),
    ("moh", "portal_sync", "Hồ sơ không đồng bộ lên Cổng Dịch vụ công"),
    ("moha", "e_receipt", "Không xuất được biên lai điện tử cho công dân"),
    ("moj", "system_error", "Hệ thống báo lỗi khi lưu"),
    ("mof", "process", "Điều chỉnh quy trình điện tử thủ tục"),
    ("moet", "training", "tài liệu hướng dẫn sử dụng"),
    ("moj", "sms", "Công dân không nhận được tin nhắn"),
    ("moha", "report", "Báo cáo thống kê không khớp số liệu hồ sơ đã giải quyết"),
)


def suggestion_paths(prefix: str) -> tuple[str, ...]:
    return tuple(
        f"{prefix}?{urlencode({'system': s, 'category': c, 'subject': subject})}"
        for s, c, subject in SUBJECTS
    )


def following(number: str) -> str:
    """The ticket number after `number` (HT-2026-000041 -> HT-2026-000042)."""
    prefix, _, sequence = number.rpartition("-")
    return f"{prefix}-{int(sequence) + 1:0{len(sequence)}d}" if sequence.isdigit() else number


def build_scenarios(loaded: Loaded) -> list[Scenario]:
    number = loaded.showcase
    # The data's open incidents are declared right after the load: the first takes the number
    # after the last ticket's, the showcase's.
    incident = following(number)
    product_paths, baseline_paths = (
        suggestion_paths("/api/v1/suggestions"),
        suggestion_paths("/suggestions"),
    )
    return [
        Scenario(
            "queue",
            "Agent queue page: open tickets, by deadline, 50 rows",
            Request("GET", "/tickets/queue?status=open", "agent"),
            Request("GET", f"/queue/{loaded.agent_queue_id}", "none"),
        ),
        Scenario(
            "ticket",
            "Ticket page with 10 messages (agent)",
            Request("GET", f"/tickets/{number}", "agent"),
            Request("GET", f"/ticket/{number}", "none"),
        ),
        Scenario(
            "search",
            "Search `thanh toan` (no diacritics), one connection",
            Request("GET", "/tickets/queue?q=thanh+toan", "agent"),
            single=True,
        ),
        Scenario(
            "dashboard",
            "Observer dashboard for one year, one connection",
            Request("GET", "/reports/", "observer"),
            single=True,
        ),
        Scenario(
            "issues",
            "Issue list for the observer: the last 365 days, newest first, 50 rows, one connection",
            Request("GET", "/reports/issues", "observer"),
            single=True,
        ),
        Scenario(
            "file_form",
            "Filing a ticket through the web form",
            Request("POST", "/tickets/new", "requester", "form"),
            Request("POST", "/tickets", "none", "baseline"),
        ),
        Scenario(
            "file_api",
            "Filing a ticket through the API",
            Request("POST", "/api/v1/tickets", "api", "json"),
            Request("POST", "/tickets", "none", "baseline"),
        ),
        Scenario(
            "home",
            "Agent home page: the agent's queues with their counts, the tickets assigned to "
            "them, announcements",
            Request("GET", "/", "agent"),
            Request("GET", f"/queue/{loaded.agent_queue_id}", "none"),
        ),
        Scenario(
            "suggestions",
            "Filing form's suggestions among 1 000 articles: 12 subjects in turn, requesters' "
            "API tokens in turn (a session is limited to 120 a minute), one connection",
            Request("GET", product_paths[0], "api", paths=product_paths),
            Request("GET", baseline_paths[0], "none", paths=baseline_paths),
            single=True,
        ),
        Scenario(
            "floor",
            "The product's floor: the profile page of a signed-in agent (session, account, "
            "menus, layout, one small form; no ticket data), against the baseline's queue page",
            Request("GET", "/auth/profile", "agent"),
            Request("GET", f"/queue/{loaded.agent_queue_id}", "none"),
        ),
        Scenario(
            "requester_home",
            "Requester home page: the official's open tickets by due time, announcements, "
            "one connection",
            Request("GET", "/", "requester"),
            single=True,
        ),
        Scenario(
            "directory",
            "Support directory: every entry, grouped by system and province, one connection",
            Request("GET", "/directory", "requester"),
            single=True,
        ),
        Scenario(
            "help",
            "Help centre: the published articles among 1 000, one connection",
            Request("GET", "/help", "requester"),
            single=True,
        ),
        Scenario(
            "article",
            "One help article, rendered from Markdown, one connection",
            Request("GET", "/help/bench-bai-0001", "requester"),
            single=True,
        ),
        Scenario(
            "incident_page",
            "An open incident's page with its attached tickets (admin), one connection",
            Request("GET", f"/tickets/{incident}", "admin"),
            single=True,
        ),
        Scenario(
            "compliance",
            "Compliance report of the national observer for one year, one connection",
            Request("GET", "/reports/compliance", "observer"),
            single=True,
        ),
    ]
