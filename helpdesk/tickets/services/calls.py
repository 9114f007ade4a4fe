"""The hotline: staff who take an official's call find the official (by CCCD, phone or name)
and file the ticket for them, as a call (`source` phone, the number to call back, the staff
who filed it); the official gets the usual acknowledgement and follows it on the web.

Who may take calls is `auth.permissions` ("tickets.take_calls": staff); whom they file for is
decided here: an active official's account (a requester or a unit admin, with or without its
password yet), of the coordinator's own province for a coordinator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import String, func, literal, select

from helpdesk import errors, text
from helpdesk.auth import permissions
from helpdesk.auth import services as accounts
from helpdesk.auth.models import Role, Status, User
from helpdesk.extensions import db
from helpdesk.tickets.models import Source, Ticket
from helpdesk.tickets.services.filing import TicketDraft, create_ticket
from helpdesk.tickets.services.visibility import OFFICIALS, visibility_check

MAX_FOUND = 20  # the rows a search shows; more means "say more of the name"
MAX_WORDS = 6
CCCD = re.compile(r"\d{12}")
PHONE = re.compile(r"[\d\s.+()-]+")
PHONE_DIGITS = (8, 11)  # a Vietnamese number: 10 digits, 11 with 84 for the leading 0
# What a stored phone may hold besides digits (auth.services.fields.check_phone).
PHONE_MARKS = (" ", ".", "-", "(", ")", "+")
# Sources a ticket filed for an official may have: a call, or a program of the ministry.
FILED_FOR = (Source.PHONE, Source.API)


@dataclass(frozen=True)
class Search:
    """What a search box asked for: `kind` cccd, phone or name (None: nothing usable), and the
    value compared (the CCCD, the phone's digits, the folded words)."""

    kind: str | None
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Found:
    """The officials a search found, by name (at most MAX_FOUND; `more`: there are others)."""

    search: Search
    officials: list[User]
    more: bool = False


def read_search(words: str) -> Search:
    """12 digits: a CCCD, exactly; a number of 8 to 11 digits (spaces, dots, dashes, +84
    allowed): a phone; words with a letter: a name, diacritics ignored; else nothing."""
    words = (words or "").strip()[:120]
    squeezed = "".join(words.split())
    if CCCD.fullmatch(squeezed):
        return Search("cccd", (squeezed,))
    digits = "".join(ch for ch in words if ch.isdigit())
    if PHONE.fullmatch(words) and PHONE_DIGITS[0] <= len(digits) <= PHONE_DIGITS[1]:
        return Search("phone", phone_forms(digits))
    if any(ch.isalpha() for ch in words):
        folded = [word for word in text.fold(words).split(" ") if word]
        return Search("name", tuple(dict.fromkeys(folded))[:MAX_WORDS])
    return Search(None)


def phone_forms(digits: str) -> tuple[str, ...]:
    """A number's digits as accounts may hold them: with its leading 0, and with 84 for it."""
    if digits.startswith("84") and len(digits) == 11:
        return (digits, "0" + digits[2:])
    if digits.startswith("0") and len(digits) == 10:
        return (digits, "84" + digits[1:])
    return (digits,)


def callers_of(taker: User) -> list:
    """Conditions over User: the officials `taker` may file for."""
    where = [User.role.in_(OFFICIALS), User.status == Status.ACTIVE]
    if taker.role == Role.COORDINATOR:
        where.append(User.province_code == taker.province_code)
    return where


def is_caller_for(taker: User, user: User | None) -> bool:
    """Whether `taker` may file for `user` (`callers_of` on a loaded account)."""
    return (
        user is not None
        and user.role in OFFICIALS
        and user.status == Status.ACTIVE
        and (taker.role != Role.COORDINATOR or user.province_code == taker.province_code)
    )


def stored_digits(column):
    """The digits of a stored phone, in SQL (the marks check_phone lets through removed)."""
    for mark in PHONE_MARKS:
        column = func.replace(column, mark, "")
    return column


def find_callers(taker: User, words: str) -> Found:
    """The officials `taker` may file for that the search box names, by name: one query, its
    shape fixed by the kind of search (the CCCD through its unique index; a phone or a name
    over the officials' accounts, a coordinator's through the province index).
    errors.NotFound for anyone who does not take calls."""
    permissions.require(taker, "tickets.take_calls")
    search = read_search(words)
    if search.kind is None:
        return Found(search, [])
    query = select(User).where(*callers_of(taker))
    if search.kind == "cccd":
        query = query.where(User.cccd == search.terms[0])
    elif search.kind == "phone":
        query = query.where(stored_digits(User.phone).in_(search.terms))
    else:
        spaced = literal(" ", String) + User.name_key
        for word in search.terms:
            query = query.where(spaced.like(f"% {text.like_escaped(word)}%", escape="\\"))
    query = query.order_by(User.name_key, User.id).limit(MAX_FOUND + 1)
    officials = list(db.session.scalars(query).unique())
    return Found(search, officials[:MAX_FOUND], more=len(officials) > MAX_FOUND)


def get_caller(taker: User, user_id: int | None) -> User:
    """The official `taker` files for; errors.NotFound for any other account (or none)."""
    permissions.require(taker, "tickets.take_calls")
    user = db.session.get(User, user_id) if user_id is not None else None
    if not is_caller_for(taker, user):
        raise errors.not_found()
    return user


def find_caller(taker: User, username: str) -> User | None:
    """The official of a login name (`CCCD@domain`) `taker` may file for, else None: an
    account that does not exist, is not active, is staff or of another province (for a
    coordinator) are all "not found"."""
    user = accounts.find_user(username) if isinstance(username, str) else None
    return user if is_caller_for(taker, user) else None


def file_for(
    taker: User, official: User, draft: TicketDraft, *, now: datetime | None = None
) -> Ticket:
    """File the ticket of `official` that `taker` took (a call: `source` phone; the API may
    say api): the official is its requester, acknowledged by mail as for any filing; `taker`
    is who filed it, in its history. Commits (create_ticket).

    errors.NotFound when `taker` may not file for `official`; errors.Invalid naming `source`
    for another source, `province` for a coordinator's ticket of another province, and every
    field create_ticket refuses.
    """
    permissions.require(taker, "tickets.take_calls")
    if not is_caller_for(taker, official):
        raise errors.not_found()
    if draft.source not in FILED_FOR:
        raise errors.Invalid(_("A ticket filed for an official comes from a call."), "source")
    if taker.role == Role.COORDINATOR and draft.province != taker.province_code:
        message = _("A provincial coordinator files tickets of its own province.")
        raise errors.Invalid(message, "province")
    return create_ticket(official, draft, now=now, filed_by=taker)


def can_see(user: User, ticket: Ticket) -> bool:
    """Whether `user` sees the ticket (the staff who filed a call may not work its queue)."""
    query = select(Ticket.id).where(Ticket.id == ticket.id, visibility_check(user))
    return db.session.scalar(query) is not None
