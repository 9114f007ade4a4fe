"""ticket search: full-text vectors and indexes on PostgreSQL, replacing the trigram indexes

Revision ID: b4f1c2d3e5a6
Revises: 7d2b9e4a6c58
Create Date: 2026-12-04 16:00:00

PostgreSQL matches a search's words whole through GIN indexes over a 'simple' text-search vector
of the folded text (`search_text`, hyphens split): a generated column on tickets, indexed with
the queue (btree_gin) for the open tickets the agent queue lists; an expression index on
messages. SQLite keeps its substring scan of `search_text`. The column and the indexes are
PostgreSQL-only and not in the models: their names end in `_tsv` (migrations/env.py).

The column rewrites tickets once (about a minute and a half for 1 000 000 tickets).
CREATE EXTENSION btree_gin needs a role that may create it (the database owner: it is trusted).
"""

from alembic import op

revision = "b4f1c2d3e5a6"
down_revision = "7d2b9e4a6c58"
branch_labels = None
depends_on = None

OPEN = "('new', 'open', 'waiting_requester', 'waiting_third_party')"
# helpdesk/tickets/services/listing.py spells the same expressions.
VECTOR = "strip(to_tsvector('simple'::regconfig, translate(search_text, '-', ' ')))"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # Replaced: a substring's trigrams are common in Vietnamese without diacritics, and an OR
    # with the messages kept the queue's own order from being used.
    op.execute("DROP INDEX IF EXISTS ix_tickets_search_text_trgm")
    op.execute("DROP INDEX IF EXISTS ix_messages_search_text_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute(
        f"ALTER TABLE tickets ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS ({VECTOR}) STORED"
    )
    op.execute(
        "CREATE INDEX ix_tickets_open_queue_id_search_tsv ON tickets"
        f" USING gin (queue_id, search_tsv) WHERE status IN {OPEN}"
    )
    op.execute(f"CREATE INDEX ix_messages_search_tsv ON messages USING gin (({VECTOR}))")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_messages_search_tsv")
    op.execute("DROP INDEX IF EXISTS ix_tickets_open_queue_id_search_tsv")
    op.execute("ALTER TABLE tickets DROP COLUMN IF EXISTS search_tsv")
    op.execute(
        "CREATE INDEX ix_tickets_search_text_trgm ON tickets USING gin (search_text gin_trgm_ops)"
    )
    op.execute(
        "CREATE INDEX ix_messages_search_text_trgm ON messages USING gin (search_text gin_trgm_ops)"
    )
