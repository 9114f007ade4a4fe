"""Filing a ticket: validate the draft, number it, route it, set its deadlines, queue its mail."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Insert, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from helpdesk import errors, storage, text
from helpdesk.auth.models import Role, Unit, User
from helpdesk.auth.services import units
from helpdesk.auth.services.fields import check_phone
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db, insert_with_conflicts
from helpdesk.notifications.outbox import inserted_ids
from helpdesk.notifications.sending import send_jobs
from helpdesk.routing import engine
from helpdesk.routing import services as routing
from helpdesk.tickets.models import (
    Attachment,
    EventKind,
    Priority,
    Source,
    Status,
    Ticket,
    TicketCounter,
)
from helpdesk.tickets.services import deadlines, links, mail
from helpdesk.tickets.services.assignment import stage_assignment_mail, stage_auto_assignment
from helpdesk.tickets.services.events import stage_event, stage_routed
from helpdesk.timeutil import to_local, utcnow
from helpdesk.worker import enqueue_all

log = logging.getLogger(__name__)

LIMITS = {
    "subject": 200,
    "description": 20000,
    "unit": 200,
    "unit_code": 16,
    "dossier_code": 60,
    "procedure_code": 60,
    # Texts of the workflow that go through clean_text too (its default limit is 200).
    "body": 20000,
    "reason": 1000,
    "comment": 2000,
    "resolution": 2000,
}
ADDRESSED = "addressed"  # the routing event's reason when a channel chose the queue
REQUIRED = ("system", "category", "province", "subject", "description")
UNIT_FIELDS = {"province", "unit", "unit_code"}


@dataclass(frozen=True)
class TicketDraft:
    """What a requester files, from the web form, the API or a test; codes as in reference/."""

    system: str
    category: str
    province: str
    subject: str
    description: str
    unit: str = ""
    unit_code: str = ""  # a listed unit of the province, exactly; empty: `unit` is matched
    dossier_code: str = ""
    procedure_code: str = ""
    priority: int = Priority.NORMAL
    attachments: tuple[storage.Upload, ...] = field(default=())
    submission_key: str | None = None  # the form's one-time key: a resubmission files nothing
    source: str = Source.WEB  # where it comes from (a call: phone, with callback_phone)
    callback_phone: str = ""
    queue_id: int | None = None  # a queue the channel chose (mail to its address), not routing


def clean_text(value, name: str, problems: dict[str, str], *, multiline: bool = False) -> str:
    """Trimmed text within its limit and free of control characters, or a problem noted."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems[name] = _("Must be text.")
        return ""
    value = value.strip()
    if text.has_control_characters(value, multiline=multiline):
        problems[name] = _("Contains characters that are not allowed.")
    elif len(value) > LIMITS.get(name, 200):
        problems[name] = _("At most %(n)d characters.", n=LIMITS.get(name, 200))
    return value.replace("\r\n", "\n")


def validate(draft: TicketDraft, *, requester: User | None = None) -> dict:
    """The draft's cleaned values; raises errors.Invalid with a message for every bad field.

    A unit code must name a listed unit of the province (read here unless it is the
    requester's own unit, as the form fills it in); its unit is `unit_record` of the values."""
    problems: dict[str, str] = {}
    values = {
        name: clean_text(getattr(draft, name), name, problems, multiline=name == "description")
        for name in (
            "system",
            "category",
            "province",
            "subject",
            "description",
            "unit",
            "unit_code",
            "dossier_code",
            "procedure_code",
        )
    }
    for name in REQUIRED:
        if not values[name] and name not in problems:
            problems[name] = _("This field is required.")
    priority = draft.priority
    if isinstance(priority, bool) or not isinstance(priority, int) or priority not in set(Priority):
        problems["priority"] = _("Choose a priority from 1 (critical) to 4 (low).")
    key = draft.submission_key
    if key is not None and not (
        isinstance(key, str)
        and 0 < len(key) <= 64
        and not text.has_control_characters(key, multiline=False)
    ):
        problems["submission_key"] = _("A key of 1 to 64 characters, without control characters.")
    checks = (  # from memory: reference data is read once per process (reference_cache)
        ("system", catalogue.find_system, _("Unknown system.")),
        ("category", catalogue.find_category, _("Unknown category.")),
        ("province", catalogue.find_province, _("Unknown province.")),
    )
    for name, find, message in checks:
        if values[name] and name not in problems:
            row = find(values[name])
            if row is None or not getattr(row, "active", True):
                problems[name] = message
    named = (values["unit"], values["unit_code"])
    if any(named) and not problems.keys() & UNIT_FIELDS:
        own = requester.unit if requester is not None else None
        try:
            if units.is_same(own, values["province"], *named):
                values["unit_record"] = own
            else:
                values["unit_record"] = units.check(values["province"], *named)
        except errors.Invalid as error:
            problems.update(error.fields)
    try:
        values["callback_phone"] = check_phone(draft.callback_phone or "", field="callback_phone")
    except errors.Invalid as error:
        problems.update(error.fields)
    if draft.source not in set(Source):
        problems["source"] = _("Unknown source.")
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    values["priority"] = int(priority)
    values["attachments"] = storage.check(draft.attachments)
    return values


def next_number(now: datetime) -> str:
    """HT-<local year>-<6 digits>, unique under concurrency: one atomic upsert of the counter."""
    year = to_local(now, current_app.config["HELPDESK_TIMEZONE"]).year
    statement = counter_statement(insert_with_conflicts(db.session))
    last = db.session.execute(statement, {"year": year}).scalar_one()
    return f"HT-{year}-{last:06d}"


@cache
def counter_statement(dialect_insert) -> Insert:
    """next_number's upsert for the dialect's insert(), built once per process (parameter:
    year)."""
    return (
        dialect_insert(TicketCounter)
        .values(year=bindparam("year"), last=1)
        .on_conflict_do_update(
            index_elements=[TicketCounter.year], set_={"last": TicketCounter.last + 1}
        )
        .returning(TicketCounter.last)
    )


def next_numbers(now: datetime, count: int) -> list[str]:
    """`count` consecutive numbers as next_number gives them (the tickets of a request to many
    provinces), with one atomic upsert of the counter."""
    year = to_local(now, current_app.config["HELPDESK_TIMEZONE"]).year
    statement = counters_statement(insert_with_conflicts(db.session))
    last = db.session.execute(statement, {"year": year, "count": count}).scalar_one()
    return [f"HT-{year}-{number:06d}" for number in range(last - count + 1, last + 1)]


@cache
def counters_statement(dialect_insert) -> Insert:
    """next_numbers' upsert for the dialect's insert(), built once per process (parameters:
    year, count)."""
    statement = dialect_insert(TicketCounter).values(
        year=bindparam("year"), last=bindparam("count")
    )
    return statement.on_conflict_do_update(
        index_elements=[TicketCounter.year],
        set_={"last": TicketCounter.last + statement.excluded.last},
    ).returning(TicketCounter.last)


def search_text_of(ticket: Ticket) -> str:
    """What the search matches: the number, subject, description, unit, codes, and the number in
    another desk (staff's: a requester's search of a ticket they see matches it too)."""
    parts = (
        ticket.number,
        ticket.subject,
        ticket.description,
        ticket.unit,
        ticket.dossier_code,
        ticket.procedure_code,
        ticket.external_ref,
    )
    return text.fold(" ".join(p for p in parts if p))


def find_submission(requester: User, key: str | None) -> Ticket | None:
    if not key:
        return None
    return db.session.scalar(
        select(Ticket).where(Ticket.requester_id == requester.id, Ticket.submission_key == key)
    )


def create_ticket(
    requester: User,
    draft: TicketDraft,
    *,
    now: datetime | None = None,
    filed_by: User | None = None,
    follows: Ticket | None = None,
) -> Ticket:
    """File a ticket: route it, assign it, set its deadlines, record its events, queue its mail.
    `filed_by`: the staff who files it for the requester (a call to the hotline); `follows`: the
    closed ticket it follows up (a reply by mail to it), linked to it in both histories.

    Commits once. Raises errors.Invalid (naming each bad field) and changes nothing then.
    A draft whose submission_key was already used returns the ticket filed the first time: the
    key is unique per requester, so the ticket's INSERT is refused and everything rolled back
    (a resubmission is rare; looking for it first cost every filing a query).

    Everything is read before anything is written, so the ticket goes in with one INSERT (its
    assignee and deadlines included), its events, timers and mail with one INSERT each.
    """

    now = now or utcnow()
    values = validate(draft, requester=requester)
    if requester.role == Role.COORDINATOR and values["province"] != requester.province_code:
        # Its own province's tickets are what it sees: a ticket it filed elsewhere it would not.
        message = _("A provincial coordinator files tickets of its own province.")
        raise errors.Invalid(message, "province")
    facts = engine.Facts(
        values["system"], values["category"], values["province"], values["priority"]
    )
    decision = routing.decide(facts)
    if draft.queue_id is not None:  # the channel's queue (its address was written to)
        decision = replace(decision, queue_id=draft.queue_id, rule_id=None, reason=ADDRESSED)
    unit = unit_of(values)
    ticket = Ticket(
        subject=values["subject"],
        description=values["description"],
        system_code=facts.system,
        category_code=facts.category,
        province_code=facts.province,
        unit=unit.name if unit is not None else "",
        unit_record=unit,
        dossier_code=values["dossier_code"],
        procedure_code=values["procedure_code"],
        priority=decision.priority,
        status=Status.NEW,
        requester_id=requester.id,
        queue_id=decision.queue_id,
        routing_rule_id=decision.rule_id,
        submission_key=draft.submission_key,
        source=draft.source,
        callback_phone=values["callback_phone"],
        filed_by_id=filed_by.id if filed_by is not None else None,
        created_at=now,
        updated_at=now,
    )
    for name in ("messages", "attachments"):  # a new ticket has none: known without a query
        set_committed_value(ticket, name, [])
    ticket.requester = requester
    ticket.filed_by = filed_by
    # One query: the queue, who may get the ticket and who hears of it.
    ticket.queue, members = routing.queue_members(decision.queue_id, facts.province)
    # Not in the session until it is complete: no query below flushes half a ticket.
    channel = {} if draft.source == Source.WEB else {"source": draft.source}
    stage_event(ticket, EventKind.CREATED, actor=filed_by or requester, at=now, **channel)
    stage_routed(ticket, decision, at=now)
    alerted = mail.queue_alert_members(ticket, members=members)
    stage_auto_assignment(ticket, now=now, mark=False, members=members)
    for upload, content_type in values["attachments"]:
        stored = storage.store(upload, content_type)
        ticket.attachments.append(
            Attachment(
                uploader_id=requester.id,
                filename=stored.filename,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                created_at=now,
            )
        )
    deadlines.set_deadlines(ticket, now)
    # Numbered last, just before the writes: the year's counter row (as the member's row that
    # stage_last_assigned writes) stays locked until the commit, and every filing of the year waits
    # for it, so it is held for the writes alone.
    ticket.number = next_number(now)
    ticket.search_text = search_text_of(ticket)
    if follows is not None:
        links.stage_follow_up(ticket, follows, actor=requester, at=now)
    try:
        db.session.add(ticket)
        db.session.flush()
        if ticket.assignee_id is not None:
            routing.stage_last_assigned(ticket.queue_id, ticket.assignee_id, now)
        timers = deadlines.start_timers(ticket, now)
        outbox = mail.on_ticket_filed(ticket, members=alerted) + stage_assignment_mail(ticket)
        commit_keeping_loaded()
    except IntegrityError:
        db.session.rollback()
        existing = find_submission(requester, draft.submission_key)
        if existing is None:
            raise
        return existing  # the same form submitted again, or twice at once
    log.info("ticket %s filed into queue %s", ticket.number, ticket.queue_id)
    # The mail and the timers go to RQ together: one Redis round trip.
    enqueue_all(send_jobs(inserted_ids(outbox)) + deadlines.timer_jobs(timers))
    return ticket


def unit_of(values: dict) -> Unit | None:
    """The unit a ticket is filed for: the one `unit_code` names (or the requester's own, as
    `validate` found them), else the listed unit of the province the typed name matches, else
    that name kept as written (an unlisted unit, made if new); None when neither is given."""
    if values.get("unit_record") is not None:
        return values["unit_record"]
    if not values["unit"]:
        return None
    return units.resolve(values["province"], values["unit"])


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds: the new ticket, its events and mail are
    as they were written (the page or API answer that follows reads them without a query)."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
