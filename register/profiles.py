"""What the public pages of an issue, an organisation and an official say about them.

Everything here is counted over published meetings only: a draft that names an official,
an issue or an organisation never adds to a count or a list, and an organisation that
only drafts name (not public) appears nowhere. Withdrawn and withheld records keep only
a stub, so they are not counted either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

from flask_babel import gettext as _
from sqlalchemy import (
    Boolean,
    Date,
    Select,
    String,
    Text,
    and_,
    cast,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from . import vocabulary
from .charts import fill_months
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
from .text import parse_id, search_words


class likely(GenericFunction):  # noqa: N801 (SQL function names are lower case)
    """A condition that holds for nearly every row, so no index on it narrows anything.

    SQLite's planner, without statistics, takes `status = 'published'` for a selective
    condition and walks every published meeting to count one organisation's few; its
    likely() says otherwise. PostgreSQL keeps statistics and gets the bare condition.
    """

    type = Boolean()
    inherit_cache = True


@compiles(likely, "postgresql")
def _likely_postgresql(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)})"


# For counts over the whole register; MeetingSet.published for one entity's meetings.
PUBLISHED = Meeting.status == "published"
# How many organisations, officials or issues a page ranks (the rest are counted).
RANK_LIMIT = 50
# How many meetings with documents an issue's page lists.
DOCUMENT_LIMIT = 50
ORGANISATIONS_PER_PAGE = 50
MAX_QUERY_LENGTH = 100
ORGANISATION_SORTS = ("name", "meetings")
EU_TRANSPARENCY_ENTRY = (
    "https://transparency-register.europa.eu/searchregister-or-update/organisation-detail_en?id="
)


class month_of(GenericFunction):  # noqa: N801 (SQL function names are lower case)
    """The month of a date as text, "YYYY-MM": one bucket per calendar month.

    SQLite has strftime(); PostgreSQL has to_char(). Either way the text sorts in time
    order and groups each month into one row.
    """

    type = String()
    inherit_cache = True


@compiles(month_of)
def _month_of_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of, "postgresql")
def _month_of_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@dataclass(frozen=True)
class Ranked:
    """An organisation, official or issue with the number of published meetings it was on.

    `detail` is what the list shows beside the name: an organisation's kind (its code), an
    official's title, an issue's status (its code); `key` is what its page is addressed by
    (an id, or an issue's slug).
    """

    key: int | str
    name: str
    detail: str
    meetings: int


@dataclass(frozen=True)
class Ranking:
    rows: list[Ranked]
    total: int  # how many there are in all; rows holds at most RANK_LIMIT

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class Timeline:
    """Published meetings per calendar month, every month from the first to the last."""

    months: list[tuple[date, int]]

    @property
    def total(self) -> int:
        return sum(count for _month, count in self.months)


@dataclass(frozen=True)
class AgendaItem:
    issue: Issue
    meetings: int
    last_held_on: date | None


@dataclass(frozen=True)
class DocumentsOf:
    """The document links of one published meeting."""

    number: int
    subject: str
    held_on: date
    links: list[str]


# -- building blocks -------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingSet:
    """The meetings a profile counts: `ids`, a subquery of meeting ids.

    `links` is how many there are when they are one organisation's, official's or issue's
    (None for a filtered register, as the statistics count it). An entity's meetings are
    counted by looking each one up by its id, which costs what the entity has; a filtered
    register's are walked in the status index.
    """

    ids: Select
    links: int | None = None

    @property
    def published(self):
        """Published, for counting all of the set's meetings."""
        return PUBLISHED if self.links is None else likely(PUBLISHED)

    @property
    def published_in_order(self):
        """Published, for the first few of the set newest first: walking the status index
        in date order stops early when the set is a good part of the register; a small
        set's meetings are looked up instead (and sorted)."""
        return likely(PUBLISHED) if self.links is not None and self.links < FEW else PUBLISHED


# Below this many meetings, an entity's newest ones are looked up rather than found by
# walking every published meeting newest first.
FEW = 2_000


def _as_set(meetings: Select | MeetingSet) -> MeetingSet:
    return meetings if isinstance(meetings, MeetingSet) else MeetingSet(meetings)


def meetings_of(link_table, column, value) -> MeetingSet:
    """The meetings linked to one organisation, official or issue (drafts too: the
    functions here count only the published ones)."""
    ids = select(link_table.c.meeting_id).where(column == value)
    links = db.session.scalar(select(func.count()).where(column == value)) or 0
    return MeetingSet(ids, links)


def latest(meetings: MeetingSet, limit: int) -> Select:
    """The set's newest published meetings, in the register's order (as the filtered list
    of meetings has them)."""
    return (
        select(Meeting)
        .where(meetings.published_in_order, Meeting.id.in_(meetings.ids))
        .order_by(Meeting.held_on.desc(), Meeting.number.desc())
        .limit(limit)
    )


def issue_meetings(issue_id: int) -> MeetingSet:
    return meetings_of(meeting_issue, meeting_issue.c.issue_id, issue_id)


def organisation_meetings(organisation_id: int) -> MeetingSet:
    return meetings_of(
        meeting_organisation, meeting_organisation.c.organisation_id, organisation_id
    )


def official_meetings(official_id: int) -> MeetingSet:
    return meetings_of(meeting_official, meeting_official.c.official_id, official_id)


def timeline(meetings: Select | MeetingSet) -> Timeline:
    """Published meetings of the set per month, months without any included."""
    meetings = _as_set(meetings)
    month = month_of(Meeting.held_on)
    rows = db.session.execute(
        select(month, func.count())
        .where(meetings.published, Meeting.id.in_(meetings.ids))
        .group_by(month)
        .order_by(month)
    ).all()
    return Timeline(fill_months([(_first_of(text), count) for text, count in rows]))


def _first_of(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def _ranking(meetings: MeetingSet, link_column, model, columns, where, order, shape):
    """The first RANK_LIMIT of the organisations, officials or issues (`model`) linked to
    published meetings of the set through `link_column`, most meetings first, and how
    many there are in all; one query.

    The meetings are counted per linked id first, and only the groups are joined to the
    model for their names, so the model's table is read once per group, not per link.
    """
    link_table = link_column.table
    counts = (
        select(link_column.label("key"), func.count().label("meetings"))
        .join(Meeting, Meeting.id == link_table.c.meeting_id)
        .where(meetings.published, Meeting.id.in_(meetings.ids))
        .group_by(link_column)
        .subquery()
    )
    rows = db.session.execute(
        select(*columns, counts.c.meetings, func.count().over().label("total"))
        .join(counts, counts.c.key == model.id)
        .where(*where)
        .order_by(counts.c.meetings.desc(), *order)
        .limit(RANK_LIMIT)
    ).all()
    return Ranking([shape(row) for row in rows], rows[0].total if rows else 0)


def organisations_met(meetings: Select | MeetingSet) -> Ranking:
    """The public organisations on published meetings of the set, ranked."""
    return _ranking(
        _as_set(meetings),
        meeting_organisation.c.organisation_id,
        Organisation,
        (Organisation.id, Organisation.name, Organisation.kind),
        (Organisation.public.is_(True),),
        (Organisation.search_key, Organisation.id),
        lambda row: Ranked(row.id, row.name, row.kind, row.meetings),
    )


def officials_on(meetings: Select | MeetingSet) -> Ranking:
    """The officials on published meetings of the set, ranked."""
    return _ranking(
        _as_set(meetings),
        meeting_official.c.official_id,
        Official,
        (Official.id, Official.name, Official.title),
        (),
        (Official.name, Official.id),
        lambda row: Ranked(row.id, row.name, row.title, row.meetings),
    )


def issues_on(meetings: Select | MeetingSet) -> Ranking:
    """The issues pursued in published meetings of the set, ranked."""
    return _ranking(
        _as_set(meetings),
        meeting_issue.c.issue_id,
        Issue,
        (Issue.id, Issue.slug, Issue.title, Issue.status),
        (),
        (Issue.title, Issue.id),
        lambda row: Ranked(row.slug, row.title, row.status, row.meetings),
    )


def clients_of(meetings: Select | MeetingSet) -> list[tuple[str, int]]:
    """Whom a consultancy acted for in published meetings, most meetings first."""
    meetings = _as_set(meetings)
    count = func.count().label("meetings")
    return [
        (row.client, row.meetings)
        for row in db.session.execute(
            select(Meeting.client, count)
            .where(meetings.published, Meeting.client != "", Meeting.id.in_(meetings.ids))
            .group_by(Meeting.client)
            .order_by(count.desc(), Meeting.client)
            .limit(RANK_LIMIT)
        )
    ]


def documents_of(meetings: Select | MeetingSet) -> list[DocumentsOf]:
    """The latest DOCUMENT_LIMIT published meetings of the set with documents exchanged.

    Not counted: for a large set that would look up every one of its meetings (the
    exports have them all).
    """
    meetings = _as_set(meetings)
    # The links are a JSON list, stored as written: "[]" when there are none.
    has_links = cast(Meeting.document_links, Text).not_in(["[]", "null"])
    rows = db.session.execute(
        select(Meeting.number, Meeting.subject, Meeting.held_on, Meeting.document_links)
        .where(meetings.published_in_order, has_links, Meeting.id.in_(meetings.ids))
        .order_by(Meeting.held_on.desc(), Meeting.number.desc())
        .limit(DOCUMENT_LIMIT)
    )
    return [
        DocumentsOf(row.number, row.subject, row.held_on, list(row.document_links))
        for row in rows
        if row.document_links
    ]


def eu_transparency_url(register_id: str) -> str:
    """The public entry of an organisation in the EU Transparency Register."""
    return EU_TRANSPARENCY_ENTRY + quote(register_id, safe="")


# -- issues ----------------------------------------------------------------------------


def agenda() -> tuple[list[AgendaItem], list[AgendaItem]]:
    """The region's issues, active and concluded, each with its published meetings and
    the date of the latest; active ones by title, concluded ones latest ended first."""
    counts = (
        select(
            meeting_issue.c.issue_id,
            func.count().label("meetings"),
            func.max(Meeting.held_on, type_=Date).label("last_held_on"),
        )
        .join(Meeting, Meeting.id == meeting_issue.c.meeting_id)
        .where(PUBLISHED)
        .group_by(meeting_issue.c.issue_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Issue, func.coalesce(counts.c.meetings, 0), counts.c.last_held_on)
        .outerjoin(counts, counts.c.issue_id == Issue.id)
        .order_by(Issue.title, Issue.id)
    ).all()
    items = [AgendaItem(issue, meetings, last) for issue, meetings, last in rows]
    active = [item for item in items if item.issue.status != "concluded"]
    concluded = [item for item in items if item.issue.status == "concluded"]
    concluded.sort(key=lambda item: item.issue.ended_on or date.min, reverse=True)
    return active, concluded


def issue_by_slug(slug: str) -> Issue | None:
    if len(slug) > 100:
        return None
    return db.session.scalar(select(Issue).filter_by(slug=slug))


# -- the list of organisations ----------------------------------------------------------


@dataclass
class OrganisationQuery:
    """What a visitor asked of the list of organisations, checked; `errors` by field."""

    q: str = ""
    kinds: tuple[str, ...] = ()
    sort: str = "name"
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    def as_args(self, **changes) -> dict[str, str | list[str]]:
        """The query as query-string arguments for links that keep it."""
        args = {
            "q": self.q,
            "kind": list(self.kinds),
            "sort": None if self.sort == "name" else self.sort,
            "page": str(self.page),
        } | changes
        return {
            key: value
            for key, value in args.items()
            if value not in (None, "", []) and not (key == "page" and value == "1")
        }


def parse_organisation_query(args) -> OrganisationQuery:
    """Read `q`, `kind` (repeatable), `sort` and `page`, collecting clear errors; a bad
    argument is named and the others still apply."""
    query = OrganisationQuery()
    q = " ".join(args.get("q", "").split())
    if len(q) > MAX_QUERY_LENGTH:
        query.errors["q"] = _(
            "The search text may be at most %(n)d characters.", n=MAX_QUERY_LENGTH
        )
    query.q = q[:MAX_QUERY_LENGTH]

    kinds = args.getlist("kind") if hasattr(args, "getlist") else [args.get("kind", "")]
    kinds = tuple(dict.fromkeys(kind.strip() for kind in kinds[:50] if kind.strip()))
    wrong = [kind for kind in kinds if kind not in vocabulary.ORGANISATION_KINDS]
    if wrong:
        query.errors["kind"] = _(
            "“%(value)s” is not one of the allowed values.", value=wrong[0][:40]
        )
    query.kinds = tuple(kind for kind in kinds if kind in vocabulary.ORGANISATION_KINDS)

    sort = args.get("sort", "").strip()
    if sort and sort not in ORGANISATION_SORTS:
        query.errors["sort"] = _("“%(value)s” is not one of the allowed values.", value=sort[:40])
    elif sort:
        query.sort = sort

    raw_page = args.get("page", "").strip()
    if raw_page:
        page = parse_id(raw_page)
        if page is None:
            query.errors["page"] = _("“%(value)s” is not a page number.", value=raw_page[:40])
        else:
            query.page = page
    return query


@dataclass(frozen=True)
class OrganisationRow:
    id: int
    name: str
    kind: str
    country: str | None
    meetings: int
    last_held_on: date | None


@dataclass(frozen=True)
class OrganisationPage:
    rows: list[OrganisationRow]
    total: int  # matching organisations in all
    offset: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _word_starts(column, word: str):
    """`word` begins a word of the folded name; a word may also follow "(" or "/", as in
    "Sveriges Kommuner och Regioner (SKR)" or "Trafik/Miljö".

    The plain "contains" comes first: it is cheap and turns away nearly every name, so the
    costlier check of where the word stands runs on the few left.
    """
    spaced = func.replace(func.replace(column, "(", " "), "/", " ")
    pattern = _escape_like(word)
    return and_(
        column.like(f"%{pattern}%", escape="\\"),
        literal(" ").concat(spaced).like(f"% {pattern}%", escape="\\"),
    )


_NUMBER_LIKE = re.compile(r"[0-9][0-9 \-\u2010-\u2015]{3,}")


def _matches(q: str):
    """Every word of `q` begins a word of the name, or of a former name (a duplicate
    merged into it); or `q` is the beginning of the organisation number."""
    words = search_words(q)
    if not words:
        return None

    def named(model):
        return and_(*(_word_starts(model.search_key, word) for word in words))

    # A public duplicate's name only: one that only drafts named was never public.
    former = select(Organisation.merged_into_id).where(
        Organisation.public == true(), Organisation.merged_into_id.is_not(None), named(Organisation)
    )
    condition = or_(named(Organisation), Organisation.id.in_(former))
    if _NUMBER_LIKE.fullmatch(q):
        digits = re.sub(r"[^0-9]", "", q)
        shapes = {digits} | ({f"{digits[:6]}-{digits[6:]}"} if len(digits) > 6 else set())
        condition = or_(condition, *(Organisation.org_number.startswith(s) for s in shapes))
    return condition


def listed_organisations():
    """The organisations a visitor can find: public ones, not merged into another."""
    # "= true", not "IS true": PostgreSQL answers only the former from an index.
    return and_(Organisation.public == true(), Organisation.merged_into_id.is_(None))


# The list's order by name, as the index ix_organisation_listed keeps it: a page, however
# deep, is read from the index without sorting.
BY_NAME = (Organisation.search_key, Organisation.kind, Organisation.id)


def organisation_page(query: OrganisationQuery, per_page: int = ORGANISATIONS_PER_PAGE):
    """One page of the list of organisations, with each one's published meetings.

    By name, the page is a range of the folded-name index; by number of meetings, the
    meetings are counted per organisation once for the whole list.
    """
    where = [listed_organisations()]
    if query.kinds:
        where.append(Organisation.kind.in_(query.kinds))
    if query.q:
        condition = _matches(query.q)
        if condition is not None:
            where.append(condition)
    total = db.session.scalar(select(func.count(Organisation.id)).where(*where)) or 0
    offset = (query.page - 1) * per_page
    if offset >= total:
        return OrganisationPage([], total, offset, per_page)
    columns = (Organisation.id, Organisation.name, Organisation.kind, Organisation.country)
    if query.sort == "meetings":
        rows = _by_meetings(columns, where, offset, per_page)
        return OrganisationPage([OrganisationRow(*row) for row in rows], total, offset, per_page)
    # The page's ids from the index alone (however deep the page), then their rows.
    page_ids = select(Organisation.id).where(*where).order_by(*BY_NAME).limit(per_page)
    rows = db.session.execute(
        select(*columns)
        .where(Organisation.id.in_(page_ids.offset(offset).scalar_subquery()))
        .order_by(*BY_NAME)
    ).all()
    counts = meeting_counts([row.id for row in rows])
    return OrganisationPage(
        [OrganisationRow(*row, *counts.get(row.id, (0, None))) for row in rows],
        total,
        offset,
        per_page,
    )


def _by_meetings(columns, where, offset: int, limit: int) -> list:
    """A page of the organisations ordered by their published meetings, most first, then
    by name.

    Only the organisations that were met are counted and sorted; those never met (most of
    a large register) follow in the order of the name index, found by a look-up each.
    """
    link = meeting_organisation.c
    counts = (
        select(
            link.organisation_id.label("organisation_id"),
            func.count().label("meetings"),
            func.max(Meeting.held_on, type_=Date).label("last_held_on"),
        )
        .join(Meeting, Meeting.id == link.meeting_id)
        .where(PUBLISHED)
        .group_by(link.organisation_id)
        .subquery()
    )
    met = (
        select(*columns, counts.c.meetings, counts.c.last_held_on)
        .join(counts, counts.c.organisation_id == Organisation.id)
        .where(*where)
    )
    rows = db.session.execute(
        met.add_columns(func.count().over().label("met"))
        .order_by(counts.c.meetings.desc(), *BY_NAME)
        .limit(limit)
        .offset(offset)
    ).all()
    if len(rows) == limit:
        return [row[:-1] for row in rows]
    if rows:
        met_total = rows[0].met
    else:
        met_total = db.session.scalar(select(func.count()).select_from(met.subquery())) or 0
    never_met = ~(
        select(link.meeting_id)
        .join(Meeting, Meeting.id == link.meeting_id)
        .where(link.organisation_id == Organisation.id, likely(PUBLISHED))
        .exists()
    )
    rest = db.session.execute(
        select(*columns, literal(0), literal(None, Date))
        .where(*where, never_met)
        .order_by(*BY_NAME)
        .limit(limit - len(rows))
        .offset(max(offset - met_total, 0))
    ).all()
    return [row[:-1] for row in rows] + list(rest)


def meeting_counts(organisation_ids: list[int]) -> dict[int, tuple[int, date | None]]:
    """Published meetings and the latest date, for a page's organisations."""
    if not organisation_ids:
        return {}
    organisation = meeting_organisation.c.organisation_id
    rows = db.session.execute(
        select(organisation, func.count(), func.max(Meeting.held_on, type_=Date))
        .join(Meeting, Meeting.id == meeting_organisation.c.meeting_id)
        .where(likely(PUBLISHED), organisation.in_(organisation_ids))
        .group_by(organisation)
    )
    return {row[0]: (row[1], row[2]) for row in rows}


# -- officials -------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficialRow:
    id: int
    name: str
    title: str
    active: bool
    meetings: int


@dataclass(frozen=True)
class UnitGroup:
    unit: Unit | None
    officials: list[OfficialRow]


def officials_by_unit() -> list[UnitGroup]:
    """Officials grouped by unit (units by name, those without one last), each with their
    published meetings. An inactive official with no published meeting is left out: they
    have nothing to show, though their own page still answers."""
    counts = (
        select(
            meeting_official.c.official_id.label("official_id"),
            func.count().label("meetings"),
        )
        .join(Meeting, Meeting.id == meeting_official.c.meeting_id)
        .where(PUBLISHED)
        .group_by(meeting_official.c.official_id)
        .subquery()
    )
    meetings = func.coalesce(counts.c.meetings, 0)
    rows = db.session.execute(
        select(Official, meetings)
        .outerjoin(counts, counts.c.official_id == Official.id)
        .where(or_(Official.active.is_(True), meetings > 0))
        .order_by(Official.name, Official.id)
    ).all()
    units = {unit.id: unit for unit in db.session.scalars(select(Unit))}
    groups: dict[int | None, list[OfficialRow]] = {}
    for official, count in rows:
        groups.setdefault(official.unit_id, []).append(
            OfficialRow(official.id, official.name, official.title, official.active, count)
        )
    ordered = sorted(
        (key for key in groups if key is not None), key=lambda key: (units[key].name, key)
    )
    result = [UnitGroup(units[key], groups[key]) for key in ordered]
    if None in groups:
        result.append(UnitGroup(None, groups[None]))
    return result
