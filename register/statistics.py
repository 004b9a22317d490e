"""Figures for the statistics page, over the published meetings that match the register's
filters (search.published_meetings): per month, by kind of organisation, the
organisations and officials met most, by issue, initiative and format, and how promptly
records were published.

Every figure is counted by the database (GROUP BY) over the filtered query itself, never
by loading the meetings: no `id IN (…)` list of matching meetings is built, which on
SQLite costs more than the counting. A meeting with several organisations, officials or
issues counts once for each of them. Withdrawn and withheld records keep only a stub and
are not counted; drafts never are; organisations that only drafts name (not public)
appear nowhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Date, Integer, Select, case, cast, func, literal, select, type_coerce
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from . import vocabulary
from .charts import fill_months
from .compliance import deadline_days
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
from .profiles import Ranked, month_of
from .search import MeetingFilters, published_meetings

# How many organisations, officials and issues a ranking shows.
TOP = 15


@dataclass(frozen=True)
class Share:
    """A category (an organisation kind, a format, an initiative) and its meetings."""

    code: str
    label: str
    meetings: int


@dataclass(frozen=True)
class Promptness:
    """How promptly the records of a unit (or of the whole selection) were published."""

    name: str
    published: int  # records with a publication date
    within_deadline: int
    median_days: float | int | None
    unit_id: int | None = None

    @property
    def share_within_deadline(self) -> float | None:
        return self.within_deadline / self.published if self.published else None


@dataclass(frozen=True)
class Timeliness:
    deadline: int  # PUBLISH_WITHIN_DAYS
    overall: Promptness
    units: list[Promptness]


@dataclass(frozen=True)
class Figures:
    """Everything the statistics page shows."""

    total: int
    months: list[tuple[date, int]]
    kinds: list[Share]
    organisations: list[Ranked]
    officials: list[Ranked]
    issues: list[Ranked]
    initiatives: list[Share]
    formats: list[Share]
    timeliness: Timeliness


def figures(filters: MeetingFilters) -> Figures:
    months = per_month(filters)
    initiatives, formats = _by_initiative_and_format(filters)
    return Figures(
        total=sum(count for _month, count in months),
        months=months,
        kinds=by_kind(filters),
        organisations=top_organisations(filters),
        officials=top_officials(filters),
        issues=by_issue(filters),
        initiatives=initiatives,
        formats=formats,
        timeliness=timeliness(filters),
    )


def matching(filters: MeetingFilters, *columns) -> Select:
    """These columns of the filtered published meetings, unordered, to count over; the
    query stays FROM meeting, so link tables can be joined to it."""
    return (
        published_meetings(filters)
        .order_by(None)
        .with_only_columns(*columns, maintain_column_froms=True)
    )


def per_month(filters: MeetingFilters) -> list[tuple[date, int]]:
    """(first of the month, meetings) for every month from the first to the last.

    Counted per day first, which the index on (status, held_on) serves in order, then per
    month: much cheaper than working out every row's month.
    """
    per_day = (
        matching(filters, Meeting.held_on, func.count().label("meetings"))
        .group_by(Meeting.held_on)
        .subquery()
    )
    month = month_of(per_day.c.held_on)
    rows = db.session.execute(
        select(month, func.sum(per_day.c.meetings)).group_by(month).order_by(month)
    )
    return fill_months([(_first_of(text), int(count)) for text, count in rows])


def _first_of(month: str) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def by_kind(filters: MeetingFilters) -> list[Share]:
    """Meetings per kind of organisation met, most first; a meeting with organisations of
    two kinds counts for both, with two of one kind once (as the /meetings facets count)."""
    rows = db.session.execute(
        matching(filters, Organisation.kind, func.count(func.distinct(Meeting.id)))
        .join(meeting_organisation, meeting_organisation.c.meeting_id == Meeting.id)
        .join(Organisation, Organisation.id == meeting_organisation.c.organisation_id)
        .where(Organisation.public.is_(True))
        .group_by(Organisation.kind)
    )
    shares = [_share(vocabulary.ORGANISATION_KINDS, code, count) for code, count in rows]
    return sorted(shares, key=lambda share: (-share.meetings, share.label.casefold()))


def by_initiative(filters: MeetingFilters) -> list[Share]:
    return _by_initiative_and_format(filters)[0]


def by_format(filters: MeetingFilters) -> list[Share]:
    return _by_initiative_and_format(filters)[1]


def _by_initiative_and_format(filters: MeetingFilters) -> tuple[list[Share], list[Share]]:
    """Meetings per initiative and per format, from one pass over the meetings; each in
    its vocabulary's order (values with no meetings too), then any stored value the
    vocabulary lacks; nothing when no meeting matches."""
    initiatives: dict[str, int] = defaultdict(int)
    formats: dict[str, int] = defaultdict(int)
    for initiative, meeting_format, count in db.session.execute(
        matching(filters, Meeting.initiative, Meeting.format, func.count()).group_by(
            Meeting.initiative, Meeting.format
        )
    ):
        initiatives[initiative] += count
        formats[meeting_format] += count
    return (
        _in_vocabulary_order(vocabulary.INITIATIVES, initiatives),
        _in_vocabulary_order(vocabulary.MEETING_FORMATS, formats),
    )


def _in_vocabulary_order(labels: dict, counts: dict[str, int]) -> list[Share]:
    if not counts:
        return []
    codes = list(labels) + sorted(code for code in counts if code not in labels)
    return [_share(labels, code, counts.get(code, 0)) for code in codes]


def _share(labels: dict, code: str, meetings: int) -> Share:
    return Share(code, str(labels.get(code, code)), meetings)


# -- rankings --------------------------------------------------------------------------


def top_organisations(filters: MeetingFilters) -> list[Ranked]:
    """The public organisations met most often, at most TOP; `detail` is the kind's code."""
    return _ranked(
        filters,
        meeting_organisation.c.organisation_id,
        select(Organisation.id, Organisation.name, Organisation.kind).where(
            Organisation.public.is_(True)
        ),
        (Organisation.search_key, Organisation.id),
    )


def top_officials(filters: MeetingFilters) -> list[Ranked]:
    """The officials who took part in most meetings, at most TOP; `detail` is the title."""
    return _ranked(
        filters,
        meeting_official.c.official_id,
        select(Official.id, Official.name, Official.title),
        (Official.name, Official.id),
    )


def by_issue(filters: MeetingFilters) -> list[Ranked]:
    """The issues pursued in most meetings, at most TOP; `key` is the slug, `detail` the
    status's code."""
    return _ranked(
        filters,
        meeting_issue.c.issue_id,
        select(Issue.slug, Issue.title, Issue.status).add_columns(Issue.id.label("linked_id")),
        (Issue.title, Issue.id),
    )


def _ranked(filters: MeetingFilters, link_column, named: Select, order) -> list[Ranked]:
    """Count the meetings per linked record on the link table alone, then name the first
    TOP: `named` selects (key, name, detail) of the linked model, and its id as
    `linked_id` when the key is not the id."""
    link_table = link_column.table
    counts = (
        matching(filters, link_column.label("linked"), func.count().label("meetings"))
        .join(link_table, link_table.c.meeting_id == Meeting.id)
        .group_by(link_column)
        .subquery()
    )
    linked_id = named.selected_columns.get("linked_id", named.selected_columns[0])
    rows = db.session.execute(
        named.add_columns(counts.c.meetings)
        .join(counts, counts.c.linked == linked_id)
        .order_by(counts.c.meetings.desc(), *order)
        .limit(TOP)
    )
    return [Ranked(row[0], row[1], row[2], row.meetings) for row in rows]


# -- publication timeliness ------------------------------------------------------------


def timeliness(filters: MeetingFilters) -> Timeliness:
    """The share of records published within PUBLISH_WITHIN_DAYS days of the meeting and
    the median days it took, overall and per unit of the officials who took part (a record
    counts once per unit). Late means what Meeting.published_late means: more days than
    the deadline, counted between local dates. Records without a publication date (e.g.
    imported ones) are left out."""
    deadline = deadline_days()
    dated = Meeting.published_at.is_not(None)
    days = days_to_publish()

    per_record = matching(filters, days.label("days")).where(dated).subquery()
    overall = db.session.execute(
        select(per_record.c.days, func.count()).group_by(per_record.c.days)
    ).all()

    # Each record once per unit: only the row of its first official of each unit counts.
    # (Cheaper than DISTINCT over every (record, unit) pair, on PostgreSQL by a third.)
    earlier_link = meeting_official.alias("earlier_link")
    earlier = aliased(Official, name="earlier")
    earlier_of_unit = (
        select(earlier_link.c.official_id)
        .join(earlier, earlier.id == earlier_link.c.official_id)
        .where(
            earlier_link.c.meeting_id == meeting_official.c.meeting_id,
            earlier_link.c.official_id < meeting_official.c.official_id,
            earlier.unit_id.is_not_distinct_from(Official.unit_id),
        )
        .exists()
    )
    per_unit = (
        matching(filters, Official.unit_id, days.label("days"))
        .where(dated, ~earlier_of_unit)
        .join(meeting_official, meeting_official.c.meeting_id == Meeting.id)
        .join(Official, Official.id == meeting_official.c.official_id)
        .subquery()
    )
    histograms: dict[int | None, dict[int, int]] = defaultdict(dict)
    for unit_id, day_count, count in db.session.execute(
        select(per_unit.c.unit_id, per_unit.c.days, func.count()).group_by(
            per_unit.c.unit_id, per_unit.c.days
        )
    ):
        histograms[unit_id][day_count] = count
    names = dict(
        db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(list(histograms)))).all()
    )
    units = [
        _promptness(names.get(unit_id, ""), histogram.items(), deadline, unit_id)
        for unit_id, histogram in histograms.items()
    ]
    units.sort(key=lambda unit: (unit.unit_id is None, unit.name.casefold()))
    return Timeliness(deadline, _promptness("", overall, deadline), units)


def _promptness(
    name: str, histogram: Iterable[tuple[int, int]], deadline: int, unit_id: int | None = None
) -> Promptness:
    counts = sorted((int(days), count) for days, count in histogram)
    published = sum(count for _days, count in counts)
    within = sum(count for days, count in counts if days <= deadline)
    return Promptness(name, published, within, _median(counts, published), unit_id)


def _median(counts: list[tuple[int, int]], size: int) -> float | int | None:
    """The median of values given as sorted (value, how many) pairs: 5, or 7.5."""
    if not size:
        return None
    middle = []
    seen = 0
    for value, count in counts:
        # The 0-based positions (size - 1) // 2 and size // 2 hold the middle value(s).
        for position in sorted({(size - 1) // 2, size // 2}):
            if seen <= position < seen + count:
                middle.append(value)
        seen += count
    result = sum(middle) / len(middle)
    return int(result) if result.is_integer() else result


def days_to_publish() -> ColumnElement:
    """SQL for Meeting.days_to_publish: days from the meeting to the local date of its
    publication, in the register's time zone.

    PostgreSQL converts with its own time-zone data. SQLite knows no time zones, so there
    the zone's UTC offsets are written into the query, a few per year: from a year before
    the earliest meeting to tomorrow (a record published outside that span would take the
    nearest offset).
    """
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    if db.session.get_bind().dialect.name == "postgresql":
        local_day = cast(func.timezone(zone.key, Meeting.published_at), Date)
        return type_coerce(local_day - Meeting.held_on, Integer)
    earliest = db.session.scalar(
        select(func.min(Meeting.held_on)).where(Meeting.status == "published")
    )
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    first = earliest - timedelta(days=366) if earliest else tomorrow
    periods = utc_offsets(zone, first, tomorrow)
    shift = literal(_seconds(periods[0][1]))
    if len(periods) > 1:
        # Newest first: most records are recent, and the first true branch ends the search.
        shift = case(
            *(
                (Meeting.published_at >= start, literal(_seconds(offset)))
                for start, offset in reversed(periods[1:])
            ),
            else_=shift,
        )
    # julianday() with modifiers: the local midnight, parsed once.
    local_day = func.julianday(Meeting.published_at, shift, "start of day")
    return cast(local_day - func.julianday(Meeting.held_on), Integer)


@lru_cache(maxsize=32)
def utc_offsets(zone: ZoneInfo, first: date, last: date) -> tuple[tuple[datetime, int], ...]:
    """The zone's UTC offsets (in seconds) from the start of day `first` (UTC) to the end
    of day `last`, each with the UTC moment it took effect (the first one: `first`)."""
    moment = datetime.combine(first, datetime.min.time(), UTC)
    end = datetime.combine(last, datetime.min.time(), UTC)
    periods = [(moment, _offset(zone, moment))]
    day = timedelta(days=1)
    while moment <= end:
        following = moment + day
        if _offset(zone, following) != periods[-1][1]:
            # The change falls within this day: find its first second.
            low, high = 0, int(day.total_seconds())
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(zone, moment + timedelta(seconds=middle)) == periods[-1][1]:
                    low = middle
                else:
                    high = middle
            change = moment + timedelta(seconds=high)
            periods.append((change, _offset(zone, change)))
        moment = following
    return tuple(periods)


def _offset(zone: ZoneInfo, moment: datetime) -> int:
    return int(moment.astimezone(zone).utcoffset().total_seconds())


def _seconds(offset: int) -> str:
    return f"{offset:+d} seconds"
