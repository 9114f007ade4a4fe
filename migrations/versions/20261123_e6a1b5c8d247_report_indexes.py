"""report indexes: what the observers' dashboard aggregates over

Revision ID: e6a1b5c8d247
Revises: 3b8e2f6a1c90
Create Date: 2026-11-23 19:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e6a1b5c8d247"
down_revision = "3b8e2f6a1c90"
branch_labels = None
depends_on = None


# What the reports aggregate; PostgreSQL keeps them in the created_at index (SQLite ignores
# INCLUDE and keeps a plain index on created_at).
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
    # A year of tickets is aggregated by an index-only scan instead of a heap visit per ticket.
    op.drop_index("ix_tickets_created_at", table_name="tickets")
    op.create_index(
        "ix_tickets_created_at",
        "tickets",
        ["created_at"],
        unique=False,
        postgresql_include=REPORTED,
    )


def downgrade():
    op.drop_index("ix_tickets_created_at", table_name="tickets")
    op.create_index("ix_tickets_created_at", "tickets", ["created_at"], unique=False)
