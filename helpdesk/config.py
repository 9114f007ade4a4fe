"""Settings: defaults in classes, the environment read once by from_environ()."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any


class Config:
    """Defaults for a deployment; every secret comes from the environment or instance/."""

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # from_environ fills it (SQLite under instance/)
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
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

    HELPDESK_LOGIN_DOMAINS: tuple[str, ...] = ("ht.com",)
    HELPDESK_TIMEZONE = "Asia/Ho_Chi_Minh"
    HELPDESK_BASE_URL: str | None = None  # for links in mail; None: the request's host

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
    HELPDESK_PROXY_HOPS = 0  # trusted reverse proxies in front of the web processes

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
    RATELIMIT_STORAGE_URI = "memory://"
    HELPDESK_EMBEDDED_REDIS = False


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
        settings["HELPDESK_BASE_URL"] = environ["HELPDESK_BASE_URL"].rstrip("/")
    if environ.get("HELPDESK_PROXY_HOPS"):
        settings["HELPDESK_PROXY_HOPS"] = int(environ["HELPDESK_PROXY_HOPS"])
    if is_true(environ.get("HELPDESK_HTTPS", "")):
        settings.update(
            SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https"
        )
    if environ.get("UPLOAD_FOLDER"):
        settings["UPLOAD_FOLDER"] = environ["UPLOAD_FOLDER"]
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
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = instance_secret_key(instance)


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
