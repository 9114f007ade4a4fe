"""registration_digests: when each approver was last mailed the waiting registrations

Revision ID: 8b3f2d6e1c57
Revises: 5e1a7c0b9d24
Create Date: 2026-12-07 00:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8b3f2d6e1c57"
down_revision = "5e1a7c0b9d24"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "registration_digests",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_registration_digests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_registration_digests")),
    )


def downgrade():
    op.drop_table("registration_digests")
