"""The exports give every record exactly as the register holds it, whichever way they
are read: the streamed CSV and JSON, a record at a time (the API, the workbook) and the
values a reader would expect from the record itself, on a register full of cells that
try to break a CSV file."""

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta

import pytest

from register import export
from register.export import COLUMN_NAMES, COLUMNS, MULTI_VALUE_SEPARATOR, safe_cell
from register.extensions import db
from register.models import Issue, Official, Organisation, Unit
from register.search import MeetingFilters, published_meetings

HOSTILE = [
    '=HYPERLINK("http://evil.example","klicka")',
    "+46 31 00 00",
    "-5",
    "@SUM(A1:A2)",
    "\tindraget",
    "\rvagn",
    "\nrad",
    'Citat "så här", sa hon',
    "Komma, semikolon; och\nradbrytning\r\ni samma cell",
    "Emoji 🚆 och å ä ö – tankstreck",
    "   blanksteg först",
    "'redan citerad",
]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


@pytest.fixture
def register(app, records):
    """Officials, organisations and issues with hostile names, and meetings that use
    them: published ones (one amended, one published just after midnight in Stockholm,
    in summer time), a withdrawn and a withheld one, and a draft."""
    with app.app_context():
        unit = Unit(name='Enhet "Nord", =1', kind="council")
        db.session.add(unit)
        db.session.flush()
        officials = [
            Official(name=HOSTILE[0], title="regionråd, ordförande", unit_id=unit.id),
            Official(name="Anna; Andersson", title="", unit_id=None),
            Official(name=HOSTILE[9], title=HOSTILE[7], unit_id=unit.id),
        ]
        organisations = [
            Organisation(
                name=HOSTILE[8],
                kind="company",
                org_number="556016-0680",
                country="SE",
                website='https://example.org/a,b?c="d"',
                eu_transparency_id="123456789012-12",
            ),
            Organisation(name="-Minus AB", kind="ngo", country=None, website=None),
            Organisation(name="Borås Stad", kind="local_government", org_number="212000-1561"),
        ]
        issues = [
            Issue(slug="dubbelspar", title=HOSTILE[3], summary="", status="active"),
            Issue(slug="vard", title="Vården, i länet", summary="", status="active"),
        ]
        db.session.add_all(officials + organisations + issues)
        db.session.commit()
        ids = {
            "officials": [official.id for official in officials],
            "organisations": [organisation.id for organisation in organisations],
            "issues": [issue.id for issue in issues],
        }
    o, g, i = ids["officials"], ids["organisations"], ids["issues"]
    spring = date(2025, 3, 30)
    meetings = [
        records.meeting(
            subject=HOSTILE[0],
            summary=HOSTILE[8],
            location=HOSTILE[7],
            outcome=HOSTILE[3],
            representatives=HOSTILE[9],
            client=HOSTILE[2],
            document_links=["https://example.org/a,b.pdf", 'https://example.org/"c".pdf'],
            start_time=time(9, 5),
            held_on=date(2025, 2, 3),
            official_ids=o,
            organisation_ids=g,
            issue_ids=i,
        ),
        records.meeting(
            subject="Vanligt möte",
            summary="",
            held_on=spring,
            # 00:30 on 31 March in Stockholm, summer time since 02:00 the day before.
            published_at=at(spring, 22, 30),
            official_ids=[o[1]],
            organisation_ids=[g[1]],
        ),
        records.meeting(
            subject=HOSTILE[4],
            summary=HOSTILE[5],
            location=HOSTILE[6],
            held_on=date(2025, 1, 10),
            published_at=at(date(2025, 1, 20), 8),
            amended_at=at(date(2025, 1, 22), 9, 15),
            official_ids=[o[2], o[0]],
            organisation_ids=[g[2], g[0]],
            issue_ids=[i[1]],
        ),
        records.meeting(
            subject="Indraget möte",
            status="withdrawn",
            held_on=date(2025, 1, 5),
            withdrawn_at=at(date(2025, 1, 6), 10),
            withdrawal_reason=HOSTILE[8],
            official_ids=o,
            organisation_ids=g,
        ),
        records.meeting(
            subject="Sekretessbelagt möte",
            status="withheld",
            held_on=date(2025, 1, 4),
            withdrawn_at=at(date(2025, 1, 7), 11),
            withdrawal_reason="Uppgifterna omfattas av sekretess.",
            withheld_ground=HOSTILE[1],
            official_ids=[o[0]],
            organisation_ids=[g[0]],
        ),
        records.meeting(subject="Utkast", status="draft", official_ids=[o[0]]),
    ]
    app.config["TIMEZONE"] = "Europe/Stockholm"
    return meetings


def timestamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def expected_records(app) -> list[dict]:
    """What each public record should say, read from the ORM objects themselves."""
    with app.test_request_context():
        meetings = db.session.scalars(published_meetings(MeetingFilters(), stubs=True)).all()
        records = []
        for meeting in meetings:
            officials, organisations = meeting.officials, meeting.organisations
            record = {
                "id": meeting.number,
                "date": meeting.held_on.isoformat(),
                "officials": [official.name for official in officials],
                "official_titles": [official.title or "" for official in officials],
                "organisations": [organisation.name for organisation in organisations],
                "organisation_kinds": [organisation.kind for organisation in organisations],
                "organisation_numbers": [org.org_number or "" for org in organisations],
                "issues": [issue.title for issue in meeting.issues],
                "subject": meeting.subject,
                "summary": meeting.summary,
                "format": meeting.format,
                "location": meeting.location,
                "initiative": meeting.initiative,
                "published_at": timestamp(meeting.published_at),
                "days_to_publish": meeting.days_to_publish,
                "last_amended_at": timestamp(meeting.amended_at),
                "status": meeting.status,
                "url": f"http://localhost/meetings/{meeting.number}",
                "start_time": meeting.start_time.strftime("%H:%M") if meeting.start_time else None,
                "outcome": meeting.outcome,
                "representatives": meeting.representatives,
                "client": meeting.client,
                "document_links": list(meeting.document_links),
                "official_ids": [str(official.id) for official in officials],
                "official_units": [
                    official.unit.name if official.unit else "" for official in officials
                ],
                "organisation_ids": [str(org.id) for org in organisations],
                "organisation_countries": [org.country or "" for org in organisations],
                "organisation_websites": [org.website or "" for org in organisations],
                "organisation_eu_transparency_ids": [
                    org.eu_transparency_id or "" for org in organisations
                ],
                "issue_slugs": [issue.slug for issue in meeting.issues],
                "withdrawn_at": timestamp(meeting.withdrawn_at),
                "reason": meeting.withdrawal_reason or None,
                "legal_ground": meeting.withheld_ground or None,
            }
            if meeting.status != "published":
                stub_columns = {column.name for column in COLUMNS if column.stub}
                multi = {column.name for column in COLUMNS if column.multi}
                for name in record:
                    if name not in stub_columns:
                        record[name] = [] if name in multi else None
            records.append(record)
        return records


def csv_text(records: list[dict]) -> str:
    """The CSV Python's csv module writes for the records, with safe_cell's guard."""
    multi = {column.name for column in COLUMNS if column.multi}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    for record in records:
        writer.writerow(
            [
                safe_cell(MULTI_VALUE_SEPARATOR.join(value) if name in multi else value)
                for name, value in record.items()
            ]
        )
    return out.getvalue()


def test_the_json_export_holds_each_record_as_the_register_does(app, client, register):
    expected = expected_records(app)
    assert [record["status"] for record in expected].count("published") == 3
    response = client.get("/meetings.json")
    assert response.status_code == 200
    meetings = json.loads(response.get_data(as_text=True))["meetings"]
    assert [list(record) for record in meetings] == [list(COLUMN_NAMES)] * len(expected)
    assert meetings == expected


def test_the_csv_export_is_byte_for_byte_what_the_csv_module_writes(app, client, register):
    response = client.get("/meetings.csv")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == csv_text(expected_records(app))


def test_hostile_cells_are_defused_and_quoted(client, register):
    text = client.get("/meetings.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in rows:
        for name, cell in row.items():
            assert not cell.startswith(export.FORMULA_TRIGGERS), (name, cell)
    first = next(row for row in rows if row["subject"].startswith("'=HYPERLINK"))
    assert sorted(first["officials"].lstrip("'").split(MULTI_VALUE_SEPARATOR)) == sorted(
        ["Anna", "Andersson", HOSTILE[0], HOSTILE[9]]
    )
    assert first["client"] == "'-5"
    assert first["summary"] == HOSTILE[8]
    assert first["location"] == HOSTILE[7]
    assert first["document_links"] == 'https://example.org/a,b.pdf; https://example.org/"c".pdf'
    assert first["start_time"] == "09:05"
    late = next(row for row in rows if row["subject"] == "'\tindraget")
    assert (late["summary"], late["location"]) == ("'\rvagn", "'\nrad")
    assert late["last_amended_at"] == "2025-01-22T09:15:00Z"
    assert late["days_to_publish"] == "10"


def test_days_to_publish_counts_local_dates(client, register):
    records = client.get("/meetings.json").get_json()["meetings"]
    spring = next(record for record in records if record["subject"] == "Vanligt möte")
    # Held on 30 March, published 22:30 UTC that day: 00:30 on the 31st in Stockholm.
    assert spring["published_at"] == "2025-03-30T22:30:00Z"
    assert spring["days_to_publish"] == 1


def test_stubs_show_only_what_a_taken_down_record_keeps(client, register):
    text = client.get("/meetings.csv").get_data(as_text=True)
    rows = {row["status"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}
    withheld = rows["withheld"]
    assert withheld["legal_ground"] == "'+46 31 00 00"
    assert withheld["withdrawn_at"] == "2025-01-07T11:00:00Z"
    shown = {"id", "date", "status", "url", "withdrawn_at", "reason", "legal_ground"}
    assert {name for name, value in withheld.items() if value} == shown
    assert rows["withdrawn"]["reason"] == HOSTILE[8]
    assert rows["withdrawn"]["officials"] == rows["withdrawn"]["subject"] == ""


def test_a_record_at_a_time_reads_the_same_records(app, client, register):
    """The API and the workbook read records one by one; they say what the exports say,
    and their CSV cells are the export's."""
    expected = expected_records(app)
    with app.test_request_context():
        query = export.export_select(published_meetings(MeetingFilters(), stubs=True))
        rows = list(export.export_rows(db.session.execute(query)))
        assert [export.json_record(row) for row in rows] == expected
        assert [row.number for row in rows] == [record["id"] for record in expected]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMN_NAMES)
        writer.writerows(export.csv_row(row) for row in rows)
    assert out.getvalue() == client.get("/meetings.csv").get_data(as_text=True)
    api = client.get("/api/v1/meetings?limit=500").get_json()["meetings"]
    assert api == expected


def test_small_chunks_and_a_small_memory_give_the_same_export(app, client, register, monkeypatch):
    """Linked records' cells are kept while an export runs; forgetting them between
    chunks changes nothing."""
    whole = client.get("/meetings.csv").get_data()
    monkeypatch.setattr(export, "ROWS_PER_CHUNK", 1)
    monkeypatch.setattr(export, "KEPT_KEYS", 0)
    assert client.get("/meetings.csv").get_data() == whole
    assert client.get("/meetings.json").get_json() == {"meetings": expected_records(app)}


@pytest.mark.parametrize("query", ["?sort=published", "?issue=vard", "?from=2025-01-05"])
def test_filtered_and_sorted_exports_keep_their_order(app, client, register, query):
    listed = client.get(f"/meetings.json{query}").get_json()["meetings"]
    numbers = [record["id"] for record in listed]
    if query == "?sort=published":
        assert numbers == sorted(numbers, reverse=True)
    else:
        dates = [(record["date"], record["id"]) for record in listed]
        assert dates == sorted(dates, reverse=True)
    text = client.get(f"/meetings.csv{query}").get_data(as_text=True)
    assert [int(row["id"]) for row in csv.DictReader(io.StringIO(text, newline=""))] == numbers
    with app.test_request_context():
        everything = {record["id"]: record for record in expected_records(app)}
    assert listed == [everything[number] for number in numbers]


def test_an_empty_export_is_still_a_document(client):
    assert client.get("/meetings.csv").get_data(as_text=True) == ",".join(COLUMN_NAMES) + "\r\n"
    assert client.get("/meetings.json").get_json() == {"meetings": []}


def test_a_long_register_streams_every_row_once(app, client, records, monkeypatch):
    """More rows than a chunk, the same few links again and again."""
    monkeypatch.setattr(export, "ROWS_PER_CHUNK", 7)
    official = records.official(name="Anna Regionråd")
    organisation = records.organisation(name="Trafikverket")
    start = date(2024, 1, 1)
    for day in range(40):
        records.meeting(
            subject=f"Möte {day}",
            held_on=start + timedelta(days=day),
            official_ids=[official],
            organisation_ids=[organisation],
        )
    text = client.get("/meetings.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["subject"] for row in rows] == [f"Möte {day}" for day in reversed(range(40))]
    assert {row["officials"] for row in rows} == {"Anna Regionråd"}
