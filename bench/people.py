"""The people of the generated world: communes (units), staff and requesters with valid CCCD
logins and one shared password, and the agents' memberships and province coverage."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import psycopg

from bench import schema, vocabulary
from bench.chunks import SHOWCASE_FACTS, YEARS, cumulate, text_pair, weighted
from bench.schema import copy_rows, copy_text
from helpdesk.text import fold

if TYPE_CHECKING:
    from bench.generate import Loaded

PASSWORD = "Bench-Mật-khẩu-2026"  # noqa: S105 - the known password of generated accounts
DOMAIN = "ht.com"
STAFF = 200
REQUESTERS = 20_000
OBSERVERS = 3
AGENT_PROVINCES = ("01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25")
USER_COLUMNS = [
    "id",
    "cccd",
    "domain",
    "full_name",
    "name_key",
    "email",
    "email_verified_at",
    "phone",
    "province_code",
    "unit_id",
    "role",
    "status",
    "password_hash",
    "must_change_password",
    "language",
    "notify_updates",
    "session_token",
    "created_at",
    "password_changed_at",
]


def cccd_of(index: int, rng: random.Random) -> str:
    """A valid, unique 12-digit CCCD of an adult: place of birth, century/sex, year, serial."""
    from helpdesk.auth.cccd import PLACE_OF_BIRTH_CODES

    prefixes = sorted(PLACE_OF_BIRTH_CODES)
    return f"{prefixes[index % len(prefixes)]}{rng.choice('01')}{rng.randint(60, 99)}{index:06d}"


# ---------------------------------------------------------------- the world (main process)


def person_name(rng: random.Random) -> str:
    return " ".join(
        (
            rng.choice(vocabulary.FAMILY_NAMES),
            rng.choice(vocabulary.MIDDLE_NAMES),
            rng.choice(vocabulary.GIVEN_NAMES),
        )
    )


def load_people(
    conn: psycopg.Connection,
    ref: dict,
    decisions: dict,
    rng: random.Random,
    now: datetime,
    loaded: Loaded,
) -> dict:
    """Units, users and memberships; returns what the ticket chunks need of them.

    Requesters are REQUESTERS from N = 10 000 on; a smaller N (the smoke test) gets 2 per
    ticket, at least 200.
    """
    from argon2 import PasswordHasher

    from helpdesk.auth.models import Unit
    from helpdesk.config import Config

    requester_count = REQUESTERS if loaded.tickets >= 10_000 else max(200, 2 * loaded.tickets)
    provinces = ref["provinces"]
    weights = [vocabulary.PROVINCE_POPULATION.get(code, 1.0) for code in provinces]
    total = sum(weights)
    # units: the communes of each province, by population
    unit_base = conn.execute("SELECT coalesce(max(id), 0) FROM units").fetchone()[0]
    unit_rows, unit_ids, units = [], {}, {}
    next_unit = unit_base
    for code, weight in zip(provinces, weights, strict=True):
        count = max(20, round(vocabulary.COMMUNES * weight / total))
        unit_ids[code], units[code] = [], []
        for j in range(count):
            stem = vocabulary.COMMUNE_STEMS[j % len(vocabulary.COMMUNE_STEMS)]
            rounds = j // len(vocabulary.COMMUNE_STEMS)
            kind = vocabulary.COMMUNE_KINDS[j % len(vocabulary.COMMUNE_KINDS)]
            name = f"{kind} {stem}" + (f" {rounds + 1}" if rounds else "")
            next_unit += 1
            unit_rows.append((next_unit, code, name, Unit.key_for(name)))
            unit_ids[code].append(next_unit)
            units[code].append(text_pair(f"UBND {name}"))
    copy_rows(conn, "units", ["id", "province_code", "name", "key"], unit_rows)
    # users: one argon2 hash for all (hashing 20 000 passwords would take minutes)
    password_hash = PasswordHasher(**Config.HELPDESK_PASSWORD_HASHING).hash(PASSWORD)
    user_base = conn.execute("SELECT coalesce(max(id), 0) FROM users").fetchone()[0]
    extra = schema.extra_values(conn, "users", USER_COLUMNS)
    province_cum = cumulate(weights)
    created = now - timedelta(days=365 * YEARS + 30)
    people, requesters, staff = [], {code: [] for code in provinces}, []
    roles = (
        ["admin"]
        + ["observer"] * OBSERVERS
        + ["supervisor"] * 20
        + ["agent"] * (STAFF - 20)
        + ["requester"] * requester_count
    )
    for index, role in enumerate(roles):
        user_id = user_base + index + 1
        province = weighted(rng, provinces, province_cum) if role == "requester" else None
        nth = index - (len(roles) - requester_count)  # among requesters
        if 0 < nth <= len(provinces):  # every province has requesters, whatever N
            province = provinces[nth - 1]
        if nth == 0:  # the bench requester files from Hà Nội
            province = loaded.requester_province
        unit_id = rng.choice(unit_ids[province]) if province else None
        row = {
            "id": user_id,
            "cccd": cccd_of(user_base + index, rng),
            "domain": DOMAIN,
            "full_name": (name := person_name(rng)),
            "name_key": fold(name),
            "email": f"user{user_id}@bench.example.vn",
            "email_verified_at": created,
            "phone": f"09{rng.randint(10_000_000, 99_999_999)}",
            "province_code": province,
            "unit_id": unit_id,
            "role": role,
            "status": "active",
            "password_hash": password_hash,
            "must_change_password": False,
            "language": "vi",
            "notify_updates": True,
            "session_token": f"{rng.getrandbits(128):032x}",
            "created_at": created,
            "password_changed_at": created,
            **extra,
        }
        people.append("\t".join(copy_text(v) for v in row.values()) + "\n")
        if role == "requester":
            requesters[province].append(user_id)
        elif role in ("agent", "supervisor"):
            staff.append((user_id, role))
        if role not in loaded.accounts:
            loaded.accounts[role] = f"{row['cccd']}@{DOMAIN}"
    copy_rows(conn, "users", list(USER_COLUMNS) + list(extra), people)
    loaded.counts["users"] = len(people)
    loaded.counts["units"] = len(unit_rows)
    members = load_memberships(conn, ref, decisions, staff, rng, loaded)
    return {"requesters": requesters, "units": units, "members": members}


def load_memberships(conn, ref, decisions, staff, rng, loaded) -> dict:
    """Staff spread over the queues by their load; half cover every province (stated with the
    membership's flag), half a region.

    The first agent is the bench agent: the showcase queue for 12 northern provinces, and
    the second-busiest queue for all. Supervisors lead the ministry queues.
    """
    provinces = ref["provinces"]
    load: dict[int, float] = {}
    system_weights = vocabulary.SYSTEM_WEIGHTS
    for (system, category, _province, _priority), decision in decisions.items():
        weight = system_weights.get(system, 1) * vocabulary.CATEGORY_WEIGHTS.get(category, 1)
        load[decision[0]] = load.get(decision[0], 0) + weight
    queues = {row[0]: row for row in ref["queues"]}
    busy = sorted(load, key=lambda q: -load[q])
    showcase_queue = decisions[SHOWCASE_FACTS][0]
    second = next(q for q in busy if q != showcase_queue)
    provincial = {row[4]: row[0] for row in ref["queues"] if row[4]}
    national = [row[0] for row in ref["queues"] if row[2] == "national"]
    busy_cum = cumulate(load[q] for q in busy)
    coverage: dict[tuple[int, int], list[str] | None] = {}
    supervisors = [user_id for user_id, role in staff if role == "supervisor"]
    agents = [user_id for user_id, role in staff if role == "agent"]
    coverage[(agents[0], showcase_queue)] = list(AGENT_PROVINCES)
    coverage[(agents[0], second)] = None
    for code, agent in zip(provinces, agents[1:], strict=False):  # a coordinator per province
        if code in provincial:
            coverage[(agent, provincial[code])] = None
    for agent in agents[1 + len(provinces) :]:
        for _ in range(1 if rng.random() < 0.7 else 2):
            queue_id = weighted(rng, busy, busy_cum)
            if rng.random() < 0.5:
                coverage[(agent, queue_id)] = None
            else:
                start = rng.randrange(len(provinces))
                coverage[(agent, queue_id)] = [
                    provinces[(start + k) % len(provinces)] for k in range(rng.randint(3, 10))
                ]
    for supervisor, queue_id in zip(supervisors, busy + national, strict=False):
        coverage[(supervisor, queue_id)] = None
        conn.execute("UPDATE queues SET supervisor_id = %s WHERE id = %s", (supervisor, queue_id))
    base = conn.execute("SELECT coalesce(max(id), 0) FROM memberships").fetchone()[0]
    rows, province_rows, members = [], [], {}
    for k, ((user_id, queue_id), covered) in enumerate(coverage.items()):
        membership_id = base + k + 1
        rows.append((membership_id, queue_id, user_id, True, covered is None))
        for code in covered or ():
            province_rows.append((membership_id, code))
        for code in covered or provinces:
            members.setdefault((queue_id, code), []).append(user_id)
    columns = ["id", "queue_id", "user_id", "available", "all_provinces"]
    copy_rows(conn, "memberships", columns, rows)
    copy_rows(conn, "membership_provinces", ["membership_id", "province_code"], province_rows)
    loaded.counts["memberships"] = len(rows)
    loaded.agent_queue_id = showcase_queue
    del queues
    return members
