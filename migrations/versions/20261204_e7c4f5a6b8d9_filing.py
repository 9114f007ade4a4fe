"""workloads: each person's open assigned tickets, kept by triggers on tickets

Choosing an assignee counted every open ticket of every member of the queue (thousands a
member at a million tickets, read through the heap when the visibility map lags): tens of
milliseconds a filing. The count is now kept in `workloads`, one row per person, by triggers on
tickets, so that every writer (the app, bulk loads, a psql session) keeps it exact.

PostgreSQL: statement-level triggers with transition tables (one UPDATE of a few rows per
statement, however many tickets it writes), enabled ALWAYS so that a load with
session_replication_role = replica counts too. Counts go up by upsert and down by UPDATE
only, so emptying the tables in any order leaves no stray row. SQLite: row-level triggers.

The open statuses are written out here as tickets.models.OPEN_STATUSES has them: a change
there needs a migration that replaces these triggers. On SQLite, a batch migration that copies
the tickets table drops its triggers: such a migration must create them again.

Revision ID: e7c4f5a6b8d9
Revises: c5a2d3e4f6b7
Create Date: 2026-12-04 16:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e7c4f5a6b8d9"
down_revision = "c5a2d3e4f6b7"
branch_labels = None
depends_on = None

OPEN = "('new', 'open', 'waiting_requester', 'waiting_third_party')"

# The net change per person, by the tickets a statement wrote (its transition tables).
CHANGES = {
    "INSERT": f"""SELECT assignee_id AS user_id, count(*) AS delta FROM new_tickets
        WHERE assignee_id IS NOT NULL AND status IN {OPEN} GROUP BY assignee_id""",
    "DELETE": f"""SELECT assignee_id AS user_id, -count(*) AS delta FROM old_tickets
        WHERE assignee_id IS NOT NULL AND status IN {OPEN} GROUP BY assignee_id""",
    "UPDATE": f"""SELECT user_id, sum(delta) AS delta FROM (
            SELECT assignee_id AS user_id, 1 AS delta FROM new_tickets
            WHERE assignee_id IS NOT NULL AND status IN {OPEN}
            UNION ALL
            SELECT assignee_id, -1 FROM old_tickets
            WHERE assignee_id IS NOT NULL AND status IN {OPEN}
        ) AS moves GROUP BY user_id HAVING sum(delta) <> 0""",
}
# Up by upsert, down by UPDATE, in the order of user_id (writers lock rows alike); a statement
# that moves no open ticket (a reply, a priority change) writes nothing.
APPLY = """WITH changes AS ({changes}),
    raised AS (
        INSERT INTO workloads AS w (user_id, open_tickets)
        SELECT user_id, delta FROM changes WHERE delta > 0 ORDER BY user_id
        ON CONFLICT (user_id) DO UPDATE SET open_tickets = w.open_tickets + excluded.open_tickets
    )
    UPDATE workloads AS w SET open_tickets = w.open_tickets + changes.delta
    FROM changes WHERE changes.delta < 0 AND w.user_id = changes.user_id"""

POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION workloads_follow_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {APPLY.format(changes=CHANGES["INSERT"])};
    ELSIF TG_OP = 'UPDATE' THEN
        {APPLY.format(changes=CHANGES["UPDATE"])};
    ELSE
        {APPLY.format(changes=CHANGES["DELETE"])};
    END IF;
    RETURN NULL;
END
$$
"""

POSTGRESQL_TRIGGERS = {
    "INSERT": "REFERENCING NEW TABLE AS new_tickets",
    "UPDATE": "REFERENCING OLD TABLE AS old_tickets NEW TABLE AS new_tickets",
    "DELETE": "REFERENCING OLD TABLE AS old_tickets",
}

SQLITE_TRIGGERS = {
    "workloads_after_insert": f"""
        AFTER INSERT ON tickets
        WHEN NEW.assignee_id IS NOT NULL AND NEW.status IN {OPEN}
        BEGIN
            INSERT INTO workloads (user_id, open_tickets) VALUES (NEW.assignee_id, 1)
            ON CONFLICT (user_id) DO UPDATE SET open_tickets = open_tickets + 1;
        END""",
    "workloads_after_update": f"""
        AFTER UPDATE OF assignee_id, status ON tickets
        BEGIN
            UPDATE workloads SET open_tickets = open_tickets - 1
            WHERE user_id = OLD.assignee_id AND OLD.status IN {OPEN};
            INSERT INTO workloads (user_id, open_tickets)
            SELECT NEW.assignee_id, 1 WHERE NEW.assignee_id IS NOT NULL AND NEW.status IN {OPEN}
            ON CONFLICT (user_id) DO UPDATE SET open_tickets = open_tickets + 1;
        END""",
    "workloads_after_delete": f"""
        AFTER DELETE ON tickets
        WHEN OLD.assignee_id IS NOT NULL AND OLD.status IN {OPEN}
        BEGIN
            UPDATE workloads SET open_tickets = open_tickets - 1 WHERE user_id = OLD.assignee_id;
        END""",
}


def upgrade():
    op.create_table(
        "workloads",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("open_tickets", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_workloads_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_workloads")),
    )
    # The counts as they stand (one pass over the open tickets' partial index).
    op.execute(
        f"INSERT INTO workloads (user_id, open_tickets) SELECT assignee_id, count(*) FROM tickets "
        f"WHERE assignee_id IS NOT NULL AND status IN {OPEN} GROUP BY assignee_id"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        for event, referencing in POSTGRESQL_TRIGGERS.items():
            name = f"workloads_after_{event.lower()}"
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON tickets {referencing} "
                "FOR EACH STATEMENT EXECUTE FUNCTION workloads_follow_tickets()"
            )
            op.execute(f"ALTER TABLE tickets ENABLE ALWAYS TRIGGER {name}")
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for event in POSTGRESQL_TRIGGERS:
            op.execute(f"DROP TRIGGER workloads_after_{event.lower()} ON tickets")
        op.execute("DROP FUNCTION workloads_follow_tickets()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("workloads")
