"""The help articles of the JSON API: the query a GET /articles asks, and its items."""

from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from helpdesk import errors, text
from helpdesk.api.schemas import QUERY_LIMIT
from helpdesk.catalogue.services import find_category, find_system
from helpdesk.help.listing import ArticleFilters, shown_text


def article_json(article) -> dict:
    """An article as the API lists it, in the caller's language where it has that version."""
    shown = shown_text(article, str(get_locale() or "vi"))
    return {
        "slug": article.slug,
        "title": shown.title,
        "summary": shown.summary,
        "url": url_for("help.show", slug=article.slug, _external=True),
    }


def article_query(args) -> ArticleFilters:
    """The filters a GET /articles asks for (an empty one is not filtered on, as the
    directory's): a 400 naming `system` or `category` when not one of the catalogue's, a 422
    naming `q` past QUERY_LIMIT characters or holding control characters."""
    system, category = args.get("system", ""), args.get("category", "")
    unknown = {}
    if system and find_system(system) is None:
        unknown["system"] = _("Choose a system from the list.")
    if category and find_category(category) is None:
        unknown["category"] = _("Choose a category from the list.")
    if unknown:
        raise errors.HelpdeskError(_("Please correct the marked parameters."), fields=unknown)
    words = args.get("q", "")
    if len(words) > QUERY_LIMIT or text.has_control_characters(words, multiline=False):
        message = _("At most %(n)d characters, without control characters.", n=QUERY_LIMIT)
        raise errors.Invalid(_("Please correct the marked parameters."), fields={"q": message})
    return ArticleFilters(q=words, system=system or None, category=category or None)
