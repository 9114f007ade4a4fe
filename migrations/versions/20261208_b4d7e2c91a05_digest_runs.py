"""digest runs: the periods whose weekly or monthly digests were all queued

The periodic job that queues the digests runs every few minutes; once a period's digests are
all in the outbox it writes a row here, and from then on finding that row (one primary-key
probe) is all it does for that period. Each digest is sent once by its outbox key whatever
this table says.

Revision ID: b4d7e2c91a05
Revises: a3c9e1f27b54
Create Date: 2026-12-08 00:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b4d7e2c91a05"
down_revision = "a3c9e1f27b54"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "digest_runs",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "starts_on", name=op.f("pk_digest_runs")),
    )


def downgrade():
    op.drop_table("digest_runs")
