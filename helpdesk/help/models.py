"""Help articles, what they are about, their files, and the filings they made unnecessary."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.timeutil import UTCDateTime, utcnow


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"  # staff see it; nobody else, by page, API, search or suggestion
    PUBLISHED = "published"


class Readers(enum.StrEnum):
    PUBLIC = "public"  # everyone, visitors too
    SIGNED_IN = "signed_in"  # signed-in accounts only


class Article(db.Model):
    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_status_readers", "status", "readers"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, rendered safely
    # English, optional: shown to English readers where present.
    title_en: Mapped[str] = mapped_column(String(200), default="")
    summary_en: Mapped[str] = mapped_column(String(500), default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ArticleStatus.DRAFT)
    readers: Mapped[str] = mapped_column(String(16), default=Readers.PUBLIC)
    # Folded (text.fold) titles, summaries and bodies of both languages.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The ticket whose answer it was drafted from (its number, HT-2026-000123, not a link:
    # tickets come and go).
    source_ticket_number: Mapped[str | None] = mapped_column(String(20))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    systems: Mapped[list[ArticleSystem]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    categories: Mapped[list[ArticleCategory]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    files: Mapped[list[ArticleFile]] = relationship(
        cascade="all, delete-orphan", order_by="ArticleFile.id"
    )

    def __repr__(self) -> str:
        return f"<Article {self.slug}>"


class ArticleSystem(db.Model):
    """A system the article is about; an article about none is about every system."""

    __tablename__ = "article_systems"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    system_code: Mapped[str] = mapped_column(
        ForeignKey("systems.code"), primary_key=True, index=True
    )


class ArticleCategory(db.Model):
    """A category the article answers; an article of none answers every category."""

    __tablename__ = "article_categories"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    category_code: Mapped[str] = mapped_column(
        ForeignKey("categories.code"), primary_key=True, index=True
    )


class ArticleFile(db.Model):
    """A user guide or other file attached to an article (stored by helpdesk.storage)."""

    __tablename__ = "article_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Deflection(db.Model):
    """ "Solved, no need to send": a filing an article made unnecessary."""

    __tablename__ = "deflections"
    __table_args__ = (Index("ix_deflections_article_created", "article_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    system_code: Mapped[str | None] = mapped_column(ForeignKey("systems.code"))
    category_code: Mapped[str | None] = mapped_column(ForeignKey("categories.code"))
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
