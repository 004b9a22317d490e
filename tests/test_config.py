"""Configuration from the environment, and dates counted where the region is."""

from datetime import UTC, date, datetime

import pytest

from register import create_app
from register.models import Meeting

PUBLIC = "https://insyn.example.se"


def test_secret_key_is_required_outside_development(monkeypatch, tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": None, "DEVELOPMENT": False, "TESTING": False})


def test_development_keeps_a_secret_key_in_the_instance_folder():
    app = create_app({"SECRET_KEY": None, "DEVELOPMENT": True})
    first = app.config["SECRET_KEY"]
    assert len(first) >= 32
    assert create_app({"SECRET_KEY": None, "DEVELOPMENT": True}).config["SECRET_KEY"] == first


def test_database_defaults_to_sqlite_in_the_instance_folder():
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": None, "PUBLIC_URL": PUBLIC})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/register.db"


def test_postgres_urls_use_psycopg_3():
    app = create_app(
        {
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgres://u:p@db/register",
            "DATABASE_REPLICA_URL": "postgresql://u:p@replica/register",
            "PUBLIC_URL": PUBLIC,
        }
    )
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/register"
    assert app.config["SQLALCHEMY_BINDS"] == {
        "replica": "postgresql+psycopg://u:p@replica/register"
    }


def test_days_to_publish_count_local_dates():
    app = create_app({"SECRET_KEY": "x", "TIMEZONE": "Europe/Stockholm", "PUBLIC_URL": PUBLIC})
    # 23:30 UTC on 10 March is already 11 March in Stockholm.
    meeting = Meeting(
        held_on=date(2026, 3, 1), published_at=datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    )
    with app.app_context():
        assert meeting.days_to_publish == 10
        app.config["PUBLISH_WITHIN_DAYS"] = 9
        assert meeting.published_late
        app.config["PUBLISH_WITHIN_DAYS"] = 10
        assert not meeting.published_late
