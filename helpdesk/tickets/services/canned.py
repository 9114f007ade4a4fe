"""Canned replies: texts agents insert into a reply; global or for one queue. Supervisors
manage the global ones and those of their queues; admins all."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_, select

from helpdesk import errors, reference_cache, text
from helpdesk.auth import permissions
from helpdesk.auth.models import Role, User
from helpdesk.extensions import db
from helpdesk.routing import services as routing
from helpdesk.tickets.canned_models import CannedReply
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services.messages import MESSAGE_LIMIT

TITLE_LIMIT = 200


@dataclass(frozen=True)
class CannedDraft:
    title: str
    body: str
    queue_id: int | None = None  # None: offered in every queue


def manageable_queues(actor: User) -> list:
    """The queues whose canned replies the actor manages (admins: every active queue)."""
    permissions.require(actor, "tickets.supervise")
    if actor.role == Role.ADMIN:
        return [q for q in routing.all_queues() if q.active]
    return routing.queues_for_user(actor)


def managed_clause(actor: User):
    if actor.role == Role.ADMIN:
        return None
    queue_ids = [q.id for q in manageable_queues(actor)]
    return or_(CannedReply.queue_id.is_(None), CannedReply.queue_id.in_(queue_ids))


def list_canned(actor: User) -> list[CannedReply]:
    """The canned replies the actor manages, global first, then by queue and title."""
    permissions.require(actor, "tickets.supervise")
    query = select(CannedReply)
    clause = managed_clause(actor)
    if clause is not None:
        query = query.where(clause)
    order = (CannedReply.queue_id.is_not(None), CannedReply.queue_id, CannedReply.title)
    return list(db.session.scalars(query.order_by(*order, CannedReply.id)))


def get_canned(actor: User, canned_id: int) -> CannedReply:
    """One canned reply the actor manages; errors.NotFound otherwise."""
    permissions.require(actor, "tickets.supervise")
    query = select(CannedReply).where(CannedReply.id == canned_id)
    clause = managed_clause(actor)
    if clause is not None:
        query = query.where(clause)
    canned = db.session.scalar(query)
    if canned is None:
        raise errors.NotFound(_("Canned reply not found."))
    return canned


@dataclass(frozen=True)
class Offered:
    """A canned reply as the reply box offers it (a plain value: kept in process memory)."""

    id: int
    queue_id: int | None
    title: str
    body: str


def _load_offered() -> tuple[Offered, ...]:
    columns = (CannedReply.id, CannedReply.queue_id, CannedReply.title, CannedReply.body)
    rows = db.session.execute(select(*columns).order_by(CannedReply.title, CannedReply.id))
    return tuple(Offered(*row) for row in rows)


# Canned replies are reference data: a change moves the stamp (reference_cache.REFERENCE_TABLES).
_offered = reference_cache.register("tickets.canned_replies", _load_offered)


def canned_for(ticket: Ticket) -> list[Offered]:
    """The canned replies offered on a ticket: the global ones and its queue's, by title; from
    process memory."""
    return [c for c in _offered() if c.queue_id is None or c.queue_id == ticket.queue_id]


def find_canned_for(ticket: Ticket, canned_id: int) -> CannedReply | None:
    """A canned reply offered on this ticket, or None."""
    return db.session.scalar(
        select(CannedReply).where(
            CannedReply.id == canned_id,
            or_(CannedReply.queue_id.is_(None), CannedReply.queue_id == ticket.queue_id),
        )
    )


def check(actor: User, draft: CannedDraft) -> tuple[str, str]:
    problems: dict[str, str] = {}
    values = {}
    for name, value, limit, multiline in (
        ("title", draft.title, TITLE_LIMIT, False),
        ("body", draft.body, MESSAGE_LIMIT, True),
    ):
        value = (value or "").strip()
        if not value:
            problems[name] = _("This field is required.")
        elif text.has_control_characters(value, multiline=multiline):
            problems[name] = _("Contains characters that are not allowed.")
        elif len(value) > limit:
            problems[name] = _("At most %(n)d characters.", n=limit)
        values[name] = value.replace("\r\n", "\n")
    if draft.queue_id is not None and draft.queue_id not in {
        q.id for q in manageable_queues(actor)
    }:
        problems["queue"] = _("Unknown queue.")
    if problems:
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    return values["title"], values["body"]


def save_canned(actor: User, draft: CannedDraft, *, canned_id: int | None = None) -> CannedReply:
    """Create a canned reply, or change the one with that id. Commits.

    Raises errors.Invalid naming the bad field, errors.NotFound for one the actor may not manage.
    """
    permissions.require(actor, "tickets.supervise")
    title, body = check(actor, draft)
    if canned_id is None:
        canned = CannedReply(created_by_id=actor.id)
        db.session.add(canned)
    else:
        canned = get_canned(actor, canned_id)
    canned.title, canned.body, canned.queue_id = title, body, draft.queue_id
    db.session.commit()
    return canned


def delete_canned(actor: User, canned_id: int) -> None:
    """Delete a canned reply the actor manages. Commits."""
    db.session.delete(get_canned(actor, canned_id))
    db.session.commit()
