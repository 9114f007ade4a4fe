"""Settings: defaults in classes, the environment read once by from_environ()."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Names a browser on the machine itself may use for the embedded default. IPv6 literals cannot
# be listed: Werkzeug compares trusted hosts without their port, which an IPv6 address breaks.
LOOPBACK_NAMES = ("localhost", "127.0.0.1")
WILDCARD_ADDRESSES = {"", "0.0.0.0", "::", "[::]"}  # noqa: S104 - names, not a bind


class ConfigError(RuntimeError):
    """A setting is missing or unusable; the message names the variable to set."""


class Config:
    """Defaults for a deployment; every secret comes from the environment or instance/."""

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # from_environ fills it (SQLite under instance/)
    # hide_parameters: a statement error's text would carry its bound values (a CCCD, a name)
    # into the log.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    REDIS_URL: str | None = None  # None: the embedded Redis under instance/
    HELPDESK_EMBEDDED_REDIS = True

    MAIL_SERVER: str | None = None  # None: mail is written as .eml files under instance/outbox/
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_DEFAULT_SENDER = "Hỗ trợ TTHC <no-reply@localhost>"
    HELPDESK_OUTBOX_FOLDER: str | None = None
    # Inbound mail: an IMAP mailbox (imaps://user:pass@host/INBOX), else the maildir
    # HELPDESK_INBOX_FOLDER (instance/inbox/). Replies come back to HELPDESK_REPLY_ADDRESS's
    # signed sub-addresses (None: hotro@ the sender's domain); bigger messages are refused.
    HELPDESK_IMAP_URL: str | None = None
    HELPDESK_INBOX_FOLDER: str | None = None
    HELPDESK_REPLY_ADDRESS: str | None = None
    HELPDESK_INBOUND_MAX_BYTES = 30 * 1024 * 1024

    HELPDESK_LOGIN_DOMAINS: tuple[str, ...] = ("ht.com",)
    HELPDESK_TIMEZONE = "Asia/Ho_Chi_Minh"
    # Every absolute link (mail, jobs) is built from it, never from a request's headers. None:
    # derived from HELPDESK_HOST/PORT on the embedded default (SQLite), refused otherwise.
    HELPDESK_BASE_URL: str | None = None
    HELPDESK_HOST = "127.0.0.1"  # where `flask serve` listens (HOST)
    HELPDESK_PORT = 5000  # (PORT)
    # Hosts a request may name beyond the base URL's (TRUSTED_HOSTS is made from both;
    # ".example.gov.vn" also accepts its subdomains). Any other Host gets 400.
    HELPDESK_TRUSTED_HOSTS: tuple[str, ...] = ()
    TRUSTED_HOSTS: list[str] | None = None  # None: made by settle_hosts()

    # A file that gets every log line; the console then shows warnings and errors only
    # (`flask serve` gives each of its processes one under instance/logs/).
    HELPDESK_LOG_FILE: str | None = None

    UPLOAD_FOLDER: str | None = None
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024

    LANGUAGES = ("vi", "en")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # HELPDESK_HTTPS=1 turns it on behind HTTPS
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    HELPDESK_HTTPS = False  # served over HTTPS only: secure cookies and HSTS
    HELPDESK_PROXY_HOPS = 0  # trusted reverse proxies in front of the web processes
    # Addresses (IPs or CIDR networks) besides loopback that /healthz shows its backlog to.
    HELPDESK_HEALTH_FROM: tuple[str, ...] = ()
    # argon2id's cost (RFC 9106's second choice, argon2-cffi's default).
    # A hash made at another cost still verifies (its parameters are written in it) and is made
    # again at this one on the next login.
    HELPDESK_PASSWORD_HASHING: dict[str, int] = {
        "time_cost": 3,
        "memory_cost": 65536,
        "parallelism": 4,
    }

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    RATELIMIT_STORAGE_URI: str | None = None  # None: the same Redis as the work queue
    RATELIMIT_SWALLOW_ERRORS = True  # Redis down must not take login down
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True

    TESTING = False


class TestConfig(Config):
    """Tests: same code paths, local resources; CSRF stays on."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    HELPDESK_BASE_URL = "http://localhost"  # the test client's host
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}  # errors show values
    RATELIMIT_STORAGE_URI = "memory://"
    HELPDESK_EMBEDDED_REDIS = False
    # argon2id's least cost: the suite hashes thousands of passwords through the same code.
    # Config's cost is tested on its own (tests/unit/auth/test_hashing.py).
    HELPDESK_PASSWORD_HASHING: dict[str, int] = {
        "time_cost": 1,
        "memory_cost": 8,
        "parallelism": 1,
    }


def from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read docs/contract.md's variables; what is not set keeps its default."""
    settings: dict[str, Any] = {}

    if environ.get("SECRET_KEY"):
        settings["SECRET_KEY"] = environ["SECRET_KEY"]

    database_url = environ.get("DATABASE_URL")
    if database_url:
        settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(database_url)

    if environ.get("REDIS_URL"):
        settings["REDIS_URL"] = environ["REDIS_URL"]

    for key in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER"):
        if environ.get(key):
            settings[key] = environ[key]
    if environ.get("MAIL_PORT"):
        settings["MAIL_PORT"] = int(environ["MAIL_PORT"])
    for key in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        if key in environ:
            settings[key] = is_true(environ[key])

    if environ.get("HELPDESK_LOGIN_DOMAINS"):
        domains = tuple(
            d.strip().lower() for d in environ["HELPDESK_LOGIN_DOMAINS"].split(",") if d.strip()
        )
        if domains:
            settings["HELPDESK_LOGIN_DOMAINS"] = domains
    if environ.get("HELPDESK_TIMEZONE"):
        settings["HELPDESK_TIMEZONE"] = environ["HELPDESK_TIMEZONE"]
        settings["BABEL_DEFAULT_TIMEZONE"] = environ["HELPDESK_TIMEZONE"]
    if environ.get("HELPDESK_BASE_URL"):
        settings["HELPDESK_BASE_URL"] = environ["HELPDESK_BASE_URL"]
    if environ.get("HOST"):
        settings["HELPDESK_HOST"] = environ["HOST"]
    if environ.get("PORT"):
        settings["HELPDESK_PORT"] = int(environ["PORT"])
    if environ.get("HELPDESK_TRUSTED_HOSTS"):
        settings["HELPDESK_TRUSTED_HOSTS"] = comma_list(environ["HELPDESK_TRUSTED_HOSTS"].lower())
    if environ.get("HELPDESK_PROXY_HOPS"):
        settings["HELPDESK_PROXY_HOPS"] = int(environ["HELPDESK_PROXY_HOPS"])
    if environ.get("HELPDESK_HEALTH_FROM"):
        settings["HELPDESK_HEALTH_FROM"] = networks(environ["HELPDESK_HEALTH_FROM"])
    if is_true(environ.get("HELPDESK_HTTPS", "")):
        settings.update(
            HELPDESK_HTTPS=True,
            SESSION_COOKIE_SECURE=True,
            REMEMBER_COOKIE_SECURE=True,
            PREFERRED_URL_SCHEME="https",
        )
    if environ.get("HELPDESK_LOG_FILE"):
        settings["HELPDESK_LOG_FILE"] = environ["HELPDESK_LOG_FILE"]
    if environ.get("UPLOAD_FOLDER"):
        settings["UPLOAD_FOLDER"] = environ["UPLOAD_FOLDER"]
    for key in ("HELPDESK_IMAP_URL", "HELPDESK_INBOX_FOLDER", "HELPDESK_REPLY_ADDRESS"):
        if environ.get(key):
            settings[key] = environ[key].strip()
    if environ.get("HELPDESK_INBOUND_MAX_BYTES"):
        settings["HELPDESK_INBOUND_MAX_BYTES"] = int(environ["HELPDESK_INBOUND_MAX_BYTES"])
    if environ.get("MAX_CONTENT_LENGTH"):
        settings["MAX_CONTENT_LENGTH"] = int(environ["MAX_CONTENT_LENGTH"])
    if environ.get("RATELIMIT_STORAGE_URI"):
        settings["RATELIMIT_STORAGE_URI"] = environ["RATELIMIT_STORAGE_URI"]
    return settings


def fill_instance_defaults(config: dict[str, Any], instance_path: str) -> None:
    """Give what is still unset its home under instance/ (SQLite, uploads, outbox, secret)."""
    instance = Path(instance_path)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'helpdesk.sqlite3'}"
    config.setdefault("UPLOAD_FOLDER", None)
    if not config.get("UPLOAD_FOLDER"):
        config["UPLOAD_FOLDER"] = str(instance / "uploads")
    if not config.get("HELPDESK_OUTBOX_FOLDER"):
        config["HELPDESK_OUTBOX_FOLDER"] = str(instance / "outbox")
    if not config.get("HELPDESK_INBOX_FOLDER"):
        config["HELPDESK_INBOX_FOLDER"] = str(instance / "inbox")
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = instance_secret_key(instance)


def settle_hosts(config: dict[str, Any]) -> None:
    """Fix HELPDESK_BASE_URL, which every absolute link comes from, and TRUSTED_HOSTS, the
    hosts a request may name: the base URL's, HELPDESK_TRUSTED_HOSTS, and on the embedded
    default the loopback names. Call once the database URL is known.

    Raises ConfigError when the base URL is missing outside the embedded default, or unusable.
    """
    embedded = config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    base = config.get("HELPDESK_BASE_URL")
    if not base:
        if not embedded:
            raise ConfigError(
                "HELPDESK_BASE_URL is not set. With a database other than SQLite it must be the "
                "address users reach the helpdesk at (e.g. https://hotro.example.gov.vn): every "
                "link in mail is built from it, never from a request's Host header."
            )
        base = local_base_url(config["HELPDESK_HOST"], config["HELPDESK_PORT"])
    parts = urlsplit(base.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or ":" in parts.hostname  # an IPv6 literal cannot be a trusted host (see LOOPBACK_NAMES)
        or parts.query
        or parts.fragment
    ):
        raise ConfigError(
            f"HELPDESK_BASE_URL={base!r} is not an http(s) address with a host name or IPv4 "
            "address, such as https://hotro.example.gov.vn (a path is allowed; no query)."
        )
    config["HELPDESK_BASE_URL"] = base.strip().rstrip("/")
    if config.get("TRUSTED_HOSTS") is None:
        names = [parts.hostname, *config.get("HELPDESK_TRUSTED_HOSTS", ())]
        if embedded:
            names += LOOPBACK_NAMES
        config["TRUSTED_HOSTS"] = list(dict.fromkeys(names))


def is_embedded(config: Mapping[str, Any]) -> bool:
    """Whether the app runs as the embedded default of `make run`: SQLite under instance/ and
    mail written as files (no MAIL_SERVER). The demo desk (`flask user demo`) is made only
    there: a production deployment (DATABASE_URL, MAIL_SERVER) never gets demo data."""
    database = config.get("SQLALCHEMY_DATABASE_URI") or ""
    return database.startswith("sqlite") and not config.get("MAIL_SERVER")


def local_base_url(host: str, port: int) -> str:
    """The embedded default's base URL: where `flask serve` listens. A wildcard address (all
    interfaces) or an IPv6 literal becomes `localhost`: the machine's own browser reaches it,
    and other machines need HELPDESK_BASE_URL with a name they resolve."""
    if host in WILDCARD_ADDRESSES or ":" in host:
        host = "localhost"
    return f"http://{host}" if port == 80 else f"http://{host}:{port}"


def comma_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def networks(value: str) -> tuple[str, ...]:
    """Comma-separated IP addresses or CIDR networks, checked (ConfigError names the bad one)."""
    checked = []
    for item in comma_list(value):
        try:
            checked.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as error:
            message = f"HELPDESK_HEALTH_FROM: {item!r} is not an IP address or network"
            raise ConfigError(message) from error
    return tuple(checked)


def instance_secret_key(instance: Path) -> str:
    """The secret generated on first start and kept (mode 0600) under instance/."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_true(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}
