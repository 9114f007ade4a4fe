"""sla timers: the pending warning and deadline timers of each ticket

One row per pending timer (ticket, first_response|resolution, warning|breach), indexed by the
instant it fires, so the minutely sweep reads only what is due.

Revision ID: 5d1e7c9b3f42
Revises: a7c3e9d41b20
Create Date: 2026-11-23 17:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5d1e7c9b3f42"
down_revision = "a7c3e9d41b20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sla_timers",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=8), nullable=False),
        sa.Column("fire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_sla_timers_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ticket_id", "kind", "stage", name=op.f("pk_sla_timers")),
    )
    with op.batch_alter_table("sla_timers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sla_timers_fire_at"), ["fire_at"], unique=False)


def downgrade():
    with op.batch_alter_table("sla_timers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sla_timers_fire_at"))
    op.drop_table("sla_timers")
