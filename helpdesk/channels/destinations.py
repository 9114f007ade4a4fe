"""Where an inbound message goes: the ticket and person a signed reply address names, the ticket
a subject's number names when its requester or a follower wrote, or a queue whose address it was
sent to; and the accounts a sender's address belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from helpdesk.auth.models import Role, Status, User
from helpdesk.channels.parsing import Inbound
from helpdesk.extensions import db
from helpdesk.notifications.reply_addresses import ForgedAddress, read_reply_address
from helpdesk.routing.models import Queue
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services.followers import followers_of

# The ticket's number in a subject, as every ticket mail's subject carries it: the fallback of a
# reply that lost its reply address (a client that answers to From, a forwarded mail).
SUBJECT_NUMBER = re.compile(r"\[(HT-\d{4}-\d{6,})\]", re.IGNORECASE)
# Who may file a ticket by mail: the officials who file on the web (staff work tickets, they
# do not file them by mail; an admin's mail to a queue is not a request).
FILERS = (Role.REQUESTER, Role.UNIT_ADMIN, Role.COORDINATOR)
MERGES_FOLLOWED = 10  # a chain of merges longer than this is not followed further


class Reason:
    """Why a message was refused or set aside (InboundMail.reason), besides the codes of
    automatic mail that parsing gives (auto_reply, bounce, list)."""

    TOO_LARGE = "too_large"  # refused, the sender told the limit
    FORGED_ADDRESS = "forged_address"  # set aside: a reply address whose signature fails
    SENDER_MISMATCH = "sender_mismatch"  # set aside: a reply address sent from another address
    NOT_ALLOWED = "not_allowed"  # set aside: the person may not write there (or file by mail)
    AMBIGUOUS_SENDER = "ambiguous_sender"  # set aside: several accounts of that address may file
    NO_DESTINATION = "no_destination"  # set aside: no reply address, number or queue address
    EMPTY = "empty"  # refused: a reply with neither text nor file
    UNKNOWN_SENDER = "unknown_sender"  # refused: nobody's verified address, told how to register
    INVALID = "invalid"  # refused: the ticket's rules refused it, the sender told why
    FAILED = "failed"  # set aside: taking it in failed (a fault, logged), not to block the rest


@dataclass(frozen=True)
class Destination:
    """A reply to `ticket` by `user`, a new ticket in `queue`, or nowhere (`reason`: set
    aside)."""

    ticket: Ticket | None = None
    user: User | None = None
    queue: Queue | None = None
    reason: str = ""


def find_destination(inbound: Inbound) -> Destination:
    """Where the message goes, in the order of the rules: a reply address among its recipients,
    then the number in its subject, then a queue's address."""
    for address in inbound.recipients:
        try:
            target = read_reply_address(address)
        except ForgedAddress:
            return Destination(reason=Reason.FORGED_ADDRESS)
        if target is not None:
            user = db.session.get(User, target.user_id)
            return reply_to(inbound, find_ticket(target.number), user)
    found = by_subject(inbound)
    if found is not None:
        return found
    queue = addressed_queue(inbound.recipients)
    if queue is not None:
        return Destination(queue=queue)
    return Destination(reason=Reason.NO_DESTINATION)


def reply_to(inbound: Inbound, ticket: Ticket | None, user: User | None) -> Destination:
    """The reply address's ticket and person, if the mail comes from that person's address."""
    if ticket is None or user is None:  # signed here, since deleted
        return Destination(reason=Reason.NO_DESTINATION)
    if not inbound.sender or (user.email or "").lower() != inbound.sender:
        return Destination(reason=Reason.SENDER_MISMATCH)
    if user.status != Status.ACTIVE:
        return Destination(reason=Reason.NOT_ALLOWED)
    return Destination(ticket=ticket, user=user)


def by_subject(inbound: Inbound) -> Destination | None:
    """The ticket the subject names, when the sender's address is the verified one of its
    requester or of a follower; None otherwise (a stranger gains nothing by a number)."""
    match = SUBJECT_NUMBER.search(inbound.subject)
    if match is None or not inbound.sender:
        return None
    ticket = find_ticket(match.group(1).upper())
    if ticket is None:
        return None
    for person in (ticket.requester, *followers_of(ticket)):
        if is_verified_address(person, inbound.sender):
            if person.status != Status.ACTIVE:
                return Destination(reason=Reason.NOT_ALLOWED)
            return Destination(ticket=ticket, user=person)
    return None


def is_verified_address(user: User | None, address: str) -> bool:
    return (
        user is not None
        and user.email_verified_at is not None
        and (user.email or "").lower() == address
    )


def find_ticket(number: str) -> Ticket | None:
    return db.session.scalar(select(Ticket).where(Ticket.number == number))


def addressed_queue(recipients: tuple[str, ...]) -> Queue | None:
    """The active queue whose address the message was sent to (the oldest, if several)."""
    if not recipients:
        return None
    query = select(Queue).where(Queue.active.is_(True), func.lower(Queue.email).in_(recipients))
    return db.session.scalar(query.order_by(Queue.id).limit(1))


def final_ticket(ticket: Ticket) -> Ticket:
    """The ticket a merged one was merged into (followed along the merges), else itself."""
    for _ in range(MERGES_FOLLOWED):
        if ticket.merged_into_id is None:
            break
        ticket = ticket.merged_into
    return ticket


def accounts_of(address: str) -> list[User]:
    """The accounts whose verified e-mail is `address` (lower-case), the oldest first.

    The address as written is matched first, through the index; the case of its local part
    aside only when that finds none (an address kept as its owner typed it)."""
    if not address:
        return []
    verified = User.email_verified_at.is_not(None)
    query = select(User).where(verified).order_by(User.id)
    found = list(db.session.scalars(query.where(User.email == address)))
    return found or list(db.session.scalars(query.where(func.lower(User.email) == address)))


def may_file_by_mail(user: User) -> bool:
    return user.status == Status.ACTIVE and user.role in FILERS
