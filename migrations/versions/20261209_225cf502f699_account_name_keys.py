"""account name keys: an account's full name as the hotline searches it

Staff who take a call find the official by name whatever the diacritics typed ("nguyen van an"
finds "Nguyễn Văn An"): users gain `name_key`, the full name lower-case without diacritics,
kept by the model whenever the name is set; existing accounts get theirs here.

Revision ID: 225cf502f699
Revises: c6e1a9d4b372
Create Date: 2026-12-09 00:00:00

"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "225cf502f699"
down_revision = "c6e1a9d4b372"
branch_labels = None
depends_on = None

BATCH = 1000


def _fold(name: str) -> str:
    """helpdesk.text.fold as it was when this migration was written."""
    name = name.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped.lower()).strip()[:120]


def upgrade():
    op.add_column(
        "users", sa.Column("name_key", sa.String(length=120), nullable=False, server_default="")
    )
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("full_name", sa.String))
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(users.c.id, users.c.full_name)
            .where(users.c.id > last)
            .order_by(users.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            sa.text("UPDATE users SET name_key = :key WHERE id = :id"),
            [{"key": _fold(name or ""), "id": user_id} for user_id, name in rows],
        )
        last = rows[-1][0]


def downgrade():
    op.drop_column("users", "name_key")
