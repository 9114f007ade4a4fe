"""Incidents through the services: declaring, attaching, one update reaching every attached
ticket (its thread, its first response, its mail once), resolving with the incident, the
requester's reopening that detaches, and the similar problems found as an official types."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from helpdesk import errors
from helpdesk.notifications.models import Outbox
from helpdesk.sla.models import Timer
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import EventKind, Kind, Message, Status, Ticket
from helpdesk.tickets.services import similar
from helpdesk.timeutil import utcnow

TITLE = "Tiền lệ phí không về tài khoản thụ hưởng"


@pytest.fixture
def agent(make_agent):
    return make_agent("moj-fpt")


def file_for(file_ticket, official, subject=TITLE, **fields):
    return file_ticket(
        official,
        subject=subject,
        category="payment",
        province=official.province_code,
        unit=official.unit.name if official.unit else "",
        **fields,
    )


def outbox_rows(db, template):
    return db.session.scalars(select(Outbox).where(Outbox.template == template)).all()


def test_declaring_from_tickets_attaches_them_and_files_the_incident_in_their_queue(
    db, agent, officials, file_ticket
):
    filed = [file_for(file_ticket, official) for official in officials]
    incident = tickets.declare(
        agent, title=TITLE, system="moj", numbers=[t.number for t in filed], provinces=["75", "01"]
    )
    assert incident.kind == Kind.INCIDENT
    assert incident.number.startswith("HT-")
    assert incident.queue_id == filed[0].queue_id
    assert incident.assignee_id == agent.id
    assert incident.category_code == "payment"
    assert incident.scope == ["01", "75"]
    for ticket in filed:
        db.session.refresh(ticket)
        assert ticket.parent_id == incident.id
        assert ticket.events[-1].kind == EventKind.LINKED
        assert ticket.events[-1].data == {"parent": incident.number}


def test_a_declaration_naming_a_ticket_that_cannot_join_saves_nothing(
    db, agent, officials, file_ticket
):
    good = file_for(file_ticket, officials[0])
    other_system = file_for(file_ticket, officials[1], system="moha")
    before = db.session.scalar(select(func.count()).select_from(Ticket))
    with pytest.raises(errors.Invalid) as raised:
        tickets.declare(
            agent,
            title=TITLE,
            system="moj",
            numbers=[good.number, other_system.number, "HT-2026-999999"],
        )
    assert raised.value.fields["tickets"].count("HT-") == 2
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == before
    with pytest.raises(errors.Invalid) as raised:
        tickets.declare(agent, title="  ", system="moj")
    assert "title" in raised.value.fields
    with pytest.raises(errors.Invalid) as raised:
        tickets.declare(agent, title=TITLE, system="moj", provinces=["99"])
    assert "provinces" in raised.value.fields


def test_attach_reports_each_number_and_an_official_cannot_declare(
    db, agent, officials, file_ticket
):
    incident = tickets.declare(agent, title=TITLE, system="moj")
    good = file_for(file_ticket, officials[0])
    other_system = file_for(file_ticket, officials[1], system="moha")
    results = tickets.attach(agent, incident, [good.number, other_system.number, incident.number])
    assert results[good.number] == "ok"
    assert results[other_system.number] != "ok"
    assert results[incident.number] != "ok"
    with pytest.raises(errors.NotFound):
        tickets.declare(officials[0], title=TITLE, system="moj")


def test_one_update_reaches_every_ticket_once_and_is_their_first_response(
    db, agent, officials, file_ticket, count_queries
):
    filed = [file_for(file_ticket, official) for official in officials]
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[t.number for t in filed])
    expected = utcnow() + timedelta(hours=4)
    reached = tickets.post_update(
        agent, incident, "Đang khắc phục cổng thanh toán.", expected_at=expected
    )
    assert reached == 3
    for ticket in filed:
        db.session.refresh(ticket)
        assert ticket.first_responded_at is not None
        assert ticket.status == Status.OPEN
        bodies = [m.body for m in ticket.messages if m.author_id == agent.id]
        assert bodies == ["Đang khắc phục cổng thanh toán."]
        pending = db.session.scalars(select(Timer.kind).where(Timer.ticket_id == ticket.id)).all()
        assert "first_response" not in pending
    rows = outbox_rows(db, "incident_update")
    assert sorted(row.user_id for row in rows) == sorted(o.id for o in officials)
    assert {row.language for row in rows} == {"vi", "en"}
    assert all(row.context["incident_title"] == TITLE for row in rows)
    db.session.refresh(incident)
    assert incident.expected_at is not None


def test_an_update_costs_the_same_statements_for_three_tickets_as_for_thirty(
    db, agent, make_user, file_ticket, count_queries
):
    def statements(how_many):
        people = [make_user("requester", province_code="75") for _ in range(how_many)]
        filed = [file_for(file_ticket, person) for person in people]
        incident = tickets.declare(
            agent, title=TITLE, system="moj", numbers=[t.number for t in filed]
        )
        db.session.expire_all()
        incident = db.session.get(Ticket, incident.id)
        with count_queries() as seen:
            tickets.post_update(agent, incident, "Cập nhật.")
        return len(seen)

    assert statements(30) <= statements(3) + 2


def test_resolving_the_incident_resolves_its_tickets_and_a_reopen_detaches(
    db, agent, officials, file_ticket
):
    filed = [file_for(file_ticket, official) for official in officials]
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[t.number for t in filed])
    tickets.post_update(agent, incident, "Đã khắc phục; tiền đã về tài khoản.", resolve=True)
    db.session.refresh(incident)
    assert incident.status == Status.RESOLVED
    assert incident.resolution == "Đã khắc phục; tiền đã về tài khoản."
    for ticket in filed:
        db.session.refresh(ticket)
        assert ticket.status == Status.RESOLVED
        assert ticket.resolution == "Đã khắc phục; tiền đã về tài khoản."
        assert not db.session.scalars(select(Timer).where(Timer.ticket_id == ticket.id)).all()
    rows = outbox_rows(db, "incident_update")
    assert len(rows) == 3 and all(row.context["resolved"] for row in rows)
    assert all("reopen_url" in row.context for row in rows)
    tickets.reopen(officials[0], filed[0], reason="Xã tôi vẫn chưa nhận được tiền.")
    db.session.refresh(filed[0])
    assert filed[0].parent_id is None
    assert filed[0].status == Status.OPEN
    assert filed[0].resolution == ""
    with pytest.raises(errors.Invalid):
        tickets.post_update(agent, incident, "Thêm một cập nhật.")


def test_a_subject_without_diacritics_reordered_and_mistyped_finds_the_open_incident(
    db, agent, officials, file_ticket
):
    incident = tickets.declare(agent, title=TITLE, system="moj")
    other = tickets.declare(agent, title="Không đăng nhập được bằng VNeID", system="moj")
    found = similar.matching_incidents("moj", "tai khoang thu huong khong ve tien le phi")
    assert [match.ticket.id for match in found] == [incident.id]
    assert other.id not in [
        m.ticket.id for m in similar.matching_incidents("moj", "tai khoan thu huong")
    ]
    assert similar.matching_incidents("moha", "tai khoan thu huong khong ve tien le phi") == []


def test_an_incident_is_matched_by_the_words_of_its_tickets(db, agent, officials, file_ticket):
    filed = file_for(file_ticket, officials[0], subject="Biên lai điện tử không phát hành được")
    incident = tickets.declare(
        agent, title="Sự cố cổng thanh toán", system="moj", numbers=[filed.number]
    )
    found = similar.matching_incidents("moj", "khong phat hanh duoc bien lai")
    assert [match.ticket.id for match in found] == [incident.id]


def test_a_scoped_incident_is_found_only_in_its_provinces(db, agent):
    incident = tickets.declare(agent, title=TITLE, system="moj", provinces=["75"])
    typed = "tien le phi khong ve tai khoan thu huong"
    assert [m.ticket.id for m in similar.matching_incidents("moj", typed, province="75")] == [
        incident.id
    ]
    assert similar.matching_incidents("moj", typed, province="01") == []


def test_the_incident_page_suggests_similar_open_tickets_not_attached(
    db, agent, officials, file_ticket
):
    attached = file_for(file_ticket, officials[0])
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[attached.number])
    alike = file_for(file_ticket, officials[1], subject="tai khoan thu huong chua nhan tien le phi")
    unlike = file_for(file_ticket, officials[2], subject="Không in được biên lai điện tử")
    found = [match.ticket.id for match in similar.similar_tickets(agent, incident)]
    assert alike.id in found
    assert attached.id not in found
    assert unlike.id not in found
    assert all(m.ticket.requester is not None for m in similar.similar_tickets(agent, incident))


def test_an_update_is_kept_on_the_incident_itself(db, agent, officials, file_ticket):
    incident = tickets.declare(agent, title=TITLE, system="moj")
    tickets.post_update(agent, incident, "Đã ghi nhận sự cố.")
    bodies = db.session.scalars(select(Message.body).where(Message.ticket_id == incident.id)).all()
    assert bodies == ["Đã ghi nhận sự cố."]


def test_a_description_with_control_characters_is_refused(db, agent):
    with pytest.raises(errors.Invalid) as raised:
        tickets.declare(agent, title=TITLE, system="moj", description="bad\x00text")
    assert "description" in raised.value.fields


def test_an_incident_is_resolved_only_by_an_update_and_is_never_merged_or_rerouted(
    db, agent, officials, file_ticket
):
    filed = file_for(file_ticket, officials[0])
    incident = tickets.declare(agent, title=TITLE, system="moj", numbers=[filed.number])
    with pytest.raises(errors.Invalid) as raised:
        tickets.change_status(agent, incident, Status.RESOLVED, resolution="Đã xử lý xong.")
    assert "status" in raised.value.fields
    assert Status.RESOLVED not in tickets.abilities_of(agent, incident, now=utcnow()).statuses
    with pytest.raises(errors.Invalid):
        tickets.merge(agent, incident, filed)
    with pytest.raises(errors.Invalid):
        tickets.merge(agent, filed, incident)
    with pytest.raises(errors.Invalid):
        tickets.change_facts(agent, incident, system="moha", category="payment", province="75")
    db.session.refresh(incident)
    db.session.refresh(filed)
    assert incident.status == Status.OPEN and incident.system_code == "moj"
    assert filed.merged_into_id is None and filed.status != Status.CLOSED


def test_one_word_or_words_that_say_nothing_match_no_incident(db, agent):
    tickets.declare(agent, title=TITLE, system="moj")
    for typed in ("tiền", "không được", "tai khoan khong"):
        assert similar.matching_incidents("moj", typed) == [], typed
    assert similar.matching_incidents("moj", "tiền lệ phí")
