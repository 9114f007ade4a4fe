"""Signed reply addresses: `hotro+<token>@domain`, one per ticket and recipient.

Every mail about a ticket says, in `Reply-To`, where a reply goes: the deployment's reply
address (HELPDESK_REPLY_ADDRESS) with a token after `+` that names the ticket and the recipient
and is signed with the app's secret, so that it can be neither guessed nor turned to another
ticket or person. The token is lower-case, as some servers fold the local part's case.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from email.utils import parseaddr

from flask import current_app

from helpdesk.notifications.rendering import domain_of

SIGNATURE_LENGTH = 20  # hex digits: 80 bits
TOKEN = re.compile(r"(?P<number>[a-z]+-\d{4}-\d+)\.(?P<user>\d+)\.(?P<signature>[0-9a-f]+)")


class ForgedAddress(Exception):
    """A reply address of this deployment whose token does not check out."""


@dataclass(frozen=True)
class ReplyTarget:
    number: str  # the ticket's number, as HT-2026-000123
    user_id: int  # the recipient the address was made for


def base_address() -> str:
    """The reply address without a token: HELPDESK_REPLY_ADDRESS, else hotro@ the sender's
    domain."""
    configured = current_app.config.get("HELPDESK_REPLY_ADDRESS")
    if configured:
        return parseaddr(configured)[1].lower()
    return f"hotro@{domain_of(current_app.config.get('MAIL_DEFAULT_SENDER') or '')}"


def reply_address(number: str, user_id: int) -> str:
    """The address whose mail becomes `user_id`'s reply on ticket `number`."""
    local, _, domain = base_address().partition("@")
    token = f"{number.lower()}.{user_id}.{signature(number, user_id)}"
    return f"{local}+{token}@{domain}"


def read_reply_address(address: str) -> ReplyTarget | None:
    """The ticket and recipient a reply address names; None when the address is not one of this
    deployment's reply addresses. Raises ForgedAddress when it is one but its token is not
    what this deployment signed."""
    local, _, domain = parseaddr(address)[1].lower().partition("@")
    base_local, _, base_domain = base_address().partition("@")
    name, plus, token = local.partition("+")
    if not plus or name != base_local or domain != base_domain:
        return None
    match = TOKEN.fullmatch(token)
    if match is None:
        raise ForgedAddress(address)
    number, user_id = match["number"].upper(), int(match["user"])
    if not hmac.compare_digest(match["signature"], signature(number, user_id)):
        raise ForgedAddress(address)
    return ReplyTarget(number, user_id)


def signature(number: str, user_id: int) -> str:
    key = hashlib.sha256(f"reply-address:{current_app.config['SECRET_KEY']}".encode()).digest()
    message = f"{number.upper()}:{user_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:SIGNATURE_LENGTH]
