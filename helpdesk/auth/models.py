"""Accounts: users, their units, API tokens, e-mail address changes."""

from __future__ import annotations

import enum
import re
import unicodedata
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from helpdesk.auth import cccd as cccd_rules
from helpdesk.catalogue.models import Province
from helpdesk.extensions import db
from helpdesk.text import fold
from helpdesk.timeutil import UTCDateTime, utcnow


class Role(enum.StrEnum):
    REQUESTER = "requester"
    UNIT_ADMIN = "unit_admin"
    COORDINATOR = "coordinator"  # one province (User.province_code): its tickets, its queue
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    OBSERVER = "observer"
    ADMIN = "admin"


# The roles that work tickets: they belong to queues, read internal notes, are assigned tickets.
# A coordinator works its province's queue and reads (never works) its province's other tickets.
STAFF_ROLES = (Role.COORDINATOR, Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


# The roles that read reports and get the weekly and monthly digests of their reach (unless
# they opt out: User.digest_opt_out; helpdesk/reports/digests).
DIGEST_ROLES = (Role.OBSERVER, Role.COORDINATOR, Role.SUPERVISOR)


def is_staff(user) -> bool:
    """Whether the account's role works tickets (whatever its status; see STAFF_ROLES)."""
    return user.role in STAFF_ROLES


class Status(enum.StrEnum):
    PENDING_VERIFICATION = "pending_verification"  # registered, e-mail not yet confirmed
    PENDING_APPROVAL = "pending_approval"  # e-mail confirmed, waiting for an approver
    ACTIVE = "active"
    REJECTED = "rejected"
    DISABLED = "disabled"


class TokenRevocation(enum.StrEnum):
    """Why an API token stopped working."""

    OWNER = "owner"  # revoked on the tokens page
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a reason, not a password
    PASSWORD_RESET = "password_reset"  # noqa: S105 - set by a mailed link
    EMAIL_CHANGE_UNDONE = "email_change_undone"  # the owner undid a change of address


# What officials write before a unit's own name (as keys: lower-case ASCII), longest first.
ORGAN_WORDS = ("uy ban nhan dan", "ubnd")
KIND_WORDS = ("dac khu", "thi tran", "phuong", "xa", "tt")


def _without_prefix(key: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if key.startswith(prefix + " "):
            return key[len(prefix) + 1 :]
    return key


class UnitKind(enum.StrEnum):
    COMMUNE = "commune"  # xã
    WARD = "ward"  # phường
    SPECIAL_ZONE = "special_zone"  # đặc khu
    PROVINCIAL = "provincial"  # a province's department or centre (Sở, Trung tâm PVHCC)
    MINISTRY = "ministry"  # a ministry's department (placed in the province where it sits)
    UNLISTED = "unlisted"  # written by an official, matched to no record yet


class Unit(db.Model):
    """A commune, ward or special zone (official code from the 2025 list), a provincial or
    ministry unit added by admins and coordinators, or a name as an official wrote it that
    matches no record yet (kind `unlisted`, no code, one row per name and province).

    Names are compared without case, diacritics, "UBND"/"Ủy ban nhân dân" and the kind word
    ("xã", "phường", "đặc khu"): `bare_key` (helpdesk/auth/services/units.py). Two official
    names of one province may share a key (Xã Văn Lăng, Xã Vạn Lăng): only unlisted names are
    unique by key.
    """

    __tablename__ = "units"
    __table_args__ = (
        Index("ix_units_province_code_bare_key", "province_code", "bare_key"),
        Index(
            "uq_units_unlisted_key",
            "province_code",
            "key",
            unique=True,
            postgresql_where=text("code IS NULL"),
            sqlite_where=text("code IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The official code for communes, wards and special zones; a made one for added units;
    # None for unlisted names.
    code: Mapped[str | None] = mapped_column(String(16), unique=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))  # lower-case, no diacritics, single spaces
    bare_key: Mapped[str] = mapped_column(String(200), default="", server_default="")
    kind: Mapped[str] = mapped_column(
        String(16), default=UnitKind.UNLISTED, server_default=UnitKind.UNLISTED.value
    )
    system_code: Mapped[str | None] = mapped_column(ForeignKey("systems.code"))  # ministry units
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # The unit chose that its members see every ticket of the unit (off unless it says so).
    members_see_tickets: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )

    province: Mapped[Province] = relationship(lazy="joined")

    @property
    def listed(self) -> bool:
        return self.code is not None

    @validates("name")
    def _keep_keys(self, _field: str, name: str) -> str:
        self.key = self.key_for(name)[:200]
        self.bare_key = self.bare_key_for(name)[:200]
        return name

    @staticmethod
    def key_for(name: str) -> str:
        """The comparison key of a unit name: lower-case ASCII, no diacritics, single spaces."""
        # đ/Đ has no decomposition in Unicode: NFKD alone would drop it instead of giving d.
        text = name.replace("đ", "d").replace("Đ", "D")
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.encode("ascii", "ignore").decode("ascii").lower()
        return re.sub(r"\s+", " ", text).strip()

    @staticmethod
    def organ_free_key_for(name: str) -> str:
        """The key without "UBND" / "Ủy ban nhân dân": "UBND phường Trấn Biên" gives
        "phuong tran bien", the key of "Phường Trấn Biên"."""
        return _without_prefix(Unit.key_for(name), ORGAN_WORDS)

    @staticmethod
    def bare_key_for(name: str) -> str:
        """The key without the words officials add or leave out: "UBND" / "Ủy ban nhân dân"
        and the kind ("xã", "phường", "đặc khu", "thị trấn"): "UBND xã Chơn Thành" and
        "Phường Chơn Thành" both give "chon thanh"."""
        return _without_prefix(Unit.organ_free_key_for(name), KIND_WORDS)

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.province_code}>"


class LoginName:
    """The login name `CCCD@domain` of anything with a `cccd` and a `domain`, whole or masked."""

    cccd: str
    domain: str

    @property
    def username(self) -> str:
        return f"{self.cccd}@{self.domain}"

    @property
    def masked_username(self) -> str:
        return f"{cccd_rules.mask(self.cccd)}@{self.domain}"


class User(LoginName, UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cccd: Mapped[str] = mapped_column(String(12), unique=True)
    domain: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(120))
    # The full name lower-case, without diacritics (text.fold): what the hotline's search of an
    # official by name compares; kept whenever the name is set.
    name_key: Mapped[str] = mapped_column(String(120), default="", server_default="")
    email: Mapped[str] = mapped_column(String(254), index=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A new address waits here until a link sent to it is confirmed.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(20), default="")
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.REQUESTER, index=True)
    status: Mapped[str] = mapped_column(String(24), default=Status.PENDING_VERIFICATION, index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    language: Mapped[str] = mapped_column(String(2), default="vi")
    notify_updates: Mapped[bool] = mapped_column(Boolean, default=True)
    # Made by `flask user demo` on the embedded default (helpdesk/tickets/services/demo.py).
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Publishes help articles (admins always do); staff write drafts (helpdesk/help).
    edits_articles: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Sends requests with a due date to provinces (an observer; admins always do, and the
    # ministry IT staff for their systems: helpdesk/requests).
    sends_requests: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Gets no weekly or monthly digest (helpdesk/reports/digests; DIGEST_ROLES get them).
    digest_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Changing it ends every session and remember-me cookie of the user (Flask-Login's id).
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    province: Mapped[Province | None] = relationship(lazy="joined")
    unit: Mapped[Unit | None] = relationship(lazy="joined")

    @validates("full_name")
    def _keep_name_key(self, _field: str, full_name: str) -> str:
        self.name_key = fold(full_name or "")[:120]
        return full_name

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class LoginThrottle(db.Model):
    """Failed logins of one login name, known or not, and how long its next attempt waits.

    The key is a digest of the normalised name keyed with SECRET_KEY (no CCCD is stored for
    names that have no account): an unknown name is slowed down exactly like an account's, so
    the delay tells nobody whether the account exists.
    """

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The account of the name when the last failure was counted: the admins' page lists those.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    throttled_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.key[:8]} {self.failures}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(24))  # a TokenRevocation

    user: Mapped[User] = relationship()


class EmailChange(db.Model):
    """An e-mail address change that took effect; the old address may undo it for a while."""

    __tablename__ = "email_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    old_email: Mapped[str] = mapped_column(String(254))
    new_email: Mapped[str] = mapped_column(String(254))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when this change, or an earlier one of the same account, was undone.
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class ObserverSystem(db.Model):
    """A system an observer is bound to: such an observer reads only those systems' figures.
    An observer without any row is national (every system)."""

    __tablename__ = "observer_systems"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    system_code: Mapped[str] = mapped_column(ForeignKey("systems.code"), primary_key=True)


class RegistrationDigest(db.Model):
    """When an approver was last mailed the registrations waiting for them: at most one such
    mail an hour, kept here so that a restart forgets nothing."""

    __tablename__ = "registration_digests"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
