"""The suggestions of the JSON API (what the filing form shows beside itself): its query and its
answer. Articles now; open incidents come with their own change (an empty list until then)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _

from helpdesk import errors, text
from helpdesk.api.schemas import QUERY_LIMIT, is_code
from helpdesk.catalogue.services import find_category, find_system
from helpdesk.help import suggestions


@dataclass(frozen=True)
class SuggestionQuery:
    system: str
    category: str
    subject: str


def suggestion_query(args) -> SuggestionQuery:
    """What a GET /suggestions asks for: a 400 naming `system` or `category` when missing or
    unknown, a 422 naming `subject` past QUERY_LIMIT characters. Control characters in the
    subject read as spaces (a half-typed subject is answered as well as it can be)."""
    problems = {}
    system = args.get("system", "")
    if not is_code(system) or find_system(system) is None:
        problems["system"] = _("Choose a system from the list.")
    category = args.get("category", "")
    if not is_code(category) or find_category(category) is None:
        problems["category"] = _("Choose a kind of problem from the list.")
    if problems:
        raise errors.HelpdeskError(_("Please correct the marked parameters."), fields=problems)
    subject = args.get("subject", "")
    if len(subject) > QUERY_LIMIT:
        message = _("At most %(n)d characters, without control characters.", n=QUERY_LIMIT)
        raise errors.Invalid(
            _("Please correct the marked parameters."), fields={"subject": message}
        )
    return SuggestionQuery(system, category, text.FORBIDDEN_IN_LINE.sub(" ", subject))


def suggestions_json(user, query: SuggestionQuery, *, language: str) -> dict:
    """The articles the caller reads that best match, and the open incidents (none yet)."""
    found = suggestions.suggest(
        user,
        system_code=query.system,
        category_code=query.category,
        subject=query.subject,
        language=language,
    )
    return {"articles": [article_json(item) for item in found], "incidents": []}


def article_json(item: suggestions.Suggestion) -> dict:
    return {
        "slug": item.slug,
        "title": item.title,
        "summary": item.summary,
        "url": url_for("help.show", slug=item.slug, _external=True),
    }
