"""A checker for the JSON Schema subset helpdesk/api/openapi.py uses (no jsonschema library).

`problems(instance, schema, document)` lists where an instance breaks its schema; a keyword
outside the subset is itself a problem, so the document cannot drift past what is checked.
"""

from __future__ import annotations

import re
from datetime import datetime

ANNOTATIONS = {"description", "title", "example", "examples", "default", "deprecated"}
KEYWORDS = {
    "$ref",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "enum",
    "items",
    "format",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
} | ANNOTATIONS
# RFC 3339 date-time: the offset is mandatory.
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def resolve(reference: str, document: dict) -> dict:
    assert reference.startswith("#/"), f"only local references: {reference}"
    node = document
    for part in reference[2:].split("/"):
        node = node[part]
    return node


def problems(instance, schema: dict, document: dict, path: str = "$") -> list[str]:
    found = [f"{path}: unsupported keyword {k!r}" for k in schema if k not in KEYWORDS]
    if "$ref" in schema:
        return found + problems(instance, resolve(schema["$ref"], document), document, path)
    if "type" in schema:
        allowed = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(TYPES[name](instance) for name in allowed):
            return [*found, f"{path}: {instance!r} is not of type {allowed}"]
    if "enum" in schema and instance not in schema["enum"]:
        found.append(f"{path}: {instance!r} is not one of {schema['enum']}")
    if isinstance(instance, str):
        if schema.get("format") == "date-time" and not is_date_time(instance):
            found.append(f"{path}: {instance!r} is not a date-time with an offset")
        if len(instance) < schema.get("minLength", 0):
            found.append(f"{path}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(instance) > schema["maxLength"]:
            found.append(f"{path}: longer than {schema['maxLength']}")
    if TYPES["number"](instance):
        if "minimum" in schema and instance < schema["minimum"]:
            found.append(f"{path}: {instance} is below {schema['minimum']}")
        if "maximum" in schema and instance > schema["maximum"]:
            found.append(f"{path}: {instance} is above {schema['maximum']}")
    if isinstance(instance, dict):
        properties = schema.get("properties", {})
        found += [
            f"{path}: {n!r} is required" for n in schema.get("required", ()) if n not in instance
        ]
        extra = schema.get("additionalProperties", True)
        for name, value in instance.items():
            if name in properties:
                found += problems(value, properties[name], document, f"{path}.{name}")
            elif extra is False:
                found.append(f"{path}: {name!r} is not allowed")
            elif isinstance(extra, dict):
                found += problems(value, extra, document, f"{path}.{name}")
    if isinstance(instance, list) and "items" in schema:
        for index, item in enumerate(instance):
            found += problems(item, schema["items"], document, f"{path}[{index}]")
    return found


def is_date_time(value: str) -> bool:
    if not DATE_TIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def assert_matches(instance, schema_name: str, document: dict) -> None:
    """Fail with every problem when the instance does not match #/components/schemas/NAME."""
    schema = {"$ref": f"#/components/schemas/{schema_name}"}
    found = problems(instance, schema, document)
    assert not found, "\n".join(found)
