"""API use cases: bearer tokens (authenticate, issue, list, revoke), what a caller may read of a
ticket, and the agents' one-transaction ticket update behind PATCH."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, or_, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from helpdesk import errors, reference_cache, text
from helpdesk.auth import services as accounts
from helpdesk.auth.models import ApiToken, TokenRevocation, User, is_staff
from helpdesk.extensions import db
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Attachment, Message, Source, Ticket
from helpdesk.tickets.services.access import can_write_internal_notes, require_work
from helpdesk.tickets.services.assignment import stage_assignment
from helpdesk.tickets.services.changes import commit_and_dispatch, expect_version
from helpdesk.tickets.services.facts import stage_priority
from helpdesk.tickets.services.references import stage_external_ref
from helpdesk.tickets.services.status import stage_status
from helpdesk.tickets.services.transfer import require_reason, stage_transfer
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

# A token's last use is written at most this often: no write per request.
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200  # ours are 46 characters; anything far longer is not one of ours
MAX_ACTIVE_TOKENS = 20
TOKEN_NAME_LIMIT = 100


class Unauthorized(errors.HelpdeskError):
    """No bearer token, or one that is unknown, revoked, or whose account is not active."""

    status = 401
    code = "unauthorized"


# ---------------------------------------------------------------- tokens


def authenticate(token: str | None, *, now: datetime | None = None) -> User:
    """The active account a live bearer token belongs to; raises Unauthorized otherwise.

    Only the token's SHA-256 is looked up. Records the token's use when the last one is more
    than a minute old (commits then); a conditional UPDATE keeps concurrent requests to one write.
    """
    now = now or utcnow()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthorized(_("A valid API token is required."))
    # The reference stamp comes along: filing and most answers read it, and this is the
    # request's first query.
    row = db.session.execute(token_statement(), {"digest": accounts.token_digest(token)}).first()
    if row is None or not row.User.is_active:
        raise Unauthorized(_("A valid API token is required."))
    token_id, last_used_at, user, stamp = row
    reference_cache.seen(stamp)
    if last_used_at is None or now - last_used_at >= TOUCH_INTERVAL:
        db.session.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token_id,
                or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - TOUCH_INTERVAL),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return user


@functools.cache
def token_statement() -> Select:
    """authenticate's query, built once (parameter: digest): the live token's id and last use,
    its account, and the reference stamp."""
    return (
        select(ApiToken.id, ApiToken.last_used_at, User, reference_cache.stamp_column())
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None))
    )


def list_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included (to show when they ended)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def issue_token(user: User, *, name: str) -> str:
    """A new token for the user, returned once (only its hash is kept). Commits.

    Raises errors.Invalid on field `name` for a missing or bad name, or when the user already
    holds MAX_ACTIVE_TOKENS live tokens.
    """
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name:
        raise errors.Invalid(_("Give the token a name."), "name")
    if len(name) > TOKEN_NAME_LIMIT or text.has_control_characters(name, multiline=False):
        raise errors.Invalid(
            _("At most %(n)d characters, without control characters.", n=TOKEN_NAME_LIMIT), "name"
        )
    active = db.session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if active >= MAX_ACTIVE_TOKENS:
        raise errors.Invalid(
            _("You already have %(n)d tokens; revoke one first.", n=MAX_ACTIVE_TOKENS), "name"
        )
    token = accounts.create_token(user, name=name)
    log.info("api token issued for user %s", user.id)
    return token


def revoke_token(user: User, token_id: int, *, now: datetime | None = None) -> ApiToken:
    """End one of the user's own tokens at once (revoking twice changes nothing). Commits.

    Raises errors.NotFound for a token that is not the user's.
    """
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if token is None:
        raise errors.NotFound(_("Token not found."))
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        token.revoked_reason = TokenRevocation.OWNER.value
        db.session.commit()
        log.info("api token %s of user %s revoked", token.id, user.id)
    return token


# ---------------------------------------------------------------- reading a ticket


def visible_messages(user: User, ticket: Ticket) -> list[Message]:
    """The ticket's messages the user may read, oldest first: internal notes for staff only."""
    query = (
        select(Message)
        .where(Message.ticket_id == ticket.id)
        .options(selectinload(Message.author))
        .order_by(Message.id)
    )
    if not is_staff(user):
        query = query.where(Message.internal.is_(False))
    return list(db.session.scalars(query))


def visible_attachments(user: User, ticket: Ticket) -> list[Attachment]:
    """The ticket's files the user may download: never those of an internal note to requesters."""
    query = (
        select(Attachment)
        .outerjoin(Message, Message.id == Attachment.message_id)
        .where(Attachment.ticket_id == ticket.id)
        .order_by(Attachment.id)
    )
    if not is_staff(user):
        query = query.where(or_(Attachment.message_id.is_(None), Message.internal.is_(False)))
    return list(db.session.scalars(query))


def load_requesters(tickets: list[Ticket]) -> None:
    """The requesters of a page of tickets, and the staff who filed them for them, in one query
    (then `ticket.requester` and `ticket.filed_by` cost none)."""
    ids = {ticket.requester_id for ticket in tickets}
    ids |= {ticket.filed_by_id for ticket in tickets if ticket.filed_by_id is not None}
    if not ids:
        return
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}
    for ticket in tickets:
        set_committed_value(ticket, "requester", users[ticket.requester_id])
        set_committed_value(ticket, "filed_by", users.get(ticket.filed_by_id))


# ---------------------------------------------------------------- writing to a ticket


def add_message(user: User, ticket: Ticket, body: str, *, internal: bool) -> Message:
    """A reply or, from staff working the ticket, an internal note. Commits.

    The API names a refused note on its field (errors.Invalid on `internal`) before anything
    else is checked; requesters learn nothing from it: they already see the ticket.
    """
    if internal and not can_write_internal_notes(user, ticket):
        raise errors.Invalid(_("Only agents working the ticket write internal notes."), "internal")
    return tickets.add_message(user, ticket, body, internal=internal, source=Source.API)


@dataclass(frozen=True)
class TicketChanges:
    """What an agent changes in one PATCH; None means "not given"."""

    status: str | None = None
    queue_id: int | None = None
    priority: int | None = None
    assignee: User | None = None
    unassign: bool = False  # assignee given as null
    reason: str = ""  # required when the queue changes; recorded with a status change
    external_ref: str | None = None  # the number in another desk; "" clears it
    resolution: str | None = None  # the outcome told to the requester; with status resolved


def update_ticket(
    actor: User,
    ticket: Ticket,
    changes: TicketChanges,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Apply an agent's changes together: queue, then assignee, priority, status, the number in
    another desk. Commits once.

    All or nothing: errors.Invalid (naming the field) or errors.Conflict (the ticket changed
    since `version`, or concurrently) leave the ticket as it was. Mails and timers go out after
    the commit, as with the single-change services.
    """
    now = now or utcnow()
    require_work(actor, ticket)
    try:
        expect_version(ticket, version)
        outbox: list = []
        if changes.queue_id is not None and changes.queue_id != ticket.queue_id:
            reason = require_reason(changes.reason)
            outbox += stage_transfer(actor, ticket, changes.queue_id, reason=reason, now=now)
        if changes.unassign or changes.assignee is not None:
            outbox += stage_assignment(actor, ticket, changes.assignee, now=now)
        if changes.priority is not None:
            stage_priority(actor, ticket, changes.priority, now=now)
        if changes.status is not None:
            outbox += stage_status(
                ticket,
                changes.status,
                actor=actor,
                now=now,
                reason=changes.reason,
                resolution=changes.resolution,
            )
        if changes.external_ref is not None:
            stage_external_ref(actor, ticket, changes.external_ref, now=now)
        commit_and_dispatch(outbox, ticket=ticket, timers=True)
    except StaleDataError as error:
        db.session.rollback()
        raise errors.Conflict(
            _("Someone else changed this ticket at the same time. Reload it and try again.")
        ) from error
    except errors.HelpdeskError:
        db.session.rollback()
        raise
    return ticket
