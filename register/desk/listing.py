"""The desk's list of the user's own records: search, a status filter and numbered pages.

An official with hundreds of records finds one by its words or its counterpart, narrows
the list to drafts, overdue drafts, published or closed records, and walks it page by page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from math import ceil

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Meeting, Organisation, User, meeting_official, meeting_organisation
from ..search import MAX_QUERY_LENGTH, casefold
from ..text import parse_id, search_key

PAGE_SIZE = 50

# The status filter's values, in the order the desk offers them ("" is every record).
STATUS_FILTERS = {
    "draft": _l("My drafts"),
    "overdue": _l("Overdue drafts"),
    "published": _l("My published records"),
    "closed": _l("Withdrawn or withheld"),
}


@dataclass
class DeskFilters:
    """What the user asked the desk for, parsed and checked; `errors` says what was wrong."""

    q: str = ""
    status: str = ""
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    def as_args(self, **changes) -> dict[str, str]:
        """The filters as query-string arguments, for links that keep them."""
        args = {"q": self.q, "status": self.status, "page": self.page} | changes
        if args["page"] == 1:
            args["page"] = None
        return {key: str(value) for key, value in args.items() if value not in (None, "")}


@dataclass
class DeskPage:
    """One page of the user's records, with the counts the status filter shows."""

    meetings: list[Meeting]
    counts: dict[str, int]
    total: int
    page: int
    pages: int

    @property
    def first_number(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.meetings else 0

    @property
    def last_number(self) -> int:
        return (self.page - 1) * PAGE_SIZE + len(self.meetings)


def parse_desk_filters(args) -> DeskFilters:
    """Read q, status and page from a query string, collecting clear messages."""
    filters = DeskFilters()
    q = " ".join(args.get("q", "").split())
    if len(q) > MAX_QUERY_LENGTH:
        filters.errors["q"] = _(
            "The search text may be at most %(n)d characters.", n=MAX_QUERY_LENGTH
        )
    filters.q = q[:MAX_QUERY_LENGTH]

    status = args.get("status", "").strip()
    if status and status not in STATUS_FILTERS:
        filters.errors["status"] = _(
            "“%(value)s” is not one of the allowed values.", value=status[:40]
        )
    else:
        filters.status = status

    raw_page = args.get("page", "").strip()
    if raw_page:
        page = parse_id(raw_page)
        if page is None:
            filters.errors["page"] = _("“%(value)s” is not a page number.", value=raw_page[:40])
        else:
            filters.page = page
    return filters


def own_records(user: User):
    """The records the user created or that name the user's official."""
    return or_(
        Meeting.created_by_id == user.id,
        Meeting.id.in_(
            select(meeting_official.c.meeting_id).where(
                meeting_official.c.official_id == user.official_id
            )
        ),
    )


def matching(q: str):
    """Records whose subject or summary contains the text (case and Å/Ä/Ö folded), or
    that name an organisation whose name contains it (accents folded too)."""
    pattern = q.casefold()
    conditions = [
        casefold(Meeting.subject).contains(pattern, autoescape=True),
        casefold(Meeting.summary).contains(pattern, autoescape=True),
    ]
    key = search_key(q)
    if key:
        conditions.append(
            Meeting.id.in_(
                select(meeting_organisation.c.meeting_id)
                .join(Organisation)
                .where(Organisation.search_key.contains(key, autoescape=True))
            )
        )
    return or_(*conditions)


def status_condition(status: str, cutoff: date):
    overdue = and_(Meeting.status == "draft", Meeting.held_on < cutoff)
    return {
        "draft": Meeting.status == "draft",
        "overdue": overdue,
        "published": Meeting.status == "published",
        "closed": Meeting.status.in_(("withdrawn", "withheld")),
    }[status]


def desk_page(user: User, filters: DeskFilters, cutoff: date) -> DeskPage:
    """The page of the user's records the filters ask for, newest first.

    Two queries and two for the links (officials, organisations), whatever the page size:
    the counts per status in one, the page's rows in the other. A page past the last one
    is reported in `filters.errors`.
    """
    where = [own_records(user)]
    if filters.q:
        where.append(matching(filters.q))
    counted = {name: status_condition(name, cutoff) for name in STATUS_FILTERS}
    row = db.session.execute(
        select(
            func.count(Meeting.id),
            *(func.coalesce(func.sum(case((c, 1), else_=0)), 0) for c in counted.values()),
        ).where(*where)
    ).one()
    counts = {"": row[0]} | dict(zip(counted, row[1:], strict=True))
    total = counts[filters.status]
    pages = max(1, ceil(total / PAGE_SIZE))
    if filters.page > pages:
        filters.errors["page"] = _(
            "There is no page %(page)d; the last page is %(last)d.", page=filters.page, last=pages
        )
        return DeskPage([], counts, total, filters.page, pages)
    if filters.status:
        where.append(counted[filters.status])
    meetings = db.session.scalars(
        select(Meeting)
        .where(*where)
        .options(selectinload(Meeting.officials), selectinload(Meeting.organisations))
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        .offset((filters.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return DeskPage(list(meetings), counts, total, filters.page, pages)


# The desk's overdue lists show the oldest drafts; the rest are a link away.
OVERDUE_SHOWN = 10


@dataclass
class Overdue:
    """The oldest overdue drafts and how many there are in all."""

    meetings: list[Meeting]
    total: int

    def __bool__(self) -> bool:
        return self.total > 0


def overdue_drafts(cutoff: date, created_by: User | None = None) -> Overdue:
    """Drafts of meetings held before the cutoff, oldest first: the user's own, or (with
    no user) the whole region's."""
    where = [Meeting.status == "draft", Meeting.held_on < cutoff]
    if created_by is not None:
        where.append(Meeting.created_by_id == created_by.id)
    total = db.session.scalar(select(func.count(Meeting.id)).where(*where)) or 0
    meetings = []
    if total:
        meetings = db.session.scalars(
            select(Meeting)
            .where(*where)
            .options(selectinload(Meeting.officials), selectinload(Meeting.organisations))
            .order_by(Meeting.held_on, Meeting.id)
            .limit(OVERDUE_SHOWN)
        ).all()
    return Overdue(list(meetings), total)
