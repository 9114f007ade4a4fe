"""The answer before the ticket: the published articles that best match what an official is
about to file (its system, category and the words of its subject).

One statement finds a few dozen candidates (the articles the caller reads, of the system or of
none, of the category or of none, whose folded text holds a word of the subject) with only the
columns scoring needs; Python scores them: a word in the title counts most, then in the summary,
then anywhere in the text; an article tied to the very system or category gains a little.
Articles no word matches are left out. Nothing here reads tickets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import case, literal, or_, select

from helpdesk import text
from helpdesk.extensions import db
from helpdesk.help import access
from helpdesk.help.listing import tie
from helpdesk.help.models import Article, ArticleCategory, ArticleSystem

LIMIT = 5
CANDIDATES = 40  # scored in Python; the statement orders them by the words they hold
MAX_TERMS = 8
# Weights of a subject word found in each part of an article, and of its ties.
TITLE, SUMMARY, TEXT = 3, 2, 1
SYSTEM_TIE, CATEGORY_TIE = 2, 1
WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Suggestion:
    slug: str
    title: str
    summary: str
    score: int


def terms_of(subject: str) -> list[str]:
    """The folded words of a subject worth looking for: no stop words, none of one letter."""
    kept = set(text.significant_words(subject))
    return sorted(kept, key=lambda word: (-len(word), word))[:MAX_TERMS]


def suggest(
    user,
    *,
    system_code: str,
    category_code: str,
    subject: str,
    limit: int = LIMIT,
    language: str = "vi",
) -> list[Suggestion]:
    """At most `limit` published articles the user (None: a visitor) reads, best first, for a
    filing of that system and category whose subject holds these words. One statement."""
    terms = terms_of(subject)
    if not terms or limit < 1:
        return []
    matches = [Article.search_text.like(text.like_pattern(term), escape="\\") for term in terms]
    system = tie(ArticleSystem.system_code, system_code)
    category = tie(ArticleCategory.category_code, category_code)
    held = sum((case((match, 1), else_=0) for match in matches), literal(0))
    rows = db.session.execute(
        select(
            Article.slug,
            Article.title,
            Article.summary,
            Article.title_en,
            Article.summary_en,
            Article.search_text,
            system.exact.label("of_system"),
            category.exact.label("of_category"),
        )
        .where(
            access.published_for(user),
            system.or_none,
            category.or_none,
            or_(*matches),
        )
        .order_by(held.desc(), Article.published_at.desc(), Article.id.desc())
        .limit(CANDIDATES)
    ).all()
    scored = [score(row, terms, language) for row in rows]
    found = [suggestion for suggestion in scored if suggestion is not None]
    found.sort(key=lambda suggestion: -suggestion.score)  # stable: the statement's order next
    return found[:limit]


def score(row, terms: list[str], language: str) -> Suggestion | None:
    """The row as a suggestion, scored; None when none of its words is a term."""
    title_words = words_of(f"{row.title} {row.title_en}")
    summary_words = words_of(f"{row.summary} {row.summary_en}")
    text_words = set(WORDS.findall(row.search_text or ""))
    points = sum(
        TITLE * (term in title_words)
        + SUMMARY * (term in summary_words)
        + TEXT * (term in text_words)
        for term in terms
    )
    if points == 0:
        return None
    points += SYSTEM_TIE * bool(row.of_system) + CATEGORY_TIE * bool(row.of_category)
    english = language == "en" and row.title_en
    return Suggestion(
        slug=row.slug,
        title=row.title_en if english else row.title,
        summary=(row.summary_en or row.summary) if english else row.summary,
        score=points,
    )


def words_of(value: str) -> set[str]:
    return set(WORDS.findall(text.fold(value)))
