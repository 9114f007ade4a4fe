"""Writing help articles: drafts, edits, publishing, deleting drafts, and their files. Who may
do what is access.py's; the lists and the search are listing.py's."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from helpdesk import errors, inputs, storage, text
from helpdesk.auth.models import User
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db
from helpdesk.help import access
from helpdesk.help.models import (
    Article,
    ArticleCategory,
    ArticleFile,
    ArticleStatus,
    ArticleSystem,
    Readers,
)
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

TITLE_LIMIT = 200
SUMMARY_LIMIT = 500
BODY_LIMIT = 100_000
SLUG_LIMIT = 100  # of the column's 120: room for the suffix of a taken one (-2, -3...)
# Paths under /help that are pages, not articles.
RESERVED_SLUGS = frozenset({"new"})
NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class ArticleDraft:
    """What a writer sends: the Vietnamese text (English optional), who reads it, what it is
    about (system and category codes; none means every one)."""

    title: str
    summary: str = ""
    body: str = ""
    title_en: str = ""
    summary_en: str = ""
    body_en: str = ""
    readers: str = Readers.PUBLIC
    systems: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


def get_article(user: User | None, slug: str) -> Article:
    """The article with that slug if the account (None: a visitor) reads it; errors.NotFound
    otherwise (a draft to a non-writer, a signed-in-only article to a visitor)."""
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    if article is None or not access.can_read(user, article):
        raise errors.not_found()
    return article


def get_for_writing(actor: User, slug: str) -> Article:
    """The article, for a writer; errors.NotFound for anyone else."""
    if not access.can_write(actor):
        raise errors.not_found()
    return get_article(actor, slug)


# ---------------------------------------------------------------- drafts and edits


def create_draft(
    actor: User,
    draft: ArticleDraft,
    *,
    source_ticket_number: str | None = None,
    now: datetime | None = None,
) -> Article:
    """A new draft, its slug made from the title. Commits. Raises errors.Invalid naming the
    field, errors.NotFound for anyone who may not write."""
    if not access.can_write(actor):
        raise errors.not_found()
    now = now or utcnow()
    values = checked(draft)
    article = Article(
        slug=free_slug(values["title"]),
        status=ArticleStatus.DRAFT,
        author_id=actor.id,
        source_ticket_number=source_ticket_number,
        created_at=now,
    )
    fill(article, values, now=now)
    db.session.add(article)
    commit_slugged()
    log.info("article %s drafted by user %s", article.id, actor.id)
    return article


def edit_article(
    actor: User, article: Article, draft: ArticleDraft, *, now: datetime | None = None
) -> Article:
    """Change an article's text, readers, systems and categories; its slug stays (links to it
    keep working). Commits. Raises as create_draft does."""
    if not access.can_write(actor):
        raise errors.not_found()
    values = checked(draft)
    fill(article, values, now=now or utcnow())
    db.session.commit()
    log.info("article %s edited by user %s", article.id, actor.id)
    return article


def draft_from_answer(
    actor: User,
    *,
    title: str,
    body: str,
    system_code: str | None,
    category_code: str | None,
    ticket_number: str,
    now: datetime | None = None,
) -> Article:
    """A draft for signed-in readers from a ticket's subject and its staff answer, about the
    ticket's system and category. Commits. Text past the limits is cut, not refused: the
    writer edits the draft anyway."""
    title = " ".join(title.split())[:TITLE_LIMIT]
    title = title or _("Answer to ticket %(number)s", number=ticket_number)
    draft = ArticleDraft(
        title=title,
        body=body.strip()[:BODY_LIMIT],
        readers=Readers.SIGNED_IN,
        systems=(system_code,) if catalogue.find_system(system_code) else (),
        categories=(category_code,) if catalogue.find_category(category_code) else (),
    )
    return create_draft(actor, draft, source_ticket_number=ticket_number, now=now)


def checked(draft: ArticleDraft) -> dict:
    """The draft's values, tidied; errors.Invalid naming the first field at fault."""
    title = " ".join(draft.title.split())
    if not title:
        raise errors.Invalid(_("Enter a title."), "title")
    values = {
        "title": title,
        "title_en": " ".join(draft.title_en.split()),
        "summary": draft.summary.strip(),
        "summary_en": draft.summary_en.strip(),
        "body": draft.body.strip(),
        "body_en": draft.body_en.strip(),
    }
    limits = {"title": TITLE_LIMIT, "summary": SUMMARY_LIMIT, "body": BODY_LIMIT}
    for name, value in values.items():
        limit = limits[name.removesuffix("_en")]
        if len(value) > limit:
            raise errors.Invalid(_("At most %(n)d characters.", n=limit), name)
        inputs.require_readable(value, name, multiline=not name.startswith("title"))
    if draft.readers not in tuple(Readers):
        raise errors.Invalid(_("Choose who reads the article."), "readers")
    values["readers"] = draft.readers
    systems = tuple(dict.fromkeys(draft.systems))
    if any(catalogue.find_system(code) is None for code in systems):
        raise errors.Invalid(_("Choose systems from the list."), "systems")
    categories = tuple(dict.fromkeys(draft.categories))
    if any(catalogue.find_category(code) is None for code in categories):
        raise errors.Invalid(_("Choose categories from the list."), "categories")
    values["systems"], values["categories"] = systems, categories
    return values


def fill(article: Article, values: dict, *, now: datetime) -> None:
    for name in ("title", "title_en", "summary", "summary_en", "body", "body_en", "readers"):
        setattr(article, name, values[name])
    article.search_text = search_text_of(article)
    kept = {link.system_code: link for link in article.systems}
    article.systems = [
        kept.get(code) or ArticleSystem(system_code=code) for code in values["systems"]
    ]
    kept = {link.category_code: link for link in article.categories}
    article.categories = [
        kept.get(code) or ArticleCategory(category_code=code) for code in values["categories"]
    ]
    article.updated_at = now


def search_text_of(article: Article) -> str:
    """What the search matches: titles, summaries and bodies of both languages, folded."""
    parts = (article.title, article.summary, article.body)
    parts += (article.title_en, article.summary_en, article.body_en)
    return text.fold(" ".join(part for part in parts if part))


def slug_base(title: str) -> str:
    """`Tài khoản thụ hưởng` -> `tai-khoan-thu-huong`; `bai-viet` when nothing is left."""
    base = NOT_SLUG.sub("-", text.fold(title)).strip("-")[:SLUG_LIMIT].strip("-")
    return base or "bai-viet"


def free_slug(title: str) -> str:
    """The title's slug, or with the first free suffix (-2, -3...) when it is taken."""
    base = slug_base(title)
    pattern = text.like_pattern(base).removeprefix("%")
    taken = (
        set(db.session.scalars(select(Article.slug).where(Article.slug.like(pattern, escape="\\"))))
        | RESERVED_SLUGS
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def commit_slugged() -> None:
    """Commit a new article; another one that took its slug meanwhile is a conflict to retry."""
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise errors.Conflict(
            _("Another article with this title was saved at the same moment: save again."),
            "title",
        ) from error


# ---------------------------------------------------------------- publishing


def publish(actor: User, article: Article, *, now: datetime | None = None) -> Article:
    """Show the article to its readers. Commits; an article already published stays as it is.
    errors.NotFound for anyone who may not publish (admins and editors may)."""
    if not access.can_publish(actor):
        raise errors.not_found()
    if article.status != ArticleStatus.PUBLISHED:
        article.status = ArticleStatus.PUBLISHED
        article.published_at = now or utcnow()
        db.session.commit()
        log.info("article %s published by user %s", article.id, actor.id)
    return article


def unpublish(actor: User, article: Article) -> Article:
    """Make the article a draft again (staff only see it). Commits. As publish for who may."""
    if not access.can_publish(actor):
        raise errors.not_found()
    if article.status != ArticleStatus.DRAFT:
        article.status = ArticleStatus.DRAFT
        article.published_at = None
        db.session.commit()
        log.info("article %s unpublished by user %s", article.id, actor.id)
    return article


def delete_draft(actor: User, article: Article) -> None:
    """Delete a draft with its systems, categories and files (the stored bytes stay: another
    article or ticket may share them). Commits. errors.Invalid for a published article:
    unpublish it first."""
    if not access.can_write(actor):
        raise errors.not_found()
    if article.status != ArticleStatus.DRAFT:
        raise errors.Invalid(_("Only a draft can be deleted: unpublish the article first."))
    db.session.delete(article)
    db.session.commit()
    log.info("article %s deleted by user %s", article.id, actor.id)


# ---------------------------------------------------------------- files


def add_files(
    actor: User,
    article: Article,
    uploads: tuple[storage.Upload, ...],
    *,
    now: datetime | None = None,
) -> list[ArticleFile]:
    """Attach user guides and other files (the types and limits of tickets' attachments).
    Commits. errors.Invalid naming `files` when one is refused: none is kept."""
    if not access.can_write(actor):
        raise errors.not_found()
    if not uploads:
        raise errors.Invalid(_("Choose at least one file."), "files")
    now = now or utcnow()
    added = []
    for upload, content_type in storage.check(uploads, "files"):
        stored = storage.store(upload, content_type)
        added.append(
            ArticleFile(
                filename=stored.filename,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                created_at=now,
            )
        )
    article.files.extend(added)
    article.updated_at = now
    db.session.commit()
    log.info("%s files added to article %s by user %s", len(added), article.id, actor.id)
    return added


def remove_file(
    actor: User, article: Article, file_id: int, *, now: datetime | None = None
) -> None:
    """Detach a file from the article. Commits. errors.NotFound for a file of none of its."""
    if not access.can_write(actor):
        raise errors.not_found()
    found = find_file(article, file_id)
    article.files.remove(found)
    article.updated_at = now or utcnow()
    db.session.commit()
    log.info("file %s removed from article %s by user %s", file_id, article.id, actor.id)


def get_file(user: User | None, slug: str, file_id: int) -> ArticleFile:
    """A file of an article the account reads; errors.NotFound otherwise."""
    return find_file(get_article(user, slug), file_id)


def find_file(article: Article, file_id: int) -> ArticleFile:
    found = db.session.scalar(
        select(ArticleFile).where(ArticleFile.id == file_id, ArticleFile.article_id == article.id)
    )
    if found is None:
        raise errors.not_found()
    return found
