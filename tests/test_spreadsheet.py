"""The Excel export: the same columns and rows as the CSV, real dates and numbers, a
frozen header, text that never runs as a formula, and a clear refusal past Excel's
row limit."""

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from register import spreadsheet
from register.export import COLUMN_NAMES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(client, query=""):
    response = client.get(f"/meetings.xlsx{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))["meetings"]


def csv_rows(client, query=""):
    text = client.get(f"/meetings.csv{query}").get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def hostile(records, world):
    """A record whose text cells look like formulas to a spreadsheet."""
    return records.number(
        records.meeting(
            subject='=HYPERLINK("http://evil.example","klicka")',
            summary="+1+1",
            location="-5",
            outcome="@SUM(A1:A2)",
            held_on=date(2026, 3, 4),
            official_ids=[world["official"]],
            organisation_ids=[world["organisation"]],
            issue_ids=[world["issue"]],
        )
    )


def test_the_workbook_has_the_csv_columns_and_rows(client, records, world, hostile):
    other = records.number(
        records.meeting(
            subject="Vanligt möte",
            format="video",
            official_ids=[world["official"]],
            organisation_ids=[world["organisation"]],
        )
    )
    for query in ("", "?format=video", "?issue=dubbelspar-goteborg-boras"):
        sheet = workbook(client, query)
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == list(COLUMN_NAMES)
        assert [row[0] for row in rows[1:]] == [int(row["id"]) for row in csv_rows(client, query)]
    assert {row[0] for row in list(workbook(client).iter_rows(values_only=True))[1:]} == {
        hostile,
        other,
    }


def test_dates_are_dates_numbers_numbers_and_the_header_stays(client, hostile):
    sheet = workbook(client)
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert row["id"].value == hostile and row["id"].data_type == "n"
    assert row["date"].is_date and row["date"].value == datetime(2026, 3, 4)
    assert row["published_at"].is_date
    assert isinstance(row["days_to_publish"].value, int)
    assert sheet.column_dimensions["I"].width > sheet.column_dimensions["A"].width  # subject


def test_text_that_looks_like_a_formula_stays_text(client, hostile):
    sheet = workbook(client)
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    for name, typed in (
        ("subject", '=HYPERLINK("http://evil.example","klicka")'),
        ("summary", "+1+1"),
        ("location", "-5"),
        ("outcome", "@SUM(A1:A2)"),
    ):
        cell = row[name]
        assert cell.data_type == "s", name  # a string, never a formula ("f")
        assert cell.value == typed, name  # shown as typed
        assert cell.quotePrefix, name  # and kept as text when edited


def test_a_list_longer_than_excel_allows_points_to_the_csv(
    client, monkeypatch, records, world, hostile
):
    records.meeting(official_ids=[world["official"]], organisation_ids=[world["organisation"]])
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 1)
    response = client.get("/meetings.xlsx?format=in_person", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    message = response.get_data(as_text=True)
    assert "more than the 1 rows Excel can show" in message
    assert "/meetings.csv?format=in_person" in message
    assert client.get("/meetings.xlsx?format=in_person&issue=no-such-issue").status_code == 200


def test_a_bad_filter_is_refused_before_anything_is_written(client, hostile):
    response = client.get("/meetings.xlsx?kind=bogus")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
