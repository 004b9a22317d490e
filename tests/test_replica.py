"""A read replica (DATABASE_REPLICA_URL): what anonymous visitors read comes from it;
signed-in pages and every write use the primary.

Two real databases stand for the primary and its replica: the replica starts as a copy of
the primary, and then the primary is given a record the replica has not received yet, as
during replication lag. Whatever shows that record was read from the primary.
"""

import sqlite3
from contextlib import closing

import pytest
from sqlalchemy import func, make_url, select

from register.extensions import db
from register.models import AuditEntry, Meeting, SignInFailure

from .conftest import COPIED, NOT_YET_COPIED, TEST_DATABASE_URL, AuthActions, csrf_token, make_app

WRONG = "not the right password"


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


def published_in_download(client, tmp_path) -> int:
    response = client.get("/data/register.sqlite")
    assert response.status_code == 200
    path = tmp_path / "download.sqlite"
    path.write_bytes(response.get_data())
    with closing(sqlite3.connect(path)) as download:
        return download.execute("SELECT count(*) FROM meetings").fetchone()[0]


def test_the_whole_register_file_is_the_replicas_and_kept_apart(app, replica, lagging, tmp_path):
    # The primary's and the replica's files share one instance folder, as they do when a
    # server reads both: each is written from, and named for, its own database.
    assert published_in_download(replica.app.test_client(), tmp_path) == 1
    assert published_in_download(app.test_client(), tmp_path) == 2
    assert published_in_download(replica.app.test_client(), tmp_path) == 1
