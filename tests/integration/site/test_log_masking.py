"""What the helpdesk's log handler writes carries no CCCD: exception text and statement errors
included (the handler's own output is read, not pytest's capture)."""

import io
import logging
import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from helpdesk.config import Config
from helpdesk.extensions import db as database
from helpdesk.logs import MaskingFormatter

CCCD = "001085000022"
log = logging.getLogger("helpdesk.tests")


@contextmanager
def written_log():
    """The text the app's handler writes while the block runs."""
    [handler] = [
        h for h in logging.getLogger().handlers if isinstance(h.formatter, MaskingFormatter)
    ]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def test_a_cccd_in_exception_text_is_masked_in_the_log(app):
    with written_log() as written:
        try:
            int(f"{CCCD}²")
        except ValueError:
            log.exception("could not read the number")
    text = written.getvalue()
    assert "invalid literal" in text
    assert not re.search(r"\d{12}", text), text


def test_an_unhandled_error_in_a_request_is_logged_masked(app, db, monkeypatch):
    from helpdesk.site import views

    def fail():
        raise ValueError(f"invalid literal for int() with base 10: '{CCCD}²'")

    monkeypatch.setattr(views, "render_template", lambda *a, **k: fail())
    with written_log() as written:
        assert app.test_client().get("/").status_code == 500
    text = written.getvalue()
    assert "Traceback" in text and "********0022" in text
    # The line's random request id may hold twelve digits in a row: look for the number itself.
    assert CCCD not in text and CCCD[:8] not in text, text


@pytest.fixture
def production(app, make_app):
    """An app with the production engine options, on the tests' database."""
    return make_app(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        SQLALCHEMY_ENGINE_OPTIONS=Config.SQLALCHEMY_ENGINE_OPTIONS,
    )


def test_a_statement_error_keeps_its_parameters_out_of_the_log(production):
    with production.app_context(), written_log() as written:
        try:
            database.session.execute(
                sa.text("SELECT 1 FROM no_such_table WHERE cccd = :cccd"), {"cccd": CCCD}
            )
        except sa.exc.DBAPIError as error:
            log.exception("statement failed")
            assert CCCD not in str(error)  # nor in anything else that shows the error
        else:
            pytest.fail("the statement did not fail")
    text = written.getvalue()
    assert "no_such_table" in text
    assert "0022" not in text, text  # the value is not there at all, not even masked


def test_a_cccd_in_the_database_error_itself_is_masked(production, backend):
    if backend != "postgresql":
        pytest.skip("SQLite casts any text to an integer without an error")
    with production.app_context(), written_log() as written:
        try:
            database.session.execute(
                sa.text("SELECT CAST(:value AS integer)"), {"value": f"{CCCD}²"}
            )
        except sa.exc.DataError:
            log.exception("statement failed")
        else:
            pytest.fail("the statement did not fail")
    text = written.getvalue()
    assert "invalid input syntax" in text and "********0022" in text
    assert not re.search(r"\d{12}", text), text
