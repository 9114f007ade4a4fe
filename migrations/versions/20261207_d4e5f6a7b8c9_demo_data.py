"""users.demo, tickets.demo: the demo data of `make run` (`flask user demo`) is marked

The embedded default's demo creates a few agents, a supervisor and a few dozen tickets so that
a newcomer sees a working desk; each such row says so, and the pages show a banner while any
demo ticket exists.

Revision ID: d4e5f6a7b8c9
Revises: 8b3f2d6e1c57
Create Date: 2026-12-07 10:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d4e5f6a7b8c9"
down_revision = "8b3f2d6e1c57"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, no batch: on SQLite a batch would copy `tickets` into a new table and lose
# its triggers (the workloads' counts, migration e7c4f5a6b8d9). A literal default ("0", read as
# false by both databases) keeps ADD COLUMN an ALTER; DROP COLUMN is SQLite's since 3.35.


def upgrade():
    for table in ("users", "tickets"):
        op.add_column(table, sa.Column("demo", sa.Boolean(), nullable=False, server_default="0"))
    op.create_index(
        "ix_tickets_demo",
        "tickets",
        ["id"],
        postgresql_where=sa.text("demo"),
        sqlite_where=sa.text("demo"),
    )


def downgrade():
    op.drop_index("ix_tickets_demo", table_name="tickets")
    for table in ("tickets", "users"):
        op.drop_column(table, "demo")
