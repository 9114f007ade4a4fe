"""GET /healthz: 200 with the state of the database and Redis, 503 when either is down."""


def test_health_is_ok_when_database_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_is_503_when_redis_is_unreachable(app, db, make_app):
    broken = make_app(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["redis"] == "down"
    assert response.json["database"] == "ok"


def test_health_is_503_when_the_database_is_unreachable(app, db, tmp_path, backend, make_app):
    url = (
        f"sqlite:///{tmp_path}/missing/dir/helpdesk.sqlite3"
        if backend == "sqlite"
        else "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
    )
    broken = make_app(SQLALCHEMY_DATABASE_URI=url, REDIS_URL=app.config["REDIS_URL"])
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "down"
    assert response.json["redis"] == "ok"
