"""report indexes: what the observers' dashboard aggregates over

Revision ID: e6a1b5c8d247
Revises: 9c4d7e1f2a35
Create Date: 2026-11-23 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e6a1b5c8d247"
down_revision = "9c4d7e1f2a35"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
