"""Backups that restore: `flask backup` copies a SQLite register while it is written, and
the copy opens as a register with every record and its history; on PostgreSQL, the
pg_dump/pg_restore procedure of docs/deploy.md gives the register back whole."""

import shutil
import sqlite3
import subprocess
import threading
import time
from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, select, text

from register import records as writes
from register.extensions import db
from register.models import Meeting, User
from register.records import MeetingInput

from .conftest import TEST_DATABASE_URL, Records, history_chain_breaks, make_app


@pytest.fixture
def sqlite_app(migrated_database_url, tmp_path):
    """A fresh migrated register on SQLite, also when the suite runs on PostgreSQL."""
    path = tmp_path / "register.db"
    if TEST_DATABASE_URL:
        app = make_app(f"sqlite:///{path}")
        with app.app_context():
            upgrade()
    else:
        shutil.copyfile(migrated_database_url.removeprefix("sqlite:///"), path)
        app = make_app(f"sqlite:///{path}")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def small_register(app) -> dict[str, int]:
    """An official, a counterpart, a registrar, and 20 published records, one amended."""
    records = Records(app)
    unit = records.unit()
    ids = {
        "official": records.official(unit_id=unit),
        "organisation": records.organisation(),
        "registrar": records.user(email="registrar@example.org", role="registrar"),
    }
    for n in range(20):
        meeting_id = publish(app, ids, f"Möte {n}")
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        writes.update_meeting(
            meeting_id,
            meeting_input(ids, "Möte 19", summary="Tidplanen för Borås station."),
            db.session.get(User, ids["registrar"]),
            version=meeting.version,
            publish=True,
            reason="Sammanfattningen saknades",
        )
    return ids


def meeting_input(ids, subject, **fields) -> MeetingInput:
    return MeetingInput(
        held_on=date(2026, 3, 2),
        format="video",
        initiative="region",
        subject=subject,
        official_ids=(ids["official"],),
        organisation_ids=(ids["organisation"],),
        **fields,
    )


def publish(app, ids, subject) -> int:
    with app.app_context():
        author = db.session.get(User, ids["registrar"])
        return writes.create(meeting_input(ids, subject), author, publish=True).id


def register_state(app) -> dict[int, tuple]:
    """Every numbered record by its number: status, subject and its whole history."""
    with app.app_context():
        return {
            meeting.number: (
                meeting.status,
                meeting.subject,
                [
                    (r.number, r.action, r.reason, r.created_at, r.before, r.after)
                    for r in meeting.revisions
                ],
            )
            for meeting in db.session.scalars(select(Meeting).where(Meeting.number.is_not(None)))
        }


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the writer did not get on"
        time.sleep(0.01)


def test_a_backup_made_while_records_are_published_restores_every_record_and_its_history(
    sqlite_app, tmp_path
):
    app = sqlite_app
    ids = small_register(app)
    published, failures = [], []
    stop = threading.Event()

    def writer():
        try:
            while not stop.is_set():
                subject = f"Publicerat under kopieringen {len(published)}"
                published.append(publish(app, ids, subject))
        except Exception as error:  # reported below, not lost in the thread
            failures.append(error)

    copy = tmp_path / "backup" / "register-copy.db"
    copy.parent.mkdir()
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_for(lambda: len(published) >= 3)
        before_backup = 20 + len(published)
        result = app.test_cli_runner().invoke(args=["backup", str(copy)])
        after_backup = 20 + len(published) + 1  # one may be committing as the copy ends
        wait_for(lambda: 20 + len(published) >= after_backup + 3)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert failures == []
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    assert sorted(path.name for path in copy.parent.iterdir()) == [copy.name]  # no leftovers

    with sqlite3.connect(copy) as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert check.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    original = register_state(app)
    restored_app = make_app(f"sqlite:///{copy}")
    restored = register_state(restored_app)
    # Everything published before the copy began is in it, none after it ended, and what
    # is in it is exactly the register as it was: numbers without gaps, histories whole.
    assert before_backup <= len(restored) <= after_backup < len(original)
    assert sorted(restored) == list(range(1, len(restored) + 1))
    assert restored == {number: original[number] for number in restored}
    assert len(restored[20][2]) == 2  # the amended record's history
    assert history_chain_breaks(restored_app) == []
    client = restored_app.test_client()
    assert client.get("/readyz").status_code == 200
    assert "Möte 19" in client.get("/meetings/20").get_data(as_text=True)
    with restored_app.app_context():
        db.engine.dispose()


def test_backup_refuses_to_overwrite_unless_forced(sqlite_app, tmp_path):
    runner = sqlite_app.test_cli_runner()
    target = tmp_path / "register-copy.db"
    target.write_text("yesterday's backup")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 1
    assert "exists; add --force" in result.output
    assert target.read_text() == "yesterday's backup"

    result = runner.invoke(args=["backup", "--force", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_backup_never_writes_over_the_database_itself(sqlite_app):
    with sqlite_app.app_context():
        live = db.engine.url.database
    result = sqlite_app.test_cli_runner().invoke(args=["backup", "--force", live])
    assert result.exit_code == 1
    assert "cannot be the database itself" in result.output


def test_backup_on_postgresql_says_to_use_pg_dump(tmp_path):
    app = make_app("postgresql://register:hemligt@db.invalid:5432/register")
    target = tmp_path / "register.dump"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 1
    assert "pg_dump" in result.output
    assert "hemligt" not in result.output
    assert not target.exists()


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_pg_dump_and_pg_restore_give_back_every_record_and_its_history(app, tmp_path):
    """docs/deploy.md's procedure, on the test database: dump, empty it, restore, upgrade.
    (The test role may not create databases, so its own database is the fresh one.)"""
    small_register(app)
    before = register_state(app)
    dump = tmp_path / "register.dump"
    libpq_url = TEST_DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", libpq_url], check=True, timeout=120
    )
    restored = False
    try:
        with app.app_context():
            db.session.remove()
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            assert inspect(db.engine).get_table_names() == []
            db.engine.dispose()
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={libpq_url}", str(dump)],
            check=True,
            timeout=120,
        )
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert register_state(app) == before
        assert history_chain_breaks(app) == []
        assert app.test_client().get("/readyz").status_code == 200
        restored = True
    finally:
        if not restored:  # leave the shared test database migrated for the next tests
            with app.app_context():
                db.session.remove()
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
                upgrade()
