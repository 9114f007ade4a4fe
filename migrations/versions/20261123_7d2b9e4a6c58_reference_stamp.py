"""reference stamp: one row whose token every change to reference data rewrites

Revision ID: 7d2b9e4a6c58
Revises: e6a1b5c8d247
Create Date: 2026-11-23 19:10:00

"""

import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7d2b9e4a6c58"
down_revision = "e6a1b5c8d247"
branch_labels = None
depends_on = None


def upgrade():
    stamp = op.create_table(
        "reference_stamp",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_stamp")),
    )
    op.bulk_insert(stamp, [{"id": 1, "token": uuid.uuid4().hex}])


def downgrade():
    op.drop_table("reference_stamp")
