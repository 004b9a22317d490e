"""The one definition of the published columns (SPEC §4).

It drives the CSV, the JSON export and the data package; the importer reads the same
columns. Exports read plain rows from one SQL query, the linked names aggregated in SQL
as JSON arrays, and never build ORM objects: a million rows stream in flat memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Select, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.sql.sqltypes import NullType

from .models import (
    Issue,
    Meeting,
    Official,
    Organisation,
    Unit,
    meeting_issue,
    meeting_official,
    meeting_organisation,
)

MULTI_VALUE_SEPARATOR = "; "
# A cell starting with one of these can be run as a formula by a spreadsheet (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
ROWS_PER_CHUNK = 200


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Frictionless Table Schema type
    description: object  # a lazy translated string
    value: Callable[[ExportRow], object]
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


class ExportRow:
    """One meeting as the exports see it: its own fields and its linked records as
    lists of tuples (officials: id, name, title, unit; organisations: id, name, kind,
    number, country, website, EU id; issues: slug, title)."""

    __slots__ = (
        "number",
        "held_on",
        "start_time",
        "format",
        "location",
        "initiative",
        "subject",
        "summary",
        "outcome",
        "representatives",
        "client",
        "document_links",
        "status",
        "published_at",
        "amended_at",
        "withdrawn_at",
        "withdrawal_reason",
        "withheld_ground",
        "officials",
        "organisations",
        "issues",
        "url",
        "days_to_publish",
    )

    def __init__(self, values, url_prefix: str, zone: ZoneInfo):
        """From a row of `export_select`; computes the address and the days it took to
        publish, counted in the public body's local dates as the record page does."""
        (
            self.number,
            held_on,
            self.start_time,
            self.format,
            self.location,
            self.initiative,
            self.subject,
            self.summary,
            self.outcome,
            self.representatives,
            self.client,
            self.document_links,
            self.status,
            self.published_at,
            self.amended_at,
            self.withdrawn_at,
            self.withdrawal_reason,
            self.withheld_ground,
            officials,
            organisations,
            issues,
        ) = values
        # SQLite gives text where PostgreSQL gives dates, times and parsed JSON.
        if isinstance(held_on, str):
            held_on = date.fromisoformat(held_on)
        self.held_on = held_on.isoformat()
        if isinstance(self.start_time, str):
            self.start_time = time.fromisoformat(self.start_time)
        self.published_at = _moment(self.published_at)
        self.amended_at = _moment(self.amended_at)
        self.withdrawn_at = _moment(self.withdrawn_at)
        self.document_links = _parsed(self.document_links)
        self.officials = _parsed(officials)
        self.organisations = _parsed(organisations)
        self.issues = _parsed(issues)
        self.url = url_prefix + str(self.number)
        published = self.published_at
        if published is None:
            self.days_to_publish = None
        else:
            self.days_to_publish = (published.astimezone(zone).date() - held_on).days


def _moment(value) -> datetime | None:
    """A stored timestamp, timezone-aware (SQLite keeps UTC text without an offset)."""
    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _parsed(value) -> list | tuple:
    """A JSON array as SQLite (text) or PostgreSQL (a list, or NULL for none) gives it."""
    if value is None:
        return ()
    return json.loads(value) if isinstance(value, str) else value


def _names(items, index: int) -> list[str]:
    return [item[index] or "" for item in items]


COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        "integer",
        _l("The record's permanent public number: 1, 2, 3 … without gaps."),
        lambda r: r.number,
        stub=True,
    ),
    Column("date", "date", _l("The date the meeting was held."), lambda r: r.held_on, stub=True),
    Column(
        "officials",
        "string",
        _l("The region's officials who took part, by name."),
        lambda r: _names(r.officials, 1),
        multi=True,
    ),
    Column(
        "official_titles",
        "string",
        _l("Their titles, in the same order as the officials."),
        lambda r: _names(r.officials, 2),
        multi=True,
    ),
    Column(
        "organisations",
        "string",
        _l("The organisations met, by name."),
        lambda r: _names(r.organisations, 1),
        multi=True,
    ),
    Column(
        "organisation_kinds",
        "string",
        _l("Their kinds (company, ngo, eu_institution …), in the same order."),
        lambda r: _names(r.organisations, 2),
        multi=True,
    ),
    Column(
        "organisation_numbers",
        "string",
        _l("Their Swedish organisation or Danish CVR numbers where known, in the same order."),
        lambda r: _names(r.organisations, 3),
        multi=True,
    ),
    Column(
        "issues",
        "string",
        _l("The issues on the region's agenda that the meeting concerned."),
        lambda r: _names(r.issues, 1),
        multi=True,
    ),
    Column(
        "subject", "string", _l("What the meeting was about, in one line."), lambda r: r.subject
    ),
    Column("summary", "string", _l("A public summary of the meeting."), lambda r: r.summary),
    Column(
        "format",
        "string",
        _l("How it was held: in_person, video, phone, written or other."),
        lambda r: r.format,
    ),
    Column("location", "string", _l("Where it was held."), lambda r: r.location),
    Column(
        "initiative",
        "string",
        _l("Who took the initiative: region, counterpart or third_party."),
        lambda r: r.initiative,
    ),
    Column(
        "published_at",
        "datetime",
        _l("When the record was first published (UTC)."),
        lambda r: _timestamp(r.published_at),
    ),
    Column(
        "days_to_publish",
        "integer",
        _l("Days from the meeting to its publication."),
        lambda r: r.days_to_publish,
    ),
    Column(
        "last_amended_at",
        "datetime",
        _l("When the record was last amended after publication (UTC), if ever."),
        lambda r: _timestamp(r.amended_at),
    ),
    Column(
        "status",
        "string",
        _l(
            "published, withdrawn or withheld. A withdrawn or withheld record keeps its row "
            "with only its id, date, status, address, when and why it was taken down, and "
            "the legal ground."
        ),
        lambda r: r.status,
        stub=True,
    ),
    Column(
        "url",
        "string",
        _l("The record's permanent address (a withdrawn record's says why it was withdrawn)."),
        lambda r: r.url,
        stub=True,
    ),
    # The rest of the public record (SPEC §4: after the first 18 columns).
    Column(
        "start_time",
        "string",
        _l("When the meeting began (HH:MM, local time), if recorded."),
        lambda r: r.start_time.strftime("%H:%M") if r.start_time else None,
    ),
    Column("outcome", "string", _l("The outcome or follow-up."), lambda r: r.outcome),
    Column(
        "representatives",
        "string",
        _l("The counterpart's representatives, by name and role."),
        lambda r: r.representatives,
    ),
    Column(
        "client",
        "string",
        _l("Whom a consultancy or PR firm acted for."),
        lambda r: r.client,
    ),
    Column(
        "document_links",
        "string",
        _l("Links to the documents exchanged."),
        lambda r: list(r.document_links or ()),
        multi=True,
    ),
    Column(
        "official_ids",
        "string",
        _l("The officials' ids (as in officials.csv), in the same order as the officials."),
        lambda r: [str(item[0]) for item in r.officials],
        multi=True,
    ),
    Column(
        "official_units",
        "string",
        _l("The officials' units, in the same order as the officials."),
        lambda r: _names(r.officials, 3),
        multi=True,
    ),
    Column(
        "organisation_ids",
        "string",
        _l("The organisations' ids (as in organisations.csv), in the same order."),
        lambda r: [str(item[0]) for item in r.organisations],
        multi=True,
    ),
    Column(
        "organisation_countries",
        "string",
        _l("The organisations' countries (ISO 3166-1 alpha-2), in the same order."),
        lambda r: _names(r.organisations, 4),
        multi=True,
    ),
    Column(
        "organisation_websites",
        "string",
        _l("The organisations' websites, in the same order."),
        lambda r: _names(r.organisations, 5),
        multi=True,
    ),
    Column(
        "organisation_eu_transparency_ids",
        "string",
        _l("The organisations' ids in the EU Transparency Register, in the same order."),
        lambda r: _names(r.organisations, 6),
        multi=True,
    ),
    Column(
        "issue_slugs",
        "string",
        _l("The issues' short names (as in issues.csv), in the same order as the issues."),
        lambda r: _names(r.issues, 0),
        multi=True,
    ),
    Column(
        "withdrawn_at",
        "datetime",
        _l("When a withdrawn or withheld record was taken down (UTC)."),
        lambda r: _timestamp(r.withdrawn_at),
        stub=True,
    ),
    Column(
        "reason",
        "string",
        _l("Why a withdrawn or withheld record was taken down; empty for a published one."),
        lambda r: r.withdrawal_reason or None,
        stub=True,
    ),
    Column(
        "legal_ground",
        "string",
        _l("The legal provision a withheld record's details are kept back under."),
        lambda r: r.withheld_ground or None,
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


def column_value(column: Column, row: ExportRow) -> object:
    """A column's value for a record; a withdrawn or withheld record's stub shows only
    its stub columns (None, or an empty list, for the rest)."""
    if row.status == "published" or column.stub:
        return column.value(row)
    return [] if column.multi else None


# What csv_row needs of each column, looked up once rather than per cell.
_CSV_PLAN = tuple((column.value, column.multi, column.stub) for column in COLUMNS)
_FORMULA_STARTS = frozenset(FORMULA_TRIGGERS)


def csv_row(row: ExportRow) -> list[object]:
    """A record's CSV cells (safe_cell's rule, inlined: this runs for every cell of a
    million-row export)."""
    cells = []
    append = cells.append
    published = row.status == "published"
    for value_of, multi, stub in _CSV_PLAN:
        if not (published or stub):
            append("")
            continue
        value = value_of(row)
        if multi:
            value = MULTI_VALUE_SEPARATOR.join(value)
        if value is None:
            append("")
        elif value.__class__ is str and value[:1] in _FORMULA_STARTS:
            append("'" + value)
        else:
            append(value)
    return cells


def json_record(row: ExportRow) -> dict[str, object]:
    """A record as JSON keeps lists as lists and needs no formula guard."""
    return {column.name: column_value(column, row) for column in COLUMNS}


def stream_csv(rows: Iterable[ExportRow]) -> Iterator[str]:
    """CSV text in chunks: memory stays flat whatever the number of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    for count, row in enumerate(rows, start=1):
        writer.writerow(csv_row(row))
        if count % ROWS_PER_CHUNK == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def stream_json(rows: Iterable[ExportRow]) -> Iterator[str]:
    """A JSON document `{"meetings": [...]}` written a chunk of records at a time."""
    yield '{"meetings": ['
    chunk, separator = [], ""
    for row in rows:
        chunk.append(separator + json.dumps(json_record(row), ensure_ascii=False))
        separator = ",\n"
        if len(chunk) == ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + "]}\n"


# -- reading rows: one query, the linked records aggregated in SQL -----------------------

# The meeting's own columns an export reads, in ExportRow's order.
MEETING_FIELDS = ExportRow.__slots__[:18]


class json_rows(GenericFunction):  # noqa: N801 (SQL function names are lower case)
    """The rows of a subquery as one JSON array of arrays: json_group_array on SQLite,
    json_agg on PostgreSQL (which gives NULL, not [], for no rows)."""

    type = JSON()
    inherit_cache = True


@compiles(json_rows, "sqlite")
def _json_rows_sqlite(element, compiler, **kw):
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


@compiles(json_rows, "postgresql")
def _json_rows_postgresql(element, compiler, **kw):
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


def _linked(linked: Select):
    """A meeting's linked records (a select over a link table, in the order the record page
    lists them) as one JSON array, for the meeting of the outer query."""
    ordered = linked.correlate(Meeting).subquery()
    return select(json_rows(*ordered.c)).scalar_subquery()


def export_select(meetings: Select) -> Select:
    """The export's columns for every meeting an ORM query selects, in its order."""
    officials = _linked(
        select(Official.id, Official.name, Official.title, Unit.name)
        .select_from(meeting_official)
        .join(Official)
        .outerjoin(Unit, Unit.id == Official.unit_id)
        .where(meeting_official.c.meeting_id == Meeting.id)
        .order_by(Official.name, Official.id)
    )
    organisations = _linked(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.kind,
            Organisation.org_number,
            Organisation.country,
            Organisation.website,
            Organisation.eu_transparency_id,
        )
        .select_from(meeting_organisation)
        .join(Organisation)
        .where(meeting_organisation.c.meeting_id == Meeting.id)
        .order_by(Organisation.name, Organisation.id)
    )
    issues = _linked(
        select(Issue.slug, Issue.title)
        .select_from(meeting_issue)
        .join(Issue)
        .where(meeting_issue.c.meeting_id == Meeting.id)
        .order_by(Issue.title, Issue.id)
    )
    # Values come as the driver gives them, without SQLAlchemy's per-value conversions
    # (a third of the time on SQLite); ExportRow reads both drivers' shapes.
    columns = [getattr(Meeting, name) for name in MEETING_FIELDS]
    columns += [officials, organisations, issues]
    return meetings.with_only_columns(
        *(type_coerce(column, NullType()) for column in columns),
        maintain_column_froms=True,
    )


def export_rows(result) -> Iterator[ExportRow]:
    """ExportRows from the result of `export_select`."""
    prefix = meeting_url(1)[: -len("1")]
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    for values in result:
        yield ExportRow(values, prefix, zone)


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
