"""`/healthz` and `/readyz`: what a load balancer and a process manager ask before they
send traffic, answered without a session, a cache or a trusted Host."""

import pytest
from sqlalchemy import text

from register.extensions import db
from register.health import routes

from .conftest import make_app


def test_healthz_is_ok_uncached_and_sets_no_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_is_ok_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "instance": "ok",
    }
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_asks_redis_when_the_sign_in_failures_are_counted_there(app, client, redis_url):
    app.config["REDIS_URL"] = redis_url
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["redis"] == "ok"


def test_a_redis_that_does_not_answer_is_not_ready(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["reason"] == "redis: unreachable"
    assert client.get("/healthz").status_code == 200  # alive: the public pages still serve


def test_signed_in_visitor_keeps_the_session_untouched(client, auth, world):
    auth.login()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_an_unreachable_database_is_a_503_with_a_short_reason(tmp_path, path):
    app = make_app(f"sqlite:///{tmp_path}/no/such/folder/register.db")
    response = app.test_client().get(path)
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["reason"].startswith("database: unreachable")
    assert str(tmp_path) not in response.get_data(as_text=True)  # no details leak
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unmigrated_database_is_alive_but_not_ready(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/empty.db")
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["migrations"] == "not migrated (run flask db upgrade)"


def test_a_database_behind_the_code_is_not_ready(app, client):
    with app.app_context(), db.engine.begin() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        connection.execute(text("UPDATE alembic_version SET version_num = 'e2300c2526fb'"))
    try:
        response = client.get("/readyz")
    finally:
        # The PostgreSQL test database is shared by every test: put the head back.
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert response.status_code == 503
    assert response.get_json()["reason"] == "migrations: not at head (run flask db upgrade)"
    assert client.get("/healthz").status_code == 200  # alive: only not ready


def test_an_instance_folder_that_cannot_be_written_is_not_ready(client, monkeypatch, tmp_path):
    monkeypatch.setattr(routes.keptfiles, "folder", lambda: tmp_path / "gone")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["instance"] == "not writable"
    assert client.get("/healthz").status_code == 200


def test_checks_answer_a_probe_naming_the_server_by_its_address(migrated_database_url):
    app = make_app(migrated_database_url, PUBLIC_URL="https://insyn.example.se")
    client = app.test_client()
    probe = {"Host": "10.0.3.7:8000"}
    assert client.get("/healthz", headers=probe).status_code == 200
    assert client.get("/readyz", headers=probe).status_code == 200
    # Only the checks: every other page still refuses a foreign Host.
    assert client.get("/meetings", headers=probe).status_code == 400
    assert client.get("/healthz/", headers=probe).status_code == 400
