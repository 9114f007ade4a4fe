"""sla_notices: deadlines reached, waiting for their events and mail; tickets updated in place

The minutely sweep used to claim the due deadlines, write their events and build their mail
in one transaction: at a thousand due tickets most of its time went to the mail, while it held
the locks of those tickets. It now records what it claimed in `sla_notices` in the claiming
transaction, and a job of its own writes the events and the mail from there and deletes the
notices in its transaction: nothing is lost between the two, nothing told twice.

The created_at index no longer carries the reported columns: the dashboard reads its summary
tables (report_cells, report_places) and only the partial months at its ends read tickets.
Those columns (status aside) change as a ticket is worked; in an index they made every such
update write all of the table's indexes. With them gone and room left on each page
(fillfactor 80, PostgreSQL), an update that changes no indexed column (an SLA marker, a
rating, an answer's time) stays on its page and writes no index.

Revision ID: f8d5a6b7c9e0
Revises: e7c4f5a6b8d9
Create Date: 2026-12-04 20:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f8d5a6b7c9e0"
down_revision = "e7c4f5a6b8d9"
branch_labels = None
depends_on = None

REPORTED = [
    "status",
    "system_code",
    "province_code",
    "category_code",
    "first_responded_at",
    "first_response_due",
    "resolved_at",
    "first_response_breached_at",
    "resolution_breached_at",
    "rating",
]


def upgrade():
    op.create_table(
        "sla_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=8), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_sla_notices_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_notices")),
    )
    op.drop_index("ix_tickets_created_at", table_name="tickets")
    op.create_index("ix_tickets_created_at", "tickets", ["created_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE tickets SET (fillfactor = 80)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE tickets RESET (fillfactor)")
    op.drop_index("ix_tickets_created_at", table_name="tickets")
    op.create_index(
        "ix_tickets_created_at",
        "tickets",
        ["created_at"],
        unique=False,
        postgresql_include=REPORTED,
    )
    op.drop_table("sla_notices")
