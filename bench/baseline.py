"""The bare baseline: Flask + SQLAlchemy Core on the product's tables, no login, no forms.

It does the three jobs of the agent's day the fastest way this stack can: a queue page of
50 open tickets by deadline, a ticket page with its messages, and a ticket insert (number
from the yearly counter, one event); and the filing form's suggestions (the published articles
of the system and category, or of none, holding a word of the subject, as JSON). The bench
serves it with gunicorn beside the product: `gunicorn 'bench.baseline:create_app()'` with
BASELINE_DATABASE_URL set.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import psycopg
from flask import Flask, abort, jsonify, render_template_string, request
from sqlalchemy import create_engine, text

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")

QUEUE_PAGE = """<!doctype html><title>Queue</title><table>
{% for t in rows %}<tr><td><a href="/ticket/{{ t.number }}">{{ t.number }}</a></td>
<td>{{ t.subject }}</td><td>{{ t.status }}</td><td>{{ t.priority }}</td>
<td>{{ t.province_code }}</td><td>{{ t.resolution_due }}</td></tr>
{% endfor %}</table>"""
TICKET_PAGE = """<!doctype html><title>{{ t.number }}</title><h1>{{ t.number }}
{{ t.subject }}</h1><p>{{ t.status }} {{ t.priority }} {{ t.resolution_due }}</p>
<pre>{{ t.description }}</pre>
{% for m in messages %}<article><p>{{ m.created_at }}</p><pre>{{ m.body }}</pre></article>
{% endfor %}"""

# One ordered index range scan per open status, merged: 4 × 50 rows read whatever N is
# (a plain `status IN (...) ORDER BY` sorts every open ticket of the queue).
QUEUE_SQL = text(
    "SELECT * FROM ("
    " (SELECT number, subject, status, priority, province_code, resolution_due FROM tickets"
    "  WHERE queue_id = :queue_id AND status = 'new' ORDER BY resolution_due LIMIT 50)"
    " UNION ALL"
    " (SELECT number, subject, status, priority, province_code, resolution_due FROM tickets"
    "  WHERE queue_id = :queue_id AND status = 'open' ORDER BY resolution_due LIMIT 50)"
    " UNION ALL"
    " (SELECT number, subject, status, priority, province_code, resolution_due FROM tickets"
    "  WHERE queue_id = :queue_id AND status = 'waiting_requester'"
    "  ORDER BY resolution_due LIMIT 50)"
    " UNION ALL"
    " (SELECT number, subject, status, priority, province_code, resolution_due FROM tickets"
    "  WHERE queue_id = :queue_id AND status = 'waiting_third_party'"
    "  ORDER BY resolution_due LIMIT 50)"
    ") AS open_tickets ORDER BY resolution_due LIMIT 50"
)
TICKET_SQL = text(
    "SELECT id, number, subject, description, status, priority, resolution_due FROM tickets"
    " WHERE number = :number"
)
MESSAGES_SQL = text(
    "SELECT body, created_at FROM messages WHERE ticket_id = :ticket_id AND NOT internal"
    " ORDER BY id"
)
COUNTER_SQL = text(
    "INSERT INTO ticket_counters (year, last) VALUES (:year, 1)"
    " ON CONFLICT (year) DO UPDATE SET last = ticket_counters.last + 1 RETURNING last"
)
TICKET_COLUMNS = (
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
    "created_at",
    "updated_at",
    "rating_comment",
    "search_text",
    "version",
)
SUGGESTIONS_SQL = (
    "SELECT slug, title, summary FROM articles a"
    " WHERE a.status = 'published' AND a.readers IN ('public', 'signed_in')"
    " AND (EXISTS (SELECT 1 FROM article_systems s WHERE s.article_id = a.id"
    "  AND s.system_code = :system)"
    "  OR NOT EXISTS (SELECT 1 FROM article_systems s WHERE s.article_id = a.id))"
    " AND (EXISTS (SELECT 1 FROM article_categories c WHERE c.article_id = a.id"
    "  AND c.category_code = :category)"
    "  OR NOT EXISTS (SELECT 1 FROM article_categories c WHERE c.article_id = a.id))"
    " AND ({words}) ORDER BY a.published_at DESC LIMIT 5"
)
EVENT_SQL = text(
    "INSERT INTO events (ticket_id, actor_id, kind, data, created_at)"
    " VALUES (:ticket_id, :actor_id, 'created', '{}', :created_at)"
)


def folded_words(subject: str) -> list[str]:
    """The subject's words of 3 letters or more, lower case, without diacritics."""
    plain = unicodedata.normalize("NFKD", subject.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return sorted({w for w in re.findall(r"\w+", plain) if len(w) >= 3})[:8]


def required_extras(url: str) -> dict:
    """Values for NOT NULL columns the baseline does not name (added after it was written)."""
    from bench import schema

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return schema.extra_values(conn, "tickets", list(TICKET_COLUMNS))


def create_app(url: str | None = None) -> Flask:
    url = url or os.environ["BASELINE_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    engine = create_engine(url, pool_size=5, max_overflow=5)
    extras = required_extras(url)
    columns = (*TICKET_COLUMNS, *extras)
    insert_ticket = text(
        f"INSERT INTO tickets ({', '.join(columns)}) VALUES"  # noqa: S608 - our own names
        f" ({', '.join(':' + c for c in columns)}) RETURNING id"
    )
    app = Flask(__name__)

    @app.get("/queue/<int:queue_id>")
    def queue(queue_id: int):
        with engine.connect() as conn:
            rows = conn.execute(QUEUE_SQL, {"queue_id": queue_id}).all()
        return render_template_string(QUEUE_PAGE, rows=rows)

    @app.get("/ticket/<number>")
    def ticket(number: str):
        with engine.connect() as conn:
            row = conn.execute(TICKET_SQL, {"number": number}).first()
            if row is None:
                abort(404)
            messages = conn.execute(MESSAGES_SQL, {"ticket_id": row.id}).all()
        return render_template_string(TICKET_PAGE, t=row, messages=messages)

    @app.get("/suggestions")
    def suggestions():
        words = folded_words(request.args.get("subject", ""))
        if not words:
            return jsonify({"articles": [], "incidents": []})
        matches = " OR ".join(f"a.search_text LIKE :w{n}" for n in range(len(words)))
        values = {f"w{n}": f"%{word}%" for n, word in enumerate(words)}
        with engine.connect() as conn:
            rows = conn.execute(
                text(SUGGESTIONS_SQL.format(words=matches)),
                {"system": request.args["system"], "category": request.args["category"], **values},
            ).all()
        articles = [
            {"slug": r.slug, "title": r.title, "summary": r.summary, "url": f"/help/{r.slug}"}
            for r in rows
        ]
        return jsonify({"articles": articles, "incidents": []})

    @app.post("/tickets")
    def file_ticket():
        form = request.form
        now = datetime.now(UTC)
        subject, description = form.get("subject", ""), form.get("description", "")
        requester_id = int(form["requester_id"])
        with engine.begin() as conn:
            last = conn.execute(COUNTER_SQL, {"year": now.astimezone(TIMEZONE).year}).scalar()
            number = f"HT-{now.astimezone(TIMEZONE).year}-{last:06d}"
            values = {
                "number": number,
                "subject": subject,
                "description": description,
                "system_code": form["system"],
                "category_code": form["category"],
                "province_code": form["province"],
                "unit": form.get("unit", ""),
                "dossier_code": "",
                "procedure_code": "",
                "priority": int(form["priority"]),
                "status": "new",
                "requester_id": requester_id,
                "queue_id": int(form["queue_id"]),
                "created_at": now,
                "updated_at": now,
                "rating_comment": "",
                "search_text": f"{number} {subject} {description}".lower(),
                "version": 1,
                **extras,
            }
            ticket_id = conn.execute(insert_ticket, values).scalar()
            conn.execute(
                EVENT_SQL, {"ticket_id": ticket_id, "actor_id": requester_id, "created_at": now}
            )
        return number, 201

    return app
