"""ticket search in every status: a full-text index over every ticket on PostgreSQL

Revision ID: e5f1a7c3b9d2
Revises: c3d9e1f2a4b6
Create Date: 2026-12-07 11:00:00

The queue's search looks in every status when words are typed (a closed ticket is found by its
words and its number). The ticket vector was indexed for the open tickets only
(ix_tickets_open_queue_id_search_tsv, which keeps serving the open queue's searches): without
this index a search in every status reads every ticket of each queue it covers. Same columns
as the open one (btree_gin), every ticket. PostgreSQL only, not in the models (name ends in
_tsv, migrations/env.py).
"""

from alembic import op

revision = "e5f1a7c3b9d2"
down_revision = "c3d9e1f2a4b6"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_tickets_queue_id_search_tsv ON tickets"
        " USING gin (queue_id, search_tsv)"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_tickets_queue_id_search_tsv")
