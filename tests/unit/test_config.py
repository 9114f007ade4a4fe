"""Settings read from the environment (docs/contract.md's variables)."""

import stat

import pytest

from helpdesk.config import (
    Config,
    ConfigError,
    TestConfig,
    fill_instance_defaults,
    from_environ,
    instance_secret_key,
    settle_hosts,
)

SQLITE = "sqlite:///instance/helpdesk.sqlite3"
POSTGRES = "postgresql+psycopg://helpdesk@db/helpdesk"
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - a setting's value; nothing listens


def settled(**config) -> dict:
    config = {"HELPDESK_HOST": "127.0.0.1", "HELPDESK_PORT": 5000, **config}
    settle_hosts(config)
    return config


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
    assert settings["HELPDESK_HTTPS"] is True


def test_host_port_trusted_hosts_and_health_addresses_are_read():
    settings = from_environ(
        {
            "HOST": ALL_INTERFACES,
            "PORT": "8080",
            "HELPDESK_TRUSTED_HOSTS": " Hotro.Example.gov.vn, .noi-bo.vn ,",
            "HELPDESK_HEALTH_FROM": "10.1.2.3, 192.168.0.0/16",
        }
    )
    assert (settings["HELPDESK_HOST"], settings["HELPDESK_PORT"]) == (ALL_INTERFACES, 8080)
    assert settings["HELPDESK_TRUSTED_HOSTS"] == ("hotro.example.gov.vn", ".noi-bo.vn")
    assert settings["HELPDESK_HEALTH_FROM"] == ("10.1.2.3/32", "192.168.0.0/16")


def test_a_health_address_that_is_no_address_is_refused():
    with pytest.raises(ConfigError, match="HELPDESK_HEALTH_FROM"):
        from_environ({"HELPDESK_HEALTH_FROM": "monitor.example"})


@pytest.mark.parametrize(
    ("host", "port", "base"),
    [
        ("127.0.0.1", 5000, "http://127.0.0.1:5000"),
        ("hotro.local", 80, "http://hotro.local"),
        (ALL_INTERFACES, 8080, "http://localhost:8080"),  # all interfaces: the machine's own name
        ("::", 5000, "http://localhost:5000"),
        ("::1", 5000, "http://localhost:5000"),  # IPv6 literals cannot be trusted hosts
    ],
)
def test_embedded_default_base_url_is_where_serve_listens(host, port, base):
    config = settled(SQLALCHEMY_DATABASE_URI=SQLITE, HELPDESK_HOST=host, HELPDESK_PORT=port)
    assert config["HELPDESK_BASE_URL"] == base


def test_embedded_default_trusts_the_base_host_and_loopback_names():
    config = settled(SQLALCHEMY_DATABASE_URI=SQLITE, HELPDESK_TRUSTED_HOSTS=("demo.lan",))
    assert config["TRUSTED_HOSTS"] == ["127.0.0.1", "demo.lan", "localhost"]


def test_production_trusts_the_base_host_and_the_listed_hosts_only():
    config = settled(
        SQLALCHEMY_DATABASE_URI=POSTGRES,
        HELPDESK_BASE_URL="https://HoTro.example.gov.vn/helpdesk/",
        HELPDESK_TRUSTED_HOSTS=(".noi-bo.vn",),
    )
    assert config["HELPDESK_BASE_URL"] == "https://HoTro.example.gov.vn/helpdesk"
    assert config["TRUSTED_HOSTS"] == ["hotro.example.gov.vn", ".noi-bo.vn"]


def test_production_without_a_base_url_refuses_to_start():
    with pytest.raises(ConfigError, match="HELPDESK_BASE_URL is not set"):
        settled(SQLALCHEMY_DATABASE_URI=POSTGRES)


@pytest.mark.parametrize(
    "base", ["hotro.example.gov.vn", "ftp://hotro.example.gov.vn", "https://", "http://[::1]:80"]
)
def test_a_base_url_that_is_no_http_address_is_refused(base):
    with pytest.raises(ConfigError, match="HELPDESK_BASE_URL"):
        settled(SQLALCHEMY_DATABASE_URI=POSTGRES, HELPDESK_BASE_URL=base)


def test_statement_errors_hide_their_parameters_outside_tests():
    assert Config.SQLALCHEMY_ENGINE_OPTIONS["hide_parameters"] is True
    assert not TestConfig.SQLALCHEMY_ENGINE_OPTIONS.get("hide_parameters")


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


def test_inbound_mail_settings_are_read():
    settings = from_environ(
        {
            "HELPDESK_IMAP_URL": " imaps://hotro:p%40ss@imap.example.gov.vn/INBOX ",
            "HELPDESK_REPLY_ADDRESS": "hotro@example.gov.vn",
            "HELPDESK_INBOX_FOLDER": "/srv/inbox",
            "HELPDESK_INBOUND_MAX_BYTES": "1048576",
        }
    )
    assert settings["HELPDESK_IMAP_URL"] == "imaps://hotro:p%40ss@imap.example.gov.vn/INBOX"
    assert settings["HELPDESK_REPLY_ADDRESS"] == "hotro@example.gov.vn"
    assert settings["HELPDESK_INBOX_FOLDER"] == "/srv/inbox"
    assert settings["HELPDESK_INBOUND_MAX_BYTES"] == 1048576
    assert "HELPDESK_IMAP_URL" not in from_environ({})


def test_the_inbox_is_under_instance_by_default(tmp_path):
    config = {}
    fill_instance_defaults(config, str(tmp_path))
    assert config["HELPDESK_INBOX_FOLDER"] == str(tmp_path / "inbox")
