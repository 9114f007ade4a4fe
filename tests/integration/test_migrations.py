"""The schema comes from the migrations, on both databases, and matches the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                # the search indexes and vector are PostgreSQL-only and hand-written
                "include_object": lambda obj, name, type_, *_: (
                    not (name or "").endswith(("_trgm", "_tsv"))
                ),
            },
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_downgrade_to_empty_and_upgrade_again(tmp_path, make_app):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from helpdesk.extensions import db

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.sqlite3'}")
    with app.app_context():
        upgrade()
        assert "users" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        assert "outbox" in inspect(db.engine).get_table_names()


def test_memberships_without_coverage_state_it_after_the_upgrade(tmp_path, make_app):
    """c3d9e1f2a4b6: a membership without coverage rows meant every province. It now says so
    with `all_provinces`, except an agent's with a province on the profile (what `--province`
    on `flask user create` meant), which covers that province."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select, text

    from helpdesk.auth import services as accounts
    from helpdesk.catalogue import services as catalogue
    from helpdesk.catalogue.cli import stage_seed
    from helpdesk.extensions import db
    from helpdesk.routing.models import Membership, MembershipProvince, Queue

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.sqlite3'}")
    with app.app_context():
        upgrade()  # the rows are made by today's models, then taken back to before the change
        stage_seed(catalogue.SeedReport())
        queue_id = db.session.scalar(select(Queue.id).where(Queue.code == "moj-it"))
        people = {}
        for n, (name, role, province) in enumerate(
            [
                ("agent79", "agent", "79"),
                ("agent", "agent", None),
                ("supervisor01", "supervisor", "01"),
                ("listed", "agent", "79"),
            ]
        ):
            user = accounts.create_account(
                accounts.AccountDraft(
                    username=f"0011660000{n:02d}@ht.com",
                    role=role,
                    password=None,
                    full_name=name,
                    email=f"{name}@example.vn",
                    province_code=province,
                )
            )
            listed = [MembershipProvince(province_code="01")] if name == "listed" else []
            db.session.add(
                Membership(
                    queue_id=queue_id, user_id=user.id, all_provinces=not listed, coverage=listed
                )
            )
            people[user.id] = name
        db.session.commit()
        db.session.remove()
        downgrade(revision="737479dd5a98")  # as memberships were: no rows meant every province

        upgrade(revision="c3d9e1f2a4b6")

        rows = db.session.execute(
            text(
                "SELECT m.user_id, m.all_provinces, p.province_code FROM memberships m "
                "LEFT JOIN membership_provinces p ON p.membership_id = m.id"
            )
        )
        coverage = {people[user_id]: (bool(every), code) for user_id, every, code in rows}
        db.session.remove()
    assert coverage == {
        "agent79": (False, "79"),
        "agent": (True, None),
        "supervisor01": (True, None),
        "listed": (False, "01"),
    }
