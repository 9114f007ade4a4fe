"""queue indexes: what the agent queue and search filter and sort on

Revision ID: 3b8e2f6a1c90
Revises: 5d1e7c9b3f42
Create Date: 2026-11-23 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "3b8e2f6a1c90"
down_revision = "5d1e7c9b3f42"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
