"""channels: inbound mail by Message-ID, where a ticket was filed from, calls

`inbound_mail` records every inbound message in the transaction that takes it in (fetching it
twice adds it once); tickets gain `source` (web, api, email, phone), the number to call back
and the staff who filed a call.

Revision ID: c6e1a9d4b372
Revises: b4d7e2c91a05
Create Date: 2026-12-08 01:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c6e1a9d4b372"
down_revision = "b4d7e2c91a05"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inbound_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("raw_sha256", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_inbound_mail_ticket_id_tickets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_inbound_mail_reviewed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_mail")),
        sa.UniqueConstraint("key", name=op.f("uq_inbound_mail_key")),
    )
    op.create_index(
        "ix_inbound_mail_outcome_received_at", "inbound_mail", ["outcome", "received_at"]
    )
    # Plain ALTER TABLE on tickets, no batch (its triggers stay): see f1a2b3c4d5e6.
    op.add_column(
        "tickets", sa.Column("source", sa.String(16), nullable=False, server_default="web")
    )
    op.add_column(
        "tickets", sa.Column("callback_phone", sa.String(20), nullable=False, server_default="")
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE tickets ADD COLUMN filed_by_id INTEGER"
            " CONSTRAINT fk_tickets_filed_by_id_users REFERENCES users (id)"
        )
    else:
        op.add_column("tickets", sa.Column("filed_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_tickets_filed_by_id_users"), "tickets", "users", ["filed_by_id"], ["id"]
        )


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_tickets_filed_by_id_users"), "tickets", type_="foreignkey")
    for column in ("filed_by_id", "callback_phone", "source"):
        op.drop_column("tickets", column)
    op.drop_index("ix_inbound_mail_outcome_received_at", table_name="inbound_mail")
    op.drop_table("inbound_mail")
