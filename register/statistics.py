"""Figures for the statistics page, over the published meetings that match the register's
filters (search.published_meetings): per month, by kind of organisation, the
organisations and officials met most, by issue, initiative and format, and how promptly
records were published.

Every figure is counted by the database (GROUP BY), never by loading the meetings. A
meeting with several organisations, officials or issues counts once for each of them.
Withdrawn and withheld records keep only a stub and are not counted; drafts never are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Date, Integer, Select, case, cast, func, literal, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from . import profiles, vocabulary
from .compliance import deadline_days
from .extensions import db
from .models import Meeting, Official, Organisation, Unit, meeting_official, meeting_organisation
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


def meeting_ids(filters: MeetingFilters) -> Select:
    """The ids of the published meetings matching the filters, as a subquery."""
    return published_meetings(filters).order_by(None).with_only_columns(Meeting.id)


def total(filters: MeetingFilters) -> int:
    return db.session.scalar(select(func.count()).where(Meeting.id.in_(meeting_ids(filters))))


def per_month(filters: MeetingFilters) -> list:
    """(first of the month, meetings) for every month from the first to the last."""
    return profiles.timeline(meeting_ids(filters)).months


def by_kind(filters: MeetingFilters) -> list[Share]:
    """Meetings per kind of organisation met, most first; a meeting with organisations of
    two kinds counts for both, with two of one kind once."""
    meetings = func.count(func.distinct(meeting_organisation.c.meeting_id))
    rows = db.session.execute(
        select(Organisation.kind, meetings)
        .select_from(meeting_organisation)
        .join(Organisation, Organisation.id == meeting_organisation.c.organisation_id)
        .where(
            Organisation.public.is_(True),
            meeting_organisation.c.meeting_id.in_(meeting_ids(filters)),
        )
        .group_by(Organisation.kind)
    )
    shares = [_share(vocabulary.ORGANISATION_KINDS, code, count) for code, count in rows]
    return sorted(shares, key=lambda share: (-share.meetings, share.label.casefold()))


def by_column(filters: MeetingFilters, column, labels: dict) -> list[Share]:
    """Meetings per value of one of the meeting's own columns, in the vocabulary's order
    (values with no meetings too), then any stored value the vocabulary lacks."""
    counts = dict(
        db.session.execute(
            select(column, func.count())
            .where(Meeting.id.in_(meeting_ids(filters)))
            .group_by(column)
        ).all()
    )
    codes = list(labels) + sorted(code for code in counts if code not in labels)
    return [_share(labels, code, counts.get(code, 0)) for code in codes]


def by_initiative(filters: MeetingFilters) -> list[Share]:
    return by_column(filters, Meeting.initiative, vocabulary.INITIATIVES)


def by_format(filters: MeetingFilters) -> list[Share]:
    return by_column(filters, Meeting.format, vocabulary.MEETING_FORMATS)


def top_organisations(filters: MeetingFilters) -> list[profiles.Ranked]:
    """The public organisations met most often, at most TOP."""
    return profiles.organisations_met(meeting_ids(filters)).rows[:TOP]


def top_officials(filters: MeetingFilters) -> list[profiles.Ranked]:
    """The officials who took part in most meetings, at most TOP."""
    return profiles.officials_on(meeting_ids(filters)).rows[:TOP]


def by_issue(filters: MeetingFilters) -> list[profiles.Ranked]:
    """The issues pursued in most meetings, at most TOP."""
    return profiles.issues_on(meeting_ids(filters)).rows[:TOP]


def _share(labels: dict, code: str, meetings: int) -> Share:
    return Share(code, str(labels.get(code, code)), meetings)


# -- publication timeliness ------------------------------------------------------------


def timeliness(filters: MeetingFilters) -> Timeliness:
    """The share of records published within PUBLISH_WITHIN_DAYS days of the meeting and
    the median days it took, overall and per unit of the officials who took part (a record
    counts once per unit). Late means what Meeting.published_late means: more days than
    the deadline, counted between local dates. Records without a publication date (e.g.
    imported ones) are left out."""
    deadline = deadline_days()
    ids = meeting_ids(filters)
    dated = (Meeting.id.in_(ids), Meeting.published_at.is_not(None))
    days = days_to_publish(
        *db.session.execute(
            select(func.min(Meeting.published_at), func.max(Meeting.published_at)).where(*dated)
        ).one()
    )

    per_record = select(days.label("days")).where(*dated).subquery()
    overall = db.session.execute(
        select(per_record.c.days, func.count()).group_by(per_record.c.days)
    ).all()

    per_unit = (
        select(Meeting.id, Official.unit_id, days.label("days"))
        .join(meeting_official, meeting_official.c.meeting_id == Meeting.id)
        .join(Official, Official.id == meeting_official.c.official_id)
        .where(*dated)
        .distinct()
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


def days_to_publish(first: datetime | None, last: datetime | None) -> ColumnElement:
    """SQL for Meeting.days_to_publish: days from the meeting to the local date of its
    publication, in the register's time zone.

    PostgreSQL converts with its own time-zone data. SQLite knows no time zones, so there
    the UTC offsets in force between `first` and `last` (the earliest and latest
    publication counted) are written into the query: a few per year of records.
    """
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    if db.session.get_bind().dialect.name == "postgresql":
        local_day = cast(func.timezone(zone.key, Meeting.published_at), Date)
        return type_coerce(local_day - Meeting.held_on, Integer)
    periods = utc_offsets(zone, first, last) if first and last else [(None, 0)]
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
    local_day = func.date(Meeting.published_at, shift)
    return cast(func.julianday(local_day) - func.julianday(Meeting.held_on), Integer)


def utc_offsets(zone: ZoneInfo, first: datetime, last: datetime) -> list[tuple[datetime, int]]:
    """The zone's UTC offsets (in seconds) from `first` to `last`, each with the UTC moment
    it took effect (the first one: `first`, or the hour before)."""
    moment = first.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    end = last.astimezone(UTC)
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
    return periods


def _offset(zone: ZoneInfo, moment: datetime) -> int:
    return int(moment.astimezone(zone).utcoffset().total_seconds())


def _seconds(offset: int) -> str:
    return f"{offset:+d} seconds"
