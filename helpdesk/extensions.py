"""The extensions, created unbound here and bound to an app by init_app()."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import redis
from flask import Flask, current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from helpdesk import i18n

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RedisConnection:
    """The Redis that carries work: REDIS_URL, or the embedded one under instance/.

    State lives on the app (app.extensions), so several apps in one process stay apart.
    """

    def init_app(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL") or embedded_redis_url(app.instance_path)
        app.extensions["helpdesk_redis"] = {"url": url, "client": None}

    @property
    def url(self) -> str:
        return current_app.extensions["helpdesk_redis"]["url"]

    @property
    def client(self) -> redis.Redis:
        state = current_app.extensions["helpdesk_redis"]
        if state["client"] is None:
            # Short timeouts: a Redis outage must cost a request milliseconds, not minutes.
            state["client"] = redis.Redis.from_url(
                state["url"], socket_connect_timeout=1, socket_timeout=2, health_check_interval=30
            )
        return state["client"]


def embedded_redis_url(instance_path: str) -> str:
    return f"unix://{Path(instance_path) / 'redis.sock'}"


def limiter_storage_uri(redis_url: str) -> str:
    """Flask-Limiter's spelling of a redis-py URL."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
mail = Mail()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
redis_connection = RedisConnection()


def _connection_settings(dbapi_connection, connection_record) -> None:  # noqa: ARG001
    """SQLite: enforce foreign keys, let readers work while one writer commits.
    PostgreSQL: no JIT compilation; it costs a page's queries more than it saves them."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
    elif module.startswith("psycopg"):
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.commit()


def insert_with_conflicts(session) -> Callable:
    """The dialect's insert(), the one with ON CONFLICT (PostgreSQL's or SQLite's)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def init_app(app: Flask) -> None:
    if not event.contains(Engine, "connect", _connection_settings):
        event.listen(Engine, "connect", _connection_settings)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"
    mail.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.install_template_gettext(app)
    redis_connection.init_app(app)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        redis_url = app.extensions["helpdesk_redis"]["url"]
        app.config["RATELIMIT_STORAGE_URI"] = limiter_storage_uri(redis_url)
    limiter.init_app(app)
