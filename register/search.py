"""Filters over the published register: one parser and one query builder serve the
page, the exports and (later) the feed and the API."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, String, and_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.functions import GenericFunction

from . import vocabulary
from .models import (
    Issue,
    Meeting,
    Official,
    Organisation,
    meeting_issue,
    meeting_official,
    meeting_organisation,
)
from .text import parse_id, parse_iso_date

MAX_QUERY_LENGTH = 200
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class casefold(GenericFunction):  # noqa: N801 (SQL function names are lower case)
    """Text folded for case-insensitive matching, Å/Ä/Ö included.

    PostgreSQL's lower() knows Unicode; SQLite's knows only ASCII, so there it calls the
    Python function that create_app() registers on every SQLite connection.
    """

    type = String()
    inherit_cache = True


@compiles(casefold, "postgresql")
def _casefold_postgresql(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@dataclass
class MeetingFilters:
    """What a visitor asked for, parsed and checked; `errors` says what was wrong."""

    q: str = ""
    official: int | None = None
    organisation: int | None = None
    issue: str | None = None
    kind: str | None = None
    unit: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    format: str | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments, to build links that keep them."""
        args = {
            "q": self.q,
            "official": self.official,
            "organisation": self.organisation,
            "issue": self.issue,
            "kind": self.kind,
            "unit": self.unit,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "format": self.format,
        }
        return {key: str(value) for key, value in args.items() if value not in (None, "")}

    @property
    def looks_at_content(self) -> bool:
        """Whether a filter asks about what a record says; a withdrawn or withheld
        record's stub says nothing, so it can match only filters by date."""
        return bool(
            self.q
            or self.official
            or self.organisation
            or self.issue
            or self.kind
            or self.unit
            or self.format
        )


def parse_filters(args) -> MeetingFilters:
    """Read the SPEC §3 filters from a query string, collecting clear errors."""
    filters = MeetingFilters()
    errors = filters.errors

    q = " ".join(args.get("q", "").split())
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = _("The search text may be at most %(n)d characters.", n=MAX_QUERY_LENGTH)
    filters.q = q[:MAX_QUERY_LENGTH]

    for name in ("official", "organisation", "unit"):
        raw = args.get(name, "").strip()
        if not raw:
            continue
        record_id = parse_id(raw)
        if record_id is None:
            errors[name] = _("“%(value)s” is not a valid id.", value=raw[:40])
        setattr(filters, name, record_id)

    issue = args.get("issue", "").strip()
    if issue:
        if len(issue) <= 100 and SLUG.fullmatch(issue):
            filters.issue = issue
        else:
            errors["issue"] = _("“%(value)s” is not a valid issue.", value=issue[:40])

    for name, choices in (
        ("kind", vocabulary.ORGANISATION_KINDS),
        ("format", vocabulary.MEETING_FORMATS),
    ):
        raw = args.get(name, "").strip()
        if not raw:
            continue
        if raw in choices:
            setattr(filters, name, raw)
        else:
            errors[name] = _("“%(value)s” is not one of the allowed values.", value=raw[:40])

    for arg, attribute in (("from", "date_from"), ("to", "date_to")):
        raw = args.get(arg, "").strip()
        if not raw:
            continue
        day = parse_iso_date(raw)
        if day is None:
            errors[arg] = _("“%(value)s” is not a date in the form YYYY-MM-DD.", value=raw[:40])
        setattr(filters, attribute, day)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors["to"] = _("The end date is before the start date.")
    return filters


def published_meetings(filters: MeetingFilters, *, stubs: bool = False) -> Select:
    """Published meetings matching the filters, newest first.

    With `stubs` (the exports), withdrawn and withheld records come too, so the numbers
    have no silent holes, but only while no filter looks at content they no longer show.
    """
    if stubs and not filters.looks_at_content:
        query = select(Meeting).where(Meeting.status.in_(Meeting.PUBLIC_STATUSES))
    else:
        query = select(Meeting).where(Meeting.status == "published")
    if filters.q:
        pattern = filters.q.casefold()
        query = query.where(
            or_(
                casefold(Meeting.subject).contains(pattern, autoescape=True),
                casefold(Meeting.summary).contains(pattern, autoescape=True),
            )
        )
    if filters.official:
        query = query.where(
            _linked(meeting_official, meeting_official.c.official_id == filters.official)
        )
    if filters.unit:
        query = query.where(_linked(meeting_official, Official.unit_id == filters.unit, Official))
    if filters.organisation:
        query = query.where(
            _linked(
                meeting_organisation,
                meeting_organisation.c.organisation_id == filters.organisation,
            )
        )
    if filters.kind:
        query = query.where(
            _linked(meeting_organisation, Organisation.kind == filters.kind, Organisation)
        )
    if filters.issue:
        query = query.where(_linked(meeting_issue, Issue.slug == filters.issue, Issue))
    if filters.date_from:
        query = query.where(Meeting.held_on >= filters.date_from)
    if filters.date_to:
        query = query.where(Meeting.held_on <= filters.date_to)
    if filters.format:
        query = query.where(Meeting.format == filters.format)
    return query.order_by(Meeting.held_on.desc(), Meeting.number.desc())


def _linked(link_table, condition, joined_model=None):
    """Meetings linked through an association table to something matching `condition`."""
    meeting_ids = select(link_table.c.meeting_id)
    if joined_model is not None:
        meeting_ids = meeting_ids.join(joined_model)
    return Meeting.id.in_(meeting_ids.where(condition))


def with_links(query: Select) -> Select:
    """Load officials, organisations and issues in a few queries, not one per row."""
    return query.options(
        selectinload(Meeting.officials),
        selectinload(Meeting.organisations),
        selectinload(Meeting.issues),
    )


def encode_cursor(meeting: Meeting) -> str:
    """An opaque token for the position just after this meeting."""
    raw = f"{meeting.held_on.isoformat()}.{meeting.number}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[date, int] | None:
    """The position a token stands for, or None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        day, number = raw.split(".")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    held_on, number = parse_iso_date(day), parse_id(number)
    return None if held_on is None or number is None else (held_on, number)


def after_cursor(query: Select, position: tuple[date, int]) -> Select:
    """Keyset pagination: rows after the position in (held_on, number) descending order."""
    held_on, number = position
    return query.where(
        or_(
            Meeting.held_on < held_on,
            and_(Meeting.held_on == held_on, Meeting.number < number),
        )
    )
