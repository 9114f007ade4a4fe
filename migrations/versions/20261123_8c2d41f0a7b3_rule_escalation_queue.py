"""rule escalation queue

A routing rule may name the ticket's next queue when it is escalated (its escalation path);
without one the queue's own escalation queue applies.

Revision ID: 8c2d41f0a7b3
Revises: 41b4e7aa0f70
Create Date: 2026-11-23 16:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8c2d41f0a7b3"
down_revision = "41b4e7aa0f70"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalation_queue_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_rules_escalation_queue_id_queues"),
            "queues",
            ["escalation_queue_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("rules", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_rules_escalation_queue_id_queues"), type_="foreignkey"
        )
        batch_op.drop_column("escalation_queue_id")
