"""Links in mail come from HELPDESK_BASE_URL, never from a request's Host or X-Forwarded-Host;
a request naming a host outside TRUSTED_HOSTS gets 400 before anything else happens."""

import pytest
from support import csrf_token

from helpdesk.config import ConfigError
from helpdesk.notifications.rendering import link

# The embedded default listening on all interfaces, port 8080: its links point at localhost:8080
# while the test client's requests say Host: localhost.
BASE = "http://localhost:8080"


@pytest.fixture
def embedded(app, backend, make_app):
    """An app as `flask serve --host 0.0.0.0 --port 8080` makes it, on the tests' database.

    On PostgreSQL the base URL must be given: the same one, so the tests read alike."""

    def make(**overrides):
        settings = {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": app.config["REDIS_URL"],
            "HELPDESK_OUTBOX_FOLDER": app.config["HELPDESK_OUTBOX_FOLDER"],
            "HELPDESK_HOST": "0.0.0.0",  # noqa: S104 - a setting, nothing listens
            "HELPDESK_PORT": 8080,
            "HELPDESK_BASE_URL": None if backend == "sqlite" else BASE,
        }
        return make_app(**{**settings, **overrides})

    return make


def request_reset(client, username: str, **options):
    """POST /auth/reset like a browser (CSRF token from the page) with these request options."""
    html = client.get("/auth/reset").get_data(as_text=True)
    data = {"username": username, "csrf_token": csrf_token(html)}
    return client.post("/auth/reset", data=data, **options)


def test_reset_asked_through_an_unknown_host_is_refused_and_mails_nothing(client, make_user, mails):
    user = make_user()
    # The attacker's own session and form token, sent as to their host (curl -H "Host: ...").
    html = client.get("/auth/reset").get_data(as_text=True)
    session = client.get_cookie("session")
    client.set_cookie(session.key, session.value, domain="evil.example")
    response = client.post(
        "/auth/reset",
        data={"username": user.cccd, "csrf_token": csrf_token(html)},
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 400
    assert mails("password_reset") == []


def test_untrusted_host_gets_400_on_any_page_and_the_api(client):
    for url in ("/", "/auth/login", "/healthz", "/no-such-page"):
        assert client.get(url, headers={"Host": "evil.example"}).status_code == 400, url
    response = client.get("/api/v1/me", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"


def test_links_come_from_the_base_url_whatever_the_request_says(embedded, make_user, mails):
    user = make_user()
    client = embedded().test_client()
    response = request_reset(client, user.cccd, headers={"X-Forwarded-Host": "evil.example"})
    assert response.status_code == 302
    [mail] = mails("password_reset")
    assert mail.context["url"].startswith(f"{BASE}/auth/reset/")


def test_without_proxy_hops_forwarded_headers_change_nothing(embedded):
    client = embedded(HELPDESK_PROXY_HOPS=0).test_client()
    response = client.get("/healthz", headers={"X-Forwarded-Host": "evil.example"})
    assert response.status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_host_is_checked(embedded, make_user, mails):
    user = make_user()
    proxied = embedded(HELPDESK_PROXY_HOPS=1, HELPDESK_TRUSTED_HOSTS=("hotro.example.gov.vn",))
    browser = proxied.test_client()
    evil = {"X-Forwarded-Host": "evil.example", "X-Forwarded-For": "203.0.113.9"}
    assert browser.get("/healthz", headers=evil).status_code == 400
    response = request_reset(
        browser, user.cccd, headers={"X-Forwarded-Host": "hotro.example.gov.vn"}
    )
    assert response.status_code == 302
    assert mails("password_reset")[-1].context["url"].startswith(f"{BASE}/auth/reset/")


def test_a_job_builds_the_same_links_as_a_request(embedded):
    other = embedded()
    with other.app_context():  # a worker: no request
        in_job = link("tickets.show", number="HT-2026-000001", _anchor="m-1")
    headers = {"Host": "127.0.0.1:9999", "X-Forwarded-Host": "evil.example"}
    with other.test_request_context("/", headers=headers):
        in_request = link("tickets.show", number="HT-2026-000001", _anchor="m-1")
    assert in_job == in_request == f"{BASE}/tickets/HT-2026-000001#m-1"


def test_a_production_database_without_a_base_url_refuses_to_start(make_app):
    with pytest.raises(ConfigError, match="HELPDESK_BASE_URL"):
        make_app(
            SQLALCHEMY_DATABASE_URI="postgresql+psycopg://helpdesk@db.example/helpdesk",
            HELPDESK_BASE_URL=None,
        )
