"""Sending a request: one ticket of kind `request` per province in its coordinators' queue, due
at the due date's end of working hours, outside every SLA clock; written in a constant number
of statements; the coordinators told, the sender not."""

from __future__ import annotations

import re
from datetime import date

import pytest
from integration.requests.helpers import DUE_AT, PNG, SENT_AT, tickets_of
from sqlalchemy import func, select

from helpdesk import errors, storage
from helpdesk.catalogue import services as catalogue
from helpdesk.notifications.models import Outbox
from helpdesk.requests.services import RequestDraft, send_request
from helpdesk.sla.models import Timer
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Attachment, Event, Kind, Status


def test_a_request_to_every_province_files_34_tickets_in_their_coordinators_queues(db, admin, send):
    request = send(admin, system="moj")

    found = tickets_of(db, request)
    assert re.fullmatch(r"YC-2030-\d{6}", request.number)
    assert (request.due_on, request.due_at, request.system_code) == (
        date(2030, 3, 15),
        DUE_AT,
        "moj",
    )
    assert len(found) == 34 == len(catalogue.provinces())
    assert {t.province_code for t in found} == {p.code for p in catalogue.provinces()}
    assert len({t.number for t in found}) == 34
    for ticket in found:
        assert ticket.kind == Kind.REQUEST and ticket.request_id == request.id
        assert ticket.queue.code == f"province-{ticket.province_code}"
        assert (ticket.subject, ticket.description) == (request.title, request.body)
        assert (ticket.category_code, ticket.system_code, ticket.priority) == ("other", "moj", 3)
        assert (ticket.status, ticket.assignee_id, ticket.requester_id) == ("new", None, admin.id)
        assert ticket.first_response_due is None and ticket.resolution_due == DUE_AT
        assert ticket.sla_policy_id is None
        assert re.fullmatch(r"HT-2030-\d{6}", ticket.number)
    ids = [t.id for t in found]
    assert db.session.scalar(select(func.count()).where(Timer.ticket_id.in_(ids))) == 0
    created = db.session.scalars(select(Event).where(Event.ticket_id.in_(ids))).all()
    assert {(e.kind, e.data["request"]) for e in created} == {("created", request.number)}


def test_the_template_reaches_every_ticket_and_is_stored_once(db, admin, send):
    request = send(admin, provinces=["79", "01", "75"], template=("mau-bao-cao.png", PNG))

    files = db.session.scalars(
        select(Attachment).where(Attachment.ticket_id.in_([t.id for t in tickets_of(db, request)]))
    ).all()
    assert len(files) == 3
    assert {(f.filename, f.sha256, f.message_id) for f in files} == {
        ("mau-bao-cao.png", request.template_sha256, None)
    }
    assert request.template_filename == "mau-bao-cao.png"
    assert storage.path_for(request.template_sha256).read_bytes() == PNG


def test_a_template_that_is_no_document_is_refused_and_nothing_is_sent(db, admin, send):
    with pytest.raises(errors.Invalid) as refused:
        send(admin, template=("chay.exe", b"MZ\x90\x00" + b"\x00" * 64))
    assert set(refused.value.fields) == {"template"}
    assert db.session.scalar(select(func.count(Attachment.id))) == 0


def test_the_coordinators_are_told_as_of_a_new_ticket_and_the_sender_is_not(
    db, admin, coordinators, send
):
    send(admin, provinces=["79", "01", "48"])

    rows = db.session.scalars(select(Outbox).order_by(Outbox.id)).all()
    told = {(row.template, row.to) for row in rows}
    assert told == {
        ("ticket_queued", coordinators["79"].email),
        ("ticket_queued", coordinators["01"].email),
    }  # 48 has nobody; 75 was not asked; the sender gets nothing


def test_sending_costs_as_many_statements_for_34_provinces_as_for_3(
    db, admin, coordinators, count_queries
):
    def statements(provinces) -> int:
        draft = RequestDraft(title="Số liệu", body="Gửi số liệu.", due="2030-03-15")
        draft = RequestDraft(**{**draft.__dict__, "provinces": provinces})
        with count_queries() as seen:
            send_request(admin, draft, now=SENT_AT)
        return len(seen)

    statements(["79"])  # warm: reference data and cached statements
    few = statements(["79", "01", "75"])
    every = statements(None)
    assert few == every
    assert every <= 12


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"title": " "}, {"title"}),
        ({"body": ""}, {"body"}),
        ({"due": "2030-02-30"}, {"due"}),
        ({"due": "15/03/2030"}, {"due"}),
        ({"due": date(2030, 3, 1)}, {"due"}),  # before SENT_AT: passed
        ({"provinces": ["79", "99"]}, {"provinces"}),
        ({"system": "nothing"}, {"system"}),
        ({"title": "", "due": "soon", "provinces": "79"}, {"title", "due", "provinces"}),
    ],
)
def test_each_bad_field_is_named_and_nothing_is_sent(db, admin, send, fields, named):
    with pytest.raises(errors.Invalid) as refused:
        send(admin, **fields)
    assert set(refused.value.fields) == named
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Outbox)) == 0


def test_an_admin_who_names_no_system_asks_about_every_system(db, admin, send):
    request = send(admin, provinces=["79"])

    (ticket,) = tickets_of(db, request)
    assert request.system_code is None
    assert ticket.system_code == catalogue.systems()[0].code  # a ticket names one


def test_who_sends_and_about_which_system(db, make_user, make_agent, make_coordinator, send):
    with_flag = make_user("observer")
    with_flag.sends_requests = True
    bound = make_user("observer", systems=("moh",))
    bound.sends_requests = True
    db.session.commit()
    it_agent = make_agent("moj-it")
    assert send(with_flag, provinces=["79"]).system_code is None  # national: every system
    assert send(bound, provinces=["79"]).system_code == "moh"  # its only system
    assert send(it_agent, provinces=["79"]).system_code == "moj"
    with pytest.raises(errors.Invalid) as refused:
        send(it_agent, provinces=["79"], system="moh")
    assert set(refused.value.fields) == {"system"}
    refused_senders = [
        make_user("requester", province_code="79"),
        make_user("observer"),  # without the flag
        make_agent("moj-fpt"),  # a vendor's agent
        make_coordinator("79"),
        make_agent(""),  # an agent of no queue
    ]
    for user in refused_senders:
        with pytest.raises(errors.NotFound):
            send(user, provinces=["79"])


def test_request_tickets_never_enter_the_sla(db, admin, coordinators, send):
    request = send(admin, provinces=["79"])
    (ticket,) = tickets_of(db, request)
    coordinator = coordinators["79"]

    tickets.respond(coordinator, ticket, "Đang tổng hợp.", status="waiting_requester")
    tickets.respond(coordinator, ticket, "", status="open")
    tickets.respond(
        coordinator, ticket, "Đã gửi danh sách.", status="resolved", resolution="Đã gửi."
    )

    db.session.refresh(ticket)
    assert ticket.status == Status.RESOLVED and ticket.first_responded_at is not None
    assert ticket.resolution_due == DUE_AT and ticket.sla_policy_id is None
    assert ticket.first_response_due is None and ticket.sla_paused_at is None
    assert ticket.resolution_breached_at is None
    assert db.session.scalar(select(func.count()).where(Timer.ticket_id == ticket.id)) == 0
    kinds = set(db.session.scalars(select(Event.kind).where(Event.ticket_id == ticket.id)))
    assert not kinds & {"sla_warning", "sla_breached", "escalated"}
    # The sender follows the answers on the tracker: no mail of the ticket's replies or status.
    assert not db.session.scalars(select(Outbox).where(Outbox.user_id == admin.id)).all()
