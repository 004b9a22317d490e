"""The one definition of the published columns (SPEC §4).

It drives the CSV, the JSON export and the data package; the importer will read the
same columns.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from .models import Meeting

MULTI_VALUE_SEPARATOR = "; "
# A cell starting with one of these can be run as a formula by a spreadsheet (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
ROWS_PER_CHUNK = 200


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Frictionless Table Schema type
    description: object  # a lazy translated string
    value: Callable[[Meeting], object]
    multi: bool = False
    # Shown for a withdrawn or withheld record too; its other columns stay empty.
    stub: bool = False


def _timestamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def absolute_url(endpoint: str, **values) -> str:
    """An absolute address on the public site: PUBLIC_URL when set, never a foreign Host."""
    base = current_app.config["PUBLIC_URL"]
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, **values, _external=True)


def meeting_url(number: int) -> str:
    """The record's permalink, absolute."""
    return absolute_url("public.meeting", number=number)


COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        "integer",
        _l("The record's permanent public number: 1, 2, 3 … without gaps."),
        lambda m: m.number,
        stub=True,
    ),
    Column(
        "date",
        "date",
        _l("The date the meeting was held."),
        lambda m: m.held_on.isoformat(),
        stub=True,
    ),
    Column(
        "officials",
        "string",
        _l("The region's officials who took part, by name."),
        lambda m: [o.name for o in m.officials],
        multi=True,
    ),
    Column(
        "official_titles",
        "string",
        _l("Their titles, in the same order as the officials."),
        lambda m: [o.title for o in m.officials],
        multi=True,
    ),
    Column(
        "organisations",
        "string",
        _l("The organisations met, by name."),
        lambda m: [o.name for o in m.organisations],
        multi=True,
    ),
    Column(
        "organisation_kinds",
        "string",
        _l("Their kinds (company, ngo, eu_institution …), in the same order."),
        lambda m: [o.kind for o in m.organisations],
        multi=True,
    ),
    Column(
        "organisation_numbers",
        "string",
        _l("Their Swedish organisation or Danish CVR numbers where known, in the same order."),
        lambda m: [o.org_number or "" for o in m.organisations],
        multi=True,
    ),
    Column(
        "issues",
        "string",
        _l("The issues on the region's agenda that the meeting concerned."),
        lambda m: [i.title for i in m.issues],
        multi=True,
    ),
    Column(
        "subject", "string", _l("What the meeting was about, in one line."), lambda m: m.subject
    ),
    Column("summary", "string", _l("A public summary of the meeting."), lambda m: m.summary),
    Column(
        "format",
        "string",
        _l("How it was held: in_person, video, phone, written or other."),
        lambda m: m.format,
    ),
    Column("location", "string", _l("Where it was held."), lambda m: m.location),
    Column(
        "initiative",
        "string",
        _l("Who took the initiative: region, counterpart or third_party."),
        lambda m: m.initiative,
    ),
    Column(
        "published_at",
        "datetime",
        _l("When the record was first published (UTC)."),
        lambda m: _timestamp(m.published_at),
    ),
    Column(
        "days_to_publish",
        "integer",
        _l("Days from the meeting to its publication."),
        lambda m: m.days_to_publish,
    ),
    Column(
        "last_amended_at",
        "datetime",
        _l("When the record was last amended after publication (UTC), if ever."),
        lambda m: _timestamp(m.amended_at),
    ),
    Column(
        "status",
        "string",
        _l(
            "published, withdrawn or withheld. A withdrawn or withheld record keeps its row "
            "with only its id, date, status, reason and legal ground."
        ),
        lambda m: m.status,
        stub=True,
    ),
    Column("url", "string", _l("The record's permanent address."), lambda m: meeting_url(m.number)),
    Column(
        "reason",
        "string",
        _l("Why a withdrawn or withheld record was taken down; empty for a published one."),
        lambda m: m.withdrawal_reason or None,
        stub=True,
    ),
    Column(
        "legal_ground",
        "string",
        _l("The legal provision a withheld record's details are kept back under."),
        lambda m: m.withheld_ground or None,
        stub=True,
    ),
)

COLUMN_NAMES = tuple(column.name for column in COLUMNS)


def safe_cell(value: object) -> object:
    """A CSV cell no spreadsheet will run as a formula; the data itself is kept.

    Real numbers stay numbers; text that starts like a formula gets a leading `'`.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def column_value(column: Column, meeting: Meeting) -> object:
    """A column's value for a record; a withdrawn or withheld record's stub shows only
    its stub columns (None, or an empty list, for the rest)."""
    if meeting.status == "published" or column.stub:
        return column.value(meeting)
    return [] if column.multi else None


def csv_row(meeting: Meeting) -> list[object]:
    row = []
    for column in COLUMNS:
        value = column_value(column, meeting)
        if column.multi:
            value = MULTI_VALUE_SEPARATOR.join(value)
        row.append(safe_cell(value))
    return row


def json_record(meeting: Meeting) -> dict[str, object]:
    """A record as JSON keeps lists as lists and needs no formula guard."""
    return {column.name: column_value(column, meeting) for column in COLUMNS}


def stream_csv(meetings: Iterable[Meeting]) -> Iterator[str]:
    """CSV text in chunks: memory stays flat whatever the number of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    for count, meeting in enumerate(meetings, start=1):
        writer.writerow(csv_row(meeting))
        if count % ROWS_PER_CHUNK == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def stream_json(meetings: Iterable[Meeting]) -> Iterator[str]:
    """A JSON document `{"meetings": [...]}` written one record at a time."""
    yield '{"meetings": ['
    separator = ""
    for meeting in meetings:
        yield separator + json.dumps(json_record(meeting), ensure_ascii=False)
        separator = ",\n"
    yield "]}\n"


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def table_schema() -> dict[str, object]:
    """The columns as a Frictionless Table Schema."""
    return {
        "fields": [
            {"name": column.name, "type": column.type, "description": str(column.description)}
            for column in COLUMNS
        ],
        "primaryKey": "id",
    }
