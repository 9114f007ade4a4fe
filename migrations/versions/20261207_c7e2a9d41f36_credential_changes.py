"""credential changes: why an API token was revoked; e-mail address changes that can be undone

A password change or reset revokes the account's API tokens; the tokens page says why each one
stopped working (`api_tokens.revoked_reason`, empty for tokens revoked before). A change of
e-mail address that took effect is kept in `email_changes`: the old address is mailed a link
that undoes it for a while, and the row records when it was undone (the link works once).

Revision ID: c7e2a9d41f36
Revises: a1b2c3d4e5f7
Create Date: 2026-12-07 00:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c7e2a9d41f36"
down_revision = "a1b2c3d4e5f7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("revoked_reason", sa.String(length=24), nullable=True))
    op.create_table(
        "email_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("old_email", sa.String(length=254), nullable=False),
        sa.Column("new_email", sa.String(length=254), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_email_changes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_changes")),
    )
    with op.batch_alter_table("email_changes") as batch:
        batch.create_index(batch.f("ix_email_changes_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("email_changes") as batch:
        batch.drop_index(batch.f("ix_email_changes_user_id"))
    op.drop_table("email_changes")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("revoked_reason")
