"""The schemas of the JSON API v1's bodies, for its OpenAPI document: plain dicts, their
enumerations read from the models (statuses, roles, priorities, languages).

They keep to a small subset of JSON Schema (type, properties, required,
additionalProperties, enum, items, format date-time, minimum, maximum, minLength, maxLength,
$ref; null through type lists) so that the tests can check real answers against them.
"""

from __future__ import annotations

from helpdesk.auth.models import Role
from helpdesk.config import Config
from helpdesk.sla.states import SlaState
from helpdesk.tickets.models import Kind, Priority, Source, Status

STATUSES = [status.value for status in Status]
SOURCES = [source.value for source in Source]
KINDS = [kind.value for kind in Kind]
SLA_STATES = [state.value for state in SlaState]
ROLES = [role.value for role in Role]
LANGUAGES = list(Config.LANGUAGES)

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
    "minimum": int(min(Priority)),
    "maximum": int(max(Priority)),
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
        "language": {"type": "string", "enum": LANGUAGES},
    },
}

TICKET_PROPERTIES = {
    "number": text("HT-<year>-<6 digits>."),
    "kind": {
        "type": "string",
        "enum": KINDS,
        "description": "`incident`: one fault that many tickets report, numbered like a ticket; "
        "`request`: a province's answer to a request with a due date (`/requests`).",
    },
    "incident": nullable_text(
        "The number of the incident the ticket is attached to; null when it is attached to none."
    ),
    "subject": text(),
    "description": text(),
    "status": {"type": "string", "enum": STATUSES},
    "priority": PRIORITY,
    "system": text("System code (reference/ministries.csv)."),
    "category": text("Category code (reference/categories.csv)."),
    "province": text("2-digit province code."),
    "unit": {
        "type": ["object", "null"],
        "required": ["code", "name"],
        "additionalProperties": False,
        "description": "The unit the ticket was filed for; null when it names none.",
        "properties": {
            "code": nullable_text(
                "The listed unit's code (5 digits for a commune, ward or special zone); null "
                "for a name kept as written."
            ),
            "name": text(),
        },
    },
    "dossier_code": text("Mã hồ sơ, may be empty."),
    "procedure_code": text("Mã thủ tục, may be empty."),
    "queue": text("Code of the queue working the ticket."),
    "queue_name": text(),
    "assignee": nullable_text(MASKED + " Null while unassigned."),
    "requester": text(MASKED),
    "created_at": instant("Filed."),
    "updated_at": instant("Last changed."),
    "resolved_at": instant("Resolved; null unless resolved.", nullable=True),
    "resolution": text(
        "The outcome told to the requester when the ticket was resolved (kept once it is "
        "closed); empty when none, and again once the ticket is reopened."
    ),
    "closed_at": instant("Closed; null unless closed.", nullable=True),
    "first_response_due": instant("First-response deadline.", nullable=True),
    "resolution_due": instant("Resolution deadline.", nullable=True),
    "sla_state": {"type": "string", "enum": SLA_STATES},
    "source": {
        "type": "string",
        "enum": SOURCES,
        "description": "Where it was filed: the web form, the API, a mail, a call to the hotline.",
    },
    "version": {
        "type": "integer",
        "minimum": 1,
        "description": "Grows with every change; send it back in PATCH to detect conflicts.",
    },
}

# Present for staff only (requesters never get them).
STAFF_TICKET_PROPERTIES = {
    "external_ref": text(
        "Staff only: the ticket's number in another desk (a ministry's service desk, a "
        "vendor's tracker); empty when none.",
        maxLength=100,
    ),
    "followers": {
        "type": "array",
        "description": "Staff only: who follows the ticket (gets the mail of its public "
        "events), by name.",
        "items": {
            "type": "object",
            "required": ["name", "username"],
            "additionalProperties": False,
            "properties": {"name": text(), "username": text(MASKED)},
        },
    },
    "callback_phone": text(
        "Staff only: the number to call the official back on (a call); empty when none."
    ),
    "filed_by": nullable_text(
        MASKED + " Staff only: who filed it for its requester (a call); null: the requester."
    ),
    "tickets": {
        "type": "array",
        "items": text("HT-<year>-<6 digits>."),
        "description": "Staff only, on an incident: the tickets attached to it that the caller "
        "sees, oldest first.",
    },
    "provinces": {
        "type": "array",
        "items": text("2-digit province code."),
        "description": "Staff only, on an incident: the provinces it is limited to; empty: the "
        "whole country.",
    },
    "expected_at": instant(
        "Staff only, on an incident: the repair expected, as its latest update said; null "
        "when none said.",
        nullable=True,
    ),
}

TICKET = {
    "type": "object",
    "required": list(TICKET_PROPERTIES),
    "additionalProperties": False,
    "properties": {**TICKET_PROPERTIES, **STAFF_TICKET_PROPERTIES},
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
        "source": {
            "type": "string",
            "enum": SOURCES,
            "description": "Where it was written: web, api, email (a reply by mail), phone.",
        },
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
        **STAFF_TICKET_PROPERTIES,
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
        "unit": text(
            "The unit's name: matched to the province's listed unit (case, diacritics and "
            '"UBND xã/phường" aside), else kept as written.',
            maxLength=200,
        ),
        "unit_code": text(
            "A listed unit of the province, exactly (422 for another province's or an unknown "
            "code); `unit` is then not needed.",
            maxLength=16,
        ),
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
        "requester": text(
            "Staff only: the login name `CCCD@domain` of the official the ticket is filed for "
            "(an active official's account; a coordinator's of its province); the caller is "
            "recorded as who filed it. Unknown: 422 naming it; others sending it: 422."
        ),
        "source": {
            "type": "string",
            "enum": [Source.API.value, Source.PHONE.value],
            "description": "`api` when left out; `phone` (staff, with `requester`): a call to "
            "the hotline. Anything else, or phone from others: 422 naming it.",
        },
        "callback_phone": text(
            "Staff only: the number to call the official back on.", maxLength=20
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
        "resolution": {
            "type": ["string", "null"],
            "maxLength": 2000,
            "description": "Required with `status: resolved` (without it, or empty: 422 naming "
            "`resolution`): the outcome told to the requester, on the ticket page and in the "
            "mail; trimmed, at most 2000 characters. Without that status it must be empty or "
            "null.",
        },
        "external_ref": {
            "type": ["string", "null"],
            "maxLength": 100,
            "description": "The ticket's number in another desk, on one line; empty or null "
            "clears it.",
        },
        "version": {
            "type": "integer",
            "description": "The version the change was made against: 409 if it moved on.",
        },
    },
}


SCHEMAS = {
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
}
