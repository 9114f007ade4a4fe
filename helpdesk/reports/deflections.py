"""Filings avoided thanks to a help article ("solved, no need to send" on the filing form), per
article, in a report's period and its reader's reach: an observer's systems, a coordinator's
province (a filing avoided before either was chosen counts for nobody bound to one). Article
titles and counts only, no personal data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.help.models import Article, Deflection
from helpdesk.reports.queries import ReportScope, bounds

TOP_ARTICLES = 20


@dataclass(frozen=True)
class ArticleRow:
    slug: str
    title: str
    avoided: int


@dataclass(frozen=True)
class Avoided:
    """The articles that avoided the most filings (most first) and the filings avoided in
    all, those of the articles past the top too."""

    articles: list[ArticleRow]
    total: int


def by_article(scope: ReportScope, *, timezone: str, limit: int = TOP_ARTICLES) -> Avoided:
    """One statement: the count per article, and the sum of every article's count beside it."""
    start, end = bounds(scope, timezone)
    count = func.count(Deflection.id)
    rows = db.session.execute(
        select(Article.slug, Article.title, count, func.sum(count).over())
        .join(Article, Article.id == Deflection.article_id)
        .where(
            Deflection.created_at >= start,
            Deflection.created_at < end,
            *scope.conditions(Deflection.system_code, Deflection.province_code),
        )
        .group_by(Article.id, Article.slug, Article.title)
        .order_by(count.desc(), Article.title, Article.id)
        .limit(limit)
    ).all()
    total = int(rows[0][3]) if rows else 0
    return Avoided([ArticleRow(slug, title, avoided) for slug, title, avoided, _all in rows], total)
