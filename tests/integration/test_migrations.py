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
