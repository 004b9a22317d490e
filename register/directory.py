"""The register's issues, organisations, officials and units as public data, each with
the public numbers of its published meetings (the JSON API reads them here).

One definition per entity: `FIELDS` names what an item holds, with its JSON type, and the
query below selects exactly those values. The meeting numbers come in the same query,
grouped per item in one aggregate, however many meetings there are. Only public
things appear: organisations that only drafts name are unknown here, merged duplicates
are not listed, and withdrawn or withheld records, which no longer say whom they were
with, are in no list of numbers.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from sqlalchemy import JSON, Select, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from .export import absolute_url
from .extensions import db
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
from .profiles import likely, listed_organisations
from .text import parse_id
from .vocabulary import ISSUE_STATUSES, ORGANISATION_KINDS, UNIT_KINDS


@dataclass(frozen=True)
class Field:
    """One value of an item: its name, JSON Schema type and meaning (English: the API's
    own documentation is written in English)."""

    name: str
    type: str  # "integer", "string" or "boolean"
    description: str
    nullable: bool = False
    format: str | None = None  # "date", "uri"
    enum: tuple[str, ...] | None = None


def _id(what: str) -> Field:
    return Field("id", "integer", f"The {what}'s permanent id.")


_URL = Field("url", "string", "The public page about it.", format="uri")
_MEETINGS = Field(
    "meetings",
    "array",
    "The public numbers of its published meetings, in ascending order "
    "(see /api/v1/meetings/{number}).",
)

FIELDS: dict[str, tuple[Field, ...]] = {
    "issues": (
        _id("issue"),
        Field(
            "slug",
            "string",
            "Its short name, used in addresses and the `issue` filter; fixed once a "
            "public record concerns the issue.",
        ),
        Field("title", "string", "The issue's title."),
        Field("summary", "string", "What the issue is about."),
        Field("outcome_sought", "string", "The outcome the region seeks."),
        Field("decision_makers", "string", "The decision-makers the region addresses."),
        Field("status", "string", "Whether it is pursued still.", enum=tuple(ISSUE_STATUSES)),
        Field("unit_id", "integer", "The responsible unit's id.", nullable=True),
        Field("unit", "string", "The responsible unit's name.", nullable=True),
        Field("started_on", "string", "When the region took it up.", True, "date"),
        Field("ended_on", "string", "When the issue was concluded.", True, "date"),
        _URL,
        _MEETINGS,
    ),
    "organisations": (
        _id("organisation"),
        Field("name", "string", "The organisation's name."),
        Field("kind", "string", "Its kind.", enum=tuple(ORGANISATION_KINDS)),
        Field(
            "org_number",
            "string",
            "Its Swedish organisation number or Danish CVR number, where known.",
            nullable=True,
        ),
        Field(
            "eu_transparency_id",
            "string",
            "Its id in the EU Transparency Register, where known.",
            nullable=True,
        ),
        Field("country", "string", "Its country (ISO 3166-1 alpha-2).", nullable=True),
        Field("website", "string", "Its website.", nullable=True),
        _URL,
        _MEETINGS,
    ),
    "officials": (
        _id("official"),
        Field("name", "string", "The official's name."),
        Field("title", "string", "Their title, e.g. regionråd."),
        Field("unit_id", "integer", "Their unit's id.", nullable=True),
        Field("unit", "string", "Their unit's name.", nullable=True),
        Field("active", "boolean", "False for an official who no longer logs meetings."),
        _URL,
        _MEETINGS,
    ),
    "units": (
        _id("unit"),
        Field("name", "string", "The unit's name."),
        Field("kind", "string", "Its kind.", enum=tuple(UNIT_KINDS)),
        Field("active", "boolean", "False for a unit no longer offered for new records."),
        Field("url", "string", "The register filtered to the unit's meetings.", format="uri"),
        Field(
            "meetings",
            "array",
            "The public numbers of the published meetings its officials took part in, "
            "in ascending order.",
        ),
    ),
}


class json_numbers(GenericFunction):  # noqa: N801 (SQL function names are lower case)
    """The values of a group as one JSON array: json_group_array on SQLite, json_agg on
    PostgreSQL."""

    type = JSON()
    inherit_cache = True


@compiles(json_numbers, "sqlite")
def _json_numbers_sqlite(element, compiler, **kw):
    return f"json_group_array({compiler.process(element.clauses, **kw)})"


@compiles(json_numbers, "postgresql")
def _json_numbers_postgresql(element, compiler, **kw):
    return f"json_agg({compiler.process(element.clauses, **kw)})"


def _numbers_by(owner, link_table, *joins, ids: list[int] | None = None):
    """The numbers of the published meetings of each owner (an issue, organisation,
    official or unit id), grouped in one pass: for the whole list, over the meetings'
    status index; for a few owners (`ids`), from their links."""
    published = Meeting.status == "published"
    query = select(owner.label("owner"), json_numbers(Meeting.number).label("numbers")).join(
        link_table, link_table.c.meeting_id == Meeting.id
    )
    for join in joins:
        query = query.join(*join)
    if ids is not None:
        # Nearly every meeting is published: the planner must start from the links.
        query = query.where(owner.in_(ids))
        published = likely(published)
    return query.where(published).group_by(owner).subquery()


def _numbers(value) -> list[int]:
    """The aggregate as the driver gives it (text on SQLite, NULL for none), sorted, each
    number once."""
    if isinstance(value, str):
        value = json.loads(value)
    return sorted(set(value or ()))


def _item(entity: str, values, url: str) -> dict[str, object]:
    *own, meetings = values
    item = {}
    for field, value in zip(FIELDS[entity], own, strict=False):
        item[field.name] = value.isoformat() if field.format == "date" and value else value
    return item | {"url": url, "meetings": _numbers(meetings)}


def _restricted(query: Select, model, ids: list[int] | None) -> Select:
    return query if ids is None else query.where(model.id.in_(ids))


# -- issues ------------------------------------------------------------------------------


def _issues(ids: list[int] | None = None) -> Select:
    numbers = _numbers_by(meeting_issue.c.issue_id, meeting_issue, ids=ids)
    query = (
        select(
            Issue.id,
            Issue.slug,
            Issue.title,
            Issue.summary,
            Issue.outcome_sought,
            Issue.decision_makers,
            Issue.status,
            Issue.unit_id,
            Unit.name.label("unit"),
            Issue.started_on,
            Issue.ended_on,
            numbers.c.numbers,
        )
        .outerjoin(Unit, Unit.id == Issue.unit_id)
        .outerjoin(numbers, numbers.c.owner == Issue.id)
        .order_by(Issue.title, Issue.id)
    )
    return _restricted(query, Issue, ids)


def _issue_item(values) -> dict[str, object]:
    return _item("issues", values, absolute_url("public.issue", slug=values.slug))


def issues() -> list[dict[str, object]]:
    """Every issue on the agenda, by title."""
    return [_issue_item(values) for values in db.session.execute(_issues())]


def issue(slug: str) -> dict[str, object] | None:
    if len(slug) > 100:
        return None
    issue_id = db.session.scalar(select(Issue.id).where(Issue.slug == slug))
    if issue_id is None:
        return None
    return _issue_item(db.session.execute(_issues([issue_id])).one())


# -- organisations -----------------------------------------------------------------------


def _organisations(ids: list[int]) -> Select:
    numbers = _numbers_by(meeting_organisation.c.organisation_id, meeting_organisation, ids=ids)
    return (
        select(
            Organisation.id,
            Organisation.name,
            Organisation.kind,
            Organisation.org_number,
            Organisation.eu_transparency_id,
            Organisation.country,
            Organisation.website,
            numbers.c.numbers,
        )
        .outerjoin(numbers, numbers.c.owner == Organisation.id)
        .where(Organisation.id.in_(ids), listed_organisations())
        .order_by(Organisation.id)
    )


def _organisation_item(values) -> dict[str, object]:
    url = absolute_url("public.organisation", organisation_id=values.id)
    return _item("organisations", values, url)


def organisations(after: int | None, limit: int) -> tuple[list[dict[str, object]], bool]:
    """Public organisations not merged into another, by id, `limit` after the id `after`;
    and whether more follow."""
    page = select(Organisation.id).where(listed_organisations())
    if after is not None:
        page = page.where(Organisation.id > after)
    ids = list(db.session.scalars(page.order_by(Organisation.id).limit(limit + 1)))
    rows = db.session.execute(_organisations(ids[:limit])) if ids else []
    return [_organisation_item(values) for values in rows], len(ids) > limit


def organisation(organisation_id: int) -> dict[str, object] | None:
    """A listed organisation (public, not merged), or None."""
    values = db.session.execute(_organisations([organisation_id])).first()
    return _organisation_item(values) if values else None


def encode_after(record_id: int) -> str:
    """An opaque token for the position after the record with this id."""
    return base64.urlsafe_b64encode(f"after.{record_id}".encode()).decode().rstrip("=")


def decode_after(token: str) -> int | None:
    """The id a token of `encode_after` stands for, or None when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    prefix, _dot, record_id = raw.partition(".")
    return parse_id(record_id) if prefix == "after" else None


# -- officials and units -----------------------------------------------------------------


def _officials(ids: list[int] | None = None) -> Select:
    numbers = _numbers_by(meeting_official.c.official_id, meeting_official, ids=ids)
    query = (
        select(
            Official.id,
            Official.name,
            Official.title,
            Official.unit_id,
            Unit.name.label("unit"),
            Official.active,
            numbers.c.numbers,
        )
        .outerjoin(Unit, Unit.id == Official.unit_id)
        .outerjoin(numbers, numbers.c.owner == Official.id)
        .order_by(Official.name, Official.id)
    )
    return _restricted(query, Official, ids)


def _official_item(values) -> dict[str, object]:
    url = absolute_url("public.official", official_id=values.id)
    return _item("officials", values, url)


def officials() -> list[dict[str, object]]:
    """Every official, by name."""
    return [_official_item(values) for values in db.session.execute(_officials())]


def official(official_id: int) -> dict[str, object] | None:
    values = db.session.execute(_officials([official_id])).first()
    return _official_item(values) if values else None


def _units(ids: list[int] | None = None) -> Select:
    # The meetings any of the unit's officials took part in: the `unit` filter's meetings.
    numbers = _numbers_by(
        Official.unit_id,
        meeting_official,
        (Official, Official.id == meeting_official.c.official_id),
        ids=ids,
    )
    query = (
        select(Unit.id, Unit.name, Unit.kind, Unit.active, numbers.c.numbers)
        .outerjoin(numbers, numbers.c.owner == Unit.id)
        .order_by(Unit.name, Unit.id)
    )
    return _restricted(query, Unit, ids)


def _unit_item(values) -> dict[str, object]:
    return _item("units", values, absolute_url("public.meetings", unit=values.id))


def units() -> list[dict[str, object]]:
    """Every unit, by name."""
    return [_unit_item(values) for values in db.session.execute(_units())]


def unit(unit_id: int) -> dict[str, object] | None:
    values = db.session.execute(_units([unit_id])).first()
    return _unit_item(values) if values else None
