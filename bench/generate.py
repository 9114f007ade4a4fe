"""The deterministic generator: users, memberships and N tickets with messages, events and SLA
timers, loaded with PostgreSQL's COPY into the migrated tables.

Shape (fixed seed; dates relative to the minute the load starts):
- tickets over three years, at a rate that grows linearly; provinces by population; systems,
  categories and priorities by weight; the queue chosen by the seeded routing rules;
- ~35 % open (the newer, the likelier), their resolution deadlines spread so that ~0.1 % of N
  fall due in any minute around now; ~4 messages and ~6 events per ticket;
- 200 staff (agents, supervisors), 20 000 requesters, a few observers and one admin, all with
  the same argon2 hash of PASSWORD;
- the last ticket is the showcase: open, in the bench agent's queue, with 10 messages.

Ticket rows are made in chunks by worker processes (a seed per chunk, so the result does not
depend on the number of processes) and streamed by one COPY per table; non-unique indexes are
dropped first and rebuilt afterwards with their own names and definitions.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg

from bench import articles, chunks, people, schema, vocabulary
from bench.chunks import CHUNK, SEED, YEARS, World, cumulate
from bench.schema import copy_text

PASSWORD, DOMAIN = people.PASSWORD, people.DOMAIN
TICKET_COLUMNS = [
    "id",
    "number",
    "subject",
    "description",
    "system_code",
    "category_code",
    "province_code",
    "unit",
    "dossier_code",
    "procedure_code",
    "priority",
    "status",
    "requester_id",
    "queue_id",
    "assignee_id",
    "routing_rule_id",
    "created_at",
    "updated_at",
    "first_responded_at",
    "resolved_at",
    "closed_at",
    "sla_policy_id",
    "first_response_due",
    "resolution_due",
    "sla_paused_at",
    "sla_remaining_minutes",
    "first_response_warned_at",
    "resolution_warned_at",
    "first_response_breached_at",
    "resolution_breached_at",
    "rating",
    "rating_comment",
    "rated_at",
    "search_text",
    "version",
    "resolution",
]
MESSAGE_COLUMNS = [
    "ticket_id",
    "author_id",
    "body",
    "internal",
    "source",
    "created_at",
    "search_text",
]
EVENT_COLUMNS = ["ticket_id", "actor_id", "kind", "data", "created_at"]
TIMER_COLUMNS = ["ticket_id", "kind", "stage", "fire_at", "due_at"]


@dataclass
class Loaded:
    """What the run needs to know of the data it loaded."""

    tickets: int
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)  # role -> username
    showcase: str = ""  # number of an open ticket with 10 messages in the agent's queue
    agent_queue_id: int = 0
    requester_province: str = "01"
    anchor: str = ""


class CopyWriter(threading.Thread):
    """One COPY of one table on its own connection, fed chunk by chunk from a queue."""

    def __init__(self, url: str, table: str, columns: list[str]) -> None:
        super().__init__(name=f"copy-{table}", daemon=True)
        self.url, self.table, self.columns = url, table, columns
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=6)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with psycopg.connect(self.url) as conn:
                # Superuser only: no FK triggers while loading rows that are consistent by
                # construction (the generator writes every referenced row first).
                conn.execute("SET session_replication_role = replica")
                names = ", ".join(self.columns)
                with conn.cursor().copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
                    while (chunk := self.chunks.get()) is not None:
                        copy.write(chunk)
        except BaseException as error:  # noqa: BLE001 - handed to the main thread
            self.error = error
            while self.chunks.get() is not None:  # drain so that the producer never blocks
                pass

    def put(self, chunk: bytes | None) -> None:
        if self.error is not None:
            raise RuntimeError(f"COPY into {self.table} failed: {self.error}") from self.error
        self.chunks.put(chunk)


def read_reference(conn: psycopg.Connection) -> dict:
    from helpdesk.routing import engine

    provinces = [r[0] for r in conn.execute("SELECT code FROM provinces ORDER BY code")]
    systems = [r[0] for r in conn.execute("SELECT code FROM systems WHERE active ORDER BY code")]
    categories = [
        r[0] for r in conn.execute("SELECT code FROM categories WHERE active ORDER BY code")
    ]
    queues = conn.execute(
        "SELECT id, code, kind, system_code, province_code FROM queues WHERE active ORDER BY id"
    ).fetchall()
    rules = [
        engine.Rule(
            id=r[0],
            queue_id=r[1],
            system=r[2],
            category=r[3],
            province=r[4],
            priority=r[5],
            rank=r[6],
            priority_override=r[7],
            name=r[8],
        )
        for r in conn.execute(
            "SELECT r.id, r.queue_id, r.system_code, r.category_code, r.province_code,"
            " r.priority, r.rank, r.priority_override, r.name FROM rules r"
            " JOIN queues q ON q.id = r.queue_id WHERE r.active AND q.active ORDER BY r.id"
        )
    ]
    defaults = dict(conn.execute("SELECT system_code, queue_id FROM system_defaults").fetchall())
    policies: dict[int, tuple[int, int, int, int]] = {}
    for row in conn.execute(
        "SELECT id, priority, first_response_minutes, resolution_minutes, warning_percent"
        " FROM sla_policies WHERE active AND system_code IS NULL AND category_code IS NULL"
        " ORDER BY id"
    ):
        policies.setdefault(row[1], (row[0], row[2], row[3], row[4]))
    if not provinces or not systems or not categories or not queues:
        raise schema.SchemaError("reference data missing: run `flask seed` first")
    return {
        "provinces": provinces,
        "systems": [s for s in systems if s in defaults],
        "categories": categories,
        "queues": queues,
        "rules": rules,
        "defaults": defaults,
        "policies": policies,
    }


def decisions_for(ref: dict) -> dict[tuple, tuple[int, int | None, str, int]]:
    """Every (system, category, province, priority) routed once by the product's engine."""
    from helpdesk.routing import engine

    out, routed = {}, {}
    overrides = {rule.id: rule.priority_override for rule in ref["rules"]}
    by_system: dict[str, list] = {}
    for rule in ref["rules"]:
        by_system.setdefault(rule.system, []).append(rule)
    # Provinces or priorities that no rule names route alike: route one, reuse the answer.
    named_provinces = {rule.province for rule in ref["rules"]}
    named_priorities = {rule.priority for rule in ref["rules"]}
    for system in ref["systems"]:
        rules = by_system.get(system, []) + by_system.get(None, [])
        for category in ref["categories"]:
            for province in ref["provinces"]:
                for priority in vocabulary.PRIORITY_WEIGHTS:
                    asked_province = province if province in named_provinces else "*"
                    asked_priority = priority if priority in named_priorities else 0
                    facts = engine.Facts(system, category, asked_province, asked_priority)
                    if facts not in routed:
                        routed[facts] = engine.route(
                            engine.Facts(system, category, province, priority),
                            rules,
                            ref["defaults"][system],
                        )
                    decision = routed[facts]
                    data = {
                        "queue_id": decision.queue_id,
                        "rule_id": decision.rule_id,
                        "reason": decision.reason,
                    }
                    out[(system, category, province, priority)] = (
                        decision.queue_id,
                        decision.rule_id,
                        copy_text(json.dumps(data)),
                        priority if overrides.get(decision.rule_id) is None else decision.priority,
                    )
    return out


def finish_tables(url: str, tables: list[str], indexes: list[tuple[str, str, str]]) -> None:
    """VACUUM each loaded table (hint bits, visibility map), then CREATE its dropped indexes
    again; two connections (two cores), the biggest table first, then ANALYZE everything.

    Vacuuming before the indexes exist costs one heap pass; afterwards autovacuum finds
    nothing to do while the load runs.
    """
    todo = list(tables)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("SET maintenance_work_mem = '2GB'")
                while True:
                    with lock:
                        if not todo:
                            return
                        table = todo.pop(0)
                    conn.execute(f"VACUUM {table}")
                    for owner, _name, definition in indexes:
                        if owner == table:
                            conn.execute(definition)
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def generate(url: str, n: int, *, processes: int = 2, log=print) -> Loaded:
    """Load N tickets and everything around them into the database at `url` (a superuser)."""
    anchor = datetime.now(UTC).replace(second=0, microsecond=0)
    loaded = Loaded(tickets=n, anchor=anchor.isoformat())
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, no secret
    started = time.monotonic()
    with psycopg.connect(url) as conn:
        existing = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
        if existing:
            raise schema.SchemaError(f"tickets is not empty ({existing} rows): load a new database")
        ref = read_reference(conn)
        decisions = decisions_for(ref)
        folks = people.load_people(conn, ref, decisions, rng, anchor, loaded)
        extra = {}
        for table, given in (
            ("tickets", TICKET_COLUMNS),
            ("messages", MESSAGE_COLUMNS),
            ("events", EVENT_COLUMNS),
            ("sla_timers", TIMER_COLUMNS),
        ):
            values = schema.extra_values(conn, table, given)
            extra[table] = (list(values), "".join("\t" + copy_text(v) for v in values.values()))
        conn.commit()
        loaded.timings["users and memberships"] = time.monotonic() - started
        big = ["tickets", "messages", "events", "sla_timers"]
        dropped = schema.droppable_indexes(conn, big)
        for _table, name, _definition in dropped:
            conn.execute(f'DROP INDEX "{name}"')
        conn.commit()
    weights = [vocabulary.PROVINCE_POPULATION.get(c, 1.0) for c in ref["provinces"]]
    span = 365.25 * 86_400 * YEARS
    start = anchor.timestamp() - span - 3_600
    world = World(
        n=n,
        now=anchor.timestamp(),
        start=start,
        span=span,
        provinces=ref["provinces"],
        province_cum=cumulate(weights),
        systems=ref["systems"],
        system_cum=cumulate(vocabulary.SYSTEM_WEIGHTS.get(s, 1) for s in ref["systems"]),
        categories=ref["categories"],
        category_cum=cumulate(vocabulary.CATEGORY_WEIGHTS.get(c, 1) for c in ref["categories"]),
        decisions=decisions,
        policies=ref["policies"],
        requesters=folks["requesters"],
        units=folks["units"],
        members=folks["members"],
        year_starts=chunks.year_starts(n, start, span),
        extra={table: suffix for table, (_names, suffix) in extra.items()},
        **chunks.build_texts(random.Random(SEED + 1)),  # noqa: S311
    )
    step = time.monotonic()
    writers = [
        CopyWriter(url, table, columns + extra[table][0])
        for table, columns in (
            ("tickets", TICKET_COLUMNS),
            ("messages", MESSAGE_COLUMNS),
            ("events", EVENT_COLUMNS),
            ("sla_timers", TIMER_COLUMNS),
        )
    ]
    for writer in writers:
        writer.start()
    totals = {"tickets": 0, "messages": 0, "events": 0, "sla_timers": 0}
    total_chunks = -(-n // CHUNK)
    context = multiprocessing.get_context("fork")
    try:
        with context.Pool(processes, initializer=chunks.init_worker, initargs=(world,)) as pool:
            for done, (*buffers, stats) in enumerate(
                pool.imap(chunks.make_chunk, range(total_chunks)), 1
            ):
                for writer, buffer in zip(writers, buffers, strict=True):
                    writer.put(buffer)
                for key, value in stats.items():
                    totals[key] += value
                if done % 40 == 0 or done == total_chunks:
                    log(
                        f"  {totals['tickets']:,} tickets generated "
                        f"({time.monotonic() - step:.0f} s)"
                    )
    finally:
        for writer in writers:
            if writer.is_alive():
                writer.chunks.put(None)
        for writer in writers:
            writer.join()
    for writer in writers:
        if writer.error is not None:
            raise RuntimeError(f"COPY into {writer.table} failed: {writer.error}")
    loaded.timings["tickets, messages, events (COPY)"] = time.monotonic() - step
    loaded.counts.update(totals)
    step = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT setval(pg_get_serial_sequence('tickets', 'id'), %s)", (n,))
        for table in ("users", "units", "memberships", "messages", "events"):
            last = f"SELECT coalesce(max(id), 1) FROM {table}"  # noqa: S608 - our own names
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), ({last}))")
        for index, (first, year) in enumerate(world.year_starts):
            following = world.year_starts[index + 1][0] if index + 1 < len(world.year_starts) else n
            conn.execute(
                "INSERT INTO ticket_counters (year, last) VALUES (%s, %s)"
                " ON CONFLICT (year) DO UPDATE SET last = excluded.last",
                (year, following - first),
            )
        loaded.showcase = conn.execute("SELECT number FROM tickets WHERE id = %s", (n,)).fetchone()[
            0
        ]
    finish_tables(url, big, dropped)
    loaded.counts["articles"] = articles.load(url)  # what the filing form suggests
    loaded.timings[f"vacuum, {len(dropped)} indexes rebuilt, analyze"] = time.monotonic() - step
    loaded.timings["total"] = time.monotonic() - started
    return loaded
