"""The OpenAPI 3.1 document of the JSON API v1, written by hand: its paths and answers here
(the incidents' in openapi_incidents), the schemas of its bodies in openapi_components, the
pieces its paths are built of in openapi_parts. Plain dicts, no Flask.
"""

from __future__ import annotations

import copy
import functools

from helpdesk.api import openapi_incidents, openapi_lists, openapi_requests
from helpdesk.api.openapi_components import SCHEMAS, STATUSES
from helpdesk.api.openapi_parts import NUMBER, error_response, errors, json_body, json_response
from helpdesk.catalogue.services import read_csv

ERRORS = {
    "BadRequest": error_response(
        "The body is not a JSON object, or is nested more than 16 levels deep."
    ),
    "TooLarge": error_response("The body is larger than 256 KB."),
    "Unauthorized": {
        **error_response("No token, or an unknown or revoked one (`WWW-Authenticate: Bearer`)."),
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    },
    "Forbidden": error_response("The account must first change its password on the web."),
    "NotFound": error_response("No such ticket, or one the caller may not see."),
    "Invalid": error_response(
        "A field or parameter is wrong (a text holding NUL or a lone surrogate, in the query "
        "string of any operation too); `fields` names each."
    ),
    "Conflict": error_response("The ticket changed since the version sent."),
    "TooManyRequests": error_response("Too many requests for this token; wait a moment."),
}


def query(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema or {"type": "string"},
        "description": description,
    }


PATHS = {
    "/me": {
        "get": {
            "operationId": "getMe",
            "summary": "The caller's account (CCCD masked).",
            "responses": {"200": json_response("The account.", "Account"), **errors()},
        }
    },
    "/tickets": {
        "get": {
            "operationId": "listTickets",
            "summary": "Tickets the caller may see, filtered and paginated.",
            "description": "Requesters: their own, newest first. Staff: their queues and "
            "provinces, most urgent deadline first. Unknown codes answer 422.",
            "parameters": [
                query(
                    "status",
                    "A status; `open` means every open status (new, open, waiting_requester, "
                    "waiting_third_party). Empty filters count as not given.",
                    {"type": "string", "enum": [*STATUSES, "open", ""]},
                ),
                query("queue", "Queue code."),
                query("province", "2-digit province code."),
                query("unit", "A listed unit's code (a commune's or ward's 5 digits)."),
                query("category", "Category code."),
                query("system", "System code."),
                query(
                    "q",
                    "Words to find in the number, subject, description, codes and readable "
                    "messages; any case, with or without Vietnamese diacritics. `%` and `_` "
                    "are plain characters.",
                    {"type": "string", "maxLength": 200},
                ),
                query("page", "From 1.", {"type": "integer", "minimum": 1}),
                query(
                    "per_page", "1 to 100 (50).", {"type": "integer", "minimum": 1, "maximum": 100}
                ),
            ],
            "responses": {"200": json_response("A page.", "TicketList"), **errors()},
        },
        "post": {
            "operationId": "fileTicket",
            "summary": "File a ticket (the fields of the web form); staff may file an "
            "official's (`requester`), taken by phone (`source: phone`, `callback_phone`).",
            "parameters": [
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 64},
                    "description": "Same as `submission_key` in the body.",
                }
            ],
            "requestBody": json_body("NewTicket"),
            "responses": {
                "201": json_response(
                    "Filed (or filed before under the same key).",
                    "TicketDetail",
                    headers={"Location": {"schema": {"type": "string"}}},
                ),
                **errors("BadRequest", "NotFound", "TooLarge"),
            },
        },
    },
    "/tickets/{number}": {
        "parameters": [NUMBER],
        "get": {
            "operationId": "getTicket",
            "summary": "One ticket with its messages (internal notes for staff only).",
            "responses": {
                "200": json_response("The ticket.", "TicketDetail"),
                **errors("NotFound"),
            },
        },
        "patch": {
            "operationId": "updateTicket",
            "summary": "Agents: change status (resolving with its `resolution`), assignee, queue, "
            "priority, external reference.",
            "requestBody": json_body("TicketChanges"),
            "responses": {
                "200": json_response("The changed ticket.", "TicketDetail"),
                **errors("BadRequest", "NotFound", "Conflict", "TooLarge"),
            },
        },
    },
    "/tickets/{number}/messages": {
        "parameters": [NUMBER],
        "post": {
            "operationId": "addMessage",
            "summary": "Reply, or (agents) add an internal note.",
            "requestBody": json_body("NewMessage"),
            "responses": {
                "201": json_response(
                    "Added.", "Message", headers={"Location": {"schema": {"type": "string"}}}
                ),
                **errors("BadRequest", "NotFound", "Conflict", "TooLarge"),
            },
        },
    },
    "/units": {
        "get": {
            "operationId": "listUnits",
            "summary": "The province's units matching the words (no token needed).",
            "description": "Communes, wards, special zones and the provincial and ministry units "
            "of one province whose names hold every word of `q` (case and Vietnamese "
            "diacritics ignored), those starting with it first, then by name; at most 20. "
            "No words: the first 20 by name. What the registration and filing forms offer.",
            "security": [{}, {"bearer": []}],
            "parameters": [
                {
                    **query("province", "2-digit province code."),
                    "required": True,
                    "schema": {"type": "string"},  # the codes: document() fills them in
                },
                query(
                    "q",
                    "Words of the name; longer than 200 characters answers 422.",
                    {"type": "string", "maxLength": 200},
                ),
            ],
            "responses": {
                "200": json_response("The matching units.", "UnitList"),
                "400": error_response(
                    "No province, or one that does not exist; `fields` names `province`."
                ),
                **errors(),
            },
        }
    },
    "/directory": {
        "get": {
            "operationId": "listDirectory",
            "summary": "The support directory's entries for a system and province (no token "
            "needed).",
            "description": "Who answers what: entries of the system (and those for every "
            "system) in the province (and the national ones); the ministry's IT unit first, "
            "then the vendor, the province's coordinator and focal points. A parameter left "
            "out or empty is not filtered on.",
            "security": [{}, {"bearer": []}],
            "parameters": [
                query("system", "System code; empty: every system."),  # document() fills the codes
                query("province", "2-digit province code; empty: every province."),
            ],
            "responses": {
                "200": json_response("The matching entries.", "DirectoryList"),
                "400": error_response(
                    "A system or province that does not exist; `fields` names each."
                ),
                **errors(),
            },
        }
    },
    "/articles": {
        "get": {
            "operationId": "listArticles",
            "summary": "Published help articles the caller reads (no token needed).",
            "description": "Without a token, the public articles; with one, those for "
            "signed-in officials too; drafts never. Articles about the system (and category) "
            "or about none, holding every word of `q` (case and Vietnamese diacritics "
            "ignored), the most recently updated first; at most 20.",
            "security": [{}, {"bearer": []}],
            "parameters": [
                query(
                    "q",
                    "Words; longer than 200 characters answers 422.",
                    {"type": "string", "maxLength": 200},
                ),
                # The codes: document() fills them in.
                query("system", "System code (`moj`); empty: any.", {"type": "string"}),
                query("category", "Category code (`payment`); empty: any.", {"type": "string"}),
            ],
            "responses": {
                "200": json_response("The matching articles.", "ArticleList"),
                "400": error_response(
                    "A system or category that does not exist; `fields` names it."
                ),
                **errors(),
            },
        }
    },
    "/suggestions": {
        "get": {
            "operationId": "listSuggestions",
            "summary": "What the filing form shows beside itself (no token needed).",
            "description": "The published help articles the caller may read (a token's account, "
            "else the web session's, else a visitor) that best match a filing of that system "
            "and kind of problem whose subject holds these words (case and Vietnamese "
            "diacritics ignored; short common words skipped): articles of the system or of "
            "none, of the category or of none, best first, at most 5; none without words. "
            "`incidents`: at most 5 open incidents of the system whose title, or the subjects "
            "of whose tickets, hold the subject's words (word order and small typos ignored; "
            "two significant words at least), best first, for `province` (else the caller's "
            "province, else any): only incidents, never another person's ticket. Without a "
            "token it is rate limited per account or address.",
            "security": [{}, {"bearer": []}],
            "parameters": [
                {
                    **query("system", "System code."),
                    "required": True,
                    "schema": {"type": "string"},  # the codes: document() fills them in
                },
                {
                    **query("category", "Category code."),
                    "required": True,
                    "schema": {"type": "string"},  # the codes: document() fills them in
                },
                query(
                    "subject",
                    "The words of the subject typed so far; longer than 200 characters "
                    "answers 422.",
                    {"type": "string", "maxLength": 200},
                ),
                query(
                    "province",
                    "The province chosen on the form: incidents limited to other provinces "
                    "are left out (empty: the caller's province).",
                    {"type": "string"},  # the codes: document() fills them in
                ),
            ],
            "responses": {
                "200": json_response("The matching articles.", "SuggestionList"),
                "400": error_response(
                    "No system or category, or one that does not exist; `fields` names it."
                ),
                **errors(),
            },
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document (no token needed).",
            "security": [],
            "responses": {
                "200": {
                    "description": "OpenAPI 3.1.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "TTHC Support Desk API",
        "version": "1.0.0",
        "description": "Tickets of the support desk for the centralized ministry-level TTHC "
        "systems. Authenticate with `Authorization: Bearer TOKEN` (tokens: /account/tokens "
        "or `flask token create`). JSON in and out; times in UTC with an offset; CCCDs "
        "masked. A ticket the caller may not see answers 404, as one that does not exist. "
        "An incident (one fault that many tickets report) is a ticket of kind `incident`; "
        "staff declare one, attach tickets to it and post its updates under `/incidents`. "
        "A request with a due date (`/requests`) asks provinces for something: each answers "
        "on a ticket of kind `request`. "
        "Unknown fields of a body are refused (422); query parameters this document does not "
        "name are ignored. Bodies: at most 256 KB (413), nested at most 16 levels (400). "
        "Rate limited per token (429). `GET /units` (the type-ahead of the registration "
        "page), `GET /directory` and `GET /articles` (the knowledge base) need no token; "
        "nor does `GET /suggestions` (the filing form's), which also reads the web session. "
        "Without a token the units and the directory are rate limited per address, the "
        "suggestions per account or address.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": {**PATHS, **openapi_incidents.PATHS, **openapi_requests.PATHS},
    "components": {
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "An API token; only its SHA-256 is stored; revocable.",
            }
        },
        "responses": ERRORS,
        "schemas": {
            **SCHEMAS,
            **openapi_lists.SCHEMAS,
            **openapi_incidents.SCHEMAS,
            **openapi_requests.SCHEMAS,
        },
    },
}


@functools.cache
def province_codes() -> tuple[str, ...]:
    """The province codes `flask seed` loads (the shipped reference file)."""
    return tuple(row["code"] for row in read_csv("provinces.csv"))


@functools.cache
def codes_of(name: str) -> tuple[str, ...]:
    """The codes of a shipped reference file (`ministries.csv`: the systems)."""
    return tuple(row["code"] for row in read_csv(name))


def document() -> dict:
    """A copy of the document (callers may change theirs)."""
    copied = copy.deepcopy(DOCUMENT)
    province = copied["paths"]["/units"]["get"]["parameters"][0]
    province["schema"] = {"type": "string", "enum": list(province_codes())}
    system, province = copied["paths"]["/directory"]["get"]["parameters"]
    system["schema"] = {"type": "string", "enum": ["", *codes_of("ministries.csv")]}
    province["schema"] = {"type": "string", "enum": ["", *province_codes()]}
    _q, system, category = copied["paths"]["/articles"]["get"]["parameters"]
    system["schema"] = {"type": "string", "enum": ["", *codes_of("ministries.csv")]}
    category["schema"] = {"type": "string", "enum": ["", *codes_of("categories.csv")]}
    system, category, _subject, province = copied["paths"]["/suggestions"]["get"]["parameters"]
    system["schema"] = {"type": "string", "enum": list(codes_of("ministries.csv"))}
    category["schema"] = {"type": "string", "enum": list(codes_of("categories.csv"))}
    province["schema"] = {"type": "string", "enum": ["", *province_codes()]}
    incident = copied["components"]["schemas"]["NewIncident"]["properties"]
    incident["system"]["enum"] = list(codes_of("ministries.csv"))
    asked = copied["components"]["schemas"]["NewRequest"]["properties"]
    asked["provinces"]["items"]["enum"] = list(province_codes())
    asked["system"]["enum"] = [*codes_of("ministries.csv"), None]
    return copied
