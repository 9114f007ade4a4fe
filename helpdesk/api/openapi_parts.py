"""The pieces the OpenAPI document's paths are built of: answers, bodies, the references to its
error answers, the ticket number in a path. Plain dicts."""

from __future__ import annotations

from helpdesk.api.openapi_components import ref


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
