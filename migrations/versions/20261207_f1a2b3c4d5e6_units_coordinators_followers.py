"""units as records, observers bound to systems, followers, external references

Units gain the official code of a commune, ward or special zone (the 2025 list, loaded by
`flask seed`, which also matches the names officials wrote before to those records), a kind,
the ministry of a ministry unit, an active flag and the unit's choice that its members see all
of its tickets. Tickets point at their unit and may carry their number in another desk.
Observers may be bound to systems; tickets have followers.

Revision ID: f1a2b3c4d5e6
Revises: d4e5f6a7b8c9
Create Date: 2026-12-07 13:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f1a2b3c4d5e6"
down_revision = "d4e5f6a7b8c9"
branch_labels = None
depends_on = None


def _bare_key(key: str) -> str:
    """The key without "UBND"/"Ủy ban nhân dân" and the kind word, as models.Unit.bare_key_for
    gave it when this migration was written."""
    for prefixes in (("uy ban nhan dan", "ubnd"), ("dac khu", "thi tran", "phuong", "xa", "tt")):
        for prefix in prefixes:
            if key.startswith(prefix + " "):
                key = key[len(prefix) + 1 :]
                break
    return key


def upgrade():
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("code", sa.String(length=16), nullable=True))
        batch.add_column(
            sa.Column("bare_key", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="unlisted")
        )
        batch.add_column(
            sa.Column(
                "system_code",
                sa.String(length=16),
                sa.ForeignKey("systems.code", name="fk_units_system_code_systems"),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default="1"))
        batch.add_column(
            sa.Column("members_see_tickets", sa.Boolean(), nullable=False, server_default="0")
        )
        batch.create_unique_constraint(batch.f("uq_units_code"), ["code"])
        batch.drop_constraint(batch.f("uq_units_province_code_key"), type_="unique")
        batch.create_index("ix_units_province_code_bare_key", ["province_code", "bare_key"])
        batch.create_index(
            "uq_units_unlisted_key",
            ["province_code", "key"],
            unique=True,
            postgresql_where=sa.text("code IS NULL"),
            sqlite_where=sa.text("code IS NULL"),
        )
    units = sa.table("units", sa.column("id", sa.Integer), sa.column("key", sa.String))
    connection = op.get_bind()
    for unit_id, key in connection.execute(sa.select(units.c.id, units.c.key)).all():
        connection.execute(
            sa.text("UPDATE units SET bare_key = :bare WHERE id = :id"),
            {"bare": _bare_key(key), "id": unit_id},
        )
    # Plain ALTER TABLE on tickets, no batch: on SQLite a batch would copy the table and lose
    # its triggers (the workloads' counts, migration e7c4f5a6b8d9). SQLite takes the foreign key
    # only as a column constraint of ADD COLUMN, which Alembic does not write.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE tickets ADD COLUMN unit_id INTEGER"
            " CONSTRAINT fk_tickets_unit_id_units REFERENCES units (id)"
        )
    else:
        op.add_column("tickets", sa.Column("unit_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_tickets_unit_id_units"), "tickets", "units", ["unit_id"], ["id"]
        )
    op.add_column(
        "tickets",
        sa.Column("external_ref", sa.String(length=100), nullable=False, server_default=""),
    )
    op.create_index(op.f("ix_tickets_unit_id"), "tickets", ["unit_id"])
    op.create_table(
        "observer_systems",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("system_code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_observer_systems_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["system_code"], ["systems.code"], name=op.f("fk_observer_systems_system_code_systems")
        ),
        sa.PrimaryKeyConstraint("user_id", "system_code", name=op.f("pk_observer_systems")),
    )
    op.create_table(
        "ticket_followers",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_followers_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_ticket_followers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_ticket_followers_added_by_id_users")
        ),
        sa.PrimaryKeyConstraint("ticket_id", "user_id", name=op.f("pk_ticket_followers")),
    )
    op.create_index(op.f("ix_ticket_followers_user_id"), "ticket_followers", ["user_id"])


def downgrade():
    op.drop_index(op.f("ix_ticket_followers_user_id"), table_name="ticket_followers")
    op.drop_table("ticket_followers")
    op.drop_table("observer_systems")
    op.drop_index(op.f("ix_tickets_unit_id"), table_name="tickets")
    op.drop_column("tickets", "external_ref")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_tickets_unit_id_units"), "tickets", type_="foreignkey")
    op.drop_column("tickets", "unit_id")
    # Names were unique per province before: the official list (`flask seed`) has names that
    # share a key (Xã Văn Lăng, Xã Vạn Lăng). Accounts move to the first unit of their key, and
    # the units no account uses (the rest of the list) go.
    op.execute(
        "UPDATE users SET unit_id = (SELECT min(same.id) FROM units AS same "
        "JOIN units AS own ON own.province_code = same.province_code AND own.key = same.key "
        "WHERE own.id = users.unit_id) WHERE unit_id IS NOT NULL"
    )
    op.execute(
        "DELETE FROM units WHERE id NOT IN (SELECT unit_id FROM users WHERE unit_id IS NOT NULL)"
    )
    with op.batch_alter_table("units") as batch:
        batch.drop_constraint(batch.f("fk_units_system_code_systems"), type_="foreignkey")
        batch.drop_constraint(batch.f("uq_units_code"), type_="unique")
        batch.drop_index("uq_units_unlisted_key")
        batch.drop_index("ix_units_province_code_bare_key")
        batch.create_unique_constraint(
            batch.f("uq_units_province_code_key"), ["province_code", "key"]
        )
        for column in ("members_see_tickets", "active", "system_code", "kind", "bare_key", "code"):
            batch.drop_column(column)
