"""The requests' part of the OpenAPI document: sending a request with a due date to provinces,
and reading each province's state. A province answers on a ticket of kind `request`, read as a
ticket (`/tickets/{number}`) by those who see it."""

from __future__ import annotations

from helpdesk.api.openapi_components import instant, text
from helpdesk.api.openapi_parts import error_response, errors, json_body, json_response
from helpdesk.requests.tracker import State

STATES = [state.value for state in State]

NEW_REQUEST = {
    "type": "object",
    "required": ["title", "body", "due"],
    "additionalProperties": False,
    "description": "Unknown fields are refused (422).",
    "properties": {
        "title": text("What is asked, in a line; each province's ticket's subject.", maxLength=200),
        "body": text("The instructions; each province's ticket's description.", maxLength=20000),
        "due": text(
            "The due date (YYYY-MM-DD, not past): answers are due by the end of that day's "
            "working hours, Vietnamese time.",
            format="date",
        ),
        "provinces": {
            "type": ["array", "null"],
            "items": text("2-digit province code."),  # the codes: document() fills them in
            "description": "The provinces asked; left out, null or empty: all 34.",
        },
        "system": {
            "type": ["string", "null"],
            "description": "The system it is about, among those the caller sends requests "
            "about; left out: the caller's only system, else (admins, national observers) "
            "every system.",
        },
    },
}

SENT = {
    "type": "object",
    "required": ["number", "tickets"],
    "additionalProperties": False,
    "properties": {
        "number": text("The request's number, YC-<year>-<6 digits>."),
        "tickets": {
            "type": "array",
            "description": "One ticket per province, in each province's coordinators' queue.",
            "items": {
                "type": "object",
                "required": ["number", "province"],
                "additionalProperties": False,
                "properties": {
                    "number": text("The ticket's number, HT-<year>-<6 digits>."),
                    "province": text("2-digit province code."),
                },
            },
        },
    },
}

PROVINCE_STATE = {
    "type": "object",
    "required": ["province", "ticket", "state", "answered_at", "late"],
    "additionalProperties": False,
    "properties": {
        "province": text("2-digit province code."),
        "ticket": text("The number of the province's ticket."),
        "state": {
            "type": "string",
            "enum": STATES,
            "description": "`not_opened`: nobody on staff acted yet; `in_progress`: claimed, "
            "assigned or moved on, not answered; `answered`: a public staff reply, or resolved "
            "or closed; `late`: not answered by the due time.",
        },
        "answered_at": instant("When it answered (null: not yet).", nullable=True),
        "late": {
            "type": "boolean",
            "description": "Answered after the due time, or not answered by then.",
        },
    },
}

TRACKER = {
    "type": "object",
    "required": ["number", "title", "due", "due_at", "system", "provinces"],
    "additionalProperties": False,
    "properties": {
        "number": text("YC-<year>-<6 digits>."),
        "title": text(),
        "due": text("The due date (YYYY-MM-DD).", format="date"),
        "due_at": instant("The due time: the end of the due date's working hours."),
        "system": {"type": ["string", "null"], "description": "System code; null: every system."},
        "provinces": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/RequestProvince"},
            "description": "In the order of the provinces' names; a provincial coordinator "
            "reads its own province's only.",
        },
    },
}

SCHEMAS = {
    "NewRequest": NEW_REQUEST,
    "RequestSent": SENT,
    "RequestProvince": PROVINCE_STATE,
    "RequestTracker": TRACKER,
}

LOCATION = {"Location": {"schema": {"type": "string"}}}
REQUEST_NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "The request's number, YC-<year>-<6 digits>.",
}

PATHS = {
    "/requests": {
        "post": {
            "operationId": "sendRequest",
            "summary": "Send a request with a due date to provinces: a ticket each.",
            "description": "For admins, observers allowed to send requests, and the ministry's "
            "IT staff (agents and supervisors of a ministry IT queue) about their systems; "
            "anyone else gets 404. Each province gets a ticket of kind `request` in its "
            "coordinators' queue (`province-<code>`), due at the due time, whose coordinators "
            "are told as of a new ticket; 422 names each bad field.",
            "requestBody": json_body("NewRequest"),
            "responses": {
                "201": json_response("Sent.", "RequestSent", headers=LOCATION),
                **errors("BadRequest", "NotFound", "TooLarge"),
                "404": error_response("The caller sends no request."),
            },
        }
    },
    "/requests/{number}": {
        "parameters": [REQUEST_NUMBER],
        "get": {
            "operationId": "getRequest",
            "summary": "A request and each province's state.",
            "description": "For its sender, admins, observers (of its system), the ministry's "
            "IT staff of its system and the coordinators of its provinces; 404 for anyone "
            "else, as for a request that does not exist.",
            "responses": {
                "200": json_response("The request.", "RequestTracker"),
                **errors("NotFound"),
                "404": error_response("No such request, or one the caller may not see."),
            },
        },
    },
}
