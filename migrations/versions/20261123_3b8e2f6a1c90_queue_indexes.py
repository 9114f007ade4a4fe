"""queue indexes: what the agent queue and search filter and sort on

Revision ID: 3b8e2f6a1c90
Revises: 5d1e7c9b3f42
Create Date: 2026-11-23 19:10:00

Open tickets of a queue, and of an assignee, in the queue's order (deadline, priority, id):
the queue page reads each visible queue through the first and stops at the page's end.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3b8e2f6a1c90"
down_revision = "5d1e7c9b3f42"
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('new', 'open', 'waiting_requester', 'waiting_third_party')")


def upgrade():
    op.create_index(
        "ix_tickets_open_queue_id_resolution_due",
        "tickets",
        ["queue_id", "resolution_due", "priority", "id"],
        postgresql_include=["province_code", "assignee_id"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    op.create_index(
        "ix_tickets_open_assignee_id_resolution_due",
        "tickets",
        ["assignee_id", "resolution_due", "priority", "id"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )


def downgrade():
    op.drop_index("ix_tickets_open_assignee_id_resolution_due", table_name="tickets")
    op.drop_index("ix_tickets_open_queue_id_resolution_due", table_name="tickets")
