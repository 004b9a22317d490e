"""The whole public register as open data: its resources, the data package describing
them, and one SQLite file holding them all.

Each resource's fields are defined once, here (the meetings' in `export.COLUMNS`); its
CSV, its JSON, its Table Schema in the data package, its documentation on the data page
and its table in the SQLite file are all made from that definition. Rows are read with
Core queries, a batch at a time, so memory stays flat however large the register.

Only what is public is here: organisations that only drafts name and merged duplicates
are not listed, drafts never appear, and the revisions of a withdrawn or withheld record
keep their dates, reasons and hashes but not the content the record no longer shows. Who
made a change is not public either.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, case, func, null, select
from sqlalchemy.orm import aliased

from . import export, history, keptfiles
from .export import MULTI_VALUE_SEPARATOR, absolute_url, json_rows, safe_cell
from .extensions import reading_engine
from .models import (
    Issue,
    Meeting,
    Official,
    Organisation,
    Revision,
    Unit,
    meeting_issue,
    meeting_official,
    meeting_organisation,
)
from .profiles import listed_organisations
from .search import MeetingFilters, published_meetings
from .vocabulary import ISSUE_STATUSES, ORGANISATION_KINDS, REVISION_ACTIONS, UNIT_KINDS

BATCH = 500


@dataclass(frozen=True)
class Field:
    """One column of a resource."""

    name: str
    type: str  # a Frictionless Table Schema type: integer, string, date, datetime, ...
    description: object  # a lazy translated string
    # Several values: a list in JSON, joined with "; " in CSV and in the SQLite file.
    multi: bool = False
    enum: tuple[str, ...] | None = None
    required: bool = False
    format: str | None = None  # a Table Schema format, e.g. "uri"


@dataclass(frozen=True)
class Reference:
    """A foreign key: these fields hold the key of a row of another resource."""

    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Resource:
    name: str
    title: object
    description: object
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[Reference, ...]
    # The rows, as tuples of values in the order of `fields`, read on a connection.
    rows: Callable[[Connection], Iterator[tuple]]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)


# -- values as each format writes them -----------------------------------------------------


def _utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _iso(value: object) -> object:
    """A date, or a moment in UTC, as ISO 8601 text; text stays as it is."""
    if isinstance(value, datetime):
        return _utc(value)
    return value.isoformat() if isinstance(value, date) else value


def _joined(values: list) -> str | None:
    return MULTI_VALUE_SEPARATOR.join(map(str, values)) or None


def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _true_false(value: bool) -> str:
    return "true" if value else "false"


def _plan(resource: Resource, form: str) -> tuple[Callable | None, ...]:
    """How each field's value is written in a form: "json", "csv", or "sqlite" (one cell
    per value, as in CSV, but typed and with no formula guard). None where the value is
    written as it is: the plan is made once, not looked up for every cell."""
    plan = []
    for field in resource.fields:
        if field.multi or field.type == "object":
            # Lists and objects stay as they are in JSON; a cell holds them as text.
            convert = None if form == "json" else (_joined if field.multi else _json_text)
        elif field.type in ("date", "datetime"):
            convert = _iso
        elif field.type == "boolean" and form == "csv":
            convert = _true_false
        else:
            convert = None
        plan.append(convert)
    return tuple(plan)


def _converted(plan: tuple[Callable | None, ...], row: tuple) -> list:
    return [
        value if convert is None or value is None else convert(value)
        for convert, value in zip(plan, row, strict=True)
    ]


def stream_csv(resource: Resource, connection: Connection) -> Iterator[str]:
    """The resource as CSV (RFC 4180, UTF-8), cells safe from formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(resource.field_names)
    plan = _plan(resource, "csv")
    for count, row in enumerate(resource.rows(connection), start=1):
        writer.writerow([safe_cell(value) for value in _converted(plan, row)])
        if count % BATCH == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def stream_json(resource: Resource, connection: Connection) -> Iterator[str]:
    """The resource as `{"<name>": [{...}, ...]}`, a batch of rows at a time."""
    yield "{" + json.dumps(resource.name) + ": ["
    names, plan = resource.field_names, _plan(resource, "json")
    chunk, separator = [], ""
    for row in resource.rows(connection):
        record = dict(zip(names, _converted(plan, row), strict=True))
        chunk.append(separator + json.dumps(record, ensure_ascii=False))
        separator = ",\n"
        if len(chunk) == BATCH:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + "]}\n"


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _batched(connection: Connection, query) -> Iterator:
    return connection.execute(query.execution_options(yield_per=BATCH))


def _address_prefix(endpoint: str, key: str, sample: object) -> str:
    """The absolute address of a page less its last part, e.g. ".../officials/"."""
    return absolute_url(endpoint, **{key: sample})[: -len(str(sample))]


# -- the resources -------------------------------------------------------------------------


def _meeting_rows(connection: Connection) -> Iterator[tuple]:
    """The meetings export's rows (every public record, stubs included)."""
    query = export.export_select(published_meetings(MeetingFilters(), stubs=True))
    for row in export.export_rows(_batched(connection, query)):
        yield tuple(export.column_value(column, row) for column in export.COLUMNS)


def _organisation_rows(connection: Connection) -> Iterator[tuple]:
    duplicate = aliased(Organisation)
    # Public duplicates merged into the organisation: their old ids and names lead here.
    merged = (
        select(duplicate.id, duplicate.name)
        .where(duplicate.merged_into_id == Organisation.id, duplicate.public.is_(True))
        .order_by(duplicate.id)
        .correlate(Organisation)
        .subquery()
    )
    query = (
        select(
            Organisation.id,
            Organisation.name,
            Organisation.kind,
            Organisation.org_number,
            Organisation.eu_transparency_id,
            Organisation.country,
            Organisation.website,
            select(json_rows(merged.c.id, merged.c.name)).scalar_subquery(),
        )
        .where(listed_organisations())
        .order_by(Organisation.id)
    )
    prefix = _address_prefix("public.organisation", "organisation_id", 1)
    for *values, duplicates in _batched(connection, query):
        if isinstance(duplicates, str):
            duplicates = json.loads(duplicates)
        duplicates = duplicates or ()
        yield (
            *values,
            prefix + str(values[0]),
            [str(item[0]) for item in duplicates],
            [item[1] for item in duplicates],
        )


def _issue_rows(connection: Connection) -> Iterator[tuple]:
    query = select(
        Issue.slug,
        Issue.title,
        Issue.summary,
        Issue.outcome_sought,
        Issue.decision_makers,
        Issue.status,
        Issue.unit_id,
        Issue.started_on,
        Issue.ended_on,
    ).order_by(Issue.slug)
    prefix = _address_prefix("public.issue", "slug", "x")
    for values in _batched(connection, query):
        yield (*values, prefix + values[0])


def _official_rows(connection: Connection) -> Iterator[tuple]:
    query = select(
        Official.id, Official.name, Official.title, Official.unit_id, Official.active
    ).order_by(Official.id)
    prefix = _address_prefix("public.official", "official_id", 1)
    for values in _batched(connection, query):
        yield (*values, prefix + str(values[0]))


def _unit_rows(connection: Connection) -> Iterator[tuple]:
    query = select(Unit.id, Unit.name, Unit.kind, Unit.active).order_by(Unit.id)
    yield from (tuple(values) for values in _batched(connection, query))


def _revision_rows(connection: Connection) -> Iterator[tuple]:
    # A withdrawn or withheld record's content is no longer public, not even in its
    # history: its revisions keep their dates, actions and reasons only.
    # Its content hash stays, so the links of the chain can be checked all the same.
    content_public = Meeting.status == "published"
    earlier = aliased(Revision)
    # The chain hash of the revision before it in the whole register (by id), looked up
    # by the primary key for each row.
    previous_hash = (
        select(earlier.chain_hash)
        .where(earlier.id < Revision.id)
        .order_by(earlier.id.desc())
        .limit(1)
        .correlate(Revision)
        .scalar_subquery()
    )
    query = (
        select(
            Meeting.number,
            Revision.number,
            Revision.action,
            Revision.created_at,
            Revision.reason,
            case((content_public, Revision.before), else_=null()),
            case((content_public, Revision.after), else_=null()),
            Revision.content_hash,
            func.coalesce(previous_hash, history.GENESIS),
            Revision.chain_hash,
        )
        .join(Meeting, Meeting.id == Revision.meeting_id)
        .where(Meeting.status.in_(Meeting.PUBLIC_STATUSES), Meeting.number.is_not(None))
        .order_by(Meeting.number, Revision.number)
    )
    for *values, before, after, content, previous, chained in _batched(connection, query):
        yield (*values, _json_value(before), _json_value(after), content, previous, chained)


def _json_value(value):
    """A JSON column's value: parsed on PostgreSQL, text where CASE hid its type."""
    return json.loads(value) if isinstance(value, str) else value


def _links(link_table, key, *conditions, linked=None) -> Callable[[Connection], Iterator[tuple]]:
    """The rows of a link table of published meetings (a stub no longer says whom it
    was with): the meeting's public number and the key of the linked record (a column of
    the `linked` table, when the link table does not hold it)."""

    def rows(connection: Connection) -> Iterator[tuple]:
        query = (
            select(Meeting.number, key)
            .select_from(link_table)
            .join(Meeting, Meeting.id == link_table.c.meeting_id)
            .where(Meeting.status == "published", *conditions)
            .order_by(Meeting.number, key)
        )
        if linked is not None:
            query = query.join(linked)
        yield from (tuple(values) for values in _batched(connection, query))

    return rows


def _listed_organisation(organisation_id) -> object:
    """Whether the organisation with this id is listed. An EXISTS looked up per link:
    joined instead, SQLite would probe every meeting for every organisation."""
    return (
        select(Organisation.id)
        .where(Organisation.id == organisation_id, listed_organisations())
        .exists()
    )


def _meeting_fields() -> tuple[Field, ...]:
    return tuple(
        Field(
            column.name,
            column.type,
            column.description,
            multi=column.multi,
            required=column.name == "id",
        )
        for column in export.COLUMNS
    )


_MEETING_ID = Field(
    "meeting_id",
    "integer",
    _l("The meeting's public number (id in meetings.csv)."),
    required=True,
)
_UNIT_ID = Field("unit_id", "integer", _l("The unit's id (as in units.csv), if any."))
_PAGE = Field("url", "string", _l("Its page in the register."), format="uri")


def _unit_reference() -> Reference:
    return Reference(("unit_id",), "units", ("id",))


def _meeting_reference() -> Reference:
    return Reference(("meeting_id",), "meetings", ("id",))


RESOURCES: dict[str, Resource] = {
    resource.name: resource
    for resource in (
        Resource(
            "meetings",
            _l("Meetings"),
            _l(
                "Every public record: published ones in full, withdrawn and withheld ones "
                "with their number, date, status and reason. The same columns as the "
                "register's own downloads."
            ),
            _meeting_fields(),
            ("id",),
            (),
            _meeting_rows,
        ),
        Resource(
            "organisations",
            _l("Organisations"),
            _l(
                "The counterparts the region has met. A duplicate merged into another is "
                "listed with the one it was merged into."
            ),
            (
                Field("id", "integer", _l("The organisation's permanent id."), required=True),
                Field("name", "string", _l("Its name."), required=True),
                Field("kind", "string", _l("Its kind."), enum=tuple(ORGANISATION_KINDS)),
                Field(
                    "org_number",
                    "string",
                    _l("Its Swedish organisation number or Danish CVR number, where known."),
                ),
                Field(
                    "eu_transparency_id",
                    "string",
                    _l("Its id in the EU Transparency Register, where known."),
                ),
                Field("country", "string", _l("Its country (ISO 3166-1 alpha-2), where known.")),
                Field("website", "string", _l("Its website, where known.")),
                _PAGE,
                Field(
                    "merged_ids",
                    "string",
                    _l(
                        "The ids of duplicates merged into it: their addresses now lead here, "
                        "and older downloads may still name them."
                    ),
                    multi=True,
                ),
                Field(
                    "merged_names",
                    "string",
                    _l("The names of those duplicates, in the same order."),
                    multi=True,
                ),
            ),
            ("id",),
            (),
            _organisation_rows,
        ),
        Resource(
            "issues",
            _l("Issues"),
            _l("The issues on the region's influence agenda."),
            (
                Field(
                    "slug",
                    "string",
                    _l("The issue's short name, used in addresses and filters."),
                    required=True,
                ),
                Field("title", "string", _l("Its title."), required=True),
                Field("summary", "string", _l("What the issue is about.")),
                Field("outcome_sought", "string", _l("The outcome the region seeks.")),
                Field("decision_makers", "string", _l("The decision-makers the region addresses.")),
                Field(
                    "status",
                    "string",
                    _l("Whether it is pursued still: active or concluded."),
                    enum=tuple(ISSUE_STATUSES),
                ),
                Field(
                    "unit_id",
                    "integer",
                    _l("The responsible unit's id (as in units.csv), if any."),
                ),
                Field("started_on", "date", _l("When the region took it up.")),
                Field("ended_on", "date", _l("When it was concluded.")),
                _PAGE,
            ),
            ("slug",),
            (_unit_reference(),),
            _issue_rows,
        ),
        Resource(
            "officials",
            _l("Officials"),
            _l("The region's officials who take part in meetings."),
            (
                Field("id", "integer", _l("The official's permanent id."), required=True),
                Field("name", "string", _l("Their name."), required=True),
                Field("title", "string", _l("Their title, e.g. regionråd.")),
                _UNIT_ID,
                Field(
                    "active", "boolean", _l("false for an official who no longer logs meetings.")
                ),
                _PAGE,
            ),
            ("id",),
            (_unit_reference(),),
            _official_rows,
        ),
        Resource(
            "units",
            _l("Units"),
            _l(
                "The parts of the region the register covers: council, committees, "
                "administrations, companies and offices."
            ),
            (
                Field("id", "integer", _l("The unit's permanent id."), required=True),
                Field("name", "string", _l("Its name."), required=True),
                Field("kind", "string", _l("Its kind."), enum=tuple(UNIT_KINDS)),
                Field(
                    "active", "boolean", _l("false for a unit no longer offered for new records.")
                ),
            ),
            ("id",),
            (),
            _unit_rows,
        ),
        Resource(
            "revisions",
            _l("Revisions"),
            _l(
                "Every publication, amendment, withdrawal and withholding of a public record, "
                "with the stated reason and the content before and after, each a link of "
                "the register's hash chain. A withdrawn or withheld record's revisions keep "
                "their dates, reasons and hashes only."
            ),
            (
                _MEETING_ID,
                Field(
                    "number",
                    "integer",
                    _l("The revision's number within the record: 1, 2, 3 …"),
                    required=True,
                ),
                Field(
                    "action",
                    "string",
                    _l("publish, amend, withdraw or withhold."),
                    enum=tuple(REVISION_ACTIONS),
                ),
                Field("created_at", "datetime", _l("When it was made (UTC).")),
                Field("reason", "string", _l("The reason stated for it.")),
                Field(
                    "before",
                    "object",
                    _l("The record's content before it, as JSON; empty for a first publication."),
                ),
                Field(
                    "after",
                    "object",
                    _l("The record's content after it, as JSON; empty for a withdrawal."),
                ),
                Field(
                    "content_hash",
                    "string",
                    _l(
                        "SHA-256 (hex) of the revision as canonical JSON: meeting_id, number, "
                        "action, created_at, reason, before and after, keys sorted, no spaces, "
                        "UTF-8. Given also where the content is no longer public."
                    ),
                    required=True,
                ),
                Field(
                    "previous_hash",
                    "string",
                    _l(
                        "The chain hash of the revision made before it in the whole register; "
                        "64 zeros for the first."
                    ),
                    required=True,
                ),
                Field(
                    "chain_hash",
                    "string",
                    _l(
                        "SHA-256 (hex) of previous_hash followed by content_hash: the link that "
                        "chains every revision of the register to the one before it."
                    ),
                    required=True,
                ),
            ),
            ("meeting_id", "number"),
            (_meeting_reference(),),
            _revision_rows,
        ),
        Resource(
            "meeting_officials",
            _l("Meetings and officials"),
            _l("Which officials took part in which published meeting."),
            (
                _MEETING_ID,
                Field(
                    "official_id",
                    "integer",
                    _l("The official's id (as in officials.csv)."),
                    required=True,
                ),
            ),
            ("meeting_id", "official_id"),
            (_meeting_reference(), Reference(("official_id",), "officials", ("id",))),
            _links(meeting_official, meeting_official.c.official_id),
        ),
        Resource(
            "meeting_organisations",
            _l("Meetings and organisations"),
            _l("Which organisations were met at which published meeting."),
            (
                _MEETING_ID,
                Field(
                    "organisation_id",
                    "integer",
                    _l("The organisation's id (as in organisations.csv)."),
                    required=True,
                ),
            ),
            ("meeting_id", "organisation_id"),
            (_meeting_reference(), Reference(("organisation_id",), "organisations", ("id",))),
            _links(
                meeting_organisation,
                meeting_organisation.c.organisation_id,
                # What the organisations resource lists, so that every key has its row.
                _listed_organisation(meeting_organisation.c.organisation_id),
            ),
        ),
        Resource(
            "meeting_issues",
            _l("Meetings and issues"),
            _l("Which issues each published meeting concerned."),
            (
                _MEETING_ID,
                Field(
                    "issue_slug",
                    "string",
                    _l("The issue's short name (slug in issues.csv)."),
                    required=True,
                ),
            ),
            ("meeting_id", "issue_slug"),
            (_meeting_reference(), Reference(("issue_slug",), "issues", ("slug",))),
            _links(meeting_issue, Issue.slug, linked=Issue),
        ),
    )
}


# -- the data package ----------------------------------------------------------------------

LICENCES = {
    "CC0-1.0": {
        "title": "Creative Commons Zero v1.0 Universal",
        "path": "https://creativecommons.org/publicdomain/zero/1.0/",
        "terms": _l(
            "The data is public information, released under Creative Commons Zero (CC0 1.0): "
            "use it freely, without conditions. Naming the register as the source is "
            "appreciated."
        ),
    },
    "CC-BY-4.0": {
        "title": "Creative Commons Attribution 4.0 International",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "terms": _l(
            "The data is public information, released under Creative Commons Attribution "
            "(CC BY 4.0): use it freely, naming the register as the source."
        ),
    },
    "CC-BY-SA-4.0": {
        "title": "Creative Commons Attribution-ShareAlike 4.0 International",
        "path": "https://creativecommons.org/licenses/by-sa/4.0/",
        "terms": _l(
            "The data is public information, released under Creative Commons "
            "Attribution-ShareAlike (CC BY-SA 4.0): use it freely, naming the register as "
            "the source, and share what you make of it under the same licence."
        ),
    },
}


def licence(config) -> dict[str, object]:
    """The configured licence (`DATA_LICENCE`): its SPDX id, title, address and terms.

    An unknown id stops the app at start, so no page ever names a licence it cannot
    explain."""
    name = config["DATA_LICENCE"]
    if name not in LICENCES:
        known = ", ".join(LICENCES)
        raise RuntimeError(f"DATA_LICENCE must be one of {known}, not {name!r}")
    return {"name": name} | LICENCES[name]


def table_schema(resource: Resource) -> dict[str, object]:
    """The resource's fields as a Frictionless Table Schema."""
    fields = []
    for field in resource.fields:
        described = {
            "name": field.name,
            "type": field.type,
            "description": str(field.description),
        }
        if field.format:
            described["format"] = field.format
        constraints = {}
        if field.required:
            constraints["required"] = True
        if field.enum:
            constraints["enum"] = list(field.enum)
        if constraints:
            described["constraints"] = constraints
        fields.append(described)
    schema: dict[str, object] = {"fields": fields, "primaryKey": list(resource.primary_key)}
    if resource.foreign_keys:
        schema["foreignKeys"] = [
            {
                "fields": list(key.fields),
                "reference": {"resource": key.resource, "fields": list(key.reference)},
            }
            for key in resource.foreign_keys
        ]
    return schema


def datapackage(path_of: Callable[[Resource], str], last_change: datetime | None) -> dict:
    """The register as a Frictionless Data Package; `path_of` gives a resource's
    absolute CSV address."""
    chosen = licence(current_app.config)
    package = {
        "name": "paverkansregistret",
        "title": current_app.config["REGISTER_NAME"],
        "homepage": absolute_url("public.data"),
        "licenses": [{key: chosen[key] for key in ("name", "title", "path")}],
        "resources": [
            {
                "name": resource.name,
                "title": str(resource.title),
                "description": str(resource.description),
                "path": path_of(resource),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": table_schema(resource),
            }
            for resource in RESOURCES.values()
        ],
    }
    if last_change is not None:
        package["lastModified"] = _utc(last_change)
    return package


# -- the SQLite file -----------------------------------------------------------------------

_SQLITE_TYPES = {"integer": "INTEGER", "boolean": "INTEGER", "number": "REAL"}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _names(names: Iterable[str]) -> str:
    return ", ".join(_quoted(name) for name in names)


def _create_table(resource: Resource) -> list[str]:
    """CREATE TABLE (with its primary and foreign keys) and indexes for a resource."""
    parts = [
        f"{_quoted(field.name)} {_SQLITE_TYPES.get(field.type, 'TEXT')}"
        + (" NOT NULL" if field.required else "")
        for field in resource.fields
    ]
    parts.append(f"PRIMARY KEY ({_names(resource.primary_key)})")
    for key in resource.foreign_keys:
        parts.append(
            f"FOREIGN KEY ({_names(key.fields)}) "
            f"REFERENCES {_quoted(key.resource)} ({_names(key.reference)})"
        )
    statements = [f"CREATE TABLE {_quoted(resource.name)} (\n  " + ",\n  ".join(parts) + "\n)"]
    for key in resource.foreign_keys:
        if resource.primary_key[: len(key.fields)] != key.fields:
            index = _quoted(f"{resource.name}_{'_'.join(key.fields)}")
            statements.append(
                f"CREATE INDEX {index} ON {_quoted(resource.name)} ({_names(key.fields)})"
            )
    return statements


def write_sqlite(path: str | os.PathLike, connection: Connection) -> None:
    """Write every resource into a new SQLite database file at `path`."""
    target = sqlite3.connect(path)
    try:
        target.execute("PRAGMA journal_mode=OFF")
        target.execute("PRAGMA synchronous=OFF")
        # Referenced tables first, though nothing is checked while the file is written.
        for resource in _referenced_first():
            for statement in _create_table(resource):
                target.execute(statement)
            plan = _plan(resource, "sqlite")
            marks = ", ".join("?" for _field in resource.fields)
            target.executemany(
                f"INSERT INTO {_quoted(resource.name)} VALUES ({marks})",
                (_converted(plan, row) for row in resource.rows(connection)),
            )
        target.commit()
    finally:
        target.close()


def _referenced_first() -> list[Resource]:
    ordered: dict[str, Resource] = {}

    def visit(resource: Resource) -> None:
        if resource.name in ordered:
            return
        for key in resource.foreign_keys:
            if key.resource != resource.name:
                visit(RESOURCES[key.resource])
        ordered[resource.name] = resource

    for resource in RESOURCES.values():
        visit(resource)
    return list(ordered.values())


def snapshot_connection() -> Connection:
    """A connection whose reads all see the register as it was at one moment, so the
    file's foreign keys hold even while someone publishes (a deferred read transaction
    on SQLite in WAL mode, REPEATABLE READ on PostgreSQL); the caller closes it."""
    connection = reading_engine().connect()
    if connection.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    else:
        connection.exec_driver_sql("BEGIN")
    return connection


def open_sqlite(changed: datetime | None) -> BinaryIO:
    """The SQLite file of the register as of its last change `changed`, opened for reading.

    It is written once per change and kept (see keptfiles); a lock lets one request
    write it while the others wait for it.
    """
    target = keptfiles.path_of("register", ".sqlite", changed)
    kept = keptfiles.open_kept(target)
    if kept is not None:
        return kept
    with open(target.parent / "build.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        kept = keptfiles.open_kept(target)  # written while this request waited
        if kept is None:

            def write_snapshot(path: str) -> None:
                with snapshot_connection() as connection:
                    write_sqlite(path, connection)

            keptfiles.write(target, write_snapshot)
            kept = keptfiles.open_kept(target)
        return kept  # the response closes it
