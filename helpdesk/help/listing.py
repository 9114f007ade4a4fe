"""Finding help articles: the list of /help and the API's, filtered by system, category and
words (diacritics ignored), newest first; and the text shown in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_, select
from sqlalchemy.orm import lazyload

from helpdesk import text
from helpdesk.extensions import db
from helpdesk.help import access
from helpdesk.help.models import Article, ArticleCategory, ArticleStatus, ArticleSystem

PER_PAGE = 20
API_LIMIT = 20


@dataclass(frozen=True)
class ArticleFilters:
    """What a list asks for; None and "" mean "not given". An article tied to no system (no
    category) answers for every one."""

    q: str = ""
    system: str | None = None
    category: str | None = None
    drafts: bool = False  # writers: drafts only


@dataclass
class ArticlePage:
    """A page of articles, as templates/_pager.html reads it."""

    items: list[Article]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class ShownText:
    """An article's text in the language it is shown in (`language`: its `lang`)."""

    title: str
    summary: str
    body: str
    language: str


def shown_text(article: Article, language: str) -> ShownText:
    """The English version to English readers when it has a title and a body, else the
    Vietnamese one."""
    if language == "en" and article.title_en and article.body_en:
        return ShownText(article.title_en, article.summary_en, article.body_en, "en")
    return ShownText(article.title, article.summary, article.body, "vi")


def conditions(filters: ArticleFilters) -> list:
    """The filters' conditions over Article, who reads what aside."""
    found = []
    if filters.drafts:
        found.append(Article.status == ArticleStatus.DRAFT)
    if filters.system:
        found.append(tie(ArticleSystem.system_code, filters.system).or_none)
    if filters.category:
        found.append(tie(ArticleCategory.category_code, filters.category).or_none)
    found.extend(text.like_every_word(Article.search_text, filters.q))
    return found


@dataclass(frozen=True)
class Tie:
    exact: ColumnElement[bool]  # the article is tied to the code
    or_none: ColumnElement[bool]  # ... or to no code of that kind: it is about every one


def tie(column, code: str) -> Tie:
    """Whether an article is about that system or category (`column`: ArticleSystem.system_code
    or ArticleCategory.category_code): tied to it, or tied to none of its kind."""
    link = column.class_
    exact = exists().where(link.article_id == Article.id, column == code)
    return Tie(exact, or_(exact, not_(exists().where(link.article_id == Article.id))))


NEWEST = (Article.updated_at.desc(), Article.id.desc())


def list_articles(
    user,
    filters: ArticleFilters = ArticleFilters(),  # noqa: B008 - frozen, never mutated
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> ArticlePage:
    """The articles the account (None: a visitor) reads that pass the filters, the most
    recently updated first, with their systems and categories: four queries whatever the page
    size. Writers see drafts too (`drafts`: only them)."""
    where = and_(access.readable(user), *conditions(filters))
    total = db.session.scalar(select(func.count()).select_from(Article).where(where)) or 0
    items = list(
        db.session.scalars(
            select(Article)
            .where(where)
            .order_by(*NEWEST)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return ArticlePage(items, total, page, per_page)


def published_articles(user, filters: ArticleFilters, *, limit: int = API_LIMIT) -> list[Article]:
    """The published articles the account (None: a visitor) reads that pass the filters, the
    most recently updated first: never a draft, whoever asks (what the API offers)."""
    query = (
        select(Article)
        .where(access.published_for(user), *conditions(filters))
        .order_by(*NEWEST)
        .limit(limit)
        .options(lazyload(Article.systems), lazyload(Article.categories))  # not shown
    )
    return list(db.session.scalars(query))
