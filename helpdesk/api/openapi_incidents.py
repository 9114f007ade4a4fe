"""The incidents' part of the OpenAPI document: their three paths (staff only) and the schemas
of their bodies. An incident is a ticket of kind `incident`: it is read, listed and changed as
a ticket (`/tickets/{number}`)."""

from __future__ import annotations

from helpdesk.api.openapi_components import ref, text
from helpdesk.api.openapi_parts import NUMBER, error_response, errors, json_body, json_response
from helpdesk.tickets.services.incidents import MAX_TICKETS

NUMBERS = {
    "type": "array",
    "items": text("A ticket number, HT-<year>-<6 digits>."),
    "description": f"At most {MAX_TICKETS} numbers (any case, each counted once).",
}

NEW_INCIDENT = {
    "type": "object",
    "required": ["title", "system"],
    "additionalProperties": False,
    "description": "Unknown fields are refused (422).",
    "properties": {
        "title": text("What is wrong, as officials would recognise it.", maxLength=200),
        "system": text("System code."),  # the codes: document() fills them in
        "category": {
            "type": ["string", "null"],
            "description": "Category code; left out: the one most of its tickets have, else "
            "`other`.",
        },
        "description": {
            "type": ["string", "null"],
            "maxLength": 20000,
            "description": "Left out: the title.",
        },
        "provinces": {
            "type": ["array", "null"],
            "items": text("2-digit province code."),
            "description": "The provinces it is limited to; left out or empty: the whole country.",
        },
        "tickets": {
            **NUMBERS,
            "type": ["array", "null"],
            "description": "Tickets attached at once, each one the caller works, of the same "
            "system, not closed, not an incident: all of them, or nothing is saved (422 naming "
            f"`tickets`). At most {MAX_TICKETS}.",
        },
    },
}

INCIDENT_TICKETS = {
    "type": "object",
    "required": ["tickets"],
    "additionalProperties": False,
    "properties": {"tickets": NUMBERS},
}

INCIDENT_UPDATE = {
    "type": "object",
    "required": ["body"],
    "additionalProperties": False,
    "properties": {
        "body": text(
            "Public: written in the thread of the incident and of each ticket attached to it, "
            "mailed to their requesters and followers.",
            maxLength=20000,
        ),
        "resolve": {
            "type": "boolean",
            "description": "Resolve the incident and its open tickets, the body their "
            "resolution (false when left out).",
        },
        "expected_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "When the repair is expected: RFC 3339 with its offset "
            "(`2026-03-02T15:00:00+07:00`); left out or null keeps what an earlier update "
            "said.",
        },
    },
}

ATTACHED = {
    "type": "object",
    "required": ["results", "incident"],
    "additionalProperties": False,
    "properties": {
        "results": {
            "type": "object",
            "additionalProperties": text(),
            "description": "Per number asked for (trimmed, upper-cased): `ok`, or why it was "
            "not attached (not found or not the caller's to work, another system, closed, an "
            "incident).",
        },
        "incident": ref("TicketDetail"),
    },
}

UPDATE_POSTED = {
    "type": "object",
    "required": ["tickets", "incident"],
    "additionalProperties": False,
    "properties": {
        "tickets": {
            "type": "integer",
            "minimum": 0,
            "description": "How many attached tickets the update reached (not closed, not "
            "merged away).",
        },
        "incident": ref("TicketDetail"),
    },
}

SCHEMAS = {
    "NewIncident": NEW_INCIDENT,
    "IncidentTickets": INCIDENT_TICKETS,
    "IncidentUpdate": INCIDENT_UPDATE,
    "IncidentTicketsAttached": ATTACHED,
    "IncidentUpdatePosted": UPDATE_POSTED,
}

LOCATION = {"Location": {"schema": {"type": "string"}}}
NOT_AN_INCIDENT = error_response(
    "No such incident, or one the caller may not see or work; a ticket that is not an incident "
    "answers the same."
)

PATHS = {
    "/incidents": {
        "post": {
            "operationId": "declareIncident",
            "summary": "Staff: declare an incident of a system, with tickets attached at once.",
            "description": "Officials get 404. The incident goes to the queue of its first "
            "ticket (else where routing sends its system and category), assigned to the "
            "caller; its province is its first ticket's, else its first province's.",
            "requestBody": json_body("NewIncident"),
            "responses": {
                "201": json_response("Declared.", "TicketDetail", headers=LOCATION),
                **errors("BadRequest", "NotFound", "Conflict", "TooLarge"),
            },
        }
    },
    "/incidents/{number}/tickets": {
        "parameters": [NUMBER],
        "post": {
            "operationId": "attachToIncident",
            "summary": "Staff: attach tickets to an open incident.",
            "description": "Those that may join are attached together; each number gets its "
            "answer. A ticket attached to another incident moves to this one. An incident that "
            "is not open answers 422.",
            "requestBody": json_body("IncidentTickets"),
            "responses": {
                "200": json_response("Attached.", "IncidentTicketsAttached"),
                **errors("BadRequest", "NotFound", "Conflict", "TooLarge"),
                "404": NOT_AN_INCIDENT,
            },
        },
    },
    "/incidents/{number}/updates": {
        "parameters": [NUMBER],
        "post": {
            "operationId": "postIncidentUpdate",
            "summary": "Staff: one public update to an open incident and every attached ticket.",
            "description": "Written once in each thread (`source` `api`), the first response "
            "of each ticket that had none, mailed once to each requester and follower in their "
            "language. An incident that is not open answers 422; a ticket changed meanwhile "
            "409 (nothing is written).",
            "requestBody": json_body("IncidentUpdate"),
            "responses": {
                "201": json_response("Posted.", "IncidentUpdatePosted", headers=LOCATION),
                **errors("BadRequest", "NotFound", "Conflict", "TooLarge"),
                "404": NOT_AN_INCIDENT,
            },
        },
    },
}
