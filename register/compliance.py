"""Publication compliance (SPEC §2): overdue drafts, late publications and the time taken
to publish, per unit and per official, by month of publication.

Days are counted between local dates, as Meeting.days_to_publish counts them, so the
figures are worked out in Python from plain rows: the same on SQLite and PostgreSQL,
whose date arithmetic and time zones differ. Withdrawn and withheld records count: they
were published, and when.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import Meeting, Official, Unit, User, local_date, meeting_official

ROWS_PER_BATCH = 1000


@dataclass(frozen=True)
class OverdueDraft:
    id: int
    held_on: date
    subject: str
    days_since_meeting: int
    days_overdue: int
    officials: list[str]
    author_name: str
    author_email: str


@dataclass(frozen=True)
class LatePublication:
    number: int
    held_on: date
    published_on: date
    days_to_publish: int
    status: str


@dataclass(frozen=True)
class MonthlyMedian:
    month: str  # YYYY-MM, the month of publication
    name: str  # the unit or the official; "" for officials of no unit
    published: int
    median_days: float | int


def deadline_days() -> int:
    return current_app.config["PUBLISH_WITHIN_DAYS"]


def cutoff(today: date) -> date:
    """Drafts of meetings held before this date are past the publication deadline."""
    return today - timedelta(days=deadline_days())


def overdue_drafts(today: date, *, created_by_id: int | None = None) -> list[OverdueDraft]:
    """Drafts of meetings held more than PUBLISH_WITHIN_DAYS days ago, oldest first, with
    the officials named on them and the account that created them."""
    query = (
        select(Meeting)
        .where(Meeting.status == "draft", Meeting.held_on < cutoff(today))
        .options(selectinload(Meeting.officials), selectinload(Meeting.created_by))
        .order_by(Meeting.held_on, Meeting.id)
    )
    if created_by_id is not None:
        query = query.where(Meeting.created_by_id == created_by_id)
    rows = []
    for meeting in db.session.scalars(query):
        since = (today - meeting.held_on).days
        author: User | None = meeting.created_by
        rows.append(
            OverdueDraft(
                id=meeting.id,
                held_on=meeting.held_on,
                subject=meeting.subject,
                days_since_meeting=since,
                days_overdue=since - deadline_days(),
                officials=[official.name for official in meeting.officials],
                author_name=author.name if author else "",
                author_email=author.email if author else "",
            )
        )
    return rows


def in_months(month: str, first: str | None, last: str | None) -> bool:
    return (first is None or month >= first) and (last is None or month <= last)


def late_publications(first: str | None = None, last: str | None = None) -> list[LatePublication]:
    """Records published more than PUBLISH_WITHIN_DAYS days after the meeting, most
    recently published first; optionally only those published in the months first–last."""
    query = (
        select(Meeting.number, Meeting.held_on, Meeting.published_at, Meeting.status)
        .where(Meeting.status.in_(Meeting.PUBLIC_STATUSES), Meeting.published_at.is_not(None))
        .order_by(Meeting.published_at.desc(), Meeting.number.desc())
        .execution_options(yield_per=ROWS_PER_BATCH)
    )
    rows = []
    for number, held_on, published_at, status in db.session.execute(query):
        published_on = local_date(published_at)
        days = (published_on - held_on).days
        if days > deadline_days() and in_months(published_on.strftime("%Y-%m"), first, last):
            rows.append(LatePublication(number, held_on, published_on, days, status))
    return rows


def median_days(
    by: str = "unit", first: str | None = None, last: str | None = None
) -> list[MonthlyMedian]:
    """The median days from meeting to publication, per month of publication and per
    unit (each record once per unit, however many of its officials took part) or per
    official; by month, then name."""
    if by == "unit":
        name = Unit.name
        query = (
            select(Meeting.id, Unit.id, name, Meeting.held_on, Meeting.published_at)
            .join(meeting_official, meeting_official.c.meeting_id == Meeting.id)
            .join(Official, Official.id == meeting_official.c.official_id)
            .outerjoin(Unit, Unit.id == Official.unit_id)
            .distinct()
        )
    elif by == "official":
        name = Official.name
        query = (
            select(Meeting.id, Official.id, name, Meeting.held_on, Meeting.published_at)
            .join(meeting_official, meeting_official.c.meeting_id == Meeting.id)
            .join(Official, Official.id == meeting_official.c.official_id)
        )
    else:
        raise ValueError(f"no median by {by!r}")
    query = query.where(
        Meeting.status.in_(Meeting.PUBLIC_STATUSES), Meeting.published_at.is_not(None)
    ).execution_options(yield_per=ROWS_PER_BATCH)

    days: dict[tuple[str, object, str], list[int]] = defaultdict(list)
    for _meeting_id, group_id, group_name, held_on, published_at in db.session.execute(query):
        published_on = local_date(published_at)
        month = published_on.strftime("%Y-%m")
        if in_months(month, first, last):
            days[(month, group_id, group_name or "")].append((published_on - held_on).days)
    return [
        MonthlyMedian(month, group_name, len(values), _plain(median(values)))
        for (month, _group, group_name), values in sorted(
            days.items(), key=lambda item: (item[0][0], item[0][2].casefold(), str(item[0][1]))
        )
    ]


def _plain(number: float) -> float | int:
    """A median as a reader writes it: 5, not 5.0; 7.5 stays 7.5."""
    return int(number) if float(number).is_integer() else number
