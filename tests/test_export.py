"""The CSV contract (SPEC §4) and the JSON export."""

import csv
import io
import json
from pathlib import Path

import pytest

from register import export
from register.export import COLUMN_NAMES, safe_cell

CONTRACT_COLUMNS = [
    "id",
    "date",
    "officials",
    "official_titles",
    "organisations",
    "organisation_kinds",
    "organisation_numbers",
    "issues",
    "subject",
    "summary",
    "format",
    "location",
    "initiative",
    "published_at",
    "days_to_publish",
    "last_amended_at",
    "status",
    "url",
]


def read_csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert not text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_header_is_the_contract(client):
    rows = read_csv(client.get("/meetings.csv"))
    # At least the contract's columns, in its order; the rest of the record follows.
    assert len(rows) == 1 and rows[0][: len(CONTRACT_COLUMNS)] == CONTRACT_COLUMNS
    assert list(COLUMN_NAMES) == rows[0]


def test_csv_row_has_the_meetings_values(app, client, records, world):
    second_org = records.organisation(
        name="Borås Stad", kind="local_government", org_number="212000-1561"
    )
    meeting_id = records.meeting(
        subject="Dubbelspåret, tidplan",
        summary='Rad ett,\n"citat"',
        official_ids=[world["official"], world["colleague"]],
        organisation_ids=[world["organisation"], second_org],
        issue_ids=[world["issue"]],
        location="Borås",
    )
    header, row = read_csv(client.get("/meetings.csv"))
    record = dict(zip(header, row, strict=False))
    assert record["id"] == str(meeting_id)
    assert record["officials"] == "Anna Regionråd; Bertil Kollega"
    assert record["official_titles"] == "regionråd; regiondirektör"
    assert record["organisations"] == "Borås Stad; Trafikverket"
    assert record["organisation_kinds"] == "local_government; public_authority"
    assert record["organisation_numbers"] == "212000-1561; "
    assert record["issues"] == "Dubbelspår Göteborg–Borås"
    assert record["summary"] == 'Rad ett,\n"citat"'
    assert record["format"] == "in_person"
    assert record["initiative"] == "region"
    assert record["status"] == "published"
    assert record["days_to_publish"] == "3"
    assert record["last_amended_at"] == ""
    assert record["published_at"].endswith("Z")
    assert record["url"] == f"http://localhost/meetings/{meeting_id}"


def test_csv_uses_crlf_line_endings(client, records, world):
    records.meeting(official_ids=[world["official"]], organisation_ids=[world["organisation"]])
    text = client.get("/meetings.csv").get_data(as_text=True)
    assert text.count("\r\n") == 2


@pytest.mark.parametrize("dangerous", ["=SUM(A1)", "+46 31 00", "-1+1", "@cmd", "\tx", "\rx"])
def test_csv_cells_cannot_run_as_formulas(client, records, world, dangerous):
    records.meeting(
        subject=dangerous + " subject",
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    header, row = read_csv(client.get("/meetings.csv"))
    subject = dict(zip(header, row, strict=False))["subject"]
    assert subject == "'" + dangerous + " subject"


def test_formula_guard_keeps_numbers_and_plain_text():
    assert safe_cell(-3) == -3
    assert safe_cell(12) == 12
    assert safe_cell("Trafikverket") == "Trafikverket"
    assert safe_cell(None) == ""
    assert safe_cell("=1") == "'=1"


def test_csv_follows_the_filters(client, records, world):
    other = records.organisation(name="Vårdförbundet", kind="union")
    records.meeting(
        subject="Om spåret",
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    records.meeting(subject="Om vården", official_ids=[world["official"]], organisation_ids=[other])
    rows = read_csv(client.get("/meetings.csv?kind=union"))
    assert [row[8] for row in rows[1:]] == ["Om vården"]


def test_bad_filter_on_an_export_is_a_clear_400(client):
    response = client.get("/meetings.csv?from=2024-02-30")
    assert response.status_code == 400
    assert "2024-02-30" in response.get_data(as_text=True)
    response = client.get("/meetings.json?kind=spy")
    assert response.status_code == 400
    assert response.get_json()["fields"].keys() == {"kind"}


def test_json_export_has_the_same_records(client, records, world):
    meeting_id = records.meeting(
        official_ids=[world["official"], world["colleague"]],
        organisation_ids=[world["organisation"]],
    )
    response = client.get("/meetings.json")
    assert response.mimetype == "application/json"
    data = json.loads(response.get_data(as_text=True))
    (record,) = data["meetings"]
    assert list(record) == list(COLUMN_NAMES)
    assert record["id"] == meeting_id
    assert record["officials"] == ["Anna Regionråd", "Bertil Kollega"]


def test_datapackage_documents_every_column(client):
    package = client.get("/data/datapackage.json").get_json()
    resource = package["resources"][0]
    assert resource["name"] == "meetings"
    assert [field["name"] for field in resource["schema"]["fields"]] == list(COLUMN_NAMES)
    assert resource["path"].endswith("/meetings.csv")
    page = client.get("/data").get_data(as_text=True)
    for name in COLUMN_NAMES:
        assert f"<code>{name}</code>" in page


def kept_files(app) -> list[str]:
    folder = Path(app.instance_path) / "opendata"
    return sorted(path.name for path in folder.glob("meetings-*")) if folder.is_dir() else []


@pytest.mark.parametrize("path", ["/meetings.csv", "/meetings.json"])
def test_the_whole_register_is_kept_as_a_file_until_it_changes(app, client, records, world, path):
    for old in kept_files(app):  # of earlier tests' registers
        (Path(app.instance_path) / "opendata" / old).unlink()
    records.meeting(subject="Första mötet", official_ids=[world["official"]])
    first = client.get(path)
    assert first.status_code == 200 and "Första mötet" in first.get_data(as_text=True)
    assert len(kept_files(app)) == 1
    # Sent again from the file: the same bytes, with their length known in advance.
    again = client.get(path)
    assert again.get_data() == first.get_data()
    assert again.content_length == len(first.get_data())
    # A filtered view is not kept.
    assert "Första mötet" in client.get(path + "?q=första").get_data(as_text=True)
    assert len(kept_files(app)) == 1
    # A publication changes the register: the next download has it, and replaces the file.
    records.meeting(subject="Andra mötet", official_ids=[world["official"]])
    after = client.get(path).get_data(as_text=True)
    assert "Första mötet" in after and "Andra mötet" in after
    assert len(kept_files(app)) == 1


def test_a_download_left_early_keeps_no_file(app, client, records, world, monkeypatch):
    for old in kept_files(app):
        (Path(app.instance_path) / "opendata" / old).unlink()
    monkeypatch.setattr(export, "ROWS_PER_CHUNK", 2)
    for day in range(1, 8):
        records.meeting(subject=f"Möte {day}", official_ids=[world["official"]])
    response = client.get("/meetings.csv", buffered=False)
    chunks = iter(response.response)
    next(chunks), next(chunks)  # the header and the first rows, then the client leaves
    response.close()
    assert kept_files(app) == []
    assert not list((Path(app.instance_path) / "opendata").glob(".writing-*"))
    rows = read_csv(client.get("/meetings.csv"))
    assert len(rows) == 1 + 7
