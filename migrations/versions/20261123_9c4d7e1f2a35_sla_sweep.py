"""sla sweep: what the set-based sweep of due timers reads

Revision ID: 9c4d7e1f2a35
Revises: 3b8e2f6a1c90
Create Date: 2026-11-23 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9c4d7e1f2a35"
down_revision = "3b8e2f6a1c90"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
