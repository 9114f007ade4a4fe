""" "Solved, no need to send": the filings an article made unnecessary, counted once per
account, article and day. Nothing is filed."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk import errors
from helpdesk.catalogue.services import find_category, find_province, find_system
from helpdesk.extensions import db
from helpdesk.help import access
from helpdesk.help.models import Article, Deflection
from helpdesk.timeutil import utcnow


def solved_article(user, slug: str) -> Article:
    """The published article the account reads under that slug; NotFound otherwise (a draft,
    one for signed-in readers to a visitor, none at all: the same answer)."""
    article = db.session.scalar(
        select(Article).where(Article.slug == slug, access.published_for(user))
    )
    if article is None:
        raise errors.NotFound(_("No such help article."))
    return article


def record(
    user,
    article: Article,
    *,
    system: str | None,
    category: str | None,
    province: str | None,
    timezone: str,
    now: datetime | None = None,
) -> bool:
    """Count that the article answered what the account was about to file: the codes it had
    chosen, those that exist (another is kept as None, never refused). Once per account,
    article and local day: False (and nothing written) when already counted today. Commits."""
    now = now or utcnow()
    day_start = datetime.combine(now.astimezone(ZoneInfo(timezone)).date(), time.min)
    since = day_start.replace(tzinfo=ZoneInfo(timezone))
    counted = db.session.scalar(
        select(Deflection.id)
        .where(
            Deflection.article_id == article.id,
            Deflection.user_id == user.id,
            Deflection.created_at >= since,
        )
        .limit(1)
    )
    if counted is not None:
        return False
    db.session.add(
        Deflection(
            article_id=article.id,
            user_id=user.id,
            system_code=known(system, find_system),
            category_code=known(category, find_category),
            province_code=known(province, find_province),
            created_at=now,
        )
    )
    db.session.commit()
    return True


def known(code: str | None, find) -> str | None:
    """The code when the catalogue has it, else None."""
    if not code or not isinstance(code, str) or len(code) > 40:
        return None
    found = find(code)
    return found.code if found is not None else None
