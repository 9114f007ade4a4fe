"""account flows

Adds what the account issue needs: a pending e-mail address, password and failed-login
dates, who created or rejected an account, and an index for the throttled-accounts page.

Revision ID: 41b4e7aa0f70
Revises: ed1cfad198c4
Create Date: 2026-11-23 16:08:15.417819

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "41b4e7aa0f70"
down_revision = "ed1cfad198c4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_email", sa.String(length=254), nullable=True))
        batch_op.add_column(
            sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("last_failed_login_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        # The admin page lists accounts throttled lately: WHERE throttled_until > ...
        batch_op.create_index(
            batch_op.f("ix_users_throttled_until"), ["throttled_until"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_users_created_by_id_users"), "users", ["created_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_created_by_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_users_throttled_until"))
        batch_op.drop_column("created_by_id")
        batch_op.drop_column("rejected_at")
        batch_op.drop_column("last_failed_login_at")
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("pending_email")
