"""memberships.all_provinces: covering every province is a stated choice, never an absence

A membership without coverage rows meant "every province", so an agent enrolled with
`flask user create --role agent --province 79 --queue moj-it` read every province's tickets.
Now a membership covers the provinces listed, or every province when `all_provinces` is true;
neither covers nothing (only the tickets assigned to the person).

Existing memberships without coverage rows keep what they saw (`all_provinces` true), except
those of an agent account with a province on its profile: they get a coverage row for that
province, which is what `--province` on the command line meant.

Revision ID: c3d9e1f2a4b6
Revises: 737479dd5a98
Create Date: 2026-12-07 00:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c3d9e1f2a4b6"
down_revision = "737479dd5a98"
branch_labels = None
depends_on = None

memberships = sa.table(
    "memberships",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("all_provinces", sa.Boolean),
)
coverage = sa.table(
    "membership_provinces",
    sa.column("membership_id", sa.Integer),
    sa.column("province_code", sa.String),
)
users = sa.table(
    "users",
    sa.column("id", sa.Integer),
    sa.column("role", sa.String),
    sa.column("province_code", sa.String),
)


def uncovered():
    return ~sa.exists().where(coverage.c.membership_id == memberships.c.id)


def upgrade():
    # A constant default ('0' reads false on both databases): with an expression, SQLite would
    # copy the table, and dropping the old one would cascade to the coverage rows.
    with op.batch_alter_table("memberships") as batch:
        batch.add_column(
            sa.Column("all_provinces", sa.Boolean(), server_default="0", nullable=False)
        )
    agents_of_a_province = (
        sa.select(memberships.c.id, users.c.province_code)
        .join(users, users.c.id == memberships.c.user_id)
        .where(users.c.role == "agent", users.c.province_code.is_not(None), uncovered())
    )
    op.execute(
        coverage.insert().from_select(["membership_id", "province_code"], agents_of_a_province)
    )
    op.execute(memberships.update().where(uncovered()).values(all_provinces=sa.true()))


def downgrade():
    # Without the flag, a membership without rows covers every province: those that covered
    # nothing go, rather than open up.
    op.execute(memberships.delete().where(memberships.c.all_provinces == sa.false(), uncovered()))
    # SQLite copies the table to drop a column, and dropping the old one cascades to the
    # coverage rows: they are kept aside and put back.
    kept = [dict(row._mapping) for row in op.get_bind().execute(sa.select(coverage))]
    op.execute(coverage.delete())
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("all_provinces")
    if kept:
        op.bulk_insert(coverage, kept)
