"""the support directory, help articles and their deflections, announcements per system

Directory entries say who answers what, per system and province. Articles (Markdown, draft or
published, for everyone or signed-in accounts) are tied to systems and categories and carry
files; a deflection records a filing an article made unnecessary. Announcements may name a
system and a first moment. Accounts may publish articles.

Revision ID: a56b7c3904a8
Revises: f1a2b3c4d5e6
Create Date: 2026-12-07 15:16:40.965047

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a56b7c3904a8"
down_revision = "f1a2b3c4d5e6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("summary_en", sa.String(length=500), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("readers", sa.String(length=16), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("source_ticket_number", sa.String(length=20), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_articles_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("slug", name=op.f("uq_articles_slug")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index("ix_articles_status_readers", ["status", "readers"], unique=False)

    op.create_table(
        "directory_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_code", sa.String(length=16), nullable=True),
        sa.Column("province_code", sa.String(length=2), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("hours", sa.String(length=200), nullable=False),
        sa.Column("handles", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("seeded", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["provinces.code"],
            name=op.f("fk_directory_entries_province_code_provinces"),
        ),
        sa.ForeignKeyConstraint(
            ["system_code"], ["systems.code"], name=op.f("fk_directory_entries_system_code_systems")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_directory_entries_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_entries")),
    )
    with op.batch_alter_table("directory_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_directory_entries_place", ["system_code", "province_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_directory_entries_province_code"), ["province_code"], unique=False
        )

    op.create_table(
        "article_categories",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("category_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_categories_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["categories.code"],
            name=op.f("fk_article_categories_category_code_categories"),
        ),
        sa.PrimaryKeyConstraint("article_id", "category_code", name=op.f("pk_article_categories")),
    )
    with op.batch_alter_table("article_categories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_categories_category_code"), ["category_code"], unique=False
        )

    op.create_table(
        "article_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_files_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_files")),
    )
    with op.batch_alter_table("article_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_files_article_id"), ["article_id"], unique=False
        )

    op.create_table(
        "article_systems",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("system_code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_systems_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["system_code"], ["systems.code"], name=op.f("fk_article_systems_system_code_systems")
        ),
        sa.PrimaryKeyConstraint("article_id", "system_code", name=op.f("pk_article_systems")),
    )
    with op.batch_alter_table("article_systems", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_systems_system_code"), ["system_code"], unique=False
        )

    op.create_table(
        "deflections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("system_code", sa.String(length=16), nullable=True),
        sa.Column("category_code", sa.String(length=32), nullable=True),
        sa.Column("province_code", sa.String(length=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_deflections_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["categories.code"],
            name=op.f("fk_deflections_category_code_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["provinces.code"],
            name=op.f("fk_deflections_province_code_provinces"),
        ),
        sa.ForeignKeyConstraint(
            ["system_code"], ["systems.code"], name=op.f("fk_deflections_system_code_systems")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_deflections_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deflections")),
    )
    with op.batch_alter_table("deflections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deflections_article_created", ["article_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_deflections_created_at"), ["created_at"], unique=False)

    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("system_code", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_announcements_system_code"), ["system_code"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_announcements_system_code_systems"), "systems", ["system_code"], ["code"]
        )

    op.add_column(
        "users", sa.Column("edits_articles", sa.Boolean(), nullable=False, server_default="0")
    )


def downgrade():
    # Not a batch: on SQLite a batch copies `users`, and the copy's drop cascades to its rows.
    op.drop_column("users", "edits_articles")

    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_announcements_system_code_systems"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_announcements_system_code"))
        batch_op.drop_column("starts_at")
        batch_op.drop_column("system_code")

    with op.batch_alter_table("deflections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deflections_created_at"))
        batch_op.drop_index("ix_deflections_article_created")

    op.drop_table("deflections")
    with op.batch_alter_table("article_systems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_systems_system_code"))

    op.drop_table("article_systems")
    with op.batch_alter_table("article_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_files_article_id"))

    op.drop_table("article_files")
    with op.batch_alter_table("article_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_categories_category_code"))

    op.drop_table("article_categories")
    with op.batch_alter_table("directory_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_entries_province_code"))
        batch_op.drop_index("ix_directory_entries_place")

    op.drop_table("directory_entries")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_status_readers")

    op.drop_table("articles")
