"""Signed, expiring, single-use links mailed to users (verify, activate, reset, new e-mail,
undo an e-mail change), and the link in each digest that stops the digests.

A link carries the user id and a fingerprint of the state it changes (the password hash,
the status, the pending address), signed with SECRET_KEY and a salt per purpose. Using the
link changes that state, so the same link no longer matches: single use without a table.
The undo link of an e-mail change names its change instead (`ref`): the change's row records
that it was undone, as the account's own state may change meanwhile (and must not void it).
The digests' link changes nothing but the opt-out, which using it again leaves as it is: it
works until it expires.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from helpdesk import errors
from helpdesk.auth.models import User
from helpdesk.extensions import db

LIFETIMES: dict[str, timedelta] = {
    "verify": timedelta(hours=24),  # confirm the address given at registration (it expires)
    "activate": timedelta(days=7),  # a provisioned account sets its own password
    "reset": timedelta(hours=1),  # forgotten password
    "email": timedelta(days=3),  # confirm a new address given in the profile
    "email_undo": timedelta(days=7),  # the old address undoes a change that took effect
    "digest": timedelta(days=90),  # stop the weekly and monthly digests (a month's, read late)
}


class LinkExpired(errors.Invalid):
    """The link was genuine but is older than its lifetime."""


class LinkInvalid(errors.Invalid):
    """The link was tampered with, is for another purpose, or was already used."""


class _SignerAt(TimestampSigner):
    """A timestamp signer whose clock is the `now` handed to the service (tests pass it)."""

    def __init__(self, *args, now: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._now = now

    def get_timestamp(self) -> int:
        return self._now


def _serializer(purpose: str, now: datetime) -> URLSafeTimedSerializer:
    if purpose not in LIFETIMES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt=f"helpdesk.auth.{purpose}",
        signer=_SignerAt,
        signer_kwargs={"now": int(now.timestamp())},
    )


def fingerprint(purpose: str, user: User) -> str:
    """A short digest of the state the link changes; it changes once the link is used."""
    if purpose == "verify":
        state = f"{user.email}|{user.status}|{user.session_token}"
    elif purpose == "email":
        state = f"{user.pending_email}|{user.email}|{user.session_token}"
    elif purpose in ("email_undo", "digest"):
        # Nothing the account can do may void it (a password change, another new address):
        # it is the owner's way back (its change's row says whether it was used), or it only
        # sets the opt-out again.
        state = ""
    else:  # activate, reset: setting a password changes its hash and the session token
        state = f"{user.password_hash or ''}|{user.session_token}"
    return hashlib.sha256(f"{purpose}|{state}".encode()).hexdigest()[:20]


def issue(purpose: str, user: User, *, now: datetime, ref: int | None = None) -> str:
    """The token of a link for `purpose`, valid from `now` for LIFETIMES[purpose].

    `ref` names the row the link acts on, when its purpose has one (read it with read_ref).
    """
    payload: dict = {"u": user.id, "f": fingerprint(purpose, user)}
    if ref is not None:
        payload["r"] = ref
    return _serializer(purpose, now).dumps(payload)


def read(purpose: str, token: str, *, now: datetime) -> User:
    """The user a link was issued to, if it is genuine, not expired and not yet used.

    Raises LinkExpired or LinkInvalid (both errors.Invalid).
    """
    return read_ref(purpose, token, now=now)[0]


def read_ref(purpose: str, token: str, *, now: datetime) -> tuple[User, int | None]:
    """read(), and the `ref` the link was issued with (None without one)."""
    max_age = int(LIFETIMES[purpose].total_seconds())
    try:
        payload = _serializer(purpose, now).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise LinkExpired(_("This link has expired. Please ask for a new one.")) from error
    except BadSignature as error:
        raise LinkInvalid(invalid_message()) from error
    user_id = payload.get("u") if isinstance(payload, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or payload.get("f") != fingerprint(purpose, user):
        raise LinkInvalid(invalid_message())
    ref = payload.get("r")
    return user, ref if isinstance(ref, int) else None


def invalid_message() -> str:
    return _("This link is not valid or has already been used.")
