"""The one definition of the published columns (SPEC §4).

It drives the CSV, the JSON export, the API's records, the workbook and the data package;
the importer reads the same columns. Each column is defined once, as SQL: an expression
over the meeting, or over each record the meeting links to (its officials, organisations
and issues). The database writes the cells from those definitions — CSV text quoted and
safe from formulas, or JSON — and Python only joins text, so that a million rows stream at
close to the speed of the disk, in flat memory.

A meeting's linked records are read as a key (the ids it links to); their cells are
written by the database once per distinct key and kept while the export runs, since the
same officials and counterparts meet again and again.
"""

from __future__ import annotations

import json
import operator
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    FromClause,
    Select,
    String,
    Table,
    bindparam,
    case,
    cast,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement, GenericFunction
from sqlalchemy.sql.sqltypes import NullType

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
from .statistics import days_to_publish
from .vocabulary import INITIATIVES, MEETING_FORMATS

MULTI_VALUE_SEPARATOR = "; "
# A cell starting with one of these can be run as a formula by a spreadsheet (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
ROWS_PER_CHUNK = 500
# Distinct sets of linked records whose cells an export keeps at a time, per kind of
# link (a few MB at most; a demo register of a million meetings has some 2 000).
KEPT_KEYS = 5_000


def _plain(text: str) -> bool:
    """Whether text is a CSV cell as it stands: nothing to quote, no formula to defuse."""
    return not text.startswith(FORMULA_TRIGGERS) and not any(c in text for c in '",\r\n')


@dataclass(frozen=True, eq=False)
class Link:
    """The records a meeting links to through an association table, listed in the order
    the record page lists them."""

    name: str
    table: Table
    target: ColumnElement  # the linked record's id, in the association table
    joined: FromClause  # the association table joined to the records (and their units)
    order: tuple[ColumnElement, ...]


OFFICIALS = Link(
    "officials",
    meeting_official,
    meeting_official.c.official_id,
    meeting_official.join(Official).outerjoin(Unit, Unit.id == Official.unit_id),
    (Official.name, Official.id),
)
ORGANISATIONS = Link(
    "organisations",
    meeting_organisation,
    meeting_organisation.c.organisation_id,
    meeting_organisation.join(Organisation),
    (Organisation.name, Organisation.id),
)
ISSUES = Link(
    "issues",
    meeting_issue,
    meeting_issue.c.issue_id,
    meeting_issue.join(Issue),
    (Issue.title, Issue.id),
)
LINKS = (OFFICIALS, ORGANISATIONS, ISSUES)


@dataclass(frozen=True, eq=False)
class Column:
    """A published column. `value` gives its SQL: over the meeting, or, with `link`, over
    each linked record (the column then lists one value per record, in the link's order).
    Integers, dates and timestamps are written by their `type`; text is text."""

    name: str
    type: str  # a Frictionless Table Schema type
    description: object  # a lazy translated string
    value: Callable[[], ColumnElement]
    link: Link | None = None
    multi: bool = False
    # Shown for a withdrawn or withheld record too; its other columns stay empty.
    stub: bool = False
    # The values the register writes in this column (a CSV cell as they stand); any
    # other value is still written with care.
    vocabulary: tuple[str, ...] = ()

    def __post_init__(self):
        if self.link is not None:
            object.__setattr__(self, "multi", True)
        if not all(_plain(value) for value in self.vocabulary):
            raise ValueError(f"{self.name}: a vocabulary value that is no plain CSV cell")


def absolute_url(endpoint: str, **values) -> str:
    """An absolute address on the public site: PUBLIC_URL when set, never a foreign Host."""
    base = current_app.config["PUBLIC_URL"]
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, **values, _external=True)


def meeting_url(number: int) -> str:
    """The record's permalink, absolute."""
    return absolute_url("public.meeting", number=number)


def _meeting_address() -> ColumnElement:
    prefix = meeting_url(1)[: -len("1")]
    if _plain(prefix):
        # An address and digits: a CSV cell as it stands.
        return _address(literal(prefix, String), Meeting.number)
    return literal(prefix, String) + cast(Meeting.number, String)


COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        "integer",
        _l("The record's permanent public number: 1, 2, 3 … without gaps."),
        lambda: Meeting.number,
        stub=True,
    ),
    Column(
        "date", "date", _l("The date the meeting was held."), lambda: Meeting.held_on, stub=True
    ),
    Column(
        "officials",
        "string",
        _l("The region's officials who took part, by name."),
        lambda: Official.name,
        link=OFFICIALS,
    ),
    Column(
        "official_titles",
        "string",
        _l("Their titles, in the same order as the officials."),
        lambda: Official.title,
        link=OFFICIALS,
    ),
    Column(
        "organisations",
        "string",
        _l("The organisations met, by name."),
        lambda: Organisation.name,
        link=ORGANISATIONS,
    ),
    Column(
        "organisation_kinds",
        "string",
        _l("Their kinds (company, ngo, eu_institution …), in the same order."),
        lambda: Organisation.kind,
        link=ORGANISATIONS,
    ),
    Column(
        "organisation_numbers",
        "string",
        _l("Their Swedish organisation or Danish CVR numbers where known, in the same order."),
        lambda: Organisation.org_number,
        link=ORGANISATIONS,
    ),
    Column(
        "issues",
        "string",
        _l("The issues on the region's agenda that the meeting concerned."),
        lambda: Issue.title,
        link=ISSUES,
    ),
    Column(
        "subject",
        "string",
        _l("What the meeting was about, in one line."),
        lambda: Meeting.subject,
    ),
    Column("summary", "string", _l("A public summary of the meeting."), lambda: Meeting.summary),
    Column(
        "format",
        "string",
        _l("How it was held: in_person, video, phone, written or other."),
        lambda: Meeting.format,
        vocabulary=tuple(MEETING_FORMATS),
    ),
    Column("location", "string", _l("Where it was held."), lambda: Meeting.location),
    Column(
        "initiative",
        "string",
        _l("Who took the initiative: region, counterpart or third_party."),
        lambda: Meeting.initiative,
        vocabulary=tuple(INITIATIVES),
    ),
    Column(
        "published_at",
        "datetime",
        _l("When the record was first published (UTC)."),
        lambda: Meeting.published_at,
    ),
    Column(
        "days_to_publish",
        "integer",
        _l("Days from the meeting to its publication."),
        # Counted between local dates, as the record page counts them.
        days_to_publish,
    ),
    Column(
        "last_amended_at",
        "datetime",
        _l("When the record was last amended after publication (UTC), if ever."),
        lambda: Meeting.amended_at,
    ),
    Column(
        "status",
        "string",
        _l(
            "published, withdrawn or withheld. A withdrawn or withheld record keeps its row "
            "with only its id, date, status, address, when and why it was taken down, and "
            "the legal ground."
        ),
        lambda: Meeting.status,
        stub=True,
        vocabulary=Meeting.PUBLIC_STATUSES,
    ),
    Column(
        "url",
        "string",
        _l("The record's permanent address (a withdrawn record's says why it was withdrawn)."),
        _meeting_address,
        stub=True,
    ),
    # The rest of the public record (SPEC §4: after the first 18 columns).
    Column(
        "start_time",
        "string",
        _l("When the meeting began (HH:MM, local time), if recorded."),
        lambda: _hh_mm(Meeting.start_time),
    ),
    Column("outcome", "string", _l("The outcome or follow-up."), lambda: Meeting.outcome),
    Column(
        "representatives",
        "string",
        _l("The counterpart's representatives, by name and role."),
        lambda: Meeting.representatives,
    ),
    Column(
        "client",
        "string",
        _l("Whom a consultancy or PR firm acted for."),
        lambda: Meeting.client,
    ),
    Column(
        "document_links",
        "string",
        _l("Links to the documents exchanged."),
        # Kept as a JSON array of text on the meeting.
        lambda: Meeting.document_links,
        multi=True,
    ),
    Column(
        "official_ids",
        "string",
        _l("The officials' ids (as in officials.csv), in the same order as the officials."),
        lambda: cast(Official.id, String),
        link=OFFICIALS,
    ),
    Column(
        "official_units",
        "string",
        _l("The officials' units, in the same order as the officials."),
        lambda: Unit.name,
        link=OFFICIALS,
    ),
    Column(
        "organisation_ids",
        "string",
        _l("The organisations' ids (as in organisations.csv), in the same order."),
        lambda: cast(Organisation.id, String),
        link=ORGANISATIONS,
    ),
    Column(
        "organisation_countries",
        "string",
        _l("The organisations' countries (ISO 3166-1 alpha-2), in the same order."),
        lambda: Organisation.country,
        link=ORGANISATIONS,
    ),
    Column(
        "organisation_websites",
        "string",
        _l("The organisations' websites, in the same order."),
        lambda: Organisation.website,
        link=ORGANISATIONS,
    ),
    Column(
        "organisation_eu_transparency_ids",
        "string",
        _l("The organisations' ids in the EU Transparency Register, in the same order."),
        lambda: Organisation.eu_transparency_id,
        link=ORGANISATIONS,
    ),
    Column(
        "issue_slugs",
        "string",
        _l("The issues' short names (as in issues.csv), in the same order as the issues."),
        lambda: Issue.slug,
        link=ISSUES,
    ),
    Column(
        "withdrawn_at",
        "datetime",
        _l("When a withdrawn or withheld record was taken down (UTC)."),
        lambda: Meeting.withdrawn_at,
        stub=True,
    ),
    Column(
        "reason",
        "string",
        _l("Why a withdrawn or withheld record was taken down; empty for a published one."),
        lambda: func.nullif(Meeting.withdrawal_reason, ""),
        stub=True,
    ),
    Column(
        "legal_ground",
        "string",
        _l("The legal provision a withheld record's details are kept back under."),
        lambda: func.nullif(Meeting.withheld_ground, ""),
        stub=True,
    ),
)


COLUMN_NAMES = tuple(column.name for column in COLUMNS)


def safe_cell(value: object) -> object:
    """A CSV cell no spreadsheet will run as a formula; the data itself is kept.

    Real numbers stay numbers; text that starts like a formula gets a leading `'`.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


# -- SQL written per database ------------------------------------------------------------


class _Spelt(FunctionElement):
    """A function each database spells its own way: `on_sqlite` and `on_postgresql` write
    it from the compiled arguments. An argument may be written more than once (a CASE
    tests a value, then returns it); each time it is compiled again, so that a bound value
    is bound again."""

    inherit_cache = True
    type = NullType()


class _Compiled:
    def __init__(self, compiler, clause, kw):
        self.compiler, self.clause, self.kw = compiler, clause, kw

    def __format__(self, spec: str) -> str:
        return self.compiler.process(self.clause, **self.kw)


@compiles(_Spelt, "sqlite")
@compiles(_Spelt, "postgresql")
def _spell(element, compiler, **kw):
    spelling = getattr(element, "on_" + compiler.dialect.name)
    return spelling(*(_Compiled(compiler, clause, kw) for clause in element.clauses))


_TRIGGER_CODES = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)
_TRIGGER_CHARACTERS = ", ".join(f"chr({ord(trigger)})" for trigger in FORMULA_TRIGGERS)


def _csv_on_sqlite(x) -> str:
    # LIKE '%c%' scans for one character faster than instr() (which compares at every
    # position); a comma, the most common, first.
    guard = f"CASE WHEN unicode({x}) IN ({_TRIGGER_CODES}) THEN '''' ELSE '' END"
    return (
        f"CASE WHEN {x} IS NULL OR {x} = '' THEN NULL "
        f"WHEN {x} LIKE '%,%' OR {x} LIKE '%\"%' OR {x} LIKE '%' || char(10) || '%' "
        f"OR {x} LIKE '%' || char(13) || '%' "
        f"THEN '\"' || {guard} || replace({x}, '\"', '\"\"') || '\"' "
        f"WHEN unicode({x}) IN ({_TRIGGER_CODES}) THEN '''' || {x} ELSE {x} END"
    )


def _csv_on_postgresql(x) -> str:
    guarded = f"CASE WHEN left({x}, 1) IN ({_TRIGGER_CHARACTERS}) THEN '''' || {x} ELSE {x} END"
    return (
        f"CASE WHEN strpos({x}, '\"') > 0 OR strpos({x}, ',') > 0 "
        f"OR strpos({x}, chr(10)) > 0 OR strpos({x}, chr(13)) > 0 "
        f"THEN '\"' || replace({guarded}, '\"', '\"\"') || '\"' ELSE {guarded} END"
    )


class _csv_text(_Spelt):  # noqa: N801 (named like the SQL functions it stands for)
    """Text as a CSV cell: a `'` before a formula's first character (safe_cell's rule),
    then quoted as RFC 4180 and Python's csv module quote it (when it holds a quote, a
    comma or a line break). NULL stays NULL, an empty cell."""

    inherit_cache = True
    on_sqlite = staticmethod(_csv_on_sqlite)
    on_postgresql = staticmethod(_csv_on_postgresql)


class _json_text(_Spelt):  # noqa: N801
    """A value as JSON text: a string, a number or null."""

    inherit_cache = True
    on_sqlite = staticmethod(lambda x: f"json_quote({x})")
    on_postgresql = staticmethod(lambda x: f"coalesce(to_json({x})::text, 'null')")


class _iso_date(_Spelt):  # noqa: N801
    inherit_cache = True
    # SQLite keeps a date as ISO 8601 text already.
    on_sqlite = staticmethod(lambda x: f"{x}")
    on_postgresql = staticmethod(lambda x: f"to_char({x}, 'YYYY-MM-DD')")


class _iso_timestamp(_Spelt):  # noqa: N801
    """A UTC timestamp as 2025-01-31T09:30:00Z, to the second (cut, not rounded)."""

    inherit_cache = True
    # SQLite keeps "2025-01-31 09:30:00.000000", UTC.
    on_sqlite = staticmethod(lambda x: f"substr({x}, 1, 10) || 'T' || substr({x}, 12, 8) || 'Z'")
    on_postgresql = staticmethod(
        lambda x: f"""to_char({x} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
    )


class _Written(_Spelt):
    """Text the register writes in a fixed shape (digits, a time, an address it checked):
    a CSV cell as it stands."""

    inherit_cache = True


class _address(_Written):  # noqa: N801
    inherit_cache = True
    on_sqlite = staticmethod(lambda prefix, number: f"{prefix} || {number}")
    on_postgresql = staticmethod(lambda prefix, number: f"{prefix} || {number}")


class _hh_mm(_Written):  # noqa: N801
    inherit_cache = True
    on_sqlite = staticmethod(lambda x: f"substr({x}, 1, 5)")
    on_postgresql = staticmethod(lambda x: f"to_char({x}, 'HH24:MI')")


def _ordered(order: Sequence[_Compiled]) -> str:
    return ", ".join(f"{column}" for column in order)


class _list_text(_Spelt):  # noqa: N801
    """Linked records' values joined with "; ", in their order (on SQLite, the order of
    the subquery they are read from: it has no ORDER BY inside an aggregate)."""

    inherit_cache = True
    on_sqlite = staticmethod(lambda x, *order: f"group_concat({x}, '; ')")
    on_postgresql = staticmethod(
        lambda x, *order: f"string_agg({x}, '; ' ORDER BY {_ordered(order)})"
    )


class _list_json(_Spelt):  # noqa: N801
    """Linked records' values as a JSON array, in their order."""

    inherit_cache = True
    on_sqlite = staticmethod(lambda x, *order: f"json_group_array({x})")
    on_postgresql = staticmethod(
        lambda x, *order: f"coalesce(json_agg({x} ORDER BY {_ordered(order)})::text, '[]')"
    )


class _array_csv(_Spelt):  # noqa: N801
    """A JSON array of text kept on the meeting, as one CSV cell: its items joined with
    "; " once, in a subquery, then written as _csv_text writes text."""

    inherit_cache = True
    on_sqlite = staticmethod(
        lambda x: f"CASE WHEN {x} != '[]' THEN (SELECT {_csv_on_sqlite('items')} FROM "
        f"(SELECT group_concat(value, '; ') AS items FROM json_each({x})) AS joined) END"
    )
    on_postgresql = staticmethod(
        lambda x: f"CASE WHEN json_typeof({x}) = 'array' THEN "
        f"(SELECT {_csv_on_postgresql('items')} FROM (SELECT string_agg(item, '; ' "
        f"ORDER BY position) AS items FROM json_array_elements_text({x}) "
        f"WITH ORDINALITY AS listed(item, position)) AS joined) END"
    )


class _array_json(_Spelt):  # noqa: N801
    """A JSON array kept on the meeting, as JSON (an empty one for anything else)."""

    inherit_cache = True
    on_sqlite = staticmethod(
        lambda x: f"CASE WHEN {x} = '[]' THEN '[]' WHEN json_type({x}) = 'array' THEN {x} "
        f"ELSE '[]' END"
    )
    on_postgresql = staticmethod(
        lambda x: f"CASE WHEN json_typeof({x}) = 'array' THEN {x}::text ELSE '[]' END"
    )


class _key(_Spelt):  # noqa: N801
    """The ids of a meeting's linked records as one text: the same set, the same key."""

    inherit_cache = True
    on_sqlite = staticmethod(lambda x: f"group_concat({x})")
    on_postgresql = staticmethod(lambda x: f"string_agg({x}::text, ',' ORDER BY {x})")


class _formatted(_Spelt):  # noqa: N801
    """printf-style text: `%s` takes the next value, NULL writing nothing."""

    inherit_cache = True
    on_sqlite = staticmethod(lambda fmt, *values: f"printf({fmt}, {_ordered(values)})")
    on_postgresql = staticmethod(lambda fmt, *values: f"format({fmt}, {_ordered(values)})")


class _utf8(_Spelt):  # noqa: N801
    """Text as UTF-8 bytes, so that Python never decodes what it only passes on."""

    inherit_cache = True
    on_sqlite = staticmethod(lambda x: f"CAST({x} AS BLOB)")
    on_postgresql = staticmethod(lambda x: f"convert_to({x}, 'UTF8')")


# -- the two formats, written by the database ------------------------------------------------


class _Format(ABC):
    """How one format writes a cell; a run of cells is joined with `separator`."""

    separator: str

    def prefix(self, column: Column) -> str:
        return ""

    @abstractmethod
    def blank(self, column: Column) -> str:
        """A cell of a column that a withdrawn or withheld record does not show."""

    @abstractmethod
    def cell(self, column: Column, value: ColumnElement) -> ColumnElement:
        """The cell of a column of the meeting's own."""

    @abstractmethod
    def listed(self, column: Column, value: ColumnElement, order) -> ColumnElement:
        """The cell of a linked column: an aggregate of `value` over the linked records."""


def _written(column: Column, value: ColumnElement) -> ColumnElement:
    if column.type == "date":
        return _iso_date(value)
    if column.type == "datetime":
        return _iso_timestamp(value)
    return value


class _CsvFormat(_Format):
    separator = ","

    def blank(self, column):
        return ""

    def cell(self, column, value):
        if column.multi:
            return _array_csv(value)
        if column.type != "string" or isinstance(value, _Written):
            # Numbers, dates, timestamps and the like never need quoting and never
            # start a formula.
            return _written(column, value)
        if column.vocabulary:
            return case((value.in_(column.vocabulary), value), else_=_csv_text(value))
        return _csv_text(value)

    def listed(self, column, value, order):
        return _csv_text(_list_text(value, *order))


class _JsonFormat(_Format):
    separator = ", "

    def prefix(self, column):
        return json.dumps(column.name) + ": "

    def blank(self, column):
        return "[]" if column.multi else "null"

    def cell(self, column, value):
        if column.multi:
            return _array_json(value)
        return _json_text(_written(column, value))

    def listed(self, column, value, order):
        return _list_json(value, *order)


CSV_FORMAT = _CsvFormat()
JSON_FORMAT = _JsonFormat()


def _runs(columns: Sequence[Column]) -> tuple[tuple[Link | None, tuple[Column, ...]], ...]:
    """The columns in runs that come from the same place: the meeting, or one link."""
    runs: list[tuple[Link | None, list[Column]]] = []
    for column in columns:
        if runs and runs[-1][0] is column.link:
            runs[-1][1].append(column)
        else:
            runs.append((column.link, [column]))
    return tuple((link, tuple(run)) for link, run in runs)


LAYOUT = _runs(COLUMNS)


def _template(fmt: _Format, cells: Sequence[tuple[Column, ColumnElement | None]]):
    """A run of cells as one text; a cell without SQL is the column's blank."""
    texts, parts, values = [], [], []
    for column, value in cells:
        text = fmt.prefix(column) + (fmt.blank(column) if value is None else "")
        texts.append(text)
        parts.append(text.replace("%", "%%") + ("" if value is None else "%s"))
        if value is not None:
            values.append(value)
    if not values:
        return literal(fmt.separator.join(texts), String)
    return _formatted(literal(fmt.separator.replace("%", "%%").join(parts), String), *values)


def _published() -> ColumnElement:
    return Meeting.status == "published"


def _own_run(fmt: _Format, columns: Sequence[Column]) -> ColumnElement:
    """A run of the meeting's own columns; a stub shows its stub columns only."""
    published = _template(fmt, [(column, fmt.cell(column, column.value())) for column in columns])
    if all(column.stub for column in columns):
        return published
    stub = _template(
        fmt,
        [(column, fmt.cell(column, column.value()) if column.stub else None) for column in columns],
    )
    return case((_published(), published), else_=stub)


def _blank_run(fmt: _Format, columns: Sequence[Column]) -> str:
    return fmt.separator.join(fmt.prefix(column) + fmt.blank(column) for column in columns)


def _linked_run(fmt: _Format, link: Link, columns: Sequence[Column]) -> ColumnElement:
    """A run of a link's columns for the meeting of the outer query: one pass over its
    linked records, in their order."""
    records = (
        select(
            *(
                func.coalesce(column.value(), "").label(f"value_{i}")
                for i, column in enumerate(columns)
            ),
            *(order.label(f"order_{i}") for i, order in enumerate(link.order)),
        )
        .select_from(link.joined)
        .where(link.table.c.meeting_id == Meeting.id)
        .order_by(*link.order)
        .correlate(Meeting)
        .subquery()
    )
    order = [records.c[f"order_{i}"] for i in range(len(link.order))]
    cells = [
        (column, fmt.listed(column, records.c[f"value_{i}"], order))
        for i, column in enumerate(columns)
    ]
    written = select(_template(fmt, cells)).scalar_subquery()
    return case((_published(), written), else_=literal(_blank_run(fmt, columns), String))


def _link_key(link: Link) -> ColumnElement:
    """The key of a meeting's linked records; NULL for none, and for a stub."""
    ids = (
        select(_key(link.target))
        .where(link.table.c.meeting_id == Meeting.id)
        .correlate(Meeting)
        .scalar_subquery()
    )
    return case((_published(), ids))


def _raw(value: ColumnElement, name: str) -> ColumnElement:
    # As the driver gives it: no per-value conversions by SQLAlchemy.
    return type_coerce(value, NullType()).label(name)


# -- reading rows: the cells of a meeting's own, and the keys of its links -------------------


class _Plan:
    """Where each run of a format's rows comes from, and the queries that write them."""

    def __init__(self, fmt: _Format):
        self.fmt = fmt
        self._linked_selects: dict[Link, Select] = {}
        own = [columns for link, columns in LAYOUT if link is None]
        self.own = own
        # A row: number, held_on, the own runs, then a key per link.
        first_key = 2 + len(own)
        self.key_positions = tuple(range(first_key, first_key + len(LINKS)))
        self.link_runs = {
            link: [columns for run_link, columns in LAYOUT if run_link is link] for link in LINKS
        }
        # A row and the runs kept for its links, one after the other, give every run;
        # `pick` takes them in the layout's order.
        width = first_key + len(LINKS)
        starts = {}
        for link in LINKS:
            starts[link] = width
            width += len(self.link_runs[link])
        picked, own_seen, link_seen = [], 0, dict.fromkeys(LINKS, 0)
        for link, _columns in LAYOUT:
            if link is None:
                picked.append(2 + own_seen)
                own_seen += 1
            else:
                picked.append(starts[link] + link_seen[link])
                link_seen[link] += 1
        self.pick = operator.itemgetter(*picked)
        self.blanks = tuple(
            tuple(_blank_run(fmt, columns).encode() for columns in self.link_runs[link])
            for link in LINKS
        )

    def select(self, meetings: Select):
        """The rows of the meetings an ORM query selects, in its order.

        Withdrawn and withheld records come from the same index as published ones, each
        status in order, merged (UNION ALL): a single query over several statuses would
        sort every row of the export before writing the first.
        """
        columns = [
            _raw(Meeting.number, "number"),
            _raw(Meeting.held_on, "held_on"),
            *(_raw(_utf8(_own_run(self.fmt, run)), f"own_{i}") for i, run in enumerate(self.own)),
            *(_raw(_link_key(link), f"key_{link.name}") for link in LINKS),
        ]
        query = meetings.with_only_columns(*columns, maintain_column_froms=True)
        order = getattr(meetings, "_order_by_clauses", ())
        limited = (
            getattr(meetings, "_limit_clause", None) is not None
            or getattr(meetings, "_offset_clause", None) is not None
        )
        if not order or limited:
            return query
        arms = [
            query.order_by(None).where(Meeting.status == status)
            for status in Meeting.PUBLIC_STATUSES
        ]
        return union_all(*arms).order_by(*order)

    def linked_select(self, link: Link) -> Select:
        """The runs of one link's columns for some meetings (by number). They depend on
        nothing but the columns: built once."""
        if link not in self._linked_selects:
            runs = [
                _raw(_utf8(_linked_run(self.fmt, link, columns)), f"run_{i}")
                for i, columns in enumerate(self.link_runs[link])
            ]
            numbers = bindparam("numbers", expanding=True)
            self._linked_selects[link] = select(Meeting.number, *runs).where(
                Meeting.number.in_(numbers)
            )
        return self._linked_selects[link]

    def lines(self, result, separator: bytes) -> Iterator[list[bytes]]:
        """The rows of `select`'s result as lines of the format, a chunk at a time."""
        kept = [{None: blanks} for blanks in self.blanks]
        positions = self.key_positions
        lookups = list(zip(kept, positions, strict=True))
        pick, join = self.pick, separator.join

        def assembled(rows) -> list[bytes]:
            lines = []
            append = lines.append
            for row in rows:
                parts = tuple(row)
                for runs, position in lookups:
                    parts += runs[row[position]]
                append(join(pick(parts)))
            return lines

        for rows in result.partitions(ROWS_PER_CHUNK):
            try:
                lines = assembled(rows)
            except KeyError:
                # Linked records this chunk brings for the first time.
                for number, link in enumerate(LINKS):
                    self._complete(kept[number], link, rows, positions[number])
                lines = assembled(rows)
            yield lines

    def _complete(self, runs: dict, link: Link, rows, position: int) -> None:
        """Write the runs of one link's keys that a chunk brings and are not kept yet."""
        if len(runs) > KEPT_KEYS:
            blanks = runs[None]
            runs.clear()
            runs[None] = blanks
        missing = {row[position] for row in rows}.difference(runs)
        if not missing:
            return
        # One meeting (by its number) for each missing key: its runs are the key's.
        numbers = {}
        for row in rows:
            if row[position] in missing:
                numbers.setdefault(row[position], row[0])
        keys = {number: key for key, number in numbers.items()}
        written = db.session.execute(self.linked_select(link), {"numbers": list(keys)})
        for number, *link_runs in written:
            runs[keys[number]] = tuple(bytes(run) for run in link_runs)


_CSV_PLAN = _Plan(CSV_FORMAT)
_JSON_PLAN = _Plan(JSON_FORMAT)


def _streamed(plan: _Plan, meetings: Select):
    query = plan.select(meetings).execution_options(yield_per=ROWS_PER_CHUNK)
    return db.session.execute(query)


def stream_csv(meetings: Select) -> Iterator[bytes]:
    """The meetings an ORM query selects as CSV (UTF-8, RFC 4180), a chunk at a time:
    memory stays flat whatever the number of rows."""
    yield (",".join(COLUMN_NAMES) + "\r\n").encode()
    for lines in _CSV_PLAN.lines(_streamed(_CSV_PLAN, meetings), b","):
        lines.append(b"")
        yield b"\r\n".join(lines)


def stream_json(meetings: Select) -> Iterator[bytes]:
    """The meetings as a JSON document `{"meetings": [...]}`, a chunk at a time."""
    yield b'{"meetings": ['
    separator = b"{"
    for lines in _JSON_PLAN.lines(_streamed(_JSON_PLAN, meetings), b", "):
        yield separator + b"},\n{".join(lines) + b"}"
        separator = b",\n{"
    yield b"]}\n"


# -- a record at a time: the API, the workbook, the data package ----------------------------


class ExportRow:
    """One record as the exports give it: the value of each column by name, lists for the
    multi-valued ones (empty, like every column a stub does not show, for a withdrawn or
    withheld record)."""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, object]):
        self.values = values

    @property
    def number(self) -> int:
        return self.values["id"]

    @property
    def held_on(self) -> str:
        return self.values["date"]

    @property
    def status(self) -> str:
        return self.values["status"]


def export_select(meetings: Select):
    """The export's records for every meeting an ORM query selects, in its order; read
    them with `export_rows`."""
    return _JSON_PLAN.select(meetings)


def export_rows(result) -> Iterator[ExportRow]:
    """ExportRows from the result of `export_select`."""
    for lines in _JSON_PLAN.lines(result, b", "):
        for line in lines:
            yield ExportRow(json.loads(b"{" + line + b"}"))


def json_record(row: ExportRow) -> dict[str, object]:
    """A record as JSON: lists stay lists, no formula guard."""
    return row.values


def column_value(column: Column, row: ExportRow) -> object:
    """A column's value for a record (a list for a multi-valued column)."""
    return row.values[column.name]


def csv_row(row: ExportRow) -> list[object]:
    """A record's CSV cells, as the CSV export writes them."""
    return [
        safe_cell(MULTI_VALUE_SEPARATOR.join(value) if column.multi else value)
        for column, value in zip(COLUMNS, row.values.values(), strict=True)
    ]


class json_rows(GenericFunction):  # noqa: N801 (SQL function names are lower case)
    """The rows of a subquery as one JSON array of arrays: json_group_array on SQLite,
    json_agg on PostgreSQL (which gives NULL, not [], for no rows)."""

    type = JSON()
    inherit_cache = True


@compiles(json_rows, "sqlite")
def _json_rows_sqlite(element, compiler, **kw):
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


@compiles(json_rows, "postgresql")
def _json_rows_postgresql(element, compiler, **kw):
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


def table_schema() -> dict[str, object]:
    """The columns as a Frictionless Table Schema."""
    return {
        "fields": [
            {"name": column.name, "type": column.type, "description": str(column.description)}
            for column in COLUMNS
        ],
        "primaryKey": "id",
    }
