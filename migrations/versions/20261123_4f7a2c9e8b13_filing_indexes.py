"""filing indexes: what filing and auto-assignment read

Revision ID: 4f7a2c9e8b13
Revises: e6a1b5c8d247
Create Date: 2026-11-23 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "4f7a2c9e8b13"
down_revision = "e6a1b5c8d247"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
