"""A ticket's followers: colleagues of the requester's unit whom the requester adds, anyone staff
add who may see the ticket, staff who follow it themselves, and the people of a ticket merged
into it. Followers may open the ticket and get the mail of its public events; each change is in
the ticket's history."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from helpdesk import errors
from helpdesk.auth.models import Status as AccountStatus
from helpdesk.auth.models import User, is_staff
from helpdesk.extensions import db
from helpdesk.tickets.follower_models import Follower
from helpdesk.tickets.models import EventKind, Ticket
from helpdesk.tickets.services.access import is_follower
from helpdesk.tickets.services.events import stage_event
from helpdesk.tickets.services.visibility import (
    OFFICIALS,
    unit_shares_tickets,
    visibility_check,
)
from helpdesk.timeutil import utcnow

# The people the followers panel lists at most, followers first (a unit has tens of officials).
COLLEAGUE_LIMIT = 300


def _accounts():
    """Accounts without the unit and province their model joins (the lists show names only)."""
    return select(User).options(lazyload(User.unit), lazyload(User.province))


def followers_of(ticket: Ticket) -> list[User]:
    """The ticket's followers by name (one query)."""
    return followers_by_ticket([ticket.id])[ticket.id]


def followers_by_ticket(ticket_ids: list[int]) -> dict[int, list[User]]:
    """The followers of each of those tickets, by name (one query for a page of tickets)."""
    found: dict[int, list[User]] = defaultdict(list)
    if not ticket_ids:
        return found
    query = (
        select(Follower.ticket_id, User)
        .join(User, User.id == Follower.user_id)
        .where(Follower.ticket_id.in_(sorted(set(ticket_ids))))
        .options(lazyload(User.unit), lazyload(User.province))
        .order_by(User.full_name, User.id)
    )
    for ticket_id, user in db.session.execute(query):
        found[ticket_id].append(user)
    return found


def panel_people(ticket: Ticket, viewer: User) -> tuple[list[User], list[User]]:
    """The ticket's followers by name and, for its requester, the officials of their unit they
    may add (active, not the requester, not following yet), by name: one query."""
    followers = select(Follower.user_id).where(Follower.ticket_id == ticket.id)
    wanted = followers
    if viewer.id == ticket.requester_id and viewer.unit_id is not None:
        colleagues = select(User.id).where(
            User.unit_id == viewer.unit_id,
            User.status == AccountStatus.ACTIVE,
            User.role.in_(OFFICIALS),
            User.id != viewer.id,
        )
        wanted = union(followers, colleagues)
    following = User.id.in_(followers).label("following")
    query = (
        _accounts()
        .add_columns(following)
        .where(User.id.in_(wanted))
        .order_by(following.desc(), User.full_name, User.id)
        .limit(COLLEAGUE_LIMIT)
    )
    rows = list(db.session.execute(query))
    return [user for user, is_one in rows if is_one], [user for user, is_one in rows if not is_one]


def follows_any(user: User) -> bool:
    """Whether the user follows any ticket (one index probe)."""
    return bool(db.session.scalar(select(exists().where(Follower.user_id == user.id))))


def list_scopes(user: User) -> tuple[str, ...]:
    """The choices an official's ticket list offers besides every ticket they see: their own,
    those they follow (if any), their unit's (if it shares them); none when only their own."""
    if user.role not in OFFICIALS:
        return ()
    scopes = ["mine"]
    if follows_any(user):
        scopes.append("following")
    if unit_shares_tickets(user):
        scopes.append("unit")
    return tuple(scopes) if len(scopes) > 1 else ()


def is_colleague(user: User, ticket: Ticket) -> bool:
    """An active official of the unit of the ticket's requester (or of the ticket's unit)."""
    if user.status != AccountStatus.ACTIVE or user.role not in OFFICIALS or user.unit_id is None:
        return False
    requester = db.session.get(User, ticket.requester_id)
    return user.unit_id in (ticket.unit_id, requester.unit_id if requester else None)


def may_follow(user: User, ticket: Ticket) -> bool:
    """Whether the account may follow the ticket: an official of the requester's unit, or an
    active account that sees the ticket by its role (staff who cover it, admins). Never its
    requester."""
    if user.id == ticket.requester_id or user.status != AccountStatus.ACTIVE:
        return False
    if user.role in OFFICIALS:
        return is_colleague(user, ticket)
    seen = select(Ticket.id).where(Ticket.id == ticket.id, visibility_check(user))
    return db.session.scalar(seen) is not None


def stage_follower(
    ticket: Ticket, user: User, *, actor: User | None, now: datetime, **data
) -> Follower | None:
    """Make the user follow the ticket, with its event (`data` added to it: see
    EventKind.FOLLOWER_ADDED); None when they follow it already or are its requester."""
    if user.id == ticket.requester_id or is_follower(user, ticket):
        return None
    follower = Follower(
        ticket_id=ticket.id,
        user_id=user.id,
        added_by_id=getattr(actor, "id", None),
        created_at=now,
    )
    db.session.add(follower)
    stage_event(ticket, EventKind.FOLLOWER_ADDED, actor=actor, at=now, user_id=user.id, **data)
    return follower


def add_follower(
    actor: User, ticket: Ticket, user: User | None, *, now: datetime | None = None
) -> Follower:
    """The requester adds a colleague of their unit, staff add anyone who may see the ticket
    (themselves too). Commits. errors.Invalid (field `follower`) for an account that may not
    follow it or already does; errors.NotFound for anyone else acting."""
    now = now or utcnow()
    staff = is_staff(actor)
    if not staff and actor.id != ticket.requester_id:
        raise errors.NotFound(_("Ticket not found."))
    if user is None:
        raise errors.Invalid(_("No account has that login name (CCCD@domain)."), "follower")
    if user.id == ticket.requester_id:
        raise errors.Invalid(_("The requester already gets every update."), "follower")
    allowed = may_follow(user, ticket) if staff else is_colleague(user, ticket)
    if not allowed:
        if staff:
            message = _("This account cannot see this ticket, so it cannot follow it.")
        else:
            message = _("Only active colleagues of your unit can follow your ticket.")
        raise errors.Invalid(message, "follower")
    follower = stage_follower(ticket, user, actor=actor, now=now)
    if follower is None:
        raise errors.Invalid(_("This account already follows the ticket."), "follower")
    try:
        db.session.commit()
    except IntegrityError as error:  # added by someone else at the same moment
        db.session.rollback()
        raise errors.Invalid(_("This account already follows the ticket."), "follower") from error
    return follower


def remove_follower(
    actor: User, ticket: Ticket, user_id: int, *, now: datetime | None = None
) -> None:
    """The requester, staff or the follower themself ends a follow. Commits. errors.NotFound
    when that account does not follow the ticket or the actor may not end it."""
    now = now or utcnow()
    follower = db.session.get(Follower, (ticket.id, user_id))
    allowed = is_staff(actor) or actor.id in (ticket.requester_id, user_id)
    if follower is None or not allowed:
        raise errors.NotFound(_("Ticket not found."))
    db.session.delete(follower)
    stage_event(ticket, EventKind.FOLLOWER_REMOVED, actor=actor, at=now, user_id=user_id)
    db.session.commit()
