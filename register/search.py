"""Filters over the published register: one parser and one query builder serve the
page, the exports and (later) the feed and the API."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, String, and_, extract, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.functions import GenericFunction

from . import freshness, fulltext, vocabulary
from .extensions import db
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
# How a list can be ordered: by the day the meeting was held, or newly published first.
SORT_ORDERS = ("held", "published")


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
    issues: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    unit: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    formats: tuple[str, ...] = ()
    sort: str = "held"
    errors: dict[str, str] = field(default_factory=dict)

    def as_args(self, **changes) -> dict[str, str | list[str]]:
        """The filters as query-string arguments, to build links that keep them.

        Several issues, kinds or formats become a repeated argument (`url_for` takes
        lists); `changes` replace or (with None) drop arguments.
        """
        args = {
            "q": self.q,
            "official": self.official,
            "organisation": self.organisation,
            "issue": list(self.issues),
            "kind": list(self.kinds),
            "unit": self.unit,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "format": list(self.formats),
            "sort": None if self.sort == "held" else self.sort,
        } | changes
        return {
            key: value if isinstance(value, list) else str(value)
            for key, value in args.items()
            if value not in (None, "", [])
        }

    @property
    def active_count(self) -> int:
        """How many filters narrow the list (the sort order is not one)."""
        return (
            sum(
                bool(value)
                for value in (
                    self.q,
                    self.official,
                    self.organisation,
                    self.unit,
                    self.date_from,
                    self.date_to,
                )
            )
            + len(self.issues)
            + len(self.kinds)
            + len(self.formats)
        )

    @property
    def key(self) -> tuple:
        """The filters as a hashable value, the same for the same list whatever the order
        of the arguments (the sort order is not part of it)."""
        return tuple(
            (name, tuple(value) if isinstance(value, list) else value)
            for name, value in sorted(self.as_args(sort=None).items())
        )

    @property
    def looks_at_content(self) -> bool:
        """Whether a filter asks about what a record says; a withdrawn or withheld
        record's stub says nothing, so it can match only filters by date."""
        return bool(
            self.q
            or self.official
            or self.organisation
            or self.issues
            or self.kinds
            or self.unit
            or self.formats
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

    issues = _values(args, "issue")
    for issue in issues:
        if len(issue) > 100 or not SLUG.fullmatch(issue):
            errors["issue"] = _("“%(value)s” is not a valid issue.", value=issue[:40])
    filters.issues = issues

    for name, attribute, choices in (
        ("kind", "kinds", vocabulary.ORGANISATION_KINDS),
        ("format", "formats", vocabulary.MEETING_FORMATS),
    ):
        values = _values(args, name)
        for value in values:
            if value not in choices:
                errors[name] = _("“%(value)s” is not one of the allowed values.", value=value[:40])
        setattr(filters, attribute, values)

    sort = args.get("sort", "").strip()
    if sort and sort not in SORT_ORDERS:
        errors["sort"] = _("“%(value)s” is not one of the allowed values.", value=sort[:40])
    elif sort:
        filters.sort = sort

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


MAX_VALUES = 50


def _values(args, name: str) -> tuple[str, ...]:
    """A repeated argument's distinct non-empty values, in the order given.

    `getlist` exists on a request's arguments; a plain dict (a test, the API) gives one.
    """
    raw = args.getlist(name) if hasattr(args, "getlist") else [args.get(name, "")]
    values = dict.fromkeys(value.strip() for value in raw[:MAX_VALUES] if value.strip())
    return tuple(values)


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
        # Words, not substrings, in the record's text and the names it links to.
        query = query.where(fulltext.matching(filters.q))
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
    if filters.kinds:
        query = query.where(
            _linked(meeting_organisation, Organisation.kind.in_(filters.kinds), Organisation)
        )
    if filters.issues:
        # The issues' ids first: PostgreSQL plans the link table far better against known
        # ids than through a join on the slug.
        issue_ids = db.session.scalars(select(Issue.id).where(Issue.slug.in_(filters.issues)))
        query = query.where(_linked(meeting_issue, meeting_issue.c.issue_id.in_(list(issue_ids))))
    if filters.date_from:
        query = query.where(Meeting.held_on >= filters.date_from)
    if filters.date_to:
        query = query.where(Meeting.held_on <= filters.date_to)
    if filters.formats:
        query = query.where(Meeting.format.in_(filters.formats))
    if filters.sort == "published":
        # Numbers are given at first publication, in order: the newest number is the
        # most recently published record.
        return query.order_by(Meeting.number.desc())
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


class Position(NamedTuple):
    """Where a page starts: just after this meeting, which was row `offset` of the list."""

    held_on: date
    number: int
    offset: int


def encode_cursor(meeting: Meeting, offset: int) -> str:
    """An opaque token for the position just after this meeting (row `offset`)."""
    raw = f"{meeting.held_on.isoformat()}.{meeting.number}.{offset}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> Position | None:
    """The position a token stands for, or None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        day, number, offset = raw.split(".")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    held_on, number, offset = parse_iso_date(day), parse_id(number), parse_id(offset)
    if held_on is None or number is None or offset is None:
        return None
    return Position(held_on, number, offset)


def after_cursor(query: Select, position: Position, sort: str = "held") -> Select:
    """Keyset pagination: rows after the position in the list's order."""
    if sort == "published":
        return query.where(Meeting.number < position.number)
    return query.where(
        or_(
            Meeting.held_on < position.held_on,
            and_(Meeting.held_on == position.held_on, Meeting.number < position.number),
        )
    )


# -- facets: how the current result divides, for the filter form's counts ---------------


@dataclass
class Facets:
    """Counts for the filter form. Each dimension is counted under every filter but its
    own (so the count beside an unticked issue is the list you get by adding it, and
    ticking a second one widens the list rather than emptying it)."""

    issues: dict[str, int]
    kinds: dict[str, int]
    units: dict[int, int]
    years: dict[int, int]
    formats: dict[str, int]


def count_meetings(filters: MeetingFilters, query: Select) -> int:
    """How many meetings the list of these filters holds, counting no further than one
    past the LIST_COUNT_LIMIT setting (counting every match of a common word in a million
    meetings takes a second). A search alone is counted in its index alone."""
    limit = current_app.config["LIST_COUNT_LIMIT"]
    if filters.q and replace(filters, q="", sort="held") == MeetingFilters():
        return fulltext.count(filters.q, limit + 1)
    return count_listed(query, limit)


def count_listed(query: Select, at_most: int) -> int:
    """How many rows the query lists, counting no further than one past `at_most` (a list
    can then say "more than …" without a pass over every match)."""
    return db.session.scalar(
        select(func.count()).select_from(query.order_by(None).limit(at_most + 1).subquery())
    )


def facet_counts(filters: MeetingFilters, listed: int) -> Facets:
    """How many of the listed meetings each filter value would keep.

    `listed` is the list's length as count_meetings gives it. Counting how a list divides
    takes a pass over every meeting in it: a list of up to the FACET_LIVE_LIMIT setting is
    counted on each request, a longer one once per change of the register.
    """
    limit = current_app.config["FACET_LIVE_LIMIT"]

    def meeting_ids(base: MeetingFilters):
        return published_meetings(base).with_only_columns(Meeting.id).order_by(None)

    def grouped(key, link_table, joined):
        def count(base: MeetingFilters) -> dict:
            query = (
                select(key, func.count(func.distinct(link_table.c.meeting_id)))
                .select_from(link_table)
                .join(joined)
                .where(link_table.c.meeting_id.in_(meeting_ids(base)))
                .group_by(key)
            )
            return {value: n for value, n in db.session.execute(query) if value is not None}

        return count

    def by_column(column, label=lambda value: value):
        def count(base: MeetingFilters) -> dict:
            ids = meeting_ids(base).subquery()
            query = (
                select(column, func.count())
                .select_from(Meeting)
                .where(Meeting.id.in_(select(ids.c.id)))
                .group_by(column)
            )
            return {label(value): n for value, n in db.session.execute(query)}

        return count

    # Each dimension: the filters it is counted under (all but its own), and how.
    dimensions = {
        "issues": ({"issues": ()}, grouped(Issue.slug, meeting_issue, Issue)),
        "kinds": ({"kinds": ()}, grouped(Organisation.kind, meeting_organisation, Organisation)),
        "units": ({"unit": None}, grouped(Official.unit_id, meeting_official, Official)),
        "years": (
            {"date_from": None, "date_to": None},
            by_column(extract("year", Meeting.held_on), int),
        ),
        "formats": ({"formats": ()}, by_column(Meeting.format)),
    }
    counts = {}
    for name, (without, count) in dimensions.items():
        base = replace(filters, **without)
        size = listed if base == filters else count_listed(meeting_ids(base), limit)
        if size <= limit:
            counts[name] = count(base)
        else:
            counts[name] = freshness.memoised(("facets", name, base.key), partial(count, base))
    return Facets(**counts)
