"""outbox claimers: which process holds a row it is sending

A send job records, with its claim, the process that holds the row (`host:pid`). When that
process is gone (killed, crashed), the sweep gives its rows back at once instead of after the
claim timeout.

Revision ID: 7f3b2a9c4d18
Revises: 225cf502f699
Create Date: 2026-12-10 00:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7f3b2a9c4d18"
down_revision = "225cf502f699"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("outbox", sa.Column("claimed_by", sa.String(length=120), nullable=True))


def downgrade():
    op.drop_column("outbox", "claimed_by")
