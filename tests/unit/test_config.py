"""Settings read from the environment (docs/contract.md's variables)."""

import stat

from helpdesk.config import fill_instance_defaults, from_environ, instance_secret_key


def test_postgres_urls_use_psycopg3():
    settings = from_environ({"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/helpdesk"})
    assert (
        settings["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://postgres@127.0.0.1:5432/helpdesk"
    )
    legacy = from_environ({"DATABASE_URL": "postgres://u@h/db"})
    assert legacy["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_login_domains_are_trimmed_and_lower_cased_in_order():
    settings = from_environ({"HELPDESK_LOGIN_DOMAINS": " HT.com, moj.gov.vn ,,"})
    assert settings["HELPDESK_LOGIN_DOMAINS"] == ("ht.com", "moj.gov.vn")


def test_unset_variables_keep_their_defaults():
    assert from_environ({}) == {}


def test_mail_settings_are_typed():
    settings = from_environ(
        {"MAIL_SERVER": "smtp.local", "MAIL_PORT": "2525", "MAIL_USE_TLS": "true"}
    )
    assert settings["MAIL_SERVER"] == "smtp.local"
    assert settings["MAIL_PORT"] == 2525
    assert settings["MAIL_USE_TLS"] is True


def test_https_turns_secure_cookies_on():
    settings = from_environ({"HELPDESK_HTTPS": "1"})
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SECURE"] is True


def test_instance_defaults_point_under_instance(tmp_path):
    config = {}
    fill_instance_defaults(config, str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}"
    assert config["UPLOAD_FOLDER"] == str(tmp_path / "uploads")
    assert config["HELPDESK_OUTBOX_FOLDER"] == str(tmp_path / "outbox")


def test_secret_key_is_generated_once_and_private(tmp_path):
    first = instance_secret_key(tmp_path)
    assert len(first) == 64
    assert instance_secret_key(tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_secret_key_from_environment_wins(tmp_path):
    config = from_environ({"SECRET_KEY": "from-env"})
    fill_instance_defaults(config, str(tmp_path))
    assert config["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "secret_key").exists()
