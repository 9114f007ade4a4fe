"""The OpenAPI document's shape, and the schema checker the API tests rely on."""

from __future__ import annotations

import pytest
from unit.api.openapi_check import KEYWORDS, problems

from helpdesk.api.openapi import document

DOCUMENT = document()
CONTRACT_TICKET_FIELDS = (
    "number",
    "kind",
    "incident",
    "subject",
    "status",
    "priority",
    "system",
    "category",
    "province",
    "queue",
    "assignee",
    "created_at",
    "first_response_due",
    "resolution_due",
    "sla_state",
    "source",
)
TICKET = {
    "number": "HT-2026-000001",
    "kind": "ticket",
    "incident": None,
    "subject": "Tiền thanh toán trực tuyến chưa về",
    "description": "Mô tả",
    "status": "new",
    "priority": 3,
    "system": "moj",
    "category": "payment",
    "province": "75",
    "unit": {"code": None, "name": "UBND xã A"},
    "dossier_code": "",
    "procedure_code": "",
    "queue": "moj-it",
    "queue_name": "Cục CNTT",
    "assignee": None,
    "requester": "********8888@ht.com",
    "created_at": "2026-03-02T04:00:00+00:00",
    "updated_at": "2026-03-02T04:00:00+00:00",
    "resolved_at": None,
    "resolution": "",
    "closed_at": None,
    "first_response_due": "2026-03-02T06:00:00+00:00",
    "resolution_due": None,
    "sla_state": "ok",
    "source": "api",
    "version": 1,
}


def ticket_problems(**changes) -> list[str]:
    return problems({**TICKET, **changes}, {"$ref": "#/components/schemas/Ticket"}, DOCUMENT)


def test_a_valid_ticket_passes_the_checker():
    assert ticket_problems() == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"priority": "high"}, "$.priority"),
        ({"priority": True}, "$.priority"),  # a boolean is not an integer
        ({"priority": 5}, "above 4"),
        ({"status": "pending"}, "not one of"),
        ({"created_at": "2026-03-02T04:00:00"}, "offset"),  # naive
        ({"created_at": "yesterday"}, "offset"),
        ({"created_at": None}, "$.created_at"),  # not nullable
        ({"assignee": 7}, "$.assignee"),
        ({"cccd": "001166668888"}, "'cccd' is not allowed"),
    ],
)
def test_the_checker_rejects_a_wrong_ticket(changes, expected):
    found = ticket_problems(**changes)
    assert found
    assert any(expected in problem for problem in found), found


def test_the_checker_names_a_missing_required_field():
    ticket = dict(TICKET)
    del ticket["sla_state"]
    found = problems(ticket, {"$ref": "#/components/schemas/Ticket"}, DOCUMENT)
    assert found == ["$: 'sla_state' is required"]


def test_the_checker_walks_arrays_of_references():
    page = {"items": [TICKET, {**TICKET, "version": "2"}], "page": 1, "per_page": 50}
    page |= {"total": 2, "pages": 1}
    found = problems(page, {"$ref": "#/components/schemas/TicketList"}, DOCUMENT)
    assert found == ["$.items[1].version: '2' is not of type ['integer']"]


def test_the_checker_refuses_keywords_it_does_not_understand():
    assert problems("x", {"type": "string", "pattern": "y"}, DOCUMENT) == [
        "$: unsupported keyword 'pattern'"
    ]


def test_the_document_is_openapi_3_1_with_a_bearer_scheme():
    assert DOCUMENT["openapi"] == "3.1.0"
    scheme = DOCUMENT["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert DOCUMENT["security"] == [{"bearer": []}]


def test_a_ticket_carries_every_field_of_the_contract():
    for name in ("Ticket", "TicketDetail"):
        required = DOCUMENT["components"]["schemas"][name]["required"]
        assert set(CONTRACT_TICKET_FIELDS) <= set(required), name


def references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def test_every_reference_resolves():
    for reference in references(DOCUMENT):
        node = DOCUMENT
        for part in reference.removeprefix("#/").split("/"):
            assert part in node, reference
            node = node[part]


def schemas_in(schema: dict):
    yield schema
    for child in schema.get("properties", {}).values():
        yield from schemas_in(child)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from schemas_in(schema[key])


def test_the_schemas_keep_to_what_the_checker_understands():
    for name, schema in DOCUMENT["components"]["schemas"].items():
        for part in schemas_in(schema):
            assert set(part) <= KEYWORDS, (name, set(part) - KEYWORDS)


def test_every_authenticated_operation_documents_401_and_429():
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or operation.get("security") == []:
                continue
            assert {"401", "429"} <= set(operation["responses"]), (method, path)


def test_document_returns_a_copy():
    document()["paths"].clear()
    assert document()["paths"]
