"""requests with a due date; digests' opt-out; the figures leave the requests' tickets out

A request asks chosen provinces for something by a date (`info_requests`); each province
answers in a ticket of kind `request` that names it (`tickets.request_id`). Those tickets are
not officials' problems: the report cells leave them out as they leave the incidents out (the
triggers of fdbc23184835, now counting tickets of kind `ticket` only), and a partial index
lets the figures find their ids without reading the tickets. Observers may be let to send
requests (`users.sends_requests`); anyone may decline the weekly and monthly digests
(`users.digest_opt_out`).

Revision ID: a3c9e1f27b54
Revises: fdbc23184835
Create Date: 2026-12-07 20:40:00

"""

import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a3c9e1f27b54"
down_revision = "fdbc23184835"
branch_labels = None
depends_on = None

REQUEST = "kind = 'request'"


def cells_migration():
    """fdbc23184835, whose count() rewrites the cells' triggers and fills the cells again."""
    path = Path(__file__).with_name("20261207_fdbc23184835_report_cells_without_incidents.py")
    spec = importlib.util.spec_from_file_location("report_cells_without_incidents", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    op.create_table(
        "info_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("system_code", sa.String(length=16), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("template_filename", sa.String(length=200), server_default="", nullable=False),
        sa.Column("template_sha256", sa.String(length=64), server_default="", nullable=False),
        sa.Column(
            "template_content_type", sa.String(length=100), server_default="", nullable=False
        ),
        sa.Column("template_size", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["users.id"], name=op.f("fk_info_requests_sender_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["system_code"], ["systems.code"], name=op.f("fk_info_requests_system_code_systems")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_info_requests")),
        sa.UniqueConstraint("number", name=op.f("uq_info_requests_number")),
    )
    op.create_index(op.f("ix_info_requests_sender_id"), "info_requests", ["sender_id"])
    op.create_index(op.f("ix_info_requests_created_at"), "info_requests", ["created_at"])
    # Plain ALTER TABLE on tickets, no batch (its triggers stay): see f1a2b3c4d5e6.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE tickets ADD COLUMN request_id INTEGER"
            " CONSTRAINT fk_tickets_request_id_info_requests REFERENCES info_requests (id)"
        )
    else:
        op.add_column("tickets", sa.Column("request_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_tickets_request_id_info_requests"),
            "tickets",
            "info_requests",
            ["request_id"],
            ["id"],
        )
    op.create_index(op.f("ix_tickets_request_id"), "tickets", ["request_id"])
    op.create_index(
        "ix_tickets_requests_created_at",
        "tickets",
        ["created_at"],
        postgresql_where=sa.text(REQUEST),
        sqlite_where=sa.text(REQUEST),
    )
    for column in ("sends_requests", "digest_opt_out"):
        op.add_column(
            "users", sa.Column(column, sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    cells_migration().count("t.kind = 'ticket'")


def downgrade():
    cells_migration().count("t.kind <> 'incident'")
    for column in ("digest_opt_out", "sends_requests"):
        op.drop_column("users", column)
    op.drop_index("ix_tickets_requests_created_at", table_name="tickets")
    op.drop_index(op.f("ix_tickets_request_id"), table_name="tickets")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(
            op.f("fk_tickets_request_id_info_requests"), "tickets", type_="foreignkey"
        )
    op.drop_column("tickets", "request_id")
    op.drop_table("info_requests")
