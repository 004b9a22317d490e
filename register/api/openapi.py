"""The API described in OpenAPI 3.1, built from the definitions the responses are built
from: the export's columns (a meeting) and the directory's fields (the other items).

Written in English whatever the visitor's language: it documents an interface.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale

from .. import directory, export, search, vocabulary
from ..text import MAX_ID
from . import DEFAULT_LIMIT, MAX_LIMIT, MEETING_PARAMETERS, PAGE_PARAMETERS

# The export's columns a withdrawn or withheld record's stub keeps a value in; the other
# columns of a stub are null (or an empty list).
ALWAYS_GIVEN = ("id", "date", "status", "url")
JSON_TYPES = {
    "integer": {"type": "integer"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "string": {"type": "string"},
}
# Columns whose values come from a fixed vocabulary.
COLUMN_VALUES = {
    "status": tuple(status for status in vocabulary.MEETING_STATUSES if status != "draft"),
    "format": tuple(vocabulary.MEETING_FORMATS),
    "initiative": tuple(vocabulary.INITIATIVES),
}


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _nullable(schema: dict) -> dict:
    schema = dict(schema)
    schema["type"] = [schema["type"], "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return schema


def meeting_schema() -> dict:
    """A meeting as `export.json_record` gives it: every column of the CSV contract."""
    properties = {}
    for column in export.COLUMNS:
        if column.multi:
            schema = {"type": "array", "items": {"type": "string"}}
        else:
            schema = dict(JSON_TYPES[column.type])
            if column.name in COLUMN_VALUES:
                schema["enum"] = list(COLUMN_VALUES[column.name])
            if column.name == "url":
                schema["format"] = "uri"
            if column.name == "id":
                schema["minimum"] = 1
            if column.name not in ALWAYS_GIVEN:
                schema = _nullable(schema)
        properties[column.name] = schema | {"description": str(column.description)}
    return {
        "type": "object",
        "description": "A record, with the keys and values of the JSON export "
        "(/meetings.json). A withdrawn or withheld record is a stub: only id, date, "
        "status, url, withdrawn_at, reason and legal_ground have values.",
        "properties": properties,
        "required": list(export.COLUMN_NAMES),
        "additionalProperties": False,
    }


def entity_schema(entity: str) -> dict:
    """An issue, organisation, official or unit, from the directory's fields."""
    properties = {}
    for field in directory.FIELDS[entity]:
        if field.type == "array":
            schema = {"type": "array", "items": {"type": "integer", "minimum": 1}}
        else:
            schema = {"type": field.type}
            if field.format:
                schema["format"] = field.format
            if field.enum:
                schema["enum"] = list(field.enum)
            if field.nullable:
                schema = _nullable(schema)
        properties[field.name] = schema | {"description": field.description}
    return {
        "type": "object",
        "properties": properties,
        "required": [field.name for field in directory.FIELDS[entity]],
        "additionalProperties": False,
    }


def _list_schema(key: str, item: str, paged: bool) -> dict:
    properties = {key: {"type": "array", "items": _ref("schemas", item)}}
    if paged:
        properties["next"] = {
            "type": ["string", "null"],
            "format": "uri",
            "description": "The address of the next page; null on the last.",
        }
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _query(name: str, description: str, schema: dict, **extra) -> dict:
    return {"name": name, "in": "query", "description": description, "schema": schema} | extra


def _repeated(name: str, description: str, items: dict) -> dict:
    return _query(
        name,
        description + " Repeat the parameter for several (any of them matches).",
        {"type": "array", "items": items, "maxItems": search.MAX_VALUES},
        style="form",
        explode=True,
    )


ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
SLUG_SCHEMA = {"type": "string", "pattern": search.SLUG.pattern, "maxLength": 100}


def parameters() -> dict:
    date_schema = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    return {
        "q": _query(
            "q",
            "Full text: words in the record's text and in the names it links to.",
            {"type": "string", "maxLength": search.MAX_QUERY_LENGTH},
        ),
        "official": _query("official", "An official's id.", ID_SCHEMA),
        "organisation": _query(
            "organisation",
            "An organisation's id. A merged duplicate's id answers 301 to the same "
            "request with the kept organisation's.",
            ID_SCHEMA,
        ),
        "unit": _query(
            "unit", "A unit's id: meetings any of its officials took part in.", ID_SCHEMA
        ),
        "issue": _repeated("issue", "An issue's slug.", SLUG_SCHEMA),
        "kind": _repeated(
            "kind",
            "An organisation kind: meetings with an organisation of that kind.",
            {"type": "string", "enum": list(vocabulary.ORGANISATION_KINDS)},
        ),
        "format": _repeated(
            "format",
            "How the meeting was held.",
            {"type": "string", "enum": list(vocabulary.MEETING_FORMATS)},
        ),
        "from": _query("from", "Meetings held on or after this day (YYYY-MM-DD).", date_schema),
        "to": _query(
            "to",
            "Meetings held on or before this day (YYYY-MM-DD), not before `from`.",
            date_schema,
        ),
        "sort": _query(
            "sort",
            "held: by the day the meeting was held, newest first (the default); "
            "published: newly published first.",
            {"type": "string", "enum": list(search.SORT_ORDERS), "default": "held"},
        ),
        "cursor": _query(
            "cursor",
            "Where a page starts: take it from the previous page's `next`, never build it.",
            {"type": "string", "maxLength": 200},
        ),
        "limit": _query(
            "limit",
            "How many items a page holds.",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        ),
        "number": {
            "name": "number",
            "in": "path",
            "required": True,
            "description": "The record's public number.",
            "schema": ID_SCHEMA,
        },
        "slug": {
            "name": "slug",
            "in": "path",
            "required": True,
            "description": "The issue's slug (as in the `issue` filter and /issues/{slug}).",
            "schema": SLUG_SCHEMA,
        },
        "id": {
            "name": "id",
            "in": "path",
            "required": True,
            "description": "The permanent id.",
            "schema": ID_SCHEMA,
        },
        "If-None-Match": {
            "name": "If-None-Match",
            "in": "header",
            "description": "The ETag of the copy the client holds: 304 while it is current.",
            "schema": {"type": "string"},
        },
        "If-Modified-Since": {
            "name": "If-Modified-Since",
            "in": "header",
            "description": "The Last-Modified of the copy the client holds (an HTTP date): "
            "304 while it is current.",
            "schema": {"type": "string"},
        },
    }


def _headers(paged: bool) -> dict:
    headers = {
        "ETag": _ref("headers", "ETag"),
        "Last-Modified": _ref("headers", "Last-Modified"),
    }
    if paged:
        headers["Link"] = _ref("headers", "Link")
    return headers


def _operation(
    operation_id: str,
    summary: str,
    params: list[str],
    schema: dict,
    *,
    item: bool = False,
    paged: bool = False,
    moved: bool = False,
) -> dict:
    responses = {
        "200": {
            "description": "OK",
            "headers": _headers(paged),
            "content": {"application/json": {"schema": schema}},
        }
    }
    if moved:
        responses["301"] = _ref("responses", "Moved")
    responses["304"] = _ref("responses", "NotModified")
    responses["400"] = _ref("responses", "BadRequest")
    if item:
        responses["404"] = _ref("responses", "NotFound")
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [_ref("parameters", name) for name in params]
            + [_ref("parameters", "If-None-Match"), _ref("parameters", "If-Modified-Since")],
            "responses": responses,
        }
    }


def paths() -> dict:
    def schema(name: str) -> dict:
        return _ref("schemas", name)

    return {
        "/meetings": _operation(
            "listMeetings",
            "Published records matching the filters of /meetings, newest first, a page at "
            "a time; withdrawn and withheld stubs too while no filter looks at content.",
            list(MEETING_PARAMETERS),
            schema("MeetingPage"),
            paged=True,
            moved=True,
        ),
        "/meetings/{number}": _operation(
            "getMeeting",
            "One record by its public number (a stub if withdrawn or withheld).",
            ["number"],
            schema("Meeting"),
            item=True,
        ),
        "/issues": _operation("listIssues", "The issue agenda, by title.", [], schema("IssueList")),
        "/issues/{slug}": _operation(
            "getIssue", "One issue, by its slug.", ["slug"], schema("Issue"), item=True
        ),
        "/organisations": _operation(
            "listOrganisations",
            "Public organisations (merged duplicates left out), by id, a page at a time.",
            list(PAGE_PARAMETERS),
            schema("OrganisationPage"),
            paged=True,
        ),
        "/organisations/{id}": _operation(
            "getOrganisation",
            "One organisation; a merged duplicate answers 301 to the one kept.",
            ["id"],
            schema("Organisation"),
            item=True,
            moved=True,
        ),
        "/officials": _operation(
            "listOfficials", "The region's officials, by name.", [], schema("OfficialList")
        ),
        "/officials/{id}": _operation(
            "getOfficial", "One official.", ["id"], schema("Official"), item=True
        ),
        "/units": _operation(
            "listUnits", "The parts of the public body, by name.", [], schema("UnitList")
        ),
        "/units/{id}": _operation("getUnit", "One unit.", ["id"], schema("Unit"), item=True),
        "/openapi.json": _operation(
            "getOpenAPI", "This document (OpenAPI 3.1).", [], {"type": "object"}
        ),
    }


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("schemas", "Error")}},
    }


def components() -> dict:
    return {
        "schemas": {
            "Meeting": meeting_schema(),
            "MeetingPage": _list_schema("meetings", "Meeting", paged=True),
            "Issue": entity_schema("issues"),
            "IssueList": _list_schema("issues", "Issue", paged=False),
            "Organisation": entity_schema("organisations"),
            "OrganisationPage": _list_schema("organisations", "Organisation", paged=True),
            "Official": entity_schema("officials"),
            "OfficialList": _list_schema("officials", "Official", paged=False),
            "Unit": entity_schema("units"),
            "UnitList": _list_schema("units", "Unit", paged=False),
            "Error": {
                "type": "object",
                "properties": {
                    "error": {"type": "string", "description": "What was wrong."},
                    "fields": {
                        "type": "object",
                        "description": "Each bad parameter, with what was wrong with it.",
                        "additionalProperties": {"type": "string"},
                    },
                },
                "required": ["error", "fields"],
                "additionalProperties": False,
            },
        },
        "parameters": parameters(),
        "headers": {
            "ETag": {
                "description": "Changes whenever the public register changes.",
                "schema": {"type": "string"},
            },
            "Last-Modified": {
                "description": "When the public register last changed.",
                "schema": {"type": "string"},
            },
            "Link": {
                "description": 'The next page, as <address>; rel="next" (absent on the last).',
                "schema": {"type": "string"},
            },
        },
        "responses": {
            "NotModified": {"description": "The client's copy is current."},
            "BadRequest": _error(
                "A bad or unknown parameter; `fields` names each one. Unknown parameters "
                "are refused, not ignored."
            ),
            "NotFound": _error("Nothing public has this number, slug or id."),
            "Moved": {
                "description": "A merged organisation: the same request for the one kept.",
                "headers": {"Location": {"schema": {"type": "string"}}},
            },
        },
    }


def api_root() -> str:
    """The API's absolute address, without a trailing slash."""
    return export.absolute_url("api.openapi_document").removesuffix("/openapi.json")


def document() -> dict:
    """The whole OpenAPI document, with this register's address as its server."""
    with force_locale("en"):
        return {
            "openapi": "3.1.0",
            "info": {
                "title": f"{current_app.config['REGISTER_NAME']}: API",
                "version": "1",
                "description": (
                    "The public register as JSON, read-only: no key, open to any origin "
                    "(CORS). Lists are newest first and paged with an opaque cursor: follow "
                    "`next` (also the Link header) until it is null. Every response has an "
                    "ETag and Last-Modified from the register's last change; send them "
                    "back (If-None-Match, If-Modified-Since) to get 304 while nothing "
                    "changed. Drafts are never shown; a withdrawn or withheld record is a "
                    "stub with its date, status and reason."
                ),
                "license": {
                    "name": "CC0-1.0",
                    "url": "https://creativecommons.org/publicdomain/zero/1.0/",
                },
            },
            "servers": [{"url": api_root()}],
            "paths": paths(),
            "components": components(),
        }
