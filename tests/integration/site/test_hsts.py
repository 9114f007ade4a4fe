"""Strict-Transport-Security when HELPDESK_HTTPS says the helpdesk is served over HTTPS only."""

from helpdesk.trust import HSTS


def test_no_hsts_by_default(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_on_every_answer_when_https_is_on(app, db, make_app):
    secure = make_app(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        HELPDESK_HTTPS=True,
    )
    client = secure.test_client()
    for url in ("/", "/auth/login", "/no-such-page"):
        response = client.get(url, base_url="https://localhost")
        assert response.headers["Strict-Transport-Security"] == HSTS, url
    assert HSTS == "max-age=31536000; includeSubDomains"
