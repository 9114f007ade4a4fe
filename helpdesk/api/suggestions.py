"""The suggestions of the JSON API (what the filing form shows beside itself): its query and its
answer: the help articles that may answer the subject, and the open incidents it matches (their
title and latest public update only, never another person's ticket)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _

from helpdesk import errors, text
from helpdesk.api.schemas import QUERY_LIMIT, instant, is_code
from helpdesk.catalogue.services import find_category, find_province, find_system
from helpdesk.help import suggestions
from helpdesk.tickets.services import known_incidents, similar

INCIDENTS_LIMIT = 5


@dataclass(frozen=True)
class SuggestionQuery:
    system: str
    category: str
    subject: str
    province: str | None = None  # the filing form's chosen province (None: not given)


def suggestion_query(args) -> SuggestionQuery:
    """What a GET /suggestions asks for: a 400 naming `system` or `category` when missing or
    unknown, or `province` when given and unknown; a 422 naming `subject` past QUERY_LIMIT
    characters. Control characters in the subject read as spaces (a half-typed subject is
    answered as well as it can be)."""
    problems = {}
    system = args.get("system", "")
    if not is_code(system) or find_system(system) is None:
        problems["system"] = _("Choose a system from the list.")
    category = args.get("category", "")
    if not is_code(category) or find_category(category) is None:
        problems["category"] = _("Choose a kind of problem from the list.")
    province = args.get("province", "") or None
    if province is not None and (not is_code(province) or find_province(province) is None):
        problems["province"] = _("Choose a province from the list.")
    if problems:
        raise errors.HelpdeskError(_("Please correct the marked parameters."), fields=problems)
    subject = args.get("subject", "")
    if len(subject) > QUERY_LIMIT:
        message = _("At most %(n)d characters, without control characters.", n=QUERY_LIMIT)
        raise errors.Invalid(
            _("Please correct the marked parameters."), fields={"subject": message}
        )
    return SuggestionQuery(
        system, category, text.FORBIDDEN_IN_LINE.sub(" ", subject), province=province
    )


def suggestions_json(user, query: SuggestionQuery, *, language: str) -> dict:
    """The articles the caller reads that best match, and the open incidents of the system
    that match the subject, for the province asked for (else the caller's, else any)."""
    found = suggestions.suggest(
        user,
        system_code=query.system,
        category_code=query.category,
        subject=query.subject,
        language=language,
    )
    province = query.province or (user.province_code if user is not None else None) or None
    matches = similar.matching_incidents(
        query.system, query.subject, province=province, limit=INCIDENTS_LIMIT
    )
    incidents = known_incidents.describe([match.ticket for match in matches])
    return {
        "articles": [article_json(item) for item in found],
        "incidents": [incident_json(item) for item in incidents],
    }


def article_json(item: suggestions.Suggestion) -> dict:
    return {
        "slug": item.slug,
        "title": item.title,
        "summary": item.summary,
        "url": url_for("help.show", slug=item.slug, _external=True),
    }


def incident_json(item: known_incidents.KnownIncident) -> dict:
    return {
        "number": item.number,
        "title": item.title,
        "latest_update": item.latest_update,
        "updated_at": instant(item.updated_at),
        "expected_at": instant(item.expected_at),
    }
