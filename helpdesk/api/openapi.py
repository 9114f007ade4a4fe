"""The OpenAPI 3.1 document of the JSON API v1, written by hand. Pure: plain dicts, no Flask.

The schemas keep to a small subset of JSON Schema (type, properties, required,
additionalProperties, enum, items, format date-time, minimum, maximum, minLength, maxLength,
$ref; null through type lists) so that the tests can check real answers against them.
"""

from __future__ import annotations

import copy

from helpdesk.sla.states import SlaState

STATUSES = ["new", "open", "waiting_requester", "waiting_third_party", "resolved", "closed"]
SLA_STATES = [state.value for state in SlaState]
ROLES = ["requester", "unit_admin", "agent", "supervisor", "observer", "admin"]

MASKED = (
    "Login name `CCCD@domain` with the CCCD masked (`********8888@ht.com`); only admins "
    "see it whole."
)


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def text(description: str = "", **extra) -> dict:
    return {"type": "string", **({"description": description} if description else {}), **extra}


def nullable_text(description: str = "") -> dict:
    schema = {"type": ["string", "null"]}
    if description:
        schema["description"] = description
    return schema


def instant(description: str, *, nullable: bool = False) -> dict:
    return {
        "type": ["string", "null"] if nullable else "string",
        "format": "date-time",
        "description": description + " ISO 8601 in UTC with its offset (`+00:00`).",
    }


PRIORITY = {
    "type": "integer",
    "minimum": 1,
    "maximum": 4,
    "description": "1 critical, 2 high, 3 normal, 4 low.",
}

ERROR = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "additionalProperties": False,
            "properties": {
                "code": text(
                    "bad_request, unauthorized, forbidden, not_found, method_not_allowed, "
                    "conflict, too_large, invalid, too_many_requests, server_error."
                ),
                "message": text("For people, in the caller's language."),
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "A message per bad field or parameter (may be empty).",
                },
            },
        }
    },
}

ACCOUNT = {
    "type": "object",
    "required": ["username", "full_name", "role", "email", "province", "unit", "language"],
    "additionalProperties": False,
    "properties": {
        "username": text("The caller's login name, its CCCD always masked."),
        "full_name": text(),
        "role": {"type": "string", "enum": ROLES},
        "email": text(),
        "province": nullable_text("2-digit province code."),
        "unit": nullable_text("The unit's name."),
        "language": {"type": "string", "enum": ["vi", "en"]},
    },
}

TICKET_PROPERTIES = {
    "number": text("HT-<year>-<6 digits>."),
    "subject": text(),
    "description": text(),
    "status": {"type": "string", "enum": STATUSES},
    "priority": PRIORITY,
    "system": text("System code (reference/ministries.csv)."),
    "category": text("Category code (reference/categories.csv)."),
    "province": text("2-digit province code."),
    "unit": text(),
    "dossier_code": text("Mã hồ sơ, may be empty."),
    "procedure_code": text("Mã thủ tục, may be empty."),
    "queue": text("Code of the queue working the ticket."),
    "queue_name": text(),
    "assignee": nullable_text(MASKED + " Null while unassigned."),
    "requester": text(MASKED),
    "created_at": instant("Filed."),
    "updated_at": instant("Last changed."),
    "resolved_at": instant("Resolved; null unless resolved.", nullable=True),
    "closed_at": instant("Closed; null unless closed.", nullable=True),
    "first_response_due": instant("First-response deadline.", nullable=True),
    "resolution_due": instant("Resolution deadline.", nullable=True),
    "sla_state": {"type": "string", "enum": SLA_STATES},
    "version": {
        "type": "integer",
        "minimum": 1,
        "description": "Grows with every change; send it back in PATCH to detect conflicts.",
    },
}

TICKET = {
    "type": "object",
    "required": list(TICKET_PROPERTIES),
    "additionalProperties": False,
    "properties": TICKET_PROPERTIES,
}

MESSAGE = {
    "type": "object",
    "required": ["id", "body", "internal", "author", "author_name", "source", "created_at"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer"},
        "body": text(),
        "internal": {
            "type": "boolean",
            "description": "An internal note: only staff ever receive these.",
        },
        "author": nullable_text(MASKED + " Null for the system."),
        "author_name": nullable_text(),
        "source": text("Where it was written (web, email, ...)."),
        "created_at": instant("Written."),
    },
}

ATTACHMENT = {
    "type": "object",
    "required": ["id", "filename", "content_type", "size", "message_id", "created_at", "url"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer"},
        "filename": text(),
        "content_type": text("Read from the content, not the name."),
        "size": {"type": "integer", "minimum": 0, "description": "Bytes."},
        "message_id": {
            "type": ["integer", "null"],
            "description": "The message it came with; null when filed with the ticket.",
        },
        "created_at": instant("Uploaded."),
        "url": nullable_text("Download address on the web app (needs a web session)."),
    },
}

TICKET_DETAIL = {
    "type": "object",
    "required": [*TICKET_PROPERTIES, "messages", "attachments"],
    "additionalProperties": False,
    "properties": {
        **TICKET_PROPERTIES,
        "messages": {
            "type": "array",
            "items": ref("Message"),
            "description": "Oldest first. Requesters get public messages only.",
        },
        "attachments": {
            "type": "array",
            "items": ref("Attachment"),
            "description": "Files the caller may read (never an internal note's, for requesters).",
        },
    },
}

TICKET_LIST = {
    "type": "object",
    "required": ["items", "page", "per_page", "total", "pages"],
    "additionalProperties": False,
    "properties": {
        "items": {"type": "array", "items": ref("Ticket")},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        "total": {"type": "integer", "minimum": 0},
        "pages": {"type": "integer", "minimum": 1},
    },
}

NEW_TICKET = {
    "type": "object",
    "required": ["system", "category", "province", "subject", "description"],
    "additionalProperties": False,
    "description": "The fields of the web form. Unknown fields are refused (422).",
    "properties": {
        "system": text("System code."),
        "category": text("Category code."),
        "province": text("2-digit province code."),
        "unit": text(maxLength=200),
        "subject": text(maxLength=200),
        "description": text(maxLength=20000),
        "dossier_code": text(maxLength=60),
        "procedure_code": text(maxLength=60),
        "priority": {**PRIORITY, "description": "1 critical to 4 low; 3 when left out."},
        "submission_key": text(
            "Any key of the client's choosing: a retry with the same key files nothing new "
            "and answers with the ticket filed the first time. Same as the Idempotency-Key "
            "header.",
            minLength=1,
            maxLength=64,
        ),
    },
}

NEW_MESSAGE = {
    "type": "object",
    "required": ["body"],
    "additionalProperties": False,
    "properties": {
        "body": text(maxLength=20000),
        "internal": {
            "type": "boolean",
            "description": "An internal note (agents only; a requester sending true gets 422).",
        },
    },
}

TICKET_CHANGES = {
    "type": "object",
    "additionalProperties": False,
    "description": "Agents only (others get 404). Applied together or not at all.",
    "properties": {
        "status": {"type": "string", "enum": STATUSES, "description": "Along the workflow."},
        "assignee": nullable_text(
            "Login name `CCCD@domain` of an agent of the queue; null unassigns."
        ),
        "queue": text("Code of the queue to transfer to (needs `reason`)."),
        "priority": PRIORITY,
        "reason": text("Why: required with `queue`, recorded with `status`.", maxLength=1000),
        "version": {
            "type": "integer",
            "description": "The version the change was made against: 409 if it moved on.",
        },
    },
}


def error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": ref("Error")}},
    }


def json_response(description: str, schema: str, **extra) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": ref(schema)}},
        **extra,
    }


def json_body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": ref(schema)}}}


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


def errors(*names: str) -> dict:
    status = {
        "BadRequest": "400",
        "Unauthorized": "401",
        "Forbidden": "403",
        "NotFound": "404",
        "Conflict": "409",
        "TooLarge": "413",
        "Invalid": "422",
        "TooManyRequests": "429",
    }
    chosen = ("Unauthorized", "Forbidden", "Invalid", "TooManyRequests", *names)
    return {status[name]: {"$ref": f"#/components/responses/{name}"} for name in chosen}


NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "The ticket number, HT-<year>-<6 digits>.",
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
            "summary": "File a ticket (the fields of the web form).",
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
            "summary": "Agents: change status, assignee, queue, priority.",
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
        "Unknown fields of a body are refused (422); query parameters this document does not "
        "name are ignored. Bodies: at most 256 KB (413), nested at most 16 levels (400). "
        "Rate limited per token (429).",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": PATHS,
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
            "Error": ERROR,
            "Account": ACCOUNT,
            "Ticket": TICKET,
            "TicketDetail": TICKET_DETAIL,
            "Message": MESSAGE,
            "Attachment": ATTACHMENT,
            "TicketList": TICKET_LIST,
            "NewTicket": NEW_TICKET,
            "NewMessage": NEW_MESSAGE,
            "TicketChanges": TICKET_CHANGES,
        },
    },
}


def document() -> dict:
    """A copy of the document (callers may change theirs)."""
    return copy.deepcopy(DOCUMENT)
