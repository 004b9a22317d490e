"""The whole public register as open data (/data): a CSV and a JSON file per resource, the
data package that describes them, which passes Frictionless validation foreign keys
included, and one SQLite file; nothing that is not public in any of them."""

import csv
import io
import json
import re
import sqlite3
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from frictionless import Package
from sqlalchemy import func, select

from register import create_app, opendata
from register import organisations as organisation_writes
from register import records as writes
from register.export import COLUMN_NAMES
from register.extensions import db
from register.freshness import last_change
from register.models import Issue, Meeting, Official, Organisation, Revision, Unit, User
from register.profiles import listed_organisations
from register.records import MeetingInput

DRAFT_SUBJECT = "Hemligt utkast om tunnelbygget"
PRIVATE_ORGANISATION = "Hemliga Konsulter AB"
WITHDRAWN_SUBJECT = "Återkallat möte om depån"
WITHHELD_SUBJECT = "Sekretessbelagt möte om upphandlingen"
REGISTRAR_EMAIL = "registrator@example.org"
HOSTILE_NAME = '=HYPERLINK("http://example.com","Klicka") AB'
SECRETS = (
    DRAFT_SUBJECT,
    PRIVATE_ORGANISATION,
    WITHDRAWN_SUBJECT,
    WITHHELD_SUBJECT,
    REGISTRAR_EMAIL,
)

RESOURCES = list(opendata.RESOURCES)
BULK_ONLY = [name for name in RESOURCES if name != "meetings"]


@pytest.fixture
def instance(app, tmp_path):
    """The app's instance folder, where the SQLite file is kept, of this test alone."""
    app.instance_path = str(tmp_path / "instance")
    return Path(app.instance_path)


@pytest.fixture
def register(app, records, world, instance):
    """A register with everything the bulk files must show or hide: an amended record, a
    withdrawn and a withheld one, a draft naming an organisation nobody else knows, a
    duplicate merged away, and a name that a spreadsheet would run as a formula."""
    registrar_id = records.user(email=REGISTRAR_EMAIL, role="registrar", name="Rut Registrator")
    committee = records.unit(name="Trafiknämnden", kind="committee")
    chair = records.official(name="Cecilia Trafik", title="ordförande", unit_id=committee)
    consultancy = records.organisation(name=HOSTILE_NAME, kind="consultancy")
    duplicate = records.organisation(name="Trafikverket Region Väst", kind="public_authority")
    records.organisation(name="Kommunförbundet", kind="local_government")  # met by no one
    with app.app_context():
        author = db.session.get(User, registrar_id)
        meeting = MeetingInput(
            held_on=date(2025, 3, 10),
            format="in_person",
            initiative="region",
            subject="Möte om dubbelspåret",
            summary="Tidplanen för Borås station.",
            official_ids=(world["official"], chair),
            organisation_ids=(world["organisation"], consultancy, duplicate),
            issue_ids=(world["issue"],),
        )
        amended = writes.create(meeting, author, publish=True)
        writes.update_meeting(
            amended.id,
            replace(meeting, summary="Tidplanen för Borås station och Mölndal."),
            author,
            version=amended.version,
            publish=True,
            reason="Mölndal saknades",
        )
        numbers = {"amended": amended.number}
        for key, subject in (("withdrawn", WITHDRAWN_SUBJECT), ("withheld", WITHHELD_SUBJECT)):
            taken = writes.create(replace(meeting, subject=subject), author, publish=True)
            numbers[key] = taken.number
            if key == "withdrawn":
                writes.withdraw(taken.id, author, reason="Dubblett", version=taken.version)
            else:
                writes.withhold(
                    taken.id,
                    author,
                    ground="OSL 31 kap. 16 §",
                    reason="Affärshemligheter",
                    version=taken.version,
                )
        writes.create(
            replace(meeting, subject=DRAFT_SUBJECT, new_organisations=(PRIVATE_ORGANISATION,)),
            author,
            publish=False,
        )
        organisation_writes.merge(duplicate, world["organisation"], author)
    return world | {
        "chair": chair,
        "committee": committee,
        "consultancy": consultancy,
        "duplicate": duplicate,
        "numbers": numbers,
    }


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def csv_header(response) -> list[str]:
    return next(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


def documented_columns(page: str, resource: str) -> list[str]:
    """The column names the /data page documents in a resource's table."""
    table = re.search(rf'<table[^>]*id="columns-{resource}".*?</table>', page, re.S)
    assert table, f"the page documents no table {resource}"
    return re.findall(r'<th scope="row"><code>([^<]+)</code>', table.group(0))


# -- one definition, everywhere the same ---------------------------------------------------


def test_meeting_columns_agree_in_schema_csv_json_and_documentation(client, register):
    package = client.get("/data/datapackage.json").get_json()
    meetings = package["resources"][0]
    assert meetings["name"] == "meetings"
    schema_fields = [field["name"] for field in meetings["schema"]["fields"]]
    header = csv_header(client.get(local_path(meetings["path"])))
    records = client.get("/meetings.json").get_json()["meetings"]
    page = client.get("/data").get_data(as_text=True)
    assert records and all(list(record) == schema_fields for record in records)
    assert schema_fields == header == documented_columns(page, "meetings") == list(COLUMN_NAMES)


@pytest.mark.parametrize("name", BULK_ONLY)
def test_each_resource_has_the_same_columns_in_schema_csv_json_and_documentation(
    client, register, name
):
    package = client.get("/data/datapackage.json").get_json()
    (resource,) = [item for item in package["resources"] if item["name"] == name]
    schema_fields = [field["name"] for field in resource["schema"]["fields"]]
    assert resource["path"] == f"http://localhost/data/{name}.csv"
    csv_response = client.get(f"/data/{name}.csv")
    assert csv_response.headers["Content-Disposition"] == f'attachment; filename="{name}.csv"'
    assert csv_header(csv_response) == schema_fields
    items = client.get(f"/data/{name}.json").get_json()[name]
    assert items, f"{name} is empty in this register"
    assert all(list(item) == schema_fields for item in items)
    page = client.get("/data").get_data(as_text=True)
    assert documented_columns(page, name) == schema_fields


def test_the_data_page_offers_every_download(client, register):
    page = client.get("/data").get_data(as_text=True)
    assert page.count("<h1") == 1
    for href in ("/meetings.csv", "/meetings.json", "/meetings.xlsx", "/data/datapackage.json"):
        assert f'href="{href}"' in page
    for name in BULK_ONLY:
        assert f'href="/data/{name}.csv"' in page and f'href="/data/{name}.json"' in page
    assert 'href="/data/register.sqlite"' in page and "datasette register.sqlite" in page
    assert 'href="/api/v1/openapi.json"' in page


# -- the data package ----------------------------------------------------------------------


def download_package(client, folder: Path) -> dict:
    """The data package and every resource it names, from the running app, written to
    `folder` with the paths pointing at the local copies."""
    descriptor = client.get("/data/datapackage.json").get_json()
    for resource in descriptor["resources"]:
        response = client.get(local_path(resource["path"]))
        assert response.status_code == 200, resource["path"]
        filename = f"{resource['name']}.csv"
        (folder / filename).write_bytes(response.get_data())
        resource["path"] = filename
    return descriptor


def frictionless_errors(descriptor: dict, folder: Path) -> list:
    report = Package(descriptor, basepath=str(folder)).validate()
    return report.flatten(["type", "note"]) if not report.valid else []


def test_the_data_package_passes_frictionless_validation_with_its_foreign_keys(
    client, register, tmp_path
):
    descriptor = download_package(client, tmp_path)
    assert frictionless_errors(descriptor, tmp_path) == []
    keys = {
        resource["name"]: resource["schema"].get("foreignKeys", [])
        for resource in descriptor["resources"]
    }
    assert {
        "fields": ["organisation_id"],
        "reference": {"resource": "organisations", "fields": ["id"]},
    } in keys["meeting_organisations"]
    assert {"fields": ["unit_id"], "reference": {"resource": "units", "fields": ["id"]}} in keys[
        "officials"
    ]
    # The validation does check them: a link to an organisation that is not listed fails.
    with open(tmp_path / "meeting_organisations.csv", "a", newline="") as links:
        links.write(f"{register['numbers']['amended']},999999\r\n")
    assert any(error[0] == "foreign-key" for error in frictionless_errors(descriptor, tmp_path))


def test_the_data_package_names_licence_and_last_change(app, client, register):
    package = client.get("/data/datapackage.json").get_json()
    assert package["licenses"] == [
        {
            "name": "CC0-1.0",
            "title": "Creative Commons Zero v1.0 Universal",
            "path": "https://creativecommons.org/publicdomain/zero/1.0/",
        }
    ]
    with app.app_context():
        changed = last_change()
    assert package["lastModified"] == changed.isoformat(timespec="seconds").replace("+00:00", "Z")
    page = client.get("/data").get_data(as_text=True)
    assert f'<time datetime="{changed.isoformat()}">' in page
    assert "Creative Commons Zero v1.0 Universal" in page


def test_the_licence_can_be_cc_by(app):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "DATA_LICENCE": "CC-BY-4.0",
        }
    )
    client = app.test_client()
    (licence,) = client.get("/data/datapackage.json").get_json()["licenses"]
    assert licence == {
        "name": "CC-BY-4.0",
        "title": "Creative Commons Attribution 4.0 International",
        "path": "https://creativecommons.org/licenses/by/4.0/",
    }
    page = client.get("/data", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "naming the register as the source" in page and "CC0" not in page
    with app.app_context():
        db.engine.dispose()


def test_an_unknown_licence_stops_the_app_at_start():
    with pytest.raises(RuntimeError, match="DATA_LICENCE"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "DATA_LICENCE": "public domain"})


# -- what the files hold ---------------------------------------------------------------------


def test_no_bulk_file_holds_anything_not_public(client, register):
    for name in RESOURCES:
        for format in ("csv", "json"):
            response = client.get(f"/data/{name}.{format}", follow_redirects=True)
            assert response.status_code == 200
            text = response.get_data(as_text=True)
            for secret in SECRETS:
                assert secret not in text, (name, format, secret)
            assert "user" not in text.split("\n", 1)[0]  # no column names who did it


def test_revisions_keep_the_public_history_and_no_content_of_a_taken_down_record(client, register):
    numbers = register["numbers"]
    revisions = client.get("/data/revisions.json").get_json()["revisions"]
    by_meeting = {}
    for revision in revisions:
        by_meeting.setdefault(revision["meeting_id"], []).append(revision)
    # Published, amended, then restated when a duplicate it named was merged.
    publish, amend, merge = by_meeting[numbers["amended"]]
    assert (publish["action"], publish["before"]) == ("publish", None)
    assert publish["after"]["summary"] == "Tidplanen för Borås station."
    assert amend["action"] == "amend" and amend["reason"] == "Mölndal saknades"
    assert amend["after"]["summary"] == "Tidplanen för Borås station och Mölndal."
    assert amend["created_at"].endswith("Z")
    assert merge["before"]["organisations"] != merge["after"]["organisations"]
    for key, action in (("withdrawn", "withdraw"), ("withheld", "withhold")):
        history = by_meeting[numbers[key]]
        assert [revision["action"] for revision in history] == ["publish", action]
        assert all(r["before"] is None and r["after"] is None for r in history)
    assert history[-1]["reason"] == "Affärshemligheter (OSL 31 kap. 16 §)"
    # In CSV the content is JSON text.
    rows = csv_rows(client.get("/data/revisions.csv"))
    amended_rows = [row for row in rows if row["meeting_id"] == str(numbers["amended"])]
    assert json.loads(amended_rows[1]["after"]) == amend["after"]


def test_organisations_are_the_listed_ones_with_their_merged_duplicates(client, register):
    organisations = client.get("/data/organisations.json").get_json()["organisations"]
    by_id = {item["id"]: item for item in organisations}
    assert register["duplicate"] not in by_id  # merged away
    kept = by_id[register["organisation"]]
    assert kept["merged_ids"] == [str(register["duplicate"])]
    assert kept["merged_names"] == ["Trafikverket Region Väst"]
    assert kept["url"] == f"http://localhost/organisations/{register['organisation']}"
    names = {item["name"] for item in organisations}
    assert "Kommunförbundet" in names and PRIVATE_ORGANISATION not in names
    links = client.get("/data/meeting_organisations.json").get_json()["meeting_organisations"]
    assert {link["organisation_id"] for link in links} == {
        register["organisation"],
        register["consultancy"],
    }
    # Only published records say whom they were with.
    assert {link["meeting_id"] for link in links} == {register["numbers"]["amended"]}


def test_csv_cells_cannot_run_as_formulas_and_json_keeps_the_name(client, register):
    rows = csv_rows(client.get("/data/organisations.csv"))
    (hostile,) = [row for row in rows if row["id"] == str(register["consultancy"])]
    assert hostile["name"] == "'" + HOSTILE_NAME
    assert hostile["id"] == str(register["consultancy"])  # numbers stay numbers
    organisations = client.get("/data/organisations.json").get_json()["organisations"]
    assert HOSTILE_NAME in {item["name"] for item in organisations}


def test_officials_units_and_issues_as_csv(client, register):
    officials = csv_rows(client.get("/data/officials.csv"))
    chair = next(row for row in officials if row["id"] == str(register["chair"]))
    assert chair == {
        "id": str(register["chair"]),
        "name": "Cecilia Trafik",
        "title": "ordförande",
        "unit_id": str(register["committee"]),
        "active": "true",
        "url": f"http://localhost/officials/{register['chair']}",
    }
    units = csv_rows(client.get("/data/units.csv"))
    assert {"id": str(register["committee"]), "name": "Trafiknämnden"}.items() <= next(
        row for row in units if row["name"] == "Trafiknämnden"
    ).items()
    (issue,) = csv_rows(client.get("/data/issues.csv"))
    assert issue["slug"] == "dubbelspar-goteborg-boras" and issue["status"] == "active"
    links = csv_rows(client.get("/data/meeting_issues.csv"))
    assert links == [
        {"meeting_id": str(register["numbers"]["amended"]), "issue_slug": issue["slug"]}
    ]


@pytest.mark.parametrize(
    "path", ["/data/users.csv", "/data/audit.json", "/data/organisations.xml", "/data/.csv"]
)
def test_an_unknown_resource_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_the_meetings_resource_is_the_registers_own_download(client):
    response = client.get("/data/meetings.csv")
    assert response.status_code == 302 and response.location == "/meetings.csv"
    assert client.get("/data/meetings.json").location == "/meetings.json"


def test_bulk_files_answer_conditional_requests(client, register):
    first = client.get("/data/officials.csv")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get("/data/officials.csv", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


# -- the SQLite file -------------------------------------------------------------------------


def download_sqlite(client, folder: Path) -> Path:
    response = client.get("/data/register.sqlite")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=register.sqlite"
    path = folder / "downloaded.sqlite"
    path.write_bytes(response.get_data())
    return path


def public_counts(app) -> dict[str, int]:
    """What the register shows the public, counted in the database."""
    public = Meeting.status.in_(Meeting.PUBLIC_STATUSES)
    with app.app_context():
        count = db.session.scalar
        return {
            "meetings": count(select(func.count()).where(public)),
            "organisations": count(
                select(func.count()).select_from(Organisation).where(listed_organisations())
            ),
            "issues": count(select(func.count()).select_from(Issue)),
            "officials": count(select(func.count()).select_from(Official)),
            "units": count(select(func.count()).select_from(Unit)),
            "revisions": count(
                select(func.count()).select_from(Revision).join(Meeting).where(public)
            ),
        }


def test_the_sqlite_file_holds_the_public_register_with_its_foreign_keys(
    app, client, register, tmp_path
):
    path = download_sqlite(client, tmp_path)
    database = sqlite3.connect(path)
    try:
        assert database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert database.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = {
            row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert tables == set(RESOURCES)
        for table, expected in public_counts(app).items():
            assert database.execute(f"SELECT count(*) FROM {table}").fetchone() == (expected,)
        references = {
            (table, row[2], row[3], row[4])
            for table in RESOURCES
            for row in database.execute(f"PRAGMA foreign_key_list({table})")
        }
        assert ("meeting_organisations", "organisations", "organisation_id", "id") in references
        assert ("meeting_issues", "issues", "issue_slug", "slug") in references
        assert ("revisions", "meetings", "meeting_id", "id") in references
        columns = [row[1] for row in database.execute("PRAGMA table_info(meetings)")]
        assert columns == list(COLUMN_NAMES)
        # The same rows as the CSV files, joined as they are there.
        officials = database.execute(
            "SELECT officials.name FROM meeting_officials JOIN officials "
            "ON officials.id = official_id ORDER BY officials.name"
        ).fetchall()
        assert officials == [("Anna Regionråd",), ("Cecilia Trafik",)]
        assert database.execute(
            "SELECT name FROM organisations WHERE id = ?", (register["consultancy"],)
        ).fetchone() == (HOSTILE_NAME,)  # data, not a spreadsheet: kept as it is
        assert database.execute("SELECT active FROM officials LIMIT 1").fetchone() == (1,)
    finally:
        database.close()
    content = path.read_bytes()
    for secret in SECRETS:
        assert secret.encode() not in content
    assert b"password" not in content.lower()


def test_the_sqlite_file_is_built_once_per_change(app, client, register, tmp_path, monkeypatch):
    builds = []
    write = opendata.write_sqlite
    monkeypatch.setattr(opendata, "write_sqlite", lambda *args: builds.append(1) or write(*args))
    first = download_sqlite(client, tmp_path).read_bytes()
    assert download_sqlite(client, tmp_path).read_bytes() == first
    assert len(builds) == 1
    with app.app_context():
        author = db.session.scalar(select(User).filter_by(email=REGISTRAR_EMAIL))
        writes.create(
            MeetingInput(
                held_on=date(2025, 4, 1),
                format="video",
                initiative="counterpart",
                subject="Uppföljning om stationsläget",
                official_ids=(register["official"],),
                organisation_ids=(register["organisation"],),
            ),
            author,
            publish=True,
        )
    path = download_sqlite(client, tmp_path)
    assert len(builds) == 2
    assert b"Uppf\xc3\xb6ljning om stationsl\xc3\xa4get" in path.read_bytes()
    # One finished file is kept, none half-written is left behind.
    kept = sorted(item.name for item in (Path(app.instance_path) / "opendata").iterdir())
    assert len(kept) == 2 and kept[0] == "build.lock" and kept[1].startswith("register-")


def test_concurrent_downloads_wait_for_one_build_and_get_a_whole_file(
    app, register, tmp_path, monkeypatch
):
    builds = []
    write = opendata.write_sqlite

    def slow_write(*args):
        builds.append(1)
        time.sleep(0.5)  # the other request arrives while this one builds
        write(*args)

    monkeypatch.setattr(opendata, "write_sqlite", slow_write)
    bodies = []

    def download():
        response = app.test_client().get("/data/register.sqlite")
        bodies.append((response.status_code, response.get_data()))

    threads = [threading.Thread(target=download) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    (status, first), (_, second) = bodies
    assert status == 200 and first == second
    path = tmp_path / "whole.sqlite"
    path.write_bytes(first)
    database = sqlite3.connect(path)
    try:
        assert database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        database.close()
