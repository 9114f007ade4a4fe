"""The schemas of the lists anyone may ask for without a token: a province's units (the
type-ahead), the support directory, the help articles and the filing form's suggestions."""

from __future__ import annotations

from helpdesk.api.openapi_components import instant, nullable_text, ref, text
from helpdesk.auth.models import UnitKind
from helpdesk.directory.models import Handles, Kind

LISTED_KINDS = [kind.value for kind in UnitKind if kind != UnitKind.UNLISTED]


UNIT = {
    "type": "object",
    "required": ["code", "name", "kind", "province"],
    "additionalProperties": False,
    "properties": {
        "code": text(
            "Official 5-digit code of a commune, ward or special zone; `T<province>-<n>` or "
            "`B-<system>-<n>` for provincial and ministry units. Give it as `unit_code`."
        ),
        "name": text("Its name, as the list writes it (`Xã Tân Hưng`)."),
        "kind": {"type": "string", "enum": LISTED_KINDS},
        "province": text("2-digit province code."),
    },
}

UNIT_LIST = {
    "type": "object",
    "required": ["items"],
    "additionalProperties": False,
    "properties": {"items": {"type": "array", "items": ref("Unit")}},
}


DIRECTORY_ENTRY = {
    "type": "object",
    "required": [
        "system",
        "province",
        "organisation",
        "kind",
        "name",
        "phone",
        "email",
        "hours",
        "handles",
    ],
    "additionalProperties": False,
    "properties": {
        "system": nullable_text("System code; null: the entry answers for every system."),
        "province": nullable_text("2-digit province code; null: for the whole country."),
        "organisation": text("The organisation's name."),
        "kind": {"type": "string", "enum": [kind.value for kind in Kind]},
        "name": text("A named person, or empty."),
        "phone": text("Phone numbers, separated by commas; may be empty."),
        "email": text("An e-mail address; may be empty."),
        "hours": text("When to call, as written; may be empty."),
        "handles": {
            "type": "array",
            "items": {"type": "string", "enum": [value.value for value in Handles]},
        },
    },
}

DIRECTORY_LIST = {
    "type": "object",
    "required": ["items"],
    "additionalProperties": False,
    "properties": {"items": {"type": "array", "items": ref("DirectoryEntry")}},
}

ARTICLE = {
    "type": "object",
    "required": ["slug", "title", "summary", "url"],
    "additionalProperties": False,
    "properties": {
        "slug": text("Its name in its address, /help/<slug>."),
        "title": text("In the caller's language where the article has that version."),
        "summary": text("One or two sentences; may be empty."),
        "url": {"type": "string", "format": "uri", "description": "Its page, absolute."},
    },
}

ARTICLE_LIST = {
    "type": "object",
    "required": ["items"],
    "additionalProperties": False,
    "properties": {"items": {"type": "array", "items": ref("Article")}},
}

KNOWN_INCIDENT = {
    "type": "object",
    "required": ["number", "title", "latest_update", "updated_at", "expected_at"],
    "additionalProperties": False,
    "properties": {
        "number": text(
            "The incident's number (`HT-2026-000123`); the filing form's `incident` field "
            "takes it to file a ticket attached to it."
        ),
        "title": text("The incident's title, as the support team wrote it."),
        "latest_update": nullable_text(
            "The text of its latest public update; null: none posted yet."
        ),
        "updated_at": instant(
            "When that update was posted; without one, when the incident was declared."
        ),
        "expected_at": instant(
            "When the repair is expected, as an update said; null: not said.", nullable=True
        ),
    },
}

SUGGESTION_LIST = {
    "type": "object",
    "required": ["articles", "incidents"],
    "additionalProperties": False,
    "properties": {
        "articles": {"type": "array", "items": ref("Article")},
        "incidents": {
            "type": "array",
            "items": ref("KnownIncident"),
            "description": "The open incidents of the system that match the subject, best "
            "first, at most 5: those limited to provinces only for one of them (the "
            "`province` asked for, else the caller's account's province, else any). Only "
            "incidents, never another person's ticket.",
        },
    },
}


SCHEMAS = {
    "Unit": UNIT,
    "UnitList": UNIT_LIST,
    "DirectoryEntry": DIRECTORY_ENTRY,
    "DirectoryList": DIRECTORY_LIST,
    "Article": ARTICLE,
    "ArticleList": ARTICLE_LIST,
    "KnownIncident": KNOWN_INCIDENT,
    "SuggestionList": SUGGESTION_LIST,
}
