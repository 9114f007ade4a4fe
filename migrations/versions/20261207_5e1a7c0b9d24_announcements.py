"""announcements: short notices admins post on the home page

Revision ID: 5e1a7c0b9d24
Revises: e5f1a7c3b9d2
Create Date: 2026-12-07 00:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e1a7c0b9d24"
down_revision = "e5f1a7c3b9d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_announcements_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    with op.batch_alter_table("announcements") as batch:
        batch.create_index(batch.f("ix_announcements_ends_at"), ["ends_at"], unique=False)


def downgrade():
    with op.batch_alter_table("announcements") as batch:
        batch.drop_index(batch.f("ix_announcements_ends_at"))
    op.drop_table("announcements")
