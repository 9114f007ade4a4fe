"""The national day's bookkeeping in the database: the state it starts from, the deadlines due
during it, waiting for the desk to drain, and the count of what was filed, mailed and told."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import psycopg

from bench.scenarios import log, push_back_due
from bench.services import SmtpSink

# Outbox rows not yet delivered; SLA work not yet told.
UNSENT = ("pending", "sending")
ANGLES = re.compile(r"^<|>$")


def prepare(admin_url: str, day) -> datetime:
    """The day starts from a desk with nothing overdue: mail still pending from the earlier
    scenarios waits a month; deadlines that fell due since the data was loaded (no cron ran)
    move a day out; then `day.deadlines` open tickets get their resolution deadline at moments
    spread over the day. Returns the day's start, as the database tells time."""
    with psycopg.connect(admin_url) as conn:
        conn.execute(
            "UPDATE outbox SET next_attempt_at = now() + interval '30 days'"
            " WHERE status IN ('pending', 'sending')"
        )
        conn.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
        conn.execute("DELETE FROM sla_notices")
        push_back_due(conn, "5 seconds")
        conn.execute(
            "CREATE TEMP TABLE chosen AS SELECT t.id, date_trunc('milliseconds', now()"
            " + (5 + random() * %s) * interval '1 second') AS due FROM tickets t"
            " WHERE t.status IN ('new', 'open') AND t.kind = 'ticket' AND t.sla_paused_at IS NULL"
            " AND t.sla_policy_id IS NOT NULL"
            " ORDER BY t.id DESC LIMIT %s",
            (day.seconds * 0.7, day.deadlines),
        )
        conn.execute(
            "UPDATE tickets t SET resolution_due = c.due, resolution_breached_at = NULL,"
            " resolution_warned_at = coalesce(t.resolution_warned_at, c.due - interval '1 hour')"
            " FROM chosen c WHERE t.id = c.id"
        )
        conn.execute(
            "DELETE FROM sla_timers s USING chosen c WHERE s.ticket_id = c.id"
            " AND s.kind = 'resolution'"
        )
        conn.execute(
            "INSERT INTO sla_timers (ticket_id, kind, stage, fire_at, due_at)"
            " SELECT id, 'resolution', 'breach', due, due FROM chosen"
        )
        start = conn.execute("SELECT now()").fetchone()[0]
        conn.commit()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) outbox, sla_timers")
    return start


def deadlines_in(admin_url: str, start: datetime, seconds: float) -> list[tuple]:
    """The timers that fall due while the people work: (ticket, clock, stage, due)."""
    with psycopg.connect(admin_url) as conn:
        return conn.execute(
            "SELECT ticket_id, kind, stage, due_at FROM sla_timers"
            " WHERE fire_at BETWEEN %s AND %s ORDER BY fire_at",
            (start, start + timedelta(seconds=seconds)),
        ).fetchall()


def drain(admin_url: str, start: datetime, expected: list[tuple], timeout: float):
    """Wait until the day's work is done: every deadline due during the day told (its timer
    gone, no notice of it waiting), then every mail queued from the start until that moment
    delivered (or failed for good). At N = 1 000 000 deadlines fall due every minute after the
    day too: their timers and mail are the next day's. Returns (drained, the moment the last
    deadline was told), the moment as the database tells time."""
    deadline = time.monotonic() + timeout
    keys = [[row[k] for row in expected] for k in range(3)]  # tickets, clocks, stages
    told_at, waiting = None, None
    with psycopg.connect(admin_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            if told_at is None:
                waiting = conn.execute(
                    "WITH e(ticket_id, kind, stage) AS"
                    " (SELECT * FROM unnest(%s::int[], %s::text[], %s::text[]))"
                    " SELECT (SELECT count(*) FROM sla_timers t JOIN e USING (ticket_id, kind,"
                    "  stage) WHERE t.fire_at <= now()),"
                    " (SELECT count(*) FROM sla_notices n JOIN e USING (ticket_id, kind, stage)),"
                    " now()",
                    keys,
                ).fetchone()
                if not any(waiting[:2]):
                    told_at = waiting[2]
            if told_at is not None:
                unsent = conn.execute(
                    "SELECT count(*) FROM outbox WHERE created_at BETWEEN %s AND %s"
                    " AND status = ANY(%s)",
                    (start, told_at, list(UNSENT)),
                ).fetchone()[0]
                if not unsent:
                    return True, told_at
                waiting = (unsent, "mail")
            time.sleep(1)
    log(f"day: not drained after {timeout:.0f} s: {waiting} waiting")
    return False, told_at or datetime.now(UTC)


def account(
    admin_url: str, start: datetime, until: datetime, smtp: SmtpSink, expected: list[tuple]
) -> dict:
    """What the day filed, mailed and told (the mail queued from `start` to `until`), row by
    row against the SMTP sink."""
    arrived = {ANGLES.sub("", key): n for key, n in smtp.handler.ids.items()}
    with psycopg.connect(admin_url) as conn:
        rows = conn.execute(
            "SELECT key, status, message_id, attempts FROM outbox"
            " WHERE created_at BETWEEN %s AND %s",
            (start, until),
        ).fetchall()
        filed = conn.execute(
            "SELECT t.id, t.requester_id, t.source FROM tickets t"
            " WHERE t.created_at >= %s AND t.kind = 'ticket'",
            (start,),
        ).fetchall()
        still_due = still_running(conn, expected)
        told = Counter(
            (ticket_id, kind)
            for ticket_id, kind in conn.execute(
                "SELECT ticket_id, kind || ':' || (data ->> 'clock') FROM events"
                " WHERE created_at >= %s AND kind IN ('sla_warning', 'sla_breached')",
                (start,),
            )
        )
    # Each row of the day by its key: (status, Message-ID without its angle brackets, attempts).
    by_key = {key: (status, ANGLES.sub("", m or ""), n) for key, status, m, n in rows}
    ours = {message_id for _status, message_id, _n in by_key.values() if message_id}
    # Sent twice with its Message-ID: the message a killed sender was handing to the SMTP
    # server (its row attempted again, claimed by the next sender) or a doubling of the product.
    doubled = [m for m in ours if arrived.get(m, 0) > 1]
    resent = {m for _status, m, n in by_key.values() if n > 1 and arrived.get(m, 0) > 1}

    def delivered(key: str) -> int:
        status, message_id, _n = by_key.get(key, ("missing", "", 0))
        return arrived.get(message_id, 0) if status == "sent" else 0

    acks = Counter(
        min(delivered(f"filed:{ticket_id}:u{requester}"), 2) for ticket_id, requester, _ in filed
    )
    acks_resent = sum(
        1
        for ticket_id, requester, _ in filed
        if by_key.get(f"filed:{ticket_id}:u{requester}", ("", "", 0))[1] in resent
    )
    stages = {"warning": "sla_warning", "breach": "sla_breached"}
    deadline_counts = Counter()
    for ticket_id, kind, stage, due in expected:
        events = told[(ticket_id, f"{stages[stage]}:{kind}")]
        if (ticket_id, kind, stage, due) not in still_due:
            deadline_counts["moved by the day's work" if not events else "told, then moved"] += 1
        else:
            deadline_counts[{0: "not told", 1: "told once"}.get(events, "told twice or more")] += 1
    statuses = Counter(status for status, _m, _n in by_key.values())
    return {
        "filed": len(filed),
        "filed_by_source": dict(Counter(source for *_, source in filed)),
        "acknowledged": {
            "once": acks[1],
            "not": acks[0],
            "twice": acks[2],
            "re-sent after their sender died": acks_resent,
        },
        "outbox": dict(statuses),
        "mail": {
            "rows": len(by_key),
            "arrived once": sum(1 for m in ours if arrived.get(m) == 1),
            "arrived twice or more": len(doubled),
            "of them re-sent after their sender died": len(resent),
            "sent but not arrived": sum(
                1 for status, m, _n in by_key.values() if status == "sent" and not arrived.get(m)
            ),
            "arrived, not the day's": sum(n for m, n in arrived.items() if m not in ours),
        },
        "deadlines": {"due": len(expected), **deadline_counts},
    }


def still_running(conn: psycopg.Connection, expected: list[tuple]) -> set[tuple]:
    """The expected timers whose deadline the day's work left as it was: the ticket still open
    and unpaused, the deadline unchanged, the clock not met (a first response given)."""
    if not expected:
        return set()
    ids = list({row[0] for row in expected})
    current = {
        ticket_id: (status, paused, first_due, resolution_due, responded)
        for ticket_id, status, paused, first_due, resolution_due, responded in conn.execute(
            "SELECT id, status, sla_paused_at, first_response_due, resolution_due,"
            " first_responded_at FROM tickets WHERE id = ANY(%s)",
            (ids,),
        )
    }
    kept = set()
    for ticket_id, kind, stage, due in expected:
        status, paused, first_due, resolution_due, responded = current[ticket_id]
        running = status in ("new", "open") and paused is None
        if kind == "first_response":
            running = running and responded is None and first_due == due
        else:
            running = running and resolution_due == due
        if running:
            kept.add((ticket_id, kind, stage, due))
    return kept
