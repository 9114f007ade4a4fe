"""Incidents in the bench.

The data: open incidents, a few per system (one for the whole country, one limited to three
provinces, one to a single province), declared through the product's own service with the
latest tickets of their system and category attached (the generator's subjects vary), so that
the filing form's suggestions match what officials type against open incidents too.

The measurement, through the product's API under gunicorn as an admin: an incident declared
(POST /api/v1/incidents), INCIDENT_TICKETS tickets of distinct requesters attached to it
(POST .../tickets, timed), then ONE update posted (POST .../updates, timed: the write), while a
`flask worker` runs; the SMTP sink counts each recipient's messages until every requester's
has arrived (time to mailed, from the update's request) and for a moment after (a copy would
show).

The functions above the line run inside the product (`python -m bench.probes incidents`);
those below, in the harness.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import psycopg

INCIDENT_TICKETS = 2000
ATTACHED = 25  # tickets attached to each open incident of the data
WRITE_TARGET_SECONDS = 5.0
# What the incidents of the data are about, by category: what officials' subjects say.
TITLES = {
    "payment": "Cổng thanh toán báo thành công nhưng tiền phí chưa về tài khoản thụ hưởng",
    "account": "Không đăng nhập được tài khoản cán bộ sau khi cập nhật hệ thống",
    "portal_sync": "Hồ sơ không đồng bộ lên Cổng Dịch vụ công quốc gia",
    "dossier": "Hồ sơ quá hạn không chuyển được bước xử lý",
    "system_error": "Hệ thống báo lỗi khi lưu và ký số hồ sơ",
    "sms": "Công dân không nhận được tin nhắn SMS thông báo",
    "e_receipt": "Không xuất được biên lai điện tử cho người nộp",
}
# The categories of each system's three incidents (the systems of the suggestions scenario's
# subjects first); other systems get DEFAULT_PLAN.
PLANS = {
    "moj": ("payment", "system_error", "sms"),
    "moha": ("account", "e_receipt", "portal_sync"),
    "mps": ("dossier", "account", "payment"),
    "moh": ("portal_sync", "payment", "dossier"),
}
DEFAULT_PLAN = ("payment", "account", "dossier")
# Each system's incidents in turn: the whole country, three provinces, one province.
SCOPES = ((), ("01", "79", "48"), ("01",))
BENCH = TITLES["payment"] + " (bench)"  # the title of the measured incident
UPDATE = "Đã khắc phục lỗi kết nối cổng thanh toán; đề nghị đơn vị kiểm tra lại giao dịch."


# ---------------------------------------------------------------- inside the product


def admin_of(db):
    from sqlalchemy import select

    from helpdesk.auth.models import User

    return db.session.scalars(
        select(User).where(User.role == "admin", User.status == "active").order_by(User.id)
    ).first()


def declare_open_incidents(_options: dict) -> dict:
    """The data's open incidents, unless the database holds incidents already."""
    from sqlalchemy import func, select

    from bench.probes import product_app
    from helpdesk.catalogue import services as catalogue
    from helpdesk.extensions import db
    from helpdesk.tickets import services as tickets
    from helpdesk.tickets.models import OPEN_STATUSES, Kind, Ticket

    started = time.perf_counter()
    with product_app().app_context():
        held = db.session.scalar(select(func.count()).where(Ticket.kind == Kind.INCIDENT))
        if held:
            return {"incidents": held, "seconds": 0.0, "reused": True}
        admin = admin_of(db)
        categories = {category.code for category in catalogue.categories()}
        declared = attached = 0
        for system in catalogue.systems():
            if not system.active:
                continue
            plan = PLANS.get(system.code, DEFAULT_PLAN)
            for category, provinces in zip(plan, SCOPES, strict=True):
                if category not in categories:
                    continue
                query = (
                    select(Ticket.number)
                    .where(
                        Ticket.kind == Kind.TICKET,
                        Ticket.system_code == system.code,
                        Ticket.category_code == category,
                        Ticket.status.in_(OPEN_STATUSES),
                        Ticket.parent_id.is_(None),
                        Ticket.merged_into_id.is_(None),
                    )
                    .order_by(Ticket.id.desc())
                    .limit(ATTACHED)
                )
                if provinces:
                    query = query.where(Ticket.province_code.in_(provinces))
                numbers = list(db.session.scalars(query))
                tickets.declare(
                    admin,
                    title=TITLES[category],
                    system=system.code,
                    provinces=list(provinces),
                    numbers=numbers,
                    category=category,
                )
                declared += 1
                attached += len(numbers)
    return {
        "incidents": declared,
        "attached": attached,
        "seconds": time.perf_counter() - started,
    }


# ---------------------------------------------------------------- the harness


PICK = """
SELECT DISTINCT ON (t.requester_id) t.number, u.email
FROM tickets t JOIN users u ON u.id = t.requester_id
WHERE t.kind = 'ticket' AND t.system_code = 'moj' AND t.status <> 'closed'
  AND t.merged_into_id IS NULL AND u.status = 'active' AND u.email_verified_at IS NOT NULL
  AND (t.parent_id IS NULL
       OR t.parent_id IN (SELECT id FROM tickets WHERE kind = 'incident' AND subject = %s))
ORDER BY t.requester_id, t.id DESC
LIMIT %s
"""


def pick(admin_url: str, size: int) -> list[tuple[str, str]]:
    """Up to `size` tickets of moj of distinct requesters (open or resolved; attached to no
    incident, or to an earlier run's: a database reused with --data-dir keeps them), with
    their requesters' addresses."""
    with psycopg.connect(admin_url) as conn:
        return conn.execute(PICK, (BENCH, size)).fetchall()


def call(client, path: str, token: str, body: dict) -> tuple[dict, float]:
    """POST a JSON body to the API; the answer and its seconds. RuntimeError unless 2xx."""
    started = time.monotonic()
    answer = client.fetch(
        path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    seconds = time.monotonic() - started
    if not 200 <= answer.status < 300:
        raise RuntimeError(f"POST {path}: HTTP {answer.status} {answer.body[:300]!r}")
    return json.loads(answer.body), seconds


def scenario(
    admin_url: str, env: dict, services, size: int, folder: Path, base: str, admin: str
) -> dict:
    """The measurement (see the module) through the product's API under gunicorn, as the
    admin `admin`, with a `flask worker` of its own running throughout. `services`: the
    bench's Redis and SMTP sink."""
    import redis as redis_client

    from bench.browser import Browser
    from bench.scenarios import BIN, PRODUCT_ROLE, ROOT, Measure, probe
    from bench.services import stop_process

    redis, smtp = services
    redis_client.Redis.from_url(redis.url).flushdb()  # earlier scenarios' jobs and timers
    with psycopg.connect(admin_url, autocommit=True) as conn:
        # The send jobs drain every due row: earlier scenarios' rows wait a month.
        conn.execute(
            "UPDATE outbox SET next_attempt_at = now() + interval '30 days'"
            " WHERE status = 'pending' AND next_attempt_at < now() + interval '1 day'"
        )
    [token] = probe(env, "tokens", [admin])
    chosen = pick(admin_url, size)
    client, measure = Browser(base), Measure(admin_url)
    with (folder / "incident-worker.log").open("ab") as log:
        worker = subprocess.Popen(  # noqa: S603 - our own venv's flask
            [str(BIN / "flask"), "--app", "wsgi", "worker"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        declared, _seconds = call(
            client,
            "/api/v1/incidents",
            token,
            {"title": BENCH, "system": "moj", "category": "payment"},
        )
        tickets_path = f"/api/v1/incidents/{declared['number']}"
        measure.reset()
        attached, attach_seconds = call(
            client, f"{tickets_path}/tickets", token, {"tickets": [n for n, _e in chosen]}
        )
        attach_statements, attach_top = measure.statements(PRODUCT_ROLE)
        smtp.handler.reset()
        measure.reset()
        started = time.monotonic()
        posted, write_seconds = call(client, f"{tickets_path}/updates", token, {"body": UPDATE})
        statements, top_sql = own_statements(measure, PRODUCT_ROLE)
        expected = [email for _number, email in chosen]
        last = wait_for(smtp.handler, expected, timeout=max(120.0, len(expected) / 10))
        time.sleep(2)  # a copy sent late would show
    finally:
        stop_process(worker)
        measure.close()
    counts = smtp.handler.recipient_counts()
    wanted = set(expected)
    with psycopg.connect(admin_url) as conn:
        outbox = dict(
            conn.execute(
                "SELECT o.status, count(*) FROM outbox o WHERE o.template = 'incident_update'"
                " AND o.key LIKE 'incident:' || (SELECT max(m.id) FROM messages m"
                " JOIN tickets t ON t.id = m.ticket_id WHERE t.number = %s) || ':%%'"
                " GROUP BY o.status",
                (declared["number"],),
            ).fetchall()
        )
    return {
        "size": size,
        "attached": sum(result == "ok" for result in attached["results"].values()),
        "attach_seconds": attach_seconds,
        "attach_statements": attach_statements,
        "attach_top_sql": [
            (calls, " ".join(query.split())[:160]) for calls, query in attach_top[:3]
        ],
        "reached": posted["tickets"],
        "statements": statements,
        "top_sql": top_sql,
        "write_seconds": write_seconds,
        "mailed_seconds": last - started if last is not None else None,
        "recipients": len(expected),
        "once": sum(counts.get(address) == 1 for address in expected),
        "missing": sum(address not in counts for address in expected),
        "duplicates": sum(counts.get(address, 0) > 1 for address in expected),
        "others": sum(n for address, n in counts.items() if address not in wanted),
        "outbox": outbox,
    }


def own_statements(measure, role: str) -> tuple[int, list[tuple[int, str]]]:
    """The update request's statements among the role's: the worker, sending the update's
    mail meanwhile, runs as that role too; its statements are its claims and records of the
    outbox rows (UPDATE, SELECT), while the request only inserts them."""
    rows = measure.conn.execute(
        "SELECT calls, query FROM pg_stat_statements"
        " WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = %s) ORDER BY calls DESC",
        (role,),
    ).fetchall()
    mine = [
        (calls, " ".join(query.split()))
        for calls, query in rows
        if "outbox" not in query or query.lstrip().upper().startswith("INSERT")
    ]
    return sum(calls for calls, _query in mine), [(c, q[:160]) for c, q in mine[:5]]


def wait_for(handler, expected: list[str], *, timeout: float) -> float | None:
    """When (monotonic) the last of the expected recipients' messages arrived; None if some had
    not within the timeout."""
    deadline = time.monotonic() + timeout
    wanted = set(expected)
    while time.monotonic() < deadline:
        if wanted.issubset(handler.recipient_counts()):
            return handler.last_arrival(wanted)
        time.sleep(0.1)
    return None


# ---------------------------------------------------------------- RESULTS.md


def targets(results: dict) -> list[tuple[str, str, tuple[str, str, str]]]:
    """(scenario, target, (status, figure, margin)) of the incident update."""
    found = results.get("incident") or {}
    write = f"Incident update to {found.get('size', INCIDENT_TICKETS):,} tickets written < 5 s"
    mailed = "Incident update mailed to each requester exactly once"
    if "write_seconds" not in found:
        return [
            ("incident", write, ("missing", "-", "")),
            ("incident", mailed, ("missing", "-", "")),
        ]
    seconds = found["write_seconds"]
    if seconds <= WRITE_TARGET_SECONDS:
        verdict = (
            "met",
            f"{seconds:.2f} s",
            f"{(1 - seconds / WRITE_TARGET_SECONDS) * 100:.0f} % to spare",
        )
    else:
        verdict = (
            "missed",
            f"{seconds:.2f} s",
            f"{(seconds / WRITE_TARGET_SECONDS - 1) * 100:+.0f} % over",
        )
    once = found["once"] == found["recipients"] and not found["others"]
    figure = (
        f"{found['once']:,} of {found['recipients']:,} once, "
        f"{found['mailed_seconds']:.1f} s to the last"
        if found["mailed_seconds"] is not None
        else f"{found['once']:,} of {found['recipients']:,} once, {found['missing']:,} missing"
    )
    return [
        ("incident", write, verdict),
        ("incident", mailed, ("met" if once else "missed", figure, "")),
    ]


def section(found: dict) -> list[str]:
    lines = ["", "## Incident update", ""]
    if "write_seconds" not in found:
        return lines + [f"Not measured: {found.get('error', 'no result')}"]
    mailed = (
        f"the last of them {found['mailed_seconds']:.1f} s after the update was posted"
        if found["mailed_seconds"] is not None
        else f"{found['missing']:,} never arrived"
    )
    return lines + [
        f"An incident of moj declared through the API, {found['attached']:,} tickets of distinct "
        f"requesters attached with one `POST /api/v1/incidents/{{number}}/tickets` "
        f"({found['attach_seconds']:.2f} s, {found['attach_statements']} SQL statements), then "
        "ONE update with `POST /api/v1/incidents/{number}/updates`: it reached "
        f"{found['reached']:,} tickets in {found['write_seconds']:.2f} s (the request, its "
        f"commit and the hand-over of its mail to RQ; {found['statements']} statements run by "
        "PostgreSQL, each row of a batched statement counted, the worker's on the outbox left "
        "out), with one `flask worker` running. At the "
        f"SMTP sink: {found['once']:,} of the {found['recipients']:,} requesters got the update "
        f"exactly once, {found['duplicates']} more than once, {found['missing']} not at all; "
        f"{mailed}; {found['others']} other messages. Outbox rows of the update "
        f"{found['outbox']}.",
        "",
        "Most frequent statements of the update (and, in brackets, of the attachment), as "
        "`pg_stat_statements` counts them (each row of a batch):",
        "",
        *[f"- {calls} × `{query.replace('`', '')}`" for calls, query in found["top_sql"]],
        *[
            f"- ({calls} × `{query.replace('`', '')}`)"
            for calls, query in found["attach_top_sql"][:3]
        ],
    ]
