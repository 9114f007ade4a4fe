"""reference stamp: a counter bumped by every change to reference data

Revision ID: 7d2b9e4a6c58
Revises: 4f7a2c9e8b13
Create Date: 2026-11-23 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7d2b9e4a6c58"
down_revision = "4f7a2c9e8b13"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
