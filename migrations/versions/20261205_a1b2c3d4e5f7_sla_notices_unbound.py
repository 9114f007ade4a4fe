"""sla_notices: no foreign key to tickets; the sweep notes what is due, the announcing job claims

The minutely sweep now only moves the due timers into notices (a thousand in two statements);
the announcing job claims each notice's deadline (sets the ticket's marker if the deadline still
runs) and writes its event and mail. A foreign key cost the sweep a locking lookup of the ticket
per notice, more than the rest of its work. The claim reads the ticket anyway: a notice whose
ticket is gone claims nothing and is dropped with the stale ones.

Revision ID: a1b2c3d4e5f7
Revises: f8d5a6b7c9e0
Create Date: 2026-12-05 00:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "a1b2c3d4e5f7"
down_revision = "f8d5a6b7c9e0"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_sla_notices_ticket_id_tickets"


def upgrade():
    with op.batch_alter_table("sla_notices") as batch:
        batch.drop_constraint(FOREIGN_KEY, type_="foreignkey")


def downgrade():
    op.execute("DELETE FROM sla_notices WHERE ticket_id NOT IN (SELECT id FROM tickets)")
    with op.batch_alter_table("sla_notices") as batch:
        batch.create_foreign_key(FOREIGN_KEY, "tickets", ["ticket_id"], ["id"], ondelete="CASCADE")
