"""incidents: a ticket's kind, an incident's provinces, outcome and expected time

A ticket is an official's problem or an incident (one fault many tickets report, attached to it
by `parent_id`). An incident may be limited to some provinces and says when the repair is
expected; a resolved ticket keeps the outcome its requester was told. Tickets already serving
as another's parent become incidents.

Revision ID: b8d2f4a61c07
Revises: a56b7c3904a8
Create Date: 2026-12-07 17:45:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b8d2f4a61c07"
down_revision = "a56b7c3904a8"
branch_labels = None
depends_on = None

OPEN_INCIDENT = (
    "kind = 'incident' AND status IN ('new', 'open', 'waiting_requester', 'waiting_third_party')"
)


def upgrade():
    # Added one by one, not as a batch: on SQLite a batch copies `tickets`, and the copy's drop
    # cascades to its messages.
    op.add_column(
        "tickets", sa.Column("kind", sa.String(length=16), server_default="ticket", nullable=False)
    )
    op.add_column("tickets", sa.Column("resolution", sa.Text(), server_default="", nullable=False))
    op.add_column("tickets", sa.Column("expected_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_tickets_open_incidents",
        "tickets",
        ["system_code", "id"],
        postgresql_where=sa.text(OPEN_INCIDENT),
        sqlite_where=sa.text(OPEN_INCIDENT),
    )
    op.create_table(
        "incident_provinces",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["provinces.code"],
            name=op.f("fk_incident_provinces_province_code_provinces"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_incident_provinces_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ticket_id", "province_code", name=op.f("pk_incident_provinces")),
    )
    op.execute(
        "UPDATE tickets SET kind = 'incident' WHERE id IN "
        "(SELECT parent_id FROM tickets WHERE parent_id IS NOT NULL)"
    )


def downgrade():
    op.drop_table("incident_provinces")
    op.drop_index("ix_tickets_open_incidents", table_name="tickets")
    op.drop_column("tickets", "expected_at")
    op.drop_column("tickets", "resolution")
    op.drop_column("tickets", "kind")
