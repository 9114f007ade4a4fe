"""users.demo, tickets.demo: the demo data of `make run` (`flask user demo`) is marked

The embedded default's demo creates a few agents, a supervisor and a few dozen tickets so that
a newcomer sees a working desk; each such row says so, and the pages show a banner while any
demo ticket exists.

Revision ID: d4e5f6a7b8c9
Revises: c3d9e1f2a4b6
Create Date: 2026-12-07 10:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d4e5f6a7b8c9"
down_revision = "c3d9e1f2a4b6"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("users", "tickets"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false())
            )


def downgrade():
    for table in ("tickets", "users"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("demo")
