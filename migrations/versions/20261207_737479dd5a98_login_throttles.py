"""login_throttles: failed logins counted per login name, known or not

Failed logins were counted on the account, so only names that have an account were ever
slowed down: an attacker could tell a real account by its delay. They are now counted per
login name (a digest keyed with SECRET_KEY), with the account's id when the name has one,
and the three columns on users go. The counts in force are not carried over: the digest
needs the app's secret, and a count is forgotten within a day anyway.

Revision ID: 737479dd5a98
Revises: c7e2a9d41f36
Create Date: 2026-12-07 00:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "737479dd5a98"
down_revision = "c7e2a9d41f36"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("throttled_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_login_throttles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )
    with op.batch_alter_table("login_throttles") as batch:
        batch.create_index(batch.f("ix_login_throttles_user_id"), ["user_id"], unique=False)
        batch.create_index(
            batch.f("ix_login_throttles_last_failed_at"), ["last_failed_at"], unique=False
        )
        batch.create_index(
            batch.f("ix_login_throttles_throttled_until"), ["throttled_until"], unique=False
        )
    with op.batch_alter_table("users") as batch:
        batch.drop_index(batch.f("ix_users_throttled_until"))
        batch.drop_column("last_failed_login_at")
        batch.drop_column("throttled_until")
        batch.drop_column("failed_logins")


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("throttled_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("last_failed_login_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.create_index(batch.f("ix_users_throttled_until"), ["throttled_until"], unique=False)
    op.drop_table("login_throttles")
