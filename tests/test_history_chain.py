"""The history is a hash chain: `flask verify-history` and a downloaded revisions file
show a revision changed or deleted behind the register's back."""

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from register import history, importer
from register import records as writes
from register.demo import load_demo
from register.extensions import db
from register.models import Meeting, Official, Organisation, Revision, User

from .conftest import utc_today

SCRIPT = Path(__file__).parent.parent / "scripts" / "verify_history.py"


def meeting_input(world, subject: str, **fields) -> writes.MeetingInput:
    return writes.MeetingInput(
        held_on=utc_today() - timedelta(days=2),
        format="in_person",
        initiative="region",
        subject=subject,
        official_ids=(world["official"],),
        organisation_ids=(world["organisation"],),
        **fields,
    )


@pytest.fixture
def register(app, records, world):
    """Three records: one published, one amended (“Möte två”), one withdrawn: five
    revisions. Returns the public numbers by subject."""
    registrar_id = records.user(email="registrar@example.org", role="registrar")
    with app.app_context():
        official = db.session.get(User, world["user"])
        registrar = db.session.get(User, registrar_id)
        first = records_create(world, official, "Möte ett")
        second = records_create(world, official, "Möte två")
        third = records_create(world, official, "Möte tre")
        writes.update_meeting(
            second.id,
            meeting_input(world, "Möte två", summary="Tidplanen för dubbelspåret."),
            official,
            version=second.version,
            publish=True,
            reason="=Sammanfattningen saknades",  # a formula in the CSV without its guard
        )
        writes.withdraw(third.id, registrar, reason="Dubblett av möte ett", version=1)
        return {"ett": first.number, "två": second.number, "tre": third.number}


def records_create(world, author, subject):
    return writes.create(meeting_input(world, subject), author, publish=True)


def verify(runner):
    return runner.invoke(args=["verify-history"])


def revision_ids(app) -> list[tuple[int, int, int]]:
    """(id, record number, revision number) of every revision, in chain order."""
    with app.app_context():
        rows = db.session.execute(
            select(Revision.id, Meeting.number, Revision.number)
            .join(Revision.meeting)
            .order_by(Revision.id)
        )
        return [tuple(row) for row in rows]


def newest_chain_hash(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Revision.chain_hash).order_by(Revision.id.desc()))


def run_script(path: Path, *args: str) -> subprocess.CompletedProcess:
    # -I: no project code on the path, as on a reader's own machine.
    return subprocess.run(
        [sys.executable, "-I", str(SCRIPT), str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def download(client, name: str, tmp_path: Path) -> Path:
    response = client.get(f"/data/{name}")
    assert response.status_code == 200
    path = tmp_path / name
    path.write_bytes(response.get_data())
    return path


def test_published_amended_and_withdrawn_records_verify(app, runner, client, register):
    result = verify(runner)

    head = newest_chain_hash(app)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"5 revisions, chain head {head}"
    data_page = client.get("/data").get_data(as_text=True)
    assert head in data_page
    assert "verify_history.py" in data_page


def test_history_page_shows_each_revisions_chain_hash(app, client, register):
    with app.app_context():
        hashes = db.session.scalars(
            select(Revision.chain_hash)
            .join(Revision.meeting)
            .where(Meeting.number == register["två"])
        ).all()

    page = client.get(f"/meetings/{register['två']}/history").get_data(as_text=True)

    assert len(hashes) == 2
    for chain_hash in hashes:
        assert f"<code>{chain_hash[:12]}…</code>" in page
        assert f'<code class="hash">{chain_hash}</code>' in page
    assert newest_chain_hash(app) in page  # the register's head, below the history


def test_a_reason_changed_in_the_database_is_named(app, runner, register):
    revision_id, record, number = revision_ids(app)[3]  # the amendment's reason
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text("UPDATE revision SET reason = 'Rättelse' WHERE id = :id"), {"id": revision_id}
        )

    result = verify(runner)

    assert result.exit_code == 1
    assert (
        f"revision id {revision_id} (record {record}, revision {number}): its content does "
        "not match its content hash"
    ) in result.output


def test_a_deleted_revision_breaks_the_next_link(app, runner, register):
    chain = revision_ids(app)
    deleted, (next_id, record, number) = chain[1], chain[2]
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DELETE FROM revision WHERE id = :id"), {"id": deleted[0]})

    result = verify(runner)

    assert result.exit_code == 1
    assert (
        f"revision id {next_id} (record {record}, revision {number}): its chain hash"
    ) in result.output
    assert "a revision before it was deleted or changed" in result.output


def test_the_newest_revision_deleted_shows_against_a_head_noted_earlier(app, runner, register):
    """Deleting the newest revision leaves a shorter chain that holds together: a head
    noted earlier, from the data page, shows what is gone."""
    noted = newest_chain_hash(app)
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DELETE FROM revision WHERE chain_hash = :h"), {"h": noted})

    assert verify(runner).exit_code == 0
    result = runner.invoke(args=["verify-history", "--head", noted])

    assert result.exit_code == 1
    assert f"the chain no longer contains the head noted earlier, {noted}" in result.output


def test_a_record_left_without_revisions_is_named(app, runner, records, world, register):
    with app.app_context():
        author = db.session.get(User, world["user"])
        fourth = records_create(world, author, "Möte fyra").number
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text(
                "DELETE FROM revision WHERE meeting_id = (SELECT id FROM meeting WHERE number = :n)"
            ),
            {"n": fourth},
        )

    result = verify(runner)

    assert result.exit_code == 1
    assert f"record {fourth} has no revisions left" in result.output


def test_a_record_renumbered_in_the_database_breaks_the_chain(app, runner, register):
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text("UPDATE meeting SET number = 9 WHERE number = :n"), {"n": register["ett"]}
        )

    result = verify(runner)

    assert result.exit_code == 1
    assert "(record 9, revision 1): its content does not match" in result.output


def test_a_published_record_changed_behind_its_history_is_named(app, runner, register):
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text("UPDATE meeting SET subject = 'Ett annat möte' WHERE number = :number"),
            {"number": register["två"]},
        )
    latest = [row for row in revision_ids(app) if row[1] == register["två"]][-1]

    result = verify(runner)

    assert result.exit_code == 1
    assert (
        f"revision id {latest[0]} (record {register['två']}, revision {latest[2]}): it is the "
        "record's latest revision, but the published record differs from it in subject"
    ) in result.output


def test_a_link_removed_from_a_published_record_is_named(app, runner, register, world):
    with app.app_context(), db.engine.begin() as connection:
        meeting_id = connection.execute(
            select(Meeting.id).where(Meeting.number == register["ett"])
        ).scalar()
        connection.execute(
            text("DELETE FROM meeting_organisation WHERE meeting_id = :id"), {"id": meeting_id}
        )

    result = verify(runner)

    assert result.exit_code == 1
    assert f"(record {register['ett']}, revision 1)" in result.output
    assert "differs from it in organisations" in result.output


def test_the_offline_script_verifies_the_downloaded_revisions(app, client, register, tmp_path):
    head = newest_chain_hash(app)
    for name in ("revisions.json", "revisions.csv"):
        path = download(client, name, tmp_path)

        result = run_script(path, "--head", head)

        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"OK: 5 revisions, chain head {head}")
        # The withdrawn record's two revisions no longer show their content.
        assert "(3 checked by content, 2 by their links only)" in result.stdout


def test_the_offline_script_names_a_tampered_revision(app, client, register, tmp_path):
    path = download(client, "revisions.json", tmp_path)
    document = json.loads(path.read_text("utf-8"))
    amendment = next(r for r in document["revisions"] if r["action"] == "amend")
    amendment["reason"] = "Ingen ändring"
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")

    result = run_script(path)

    assert result.returncode == 1
    assert f"record {register['två']}, revision 2: its content does not match" in result.stderr


def test_the_offline_script_finds_a_revision_missing_from_the_file(client, register, tmp_path):
    path = download(client, "revisions.json", tmp_path)
    document = json.loads(path.read_text("utf-8"))
    first = next(r for r in document["revisions"] if r["previous_hash"] == history.GENESIS)
    document["revisions"].remove(first)
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")

    result = run_script(path)

    assert result.returncode == 1
    assert "which no revision in the file has" in result.stderr


def test_the_offline_script_needs_the_head_to_notice_the_newest_revision_gone(
    app, client, register, tmp_path
):
    head = newest_chain_hash(app)
    path = download(client, "revisions.json", tmp_path)
    document = json.loads(path.read_text("utf-8"))
    document["revisions"] = [r for r in document["revisions"] if r["chain_hash"] != head]
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")

    assert run_script(path).returncode == 0
    result = run_script(path, "--head", head)
    assert result.returncode == 1
    assert f"not at the expected head {head}" in result.stderr


def test_imported_records_join_the_chain(app, client, runner, register, tmp_path):
    before = newest_chain_hash(app)
    exported = client.get("/meetings.csv").get_data()
    with app.app_context():
        result = importer.import_meetings(exported, None, source="meetings.csv")
    assert result.written and result.imported == 3

    verified = verify(runner)

    assert verified.exit_code == 0, verified.output
    assert verified.output.startswith("8 revisions, chain head ")
    with app.app_context():
        imported = db.session.scalars(select(Revision).order_by(Revision.id).offset(5)).all()
        assert imported[0].content_hash
        assert imported[0].chain_hash == history.link(before, imported[0].content_hash)


def test_the_migration_chains_the_revisions_already_kept(app, runner, register):
    with app.app_context():
        downgrade(revision="5d7e9a3c1f20")
        upgrade()

    result = verify(runner)

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"5 revisions, chain head {newest_chain_hash(app)}"


def test_demo_data_forms_one_chain_that_later_writes_extend(app, runner):
    with app.app_context():
        loaded = load_demo(meetings=60)
        author = db.session.scalar(select(User).filter_by(email="registrar@example.org"))
        demo = {
            "official": db.session.scalar(select(Official.id).limit(1)),
            "organisation": db.session.scalar(select(Organisation.id).limit(1)),
        }
        records_create(demo, author, "Möte efter demodata")

    result = verify(runner)

    assert result.exit_code == 0, result.output
    with app.app_context():
        count = db.session.scalar(select(func.count(Revision.id)))
    assert count == loaded["revisions"] + 1  # the demo's, and the one published after it
    assert result.output.strip() == f"{count} revisions, chain head {newest_chain_hash(app)}"
