"""Who posts announcements, and about which systems: admins about any system (or every system);
the ministry's IT staff, the agents and supervisors of a ministry IT queue, about the systems of
those queues only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, or_, select

from helpdesk import errors
from helpdesk.auth.models import Role, User
from helpdesk.auth.permissions import has_role
from helpdesk.extensions import db
from helpdesk.routing.models import Membership, Queue, QueueKind

IT_ROLES = (Role.AGENT, Role.SUPERVISOR)


@dataclass(frozen=True)
class Posting:
    """What an account may post and end: every announcement (admins), or those about the
    systems listed (the ministry's IT staff); neither: nothing."""

    every_system: bool = False
    systems: frozenset[str] = frozenset()

    @property
    def may_post(self) -> bool:
        return self.every_system or bool(self.systems)

    def allows(self, system_code: str | None) -> bool:
        """May post or end an announcement about that system (None: every system)?"""
        return self.every_system or (system_code is not None and system_code in self.systems)


def it_systems(user: User) -> frozenset[str]:
    """The systems whose active ministry IT queues the account works in or supervises (one
    query)."""
    member = exists().where(Membership.queue_id == Queue.id, Membership.user_id == user.id)
    return frozenset(
        db.session.scalars(
            select(Queue.system_code)
            .where(
                Queue.kind == QueueKind.MINISTRY_IT,
                Queue.active,
                Queue.system_code.is_not(None),
                or_(Queue.supervisor_id == user.id, member),
            )
            .distinct()
        )
    )


def posting_for(user: User | None) -> Posting:
    """What the account may post (nothing for a visitor, an official or a vendor's agent)."""
    if has_role(user, Role.ADMIN):
        return Posting(every_system=True)
    if has_role(user, *IT_ROLES):
        return Posting(systems=it_systems(user))
    return Posting()


def require_poster(user: User | None) -> Posting:
    """The account's posting rights; errors.NotFound when it may post nothing."""
    posting = posting_for(user)
    if not posting.may_post:
        raise errors.not_found()
    return posting
