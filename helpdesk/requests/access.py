"""Who sends requests, about which systems, and who reads which requests.

Senders: admins (about any system, or every system); observers their admins let send
(`User.sends_requests`): a national one as admins, one bound to ministries' systems about those;
the ministry's IT staff, the agents and supervisors of a ministry IT queue, about the systems of
those queues. Readers: a request's sender; admins every request; observers those of their
systems (national observers every request); the ministry's IT staff those of their systems;
a provincial coordinator the requests sent to its province, and of each only its province's
answer. Anyone else reads none: the pages answer 404 (what a caller may not see is not shown).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, or_, true

from helpdesk import errors
from helpdesk.announcements.posters import IT_ROLES, Posting, it_systems
from helpdesk.auth.models import Role, User
from helpdesk.auth.permissions import has_role, is_signed_in
from helpdesk.auth.services import observer_systems
from helpdesk.requests.models import InfoRequest
from helpdesk.tickets.models import Ticket


@dataclass(frozen=True)
class Sending(Posting):
    """What an account may send: requests about any system or every system (`every_system`),
    or about the systems listed; neither: nothing (the same rights as posting announcements,
    whose `allows` it keeps)."""

    @property
    def may_send(self) -> bool:
        return self.may_post

    def default_system(self) -> str | None:
        """The system a request is about when the sender chooses none: its only system; None
        (every system) for a sender of every system, or when it has several (it must choose)."""
        if self.every_system or len(self.systems) != 1:
            return None
        return next(iter(self.systems))


NOBODY = Sending()


def sending_for(user: User | None) -> Sending:
    """What the account may send (one query for an observer or the IT staff, none otherwise)."""
    if has_role(user, Role.ADMIN):
        return Sending(every_system=True)
    if has_role(user, Role.OBSERVER) and user.sends_requests:
        bound = observer_systems(user.id)
        return Sending(systems=frozenset(bound)) if bound else Sending(every_system=True)
    if has_role(user, *IT_ROLES):
        return Sending(systems=it_systems(user))
    return NOBODY


def require_sender(user: User | None) -> Sending:
    """The account's sending rights; errors.NotFound when it may send nothing."""
    sending = sending_for(user)
    if not sending.may_send:
        raise errors.not_found()
    return sending


@dataclass(frozen=True)
class Reader:
    """Which requests an account reads: its own as sender, and every one (`everything`), or
    those about `systems`, or (a coordinator) those sent to `province`, whose answer alone it
    reads. `pages`: whether the requests' pages are its at all."""

    user_id: int
    pages: bool = False
    everything: bool = False
    systems: frozenset[str] = frozenset()
    province: str | None = None

    def clause(self):
        """A condition over InfoRequest: the requests this reader reads."""
        if self.everything:
            return true()
        branches = [InfoRequest.sender_id == self.user_id]
        if self.systems:
            branches.append(InfoRequest.system_code.in_(sorted(self.systems)))
        if self.province is not None:
            branches.append(
                exists().where(
                    Ticket.request_id == InfoRequest.id, Ticket.province_code == self.province
                )
            )
        return or_(*branches)

    def ticket_clause(self):
        """A condition over Ticket: the provinces' tickets of a request this reader reads."""
        return true() if self.province is None else Ticket.province_code == self.province


def reader_of(user: User | None) -> Reader:
    """The account's reach over requests (one query for an observer or the IT staff)."""
    if not is_signed_in(user):
        return Reader(user_id=0)
    if user.role == Role.ADMIN:
        return Reader(user.id, pages=True, everything=True)
    if user.role == Role.OBSERVER:
        bound = observer_systems(user.id)
        if not bound:
            return Reader(user.id, pages=True, everything=True)
        return Reader(user.id, pages=True, systems=frozenset(bound))
    if user.role in IT_ROLES:
        systems = it_systems(user)
        return Reader(user.id, pages=bool(systems), systems=systems)
    if user.role == Role.COORDINATOR and user.province_code:
        return Reader(user.id, pages=True, province=user.province_code)
    return Reader(user.id)


def reads_requests_by_role(user: User) -> bool:
    """Whether the requests' pages are the account's, for every role but the IT roles (whose
    answer depends on their queues: reader_of), without a query."""
    if user.role in (Role.ADMIN, Role.OBSERVER):
        return True
    return user.role == Role.COORDINATOR and bool(user.province_code)


def require_reader(user: User | None) -> Reader:
    """The account's reach; errors.NotFound when the requests' pages are not its."""
    reader = reader_of(user)
    if not reader.pages:
        raise errors.not_found()
    return reader
