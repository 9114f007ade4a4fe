"""Ticket rows in chunks, made by worker processes: tickets, messages, events, SLA timers.

Each chunk has a seed of its own, so the data does not depend on the number of processes. The
hot loop writes COPY text directly; every piece of text comes from a small vocabulary folded
once (helpdesk.text.fold), so that a million tickets stay cheap.
"""

from __future__ import annotations

import bisect
import math
import random
import signal
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bench import vocabulary
from bench.schema import copy_text

SEED = 20261123
YEARS = 3
OPEN_SHARE = 0.35
DUE_PER_MINUTE = 0.001  # of N: open deadlines are spread over OPEN_SHARE / DUE_PER_MINUTE min
PAST_SHARE = 0.3  # of that window lies before now (breached tickets)
CHUNK = 5_000
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
OPEN = ("new", "open", "waiting_requester", "waiting_third_party")
OPEN_WEIGHTS = (15, 55, 20, 10)
MESSAGE_COUNTS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 10)
MESSAGE_WEIGHTS = (4, 10, 14, 16, 16, 13, 10, 7, 5, 5)  # mean 4.14
SHOWCASE_FACTS = ("moj", "payment", "01", 3)  # the showcase ticket and the agent's queue


def fold(text: str) -> str:
    from helpdesk.text import fold as product_fold

    return product_fold(text)


def weighted(rng: random.Random, items: list, cumulative: list[float]):
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def cumulate(weights) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


@dataclass
class World:
    """Everything a chunk worker needs, picklable."""

    n: int
    now: float
    start: float
    span: float
    provinces: list[str]
    province_cum: list[float]
    systems: list[str]
    system_cum: list[float]
    categories: list[str]
    category_cum: list[float]
    decisions: dict[tuple, tuple[int, int | None, str, int]]
    policies: dict[int, tuple[int, int, int, int]]  # priority -> (id, first, resolution, warn%)
    requesters: dict[str, list[int]]  # province -> ids
    units: dict[str, list[tuple[str, str]]]  # province -> (copy text, fold) of "UBND ..."
    members: dict[tuple[int, str], list[int]]  # (queue, province) -> agent ids covering it
    year_starts: list[tuple[int, int]]  # (first ticket index, local year)
    subjects: dict[str, list[tuple[str, str]]]
    descriptions: dict[str, list[tuple[str, str]]]
    agent_replies: list[tuple[str, str]]
    requester_replies: list[tuple[str, str]]
    notes: list[tuple[str, str]]
    resolutions: list[str]  # copy text of the outcomes told to requesters
    extra: dict[str, str]  # table -> "\t..." suffix for columns the bench does not know
    showcase_queue: int = 0


def text_pair(text: str) -> tuple[str, str]:
    return copy_text(text), fold(text)


def build_texts(rng: random.Random) -> dict:
    subjects, descriptions = {}, {}
    for category in vocabulary.CATEGORY_WEIGHTS:
        subjects[category] = [text_pair(s) for s in vocabulary.SUBJECTS.get(category, ("Hỗ trợ",))]
        own = vocabulary.SENTENCES.get(category, ())
        pool = list(own) + list(vocabulary.GENERIC_SENTENCES)
        made = []
        for _ in range(24):
            first = rng.choice(own) if own else rng.choice(pool)
            rest = rng.sample(pool, rng.randint(0, 1))
            made.append(text_pair("\n".join([first, *rest])))
        descriptions[category] = made
    return {
        "subjects": subjects,
        "descriptions": descriptions,
        "agent_replies": [text_pair(t) for t in vocabulary.REPLIES_AGENT],
        "requester_replies": [text_pair(t) for t in vocabulary.REPLIES_REQUESTER],
        "notes": [text_pair(t) for t in vocabulary.INTERNAL_NOTES],
        "resolutions": [copy_text(t) for t in vocabulary.RESOLUTIONS],
    }


def year_starts(n: int, start: float, span: float) -> list[tuple[int, int]]:
    """The first ticket index of each local year (ticket i is created at created_at(i))."""
    first_year = datetime.fromtimestamp(start, TIMEZONE).year
    last_year = datetime.fromtimestamp(start + span, TIMEZONE).year
    out = [(0, first_year)]
    for year in range(first_year + 1, last_year + 1):
        boundary = datetime(year, 1, 1, tzinfo=TIMEZONE).timestamp()
        fraction = (boundary - start) / span
        index = max(0, math.ceil(n * fraction * fraction - 0.5))
        while index < n and created_at(index, n, start, span) < boundary:
            index += 1
        while index > 0 and created_at(index - 1, n, start, span) >= boundary:
            index -= 1
        if index < n:
            out.append((index, year))
    return out


def created_at(i: int, n: int, start: float, span: float) -> float:
    """Monotonic in i; the density grows linearly over the three years."""
    return start + span * math.sqrt((i + 0.5) / n)


# ---------------------------------------------------------------- chunks (worker processes)

_WORLD: World | None = None


def init_worker(world: World) -> None:
    global _WORLD
    _WORLD = world
    # The pool ends its workers with SIGTERM; the harness's own handler is not theirs.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def make_chunk(chunk: int) -> tuple[bytes, bytes, bytes, bytes, dict]:
    """COPY text of tickets, messages, events and timers of one chunk, and its counts."""
    w = _WORLD
    rng = random.Random(SEED * 1_000_003 + chunk)  # noqa: S311 - reproducible data, no secret
    rand = rng.random

    def choice(items):
        return items[int(rand() * len(items))]

    def randint(low: int, high: int) -> int:
        return low + int(rand() * (high - low + 1))

    tickets, messages, events, timers = [], [], [], []
    n, now, start, span = w.n, w.now, w.start, w.span
    window = OPEN_SHARE / DUE_PER_MINUTE * 60  # seconds over which open deadlines spread
    x_ticket, x_message, x_event = w.extra["tickets"], w.extra["messages"], w.extra["events"]
    n_messages = n_events = 0
    first, last = chunk * CHUNK, min(n, (chunk + 1) * CHUNK)
    years = w.year_starts
    year_index = max(k for k, (index, _) in enumerate(years) if index <= first)
    message_cum = cumulate(MESSAGE_WEIGHTS)
    open_cum = cumulate(OPEN_WEIGHTS)
    priority_cum = cumulate(vocabulary.PRIORITY_WEIGHTS.values())
    priorities = list(vocabulary.PRIORITY_WEIGHTS)
    N = "\\N"  # noqa: N806 - COPY's NULL
    for i in range(first, last):
        while year_index + 1 < len(years) and years[year_index + 1][0] <= i:
            year_index += 1
        year_first, year = years[year_index]
        ticket_id = i + 1
        number = f"HT-{year}-{i - year_first + 1:06d}"
        created = start + span * math.sqrt((i + 0.5) / n)
        showcase = i == n - 1
        if showcase:
            system, category, province, asked = SHOWCASE_FACTS
        else:
            province = weighted(rng, w.provinces, w.province_cum)
            system = weighted(rng, w.systems, w.system_cum)
            category = weighted(rng, w.categories, w.category_cum)
            asked = weighted(rng, priorities, priority_cum)
        queue_id, rule_id, routed_json, priority = w.decisions[(system, category, province, asked)]
        policy_id, first_minutes, resolution_minutes, warn_percent = w.policies.get(
            priority, (None, 480, 2400, 75)
        )
        requester = choice(w.requesters[province])
        members = w.members.get((queue_id, province)) or ()
        is_open = showcase or rand() < 2 * OPEN_SHARE * (i + 0.5) / n
        status = weighted(rng, OPEN, open_cum) if is_open else ""
        if showcase:
            status = "open"
        fr_at = resolved = closed = paused = remaining = None
        fr_warned = fr_breached = res_warned = res_breached = None
        rating = rated = None
        lead_res = resolution_minutes * (100 - warn_percent) * 0.6  # seconds before the due
        lead_fr = first_minutes * (100 - warn_percent) * 0.6
        if is_open:
            assignee = choice(members) if members and (showcase or rand() < 0.75) else None
            res_due = now + rand() * window - PAST_SHARE * window
            if showcase:
                res_due = now + window / 2
            if status == "new":
                fr_due = now + rand() * window - PAST_SHARE * window
                if fr_due < now:
                    fr_breached = fr_due
                if fr_due - lead_fr < now:
                    fr_warned = fr_due - lead_fr
                else:
                    timers.append(
                        f"{ticket_id}\tfirst_response\twarning\t"
                        f"{iso(fr_due - lead_fr)}\t{iso(fr_due)}\n"
                    )
                if fr_due >= now:
                    timers.append(
                        f"{ticket_id}\tfirst_response\tbreach\t{iso(fr_due)}\t{iso(fr_due)}\n"
                    )
            else:
                fr_due = created + first_minutes * 120
                fr_at = min(created + randint(300, 14_400), now - 60)
                if fr_at > fr_due:
                    fr_breached = fr_due
            if res_due < now:
                res_breached = res_due
            if res_due - lead_res < now:
                res_warned = res_due - lead_res
            if status == "waiting_requester":
                paused = now - randint(600, 86_400 * 3)
                remaining = max(0, int((res_due - paused) / 60))
            elif res_due >= now:
                if res_warned is None:
                    timers.append(
                        f"{ticket_id}\tresolution\twarning\t"
                        f"{iso(res_due - lead_res)}\t{iso(res_due)}\n"
                    )
                timers.append(f"{ticket_id}\tresolution\tbreach\t{iso(res_due)}\t{iso(res_due)}\n")
            end = now - 30
        else:
            assignee = choice(members) if members else None
            fr_due = created + first_minutes * 120
            fr_at = created + randint(300, 28_800)
            res_due = created + resolution_minutes * 120
            resolved = created + randint(3_600, 86_400 * 8)
            if fr_at > fr_due:
                fr_breached = fr_due
            if resolved > res_due:
                res_breached = res_due
                res_warned = res_due - lead_res
            closed = resolved + 3 * 86_400
            if closed < now - 60:
                status = "closed"
                if rand() < 0.4:
                    rating = weighted(rng, [1, 2, 3, 4, 5], [2, 5, 15, 50, 100])
                    rated = closed
            else:
                status, closed = "resolved", None
            if resolved > now - 120:
                resolved = now - 120
            end = resolved
        # messages: agent and requester in turn, over the ticket's life
        count = 10 if showcase else weighted(rng, MESSAGE_COUNTS, message_cum)
        step = (end - created) / (count + 1)
        replied = 0
        for k in range(count):
            at = iso(created + step * (k + 1))
            if k % 2 == 0:
                internal = rand() < 0.15
                author = assignee or (choice(members) if members else None)
                body, folded = choice(w.notes if internal else w.agent_replies)
                if not internal:
                    replied += 1
                    events.append(f"{ticket_id}\t{author or N}\treplied\t{{}}\t{at}{x_event}\n")
            else:
                internal, author = False, requester
                body, folded = choice(w.requester_replies)
            source = "email" if rand() < 0.15 else "web"
            messages.append(
                f"{ticket_id}\t{author or N}\t{body}\t{'t' if internal else 'f'}\t"
                f"{source}\t{at}\t{folded}{x_message}\n"
            )
        n_messages += count
        created_iso = iso(created)
        events.append(f"{ticket_id}\t{requester}\tcreated\t{{}}\t{created_iso}{x_event}\n")
        events.append(f"{ticket_id}\t\\N\trouted\t{routed_json}\t{created_iso}{x_event}\n")
        n_events += 2 + replied
        if assignee:
            events.append(
                f'{ticket_id}\t\\N\tassigned\t{{"assignee_id": {assignee}}}\t'
                f"{created_iso}{x_event}\n"
            )
            n_events += 1
        if is_open and status != "new":
            events.append(
                f'{ticket_id}\t{assignee or N}\tstatus\t{{"old": "new", "new": '
                f'"{status}"}}\t{iso(fr_at or created)}{x_event}\n'
            )
            n_events += 1
        if resolved is not None:
            events.append(
                f"{ticket_id}\t{assignee or N}\tresolved\t{{}}\t{iso(resolved)}{x_event}\n"
            )
            n_events += 1
        if closed is not None:
            events.append(f"{ticket_id}\t\\N\tclosed\t{{}}\t{iso(closed)}{x_event}\n")
            n_events += 1
        subject, subject_fold = choice(w.subjects[category])
        description, description_fold = choice(w.descriptions[category])
        unit, unit_fold = choice(w.units[province])
        dossier = ""
        if rand() < 0.5:
            dossier = (
                f"000.{randint(10, 99)}.{randint(10, 99)}.H{province}-{year % 100:02d}"
                f"{randint(1, 12):02d}{randint(1, 28):02d}-{randint(1, 9999):04d}"
            )
        procedure = f"1.{randint(1000, 13000):06d}" if rand() < 0.3 else ""
        parts = [number.lower(), subject_fold, description_fold, unit_fold]
        if dossier:
            parts.append(dossier.lower())
        if procedure:
            parts.append(procedure)
        updated = max(t for t in (created, fr_at or 0, resolved or 0, closed or 0) if t)
        if count:
            updated = max(updated, created + step * count)
        row = (
            ticket_id,
            number,
            subject,
            description,
            system,
            category,
            province,
            unit,
            dossier,
            procedure,
            priority,
            status,
            requester,
            queue_id,
            assignee or N,
            rule_id or N,
            created_iso,
            iso(updated),
            iso(fr_at) if fr_at else N,
            iso(resolved) if resolved else N,
            iso(closed) if closed else N,
            policy_id or N,
            iso(fr_due),
            iso(res_due),
            iso(paused) if paused else N,
            N if remaining is None else remaining,
            iso(fr_warned) if fr_warned else N,
            iso(res_warned) if res_warned else N,
            iso(fr_breached) if fr_breached else N,
            iso(res_breached) if res_breached else N,
            rating or N,
            "",
            iso(rated) if rated else N,
            " ".join(parts),
            1,
            # Every resolved or closed ticket has its outcome; picked without a random draw, so
            # that the rest of the data stays as the seed made it before.
            w.resolutions[ticket_id % len(w.resolutions)] if resolved is not None else "",
        )
        tickets.append("\t".join(map(str, row)) + x_ticket + "\n")
    stats = {
        "tickets": last - first,
        "messages": n_messages,
        "events": n_events,
        "sla_timers": len(timers),
    }
    return (
        "".join(tickets).encode(),
        "".join(messages).encode(),
        "".join(events).encode(),
        "".join(timers).encode(),
        stats,
    )


# ---------------------------------------------------------------- loading (main process)
