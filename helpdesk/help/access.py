"""Who reads, writes and publishes help articles: the one place that decides.

Everyone reads published public articles; signed-in accounts also the published ones for
signed-in readers. Staff (the roles that work tickets) write and read drafts; admins and the
accounts marked as editors publish.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, true

from helpdesk.auth import permissions
from helpdesk.auth.models import Role, is_staff
from helpdesk.help.models import Article, ArticleStatus, Readers


def can_write(user) -> bool:
    """Staff write drafts and edit articles."""
    return permissions.is_signed_in(user) and is_staff(user)


def can_publish(user) -> bool:
    return permissions.is_signed_in(user) and (
        user.role == Role.ADMIN or (is_staff(user) and user.edits_articles)
    )


def readers_for(user) -> tuple[str, ...]:
    """The audiences of the published articles the account (or a visitor: None) reads."""
    if permissions.is_signed_in(user):
        return (Readers.PUBLIC, Readers.SIGNED_IN)
    return (Readers.PUBLIC,)


def readable(user) -> ColumnElement[bool]:
    """The SQL condition of the articles the account reads: drafts for writers only."""
    return true() if can_write(user) else published_for(user)


def published_for(user) -> ColumnElement[bool]:
    """The published articles the account reads (what lists, the API and suggestions offer)."""
    return and_(Article.status == ArticleStatus.PUBLISHED, Article.readers.in_(readers_for(user)))


def can_read(user, article: Article) -> bool:
    if can_write(user):
        return True
    return article.status == ArticleStatus.PUBLISHED and article.readers in readers_for(user)
