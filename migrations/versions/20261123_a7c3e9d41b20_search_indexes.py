"""search indexes: trigram indexes for diacritic-free substring search on PostgreSQL

Revision ID: a7c3e9d41b20
Revises: 8c2d41f0a7b3
Create Date: 2026-11-23 16:30:00

SQLite scans the folded columns; PostgreSQL answers `LIKE '%term%'` from GIN trigram indexes.
CREATE EXTENSION needs a role that may create it (the database owner on PostgreSQL 13+).
"""

from alembic import op

revision = "a7c3e9d41b20"
down_revision = "8c2d41f0a7b3"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE INDEX ix_tickets_search_text_trgm ON tickets USING gin (search_text gin_trgm_ops)"
    )
    op.execute(
        "CREATE INDEX ix_messages_search_text_trgm ON messages USING gin (search_text gin_trgm_ops)"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_messages_search_text_trgm")
    op.execute("DROP INDEX IF EXISTS ix_tickets_search_text_trgm")
