"""Help articles written straight through the models (the editor's pages are not needed to
read them back), for the tests of suggestions, "solved" and the reports."""

from __future__ import annotations

import itertools

from helpdesk import text
from helpdesk.help.models import (
    Article,
    ArticleCategory,
    ArticleStatus,
    ArticleSystem,
    Readers,
)
from helpdesk.timeutil import utcnow

NUMBERS = itertools.count(1)


def add_article(
    db,
    title: str,
    *,
    summary: str = "",
    body: str = "",
    systems: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    status: str = ArticleStatus.PUBLISHED,
    readers: str = Readers.PUBLIC,
    slug: str | None = None,
) -> Article:
    """A committed article about those systems and categories (none: about every one)."""
    article = Article(
        slug=slug or f"bai-viet-{next(NUMBERS)}",
        title=title,
        summary=summary,
        body=body,
        status=status,
        readers=readers,
        search_text=text.fold(f"{title} {summary} {body}"),
        published_at=utcnow() if status == ArticleStatus.PUBLISHED else None,
    )
    article.systems = [ArticleSystem(system_code=code) for code in systems]
    article.categories = [ArticleCategory(category_code=code) for code in categories]
    db.session.add(article)
    db.session.commit()
    return article
