"""The JSON API against its own OpenAPI document (/api/v1/openapi.json), with schemathesis.

Every operation of the document gets requests generated from it, valid ones and invalid ones
(on generated ticket numbers and on a ticket, or an incident, that exists), as an agent (bearer
token) who works the tickets, and every response must pass every built-in check of schemathesis
(those of a single response; the stateful ones have nothing to say here): not a server error, a
status code, content type, headers and body the document declares, valid data accepted,
invalid data refused, missing required header, unsupported method and Allow header, ignored
authentication. Through WSGI: no server, no port. schemathesis's pytest plugin (lazy schemas)
does not run under pytest 9, so the operations are walked with its Python API. Derandomized
with a fixed number of examples, once per suite (PostgreSQL when TEST_DATABASE_URL is set);
CI prints how many cases were checked.
"""

from __future__ import annotations

import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from integration.tickets.page_helpers import GOOD_FORM
from schemathesis import GenerationMode
from sqlalchemy import select

EXAMPLES_PER_OPERATION = 25  # per mode (valid, invalid)
# Valid data is accepted, or refused with a 422 the document declares when it names what does
# not exist (a system, queue or account code is any string to a schema) or breaks a rule no
# schema says (a status the workflow does not allow from where the ticket is).
# Query parameters the document does not name are ignored (the document says so), as HTTP
# APIs do: none is generated.
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"allow-extra-parameters": False},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
            }
        },
    }
)


@pytest.fixture
def agent_world(db, make_user):
    """An agent of moj-it covering province 75 with a token, a ticket of theirs to work, an
    incident they declared with it attached and a request they sent to two provinces."""
    from helpdesk.api.services import issue_token
    from helpdesk.requests.services import RequestDraft, send_request
    from helpdesk.routing.models import Membership, MembershipProvince, Queue
    from helpdesk.tickets import services as tickets

    requester = make_user("requester", province_code="75", unit="UBND phường Trấn Biên")
    agent = make_user("agent")
    queue = db.session.scalar(select(Queue).where(Queue.code == "moj-it"))
    membership = Membership(queue_id=queue.id, user_id=agent.id)
    membership.coverage = [MembershipProvince(province_code="75")]
    db.session.add(membership)
    db.session.commit()
    ticket = tickets.create_ticket(requester, tickets.TicketDraft(**{**GOOD_FORM, "priority": 3}))
    incident = tickets.declare(
        agent, title="Sự cố đăng nhập", system="moj", numbers=[ticket.number]
    )
    sent = send_request(agent, RequestDraft("Số liệu", "Gửi số liệu.", "2030-03-15", ["75", "01"]))
    return {
        "token": issue_token(agent, name="schemathesis"),
        "number": ticket.number,
        "incident": incident.number,
        "request": sent.number,
    }


def isolated(app):
    """The app as a WSGI callable answering each request in an app context of its own (its
    own database session), as in production."""

    def wsgi(environ, start_response):
        with app.app_context():
            return app.wsgi_app(environ, start_response)

    return wsgi


def test_the_api_keeps_to_its_openapi_document(app, backend, agent_world, monkeypatch, capsys):
    if backend == "sqlite" and os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("runs once, on PostgreSQL (production's database)")
    monkeypatch.setitem(app.config, "HELPDESK_API_RATE_LIMIT", "100000/minute")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated(app), config=CONFIG)
    headers = {"Authorization": f"Bearer {agent_world['token']}"}
    started = time.monotonic()
    checked = {"operations": 0, "cases": 0}
    for result in schema.get_all_operations():
        operation = result.ok()
        checked["operations"] += 1
        targets = [{}]
        if "{number}" in operation.path:  # a ticket that exists, as well as generated numbers
            kind = next(
                (k for k in ("incident", "request") if f"/{k}s/" in operation.path), "number"
            )
            existing = agent_world[kind]
            targets.append({"path_parameters": {"number": existing}})
        for target in targets:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                run(operation.as_strategy(generation_mode=mode, **target), headers, checked)
    with capsys.disabled():
        print(
            f"\n[schemathesis] {checked['cases']} cases on {checked['operations']} operations "
            f"of /api/v1/openapi.json, every check passed, on {backend} in "
            f"{time.monotonic() - started:.0f} s"
        )


def run(strategy, headers: dict, checked: dict) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case):
        checked["cases"] += 1
        case.call_and_validate(headers=headers)

    check()
