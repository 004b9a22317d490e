"""A read replica (DATABASE_REPLICA_URL): what anonymous visitors read comes from it;
signed-in pages and every write use the primary.

Two real databases stand for the primary and its replica: the replica starts as a copy of
the primary, and then the primary is given a record the replica has not received yet, as
during replication lag. Whatever shows that record was read from the primary.
"""

import sqlite3

import pytest
from sqlalchemy import create_engine, func, make_url, select, text

from register.extensions import db
from register.models import AuditEntry, Meeting, SignInFailure

from .conftest import TEST_DATABASE_URL, AuthActions, csrf_token, make_app

COPIED = "Möte som replikan har"
NOT_YET_COPIED = "Möte som bara primären har ännu"
WRONG = "not the right password"


class Replica:
    """A second database of the test's own, made a copy of the primary by `copy()`; `app`
    is the register reading from it (and from the primary for the rest)."""

    def __init__(self, primary_app, tmp_path):
        self.primary_url = primary_app.config["SQLALCHEMY_DATABASE_URI"]
        self.apps = [primary_app]
        if TEST_DATABASE_URL:
            primary = make_url(self.primary_url)
            # Named after the primary, so that parallel runs, each on a database of its
            # own, each have their own replica too.
            self.name = f"{primary.database}_replica"
            self.url = primary.set(database=self.name).render_as_string(hide_password=False)
            self._server = create_engine(
                primary.set(database="postgres"), isolation_level="AUTOCOMMIT"
            )
        else:
            self.url = f"sqlite:///{tmp_path / 'replica.db'}"
        self.app = self.make_app()

    def make_app(self, **config):
        app = make_app(self.primary_url, DATABASE_REPLICA_URL=self.url, **config)
        self.apps.append(app)
        return app

    def copy(self) -> None:
        """Make the replica what the primary is now, as replication would catch up."""
        self._close_connections()
        if TEST_DATABASE_URL:
            primary = make_url(self.primary_url).database
            with self._server.connect() as server:
                self._drop(server)
                # Leftovers of apps that are gone hold the primary open; a template cannot be.
                self._end_sessions(server, primary)
                server.execute(text(f'CREATE DATABASE "{self.name}" TEMPLATE "{primary}"'))
        else:
            source = sqlite3.connect(self.primary_url.removeprefix("sqlite:///"))
            target = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            with source, target:
                source.backup(target)
            source.close()
            target.close()

    def _close_connections(self) -> None:
        for app in self.apps:
            with app.app_context():
                db.session.remove()
                for engine in db.engines.values():
                    engine.dispose()

    def _drop(self, server) -> None:
        self._end_sessions(server, self.name)
        server.execute(text(f'DROP DATABASE IF EXISTS "{self.name}"'))

    @staticmethod
    def _end_sessions(server, database: str) -> None:
        """End the test role's own sessions on a database (PostgreSQL ends autovacuum's
        itself when the database is dropped or copied)."""
        server.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"
                " AND usename = current_user AND pid <> pg_backend_pid()"
            ),
            {"name": database},
        )

    def drop(self) -> None:
        self._close_connections()
        if TEST_DATABASE_URL:
            with self._server.connect() as server:
                self._drop(server)
            self._server.dispose()


@pytest.fixture
def replica(app, tmp_path):
    replica = Replica(app, tmp_path)
    yield replica
    replica.drop()


@pytest.fixture
def lagging(replica, records, world):
    """The replica has one published record; the primary has a second, not yet copied.
    Both are the official's. Gives the second's internal id."""
    mine = {"official_ids": [world["official"]], "organisation_ids": [world["organisation"]]}
    records.meeting(subject=COPIED, created_by_id=world["user"], **mine)
    replica.copy()
    return records.meeting(subject=NOT_YET_COPIED, created_by_id=world["user"], **mine)


def count(app, model, bind_key=None) -> int:
    with app.app_context():
        with db.engines[bind_key].connect() as connection:
            return connection.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "path", ["/", "/meetings", "/meetings.csv", "/meetings.json", "/api/v1/meetings", "/feed.atom"]
)
def test_anonymous_visitors_read_what_the_replica_holds(replica, lagging, path):
    response = replica.app.test_client().get(path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert COPIED in body
    assert NOT_YET_COPIED not in body


def test_a_record_not_yet_on_the_replica_is_not_found_there(replica, lagging):
    client = replica.app.test_client()
    assert client.get("/meetings/1").status_code == 200
    assert client.get("/meetings/2").status_code == 404
    assert client.get("/api/v1/meetings/2").status_code == 404
    assert client.head("/meetings/1").status_code == 200


def test_without_a_replica_everything_reads_the_primary(app, replica, lagging):
    client = app.test_client()
    assert NOT_YET_COPIED in client.get("/meetings").get_data(as_text=True)
    assert NOT_YET_COPIED in client.get("/meetings.csv").get_data(as_text=True)
    assert client.get("/api/v1/meetings/2").status_code == 200


def test_a_signed_in_official_reads_the_primary_everywhere(replica, lagging):
    client = replica.app.test_client()
    AuthActions(client).login()
    desk = client.get("/desk/").get_data(as_text=True)
    assert NOT_YET_COPIED in desk and COPIED in desk
    edit = client.get(f"/desk/meetings/{lagging}/edit")
    assert edit.status_code == 200
    assert NOT_YET_COPIED in edit.get_data(as_text=True)
    # What they just published they see on the public pages too.
    assert client.get("/meetings/2").status_code == 200
    assert NOT_YET_COPIED in client.get("/meetings").get_data(as_text=True)


def test_sign_ins_and_saves_write_to_the_primary_only(replica, lagging, world):
    client = replica.app.test_client()
    token = csrf_token(client.get("/login"))
    failed = {"email": "official@example.org", "password": WRONG, "csrf_token": token}
    assert client.post("/login", data=failed).status_code == 400
    AuthActions(client).login()
    token = csrf_token(client.get("/desk/meetings/new"))
    response = client.post(
        "/desk/meetings/new",
        data={
            "csrf_token": token,
            "held_on": "2026-01-15",
            "format": "video",
            "initiative": "region",
            "subject": "Utkast sparat under eftersläpningen",
            "official_ids": str(world["official"]),
            "organisation_ids": str(world["organisation"]),
            "action": "save_draft",
        },
    )
    assert response.status_code == 302
    app = replica.app
    assert count(app, Meeting) == 3 and count(app, Meeting, "replica") == 1
    # The failure still counts against the address (the sign-in cleared the account's).
    assert count(app, SignInFailure) == 1 and count(app, SignInFailure, "replica") == 0
    assert count(app, AuditEntry) >= 2 and count(app, AuditEntry, "replica") == 0


def test_kept_pages_follow_the_replica_when_it_catches_up(replica, lagging):
    client = replica.app.test_client()
    assert NOT_YET_COPIED not in client.get("/meetings").get_data(as_text=True)
    replica.copy()
    assert NOT_YET_COPIED in client.get("/meetings").get_data(as_text=True)
    assert NOT_YET_COPIED in client.get("/meetings.csv").get_data(as_text=True)


def test_readyz_asks_the_replica_too(replica, lagging, tmp_path):
    response = replica.app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["replica"] == "ok"
    if TEST_DATABASE_URL:
        unreachable = make_url(replica.url).set(port=9).render_as_string(hide_password=False)
    else:
        unreachable = f"sqlite:///{tmp_path}/no/such/folder/replica.db"
    gone = make_app(replica.primary_url, DATABASE_REPLICA_URL=unreachable)
    response = gone.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["reason"] == "replica: unreachable"
    with gone.app_context():
        for engine in db.engines.values():
            engine.dispose()
