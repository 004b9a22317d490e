"""Importing meetings from a spreadsheet or another register (SPEC §5).

`flask import-meetings FILE [--map MAPPING.toml]`. Without a mapping the file has the CSV
contract's own columns (export.COLUMNS), so that an export imported into an empty register
gives the same register again. A mapping file describes any other layout: which column
is which field, the file's encoding, delimiter and date formats, separators inside
multi-valued cells, fixed defaults, and value translations ("Teams" → video).

Every row is checked first, by the rules the meeting form and the administration keep:
text in NFC without direction controls, the same lengths, the vocabularies, dates that
have been, organisation numbers with their check digits. Nothing is written unless every
row passes, or the caller chose to skip the invalid ones.

Officials, organisations, issues and units are matched before new ones are made:
- an organisation by its organisation number first, then by its name folded as the
  meeting form folds it (text.name_key: case, spacing and invisible characters do not
  count, so "ACME  ab" is "Acme AB" but "Acme" is not); a merged one stands for the one it
  was merged into;
- an official by name folded the same way; where two share a name, by title too;
- an issue by slug, then by its title folded as a search folds it (text.search_key:
  accents and dashes do not count either), or made into the same web address;
- a unit by name, folded.
Existing records are never changed by an import; the file's facts (titles, kinds,
numbers …) only go into the new ones it makes.

The valid rows are written in one transaction, all or nothing: each published with the
next number of the gapless counter and a publication revision like any other record (a
withdrawn or withheld row as its stub, with its reason), the full-text index brought up
to date, and one audit entry for the import as a whole. Numbers are given in the order of
the file's ids where it has them, so an export imported into an empty register keeps its
numbers; otherwise by the date of the meeting, then by line.

An imported record keeps its date. Without a publication date in the file it has none in
the register either (`published_at` is empty, `imported_at` says when it came): it shows
no days to publish and is never counted late.

Cells the export neutralised against spreadsheet formulas (a `'` before `=`, `+`, `-`,
`@` …) are read back without the `'`; a text that really began with `'-` cannot be told
from one the export protected, and loses its `'`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import insert, select, update

from . import agenda, audit, fulltext, history, organisations, records, vocabulary
from .export import COLUMN_NAMES, COLUMNS, FORMULA_TRIGGERS, MULTI_VALUE_SEPARATOR, safe_cell
from .extensions import db
from .models import (
    Issue,
    Meeting,
    Official,
    Organisation,
    Revision,
    Unit,
    local_date,
    local_today,
    meeting_issue,
    meeting_official,
    meeting_organisation,
    record_content,
    utcnow,
)
from .text import (
    BIDI_CONTROLS,
    has_visible,
    is_web_link,
    name_key,
    normalise,
    parse_id,
    parse_iso_date,
    search_key,
    single_line,
)
from .transactions import write_transaction

# -- the fields ------------------------------------------------------------------------

MULTI_VALUED = frozenset(column.name for column in COLUMNS if column.multi)
# What a mapping file may name (SPEC §5): the contract's columns from `date` to `status`,
# and these; `unit` is the contract's `official_units`.
MAPPABLE = (
    *COLUMN_NAMES[COLUMN_NAMES.index("date") : COLUMN_NAMES.index("status") + 1],
    "start_time",
    "outcome",
    "representatives",
    "client",
    "document_links",
    "unit",
)
MAPPED_AS = {"unit": "official_units"}
# Without them no meeting can be published (the meeting form requires them too).
REQUIRED_COLUMNS = ("date", "officials", "organisations", "subject", "format", "initiative")
# Columns of the contract that the importer reads no value from: the address and the
# source register's own internal ids are the new register's to give.
IGNORED_COLUMNS = frozenset({"url", "official_ids", "organisation_ids"})
ORGANISATION_FACTS = (
    "organisation_kinds",
    "organisation_numbers",
    "organisation_countries",
    "organisation_websites",
    "organisation_eu_transparency_ids",
)
# The columns of an organisation's facts, by the name organisations.py gives them.
FACT_COLUMNS = {
    "kind": "organisation_kinds",
    "org_number": "organisation_numbers",
    "country": "organisation_countries",
    "website": "organisation_websites",
    "eu_transparency_id": "organisation_eu_transparency_ids",
}
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")
DELIMITERS = (",", ";", "\t")

# The limits of the meeting form (desk/forms.py) and of the columns that store them.
EARLIEST_DATE = date(2000, 1, 1)
SUBJECT_LENGTH = (3, 200)
LINE_LIMITS = {"location": 200, "client": 200}
TEXT_LIMITS = {"summary": 10_000, "outcome": 5_000, "representatives": 2_000}
MAX_NAME = 200
MAX_LINKS = 20
MAX_LINK = 2_000
MAX_REASON = 2_000
MAX_GROUND = 200
# A unit the file names that the register lacks is made with this kind (the
# administration can change it); the summary says so.
NEW_UNIT_KIND = "administration"

# text.BIDI_CONTROLS as one pattern, searched in C rather than character by character.
BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
TIME_OF_DAY = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})(?::00)?")
ISO_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
CHUNK = 2_000
INDEX_BATCH = 10_000
SAMPLE_LINES = 50


class CannotImport(Exception):
    """The file or the mapping cannot be read at all; nothing was checked or written."""


class MappingError(CannotImport):
    """The mapping file is not one SPEC §5 describes."""


class SourceError(CannotImport):
    """The file cannot be read as a table the mapping (or the contract) describes."""


# -- the mapping ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueMap:
    """[values.<field>]: the field is derived from a column's values, matched without
    regard to case; a value not in the map is `default`, or itself when there is none."""

    column: str
    map: dict[str, str]
    default: str | None = None


@dataclass(frozen=True)
class Mapping:
    """Which column gives which field, and how to read the file."""

    columns: dict[str, str] = field(default_factory=dict)  # field: the column's header
    split: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    values: dict[str, ValueMap] = field(default_factory=dict)
    encoding: str = "utf-8"
    delimiter: str | None = None
    date_formats: tuple[str, ...] = ()
    # The CSV contract's own columns: values as the export writes them.
    contract: bool = False


def fold_value(value: str) -> str:
    """A cell as [values] matches it: case and spacing do not count."""
    return " ".join(value.split()).casefold()


def load_mapping(text: str) -> Mapping:
    """A mapping file's text (TOML) as a Mapping; MappingError says what is wrong."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise MappingError(f"the mapping file is not valid TOML: {error}") from None
    _only(document, ("source", "columns", "split", "defaults", "values"), "the mapping file")
    source = _table(document, "source")
    _only(source, ("encoding", "delimiter", "date_formats"), "[source]")
    encoding = _encoding(source.get("encoding", "utf-8"))
    delimiter = source.get("delimiter")
    if delimiter is not None and not (isinstance(delimiter, str) and len(delimiter) == 1):
        raise MappingError('[source] delimiter must be one character, as in delimiter = ";"')
    formats = source.get("date_formats", [])
    if isinstance(formats, str):
        formats = [formats]
    if not isinstance(formats, list) or not all(
        isinstance(item, str) and "%" in item for item in formats
    ):
        raise MappingError(
            '[source] date_formats must be a list of strptime patterns, as in ["%d-%m-%Y"]'
        )

    columns = _strings(_table(document, "columns"), "[columns]")
    split = _strings(_table(document, "split"), "[split]")
    for name in split:
        if _field(name) not in MULTI_VALUED:
            raise MappingError(f"[split] {name}: only a field with several values can be split")
    defaults = _strings(_table(document, "defaults"), "[defaults]")
    values = {}
    for name, spec in _table(document, "values").items():
        where = f"[values.{name}]"
        _mappable(name, where)
        if not isinstance(spec, dict):
            raise MappingError(f"{where} must be a table with column, map and default")
        _only(spec, ("column", "map", "default"), where)
        column = spec.get("column")
        if not isinstance(column, str) or not column.strip():
            raise MappingError(f'{where} needs the column it reads: column = "…"')
        table = _strings(spec.get("map", {}), f"{where} map", fields=False)
        default = spec.get("default")
        if default is not None and not isinstance(default, str):
            raise MappingError(f"{where} default must be text")
        if name in columns:
            raise MappingError(f"{name} is given by both [columns] and {where}: keep one")
        values[_field(name)] = ValueMap(
            column.strip(), {fold_value(key): value for key, value in table.items()}, default
        )
    return Mapping(
        columns={_field(name): header.strip() for name, header in columns.items()},
        split={_field(name): separator for name, separator in split.items()},
        defaults={_field(name): value for name, value in defaults.items()},
        values=values,
        encoding=encoding,
        delimiter=delimiter,
        date_formats=tuple(formats),
    )


def _field(name: str) -> str:
    return MAPPED_AS.get(name, name)


def _only(table: dict, allowed, where: str) -> None:
    unknown = [key for key in table if key not in allowed]
    if unknown:
        raise MappingError(
            f"{where}: unknown key {', '.join(map(repr, unknown))}; "
            f"the keys are {', '.join(allowed)}"
        )


def _table(document: dict, name: str) -> dict:
    value = document.get(name, {})
    if not isinstance(value, dict):
        raise MappingError(f"[{name}] must be a table")
    return value


def _mappable(name: str, where: str) -> None:
    if name not in MAPPABLE:
        raise MappingError(
            f"{where}: {name!r} is not a field the register has; the fields are "
            + ", ".join(MAPPABLE)
        )


def _strings(table, where: str, *, fields: bool = True) -> dict[str, str]:
    if not isinstance(table, dict):
        raise MappingError(f"{where} must be a table")
    for key, value in table.items():
        if fields:
            _mappable(key, where)
        if not isinstance(value, str) or (fields and not value):
            raise MappingError(f"{where} {key}: give the value as text in quotes")
    return table


def _encoding(name) -> str:
    try:
        codec = codecs.lookup(name).name if isinstance(name, str) else ""
    except LookupError:
        codec = ""
    if codec not in ENCODINGS:
        raise MappingError(f"[source] encoding must be one of {', '.join(ENCODINGS)}")
    return codec


# -- reading the file ------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """The file as rows of cells, each with the physical line it starts on (header = 1)."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    delimiter: str


def read_table(data: bytes, encoding: str = "utf-8", delimiter: str | None = None) -> Table:
    """The file's header and rows; SourceError when it cannot be read."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    codec = "utf-8" if encoding in ("utf-8", "utf-8-sig") else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        hint = (
            'if it was saved by Excel on Windows, say so in a mapping file: encoding = "cp1252"'
            if codec == "utf-8"
            else "check the encoding in the mapping file"
        )
        raise SourceError(f"line {line}: the file is not {codec} text ({hint})") from None
    if "\x00" in text:
        raise SourceError("the file holds NUL characters: it is not a CSV text file")
    if not text.strip():
        raise SourceError("the file is empty")
    delimiter = delimiter or detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    try:
        last = 0
        for cells in reader:
            line, last = last + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, or one of empty cells: no record
            if header is None:
                header = [cell.strip() for cell in cells]
            else:
                rows.append((line, cells))
    except csv.Error as error:
        raise SourceError(f"line {reader.line_num}: {error}") from None
    if header is None:
        raise SourceError("the file has no header row, only empty cells")
    return Table(header, rows, delimiter)


def detect_delimiter(text: str) -> str:
    """The delimiter of a CSV text: what csv.Sniffer finds in the first lines, if the
    header has it; otherwise whichever of , ; and tab the header holds most of."""
    sample = "\n".join(islice(iter(text.splitlines()), SAMPLE_LINES))
    first_line = text.lstrip("\r\n").splitlines()[0]
    try:
        found = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        found = None
    if found and found in first_line:
        return found
    counts = [(first_line.count(candidate), candidate) for candidate in DELIMITERS]
    best = max(counts, key=lambda pair: pair[0])
    return best[1] if best[0] else ","


def contract_mapping(header: list[str], delimiter: str | None = None) -> Mapping:
    """The CSV contract's own layout, for a file whose header has its columns."""
    unknown = [name for name in header if name not in COLUMN_NAMES]
    if unknown:
        raise SourceError(
            "line 1: the file has columns the register's CSV does not: "
            + ", ".join(unknown)
            + ". For a file of another layout, give a mapping file with --map."
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise SourceError(
            "line 1: the file lacks the columns "
            + ", ".join(missing)
            + ". For a file of another layout, give a mapping file with --map."
        )
    return Mapping(
        columns={name: name for name in header if name not in IGNORED_COLUMNS},
        split={name: MULTI_VALUE_SEPARATOR for name in MULTI_VALUED},
        delimiter=delimiter,
        contract=True,
    )


class Layout:
    """A mapping fitted to a file's header: where each field's value comes from."""

    def __init__(self, mapping: Mapping, header: list[str]):
        self.mapping = mapping
        self.header = header
        self.columns = {
            name: self._index(header_name) for name, header_name in mapping.columns.items()
        }
        self.values = {
            name: (self._index(spec.column), spec) for name, spec in mapping.values.items()
        }
        self.fields = set(self.columns) | set(self.values) | set(mapping.defaults)

    def _index(self, wanted: str) -> int:
        exact = [i for i, name in enumerate(self.header) if name == wanted]
        if not exact:
            folded = wanted.casefold()
            exact = [i for i, name in enumerate(self.header) if name.casefold() == folded]
        if len(exact) == 1:
            return exact[0]
        if exact:
            raise MappingError(f"the file has more than one column headed {wanted!r}")
        raise MappingError(
            f"the file has no column headed {wanted!r}; its columns are "
            + ", ".join(repr(name) for name in self.header)
        )

    def column_name(self, name: str) -> str | None:
        """The header of the column a field comes from, to name it in messages."""
        if name in self.columns:
            return self.header[self.columns[name]]
        if name in self.values:
            return self.header[self.values[name][0]]
        return None

    def raw(self, cells: list[str], name: str) -> str:
        """A field's text for a row: from its column, or derived by [values], or the
        default when the cell is empty or no column gives the field."""
        if name not in self.fields:
            return ""
        if name in self.values:
            index, spec = self.values[name]
            cell = _cell(cells, index)
            if cell.strip():
                mapped = spec.map.get(fold_value(cell))
                if mapped is not None:
                    return mapped
                return spec.default if spec.default is not None else cell
        elif name in self.columns:
            cell = _cell(cells, self.columns[name])
            if cell.strip():
                return cell
        return self.mapping.defaults.get(name, "")

    def many(self, cells: list[str], name: str) -> list[str]:
        """A multi-valued field's values, in order, each trimmed (empty ones kept, so that
        lists that go together stay in step)."""
        if name not in self.fields:
            return []
        raw = self.raw(cells, name)
        if not raw.strip():
            return []
        separator = self.mapping.split.get(name)
        parts = raw.split(separator) if separator else [raw]
        return [part.strip() for part in parts]


def _cell(cells: list[str], index: int) -> str:
    if index >= len(cells):
        return ""
    cell = cells[index]
    if cell[:1] == "'" and cell[1:2] in FORMULA_TRIGGERS:
        return cell[1:]  # neutralised by the export (SPEC §4): the value itself
    return cell


# -- what a row says -----------------------------------------------------------------------


@dataclass(eq=False)
class NewUnit:
    name: str
    id: int | None = None


@dataclass(eq=False)
class NewOfficial:
    name: str
    title: str
    unit: Known | NewUnit | None
    id: int | None = None


@dataclass(eq=False)
class NewOrganisation:
    name: str
    kind: str
    org_number: str = ""
    country: str = ""
    website: str = ""
    eu_transparency_id: str = ""
    id: int | None = None


@dataclass(eq=False)
class NewIssue:
    title: str
    slug: str
    id: int | None = None


@dataclass(frozen=True)
class Known:
    """A record the register already has: its id and the name records show."""

    id: int
    name: str
    public: bool = True


def _name(linked) -> str:
    return linked.title if isinstance(linked, NewIssue) else linked.name


@dataclass(eq=False)
class Row:
    """One row of the file, checked: what it would store, or why it cannot be stored."""

    line: int
    cells: list[str]
    problems: list[str] = field(default_factory=list)
    order: tuple = ()
    status: str = "published"
    input: records.MeetingInput | None = None
    published_at: datetime | None = None
    amended_at: datetime | None = None
    withdrawn_at: datetime | None = None
    reason: str = ""
    ground: str = ""
    officials: list = field(default_factory=list)
    organisations: list = field(default_factory=list)
    issues: list = field(default_factory=list)


@dataclass
class Result:
    """What an import did (or, dry or refused, would have done)."""

    rows: int = 0
    imported: int = 0
    written: bool = False
    numbers: tuple[int, int] | None = None
    invalid: list[Row] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    new_officials: list[str] = field(default_factory=list)
    new_organisations: list[str] = field(default_factory=list)
    new_issues: list[str] = field(default_factory=list)
    undated: int = 0
    renumbered: bool = False  # the file's ids (the register's CSV) are not the numbers given
    header: list[str] = field(default_factory=list)
    delimiter: str = ","
    # The new units, officials, organisations and issues the valid rows name, by kind.
    pending: dict[type, dict[int, object]] = field(default_factory=dict, repr=False)


Progress = Callable[[Iterable, int, str], Iterable]


def reverses(value: str) -> bool:
    """Whether the text holds a character that reverses its direction (text.py refuses
    them in every form)."""
    return BIDI.search(value) is not None


@lru_cache(maxsize=100_000)
def clean_line(value: str) -> str:
    """A name or a line as the forms clean it (NFC, single spaces, no invisible
    characters); names recur on thousands of rows, so each is cleaned once."""
    return single_line(normalise(value))


@lru_cache(maxsize=100_000)
def checked_name(value: str) -> tuple[str, str]:
    """A name of a person, an organisation or an issue, cleaned, and what is wrong with
    it ("" when nothing is)."""
    text = clean_line(value)
    if reverses(value):
        return text, "remove the invisible characters that reverse the text's direction"
    if text and not has_visible(text):
        return text, "write each name with visible characters"
    if len(text) > MAX_NAME:
        return text, f"“{text[:40]}…” is longer than {MAX_NAME} characters"
    return text, ""


@lru_cache(maxsize=100_000)
def title_key(title: str) -> str:
    return search_key(title)


def no_progress(items: Iterable, length: int, label: str) -> Iterable:
    return items


# -- checking a row ---------------------------------------------------------------------


class Checker:
    """Reads and checks rows against the rules of the form and the register's records."""

    def __init__(self, layout: Layout, register: Register):
        self.layout = layout
        self.register = register
        self.zone = ZoneInfo(current_app.config["TIMEZONE"])
        self.today = local_today()
        self.now = utcnow()
        self.formats = layout.mapping.date_formats
        self.ids: dict[int, int] = {}  # the file's ids (contract): line first seen
        self.dates: dict[str, date | None] = {}

    def label(self, name: str) -> str:
        """A field as messages name it: with the file's column where it differs."""
        column = self.layout.column_name(name)
        shown = "unit" if name == "official_units" and not self.layout.mapping.contract else name
        if column is None or column == shown:
            return shown
        return f"{shown} (column “{column}”)"

    def check(self, line: int, cells: list[str]) -> Row:
        row = Row(line, cells)
        if len(cells) > len(self.layout.header) and any(
            cell.strip() for cell in cells[len(self.layout.header) :]
        ):
            row.problems.append(
                f"the row has {len(cells)} cells, the header {len(self.layout.header)}"
            )
            return row
        raw = lambda name: self.layout.raw(cells, name)  # noqa: E731
        problem = lambda name, text: row.problems.append(f"{self.label(name)}: {text}")  # noqa: E731

        held_on = self._date(raw("date"), "date", problem, required=True)
        status = raw("status").strip().casefold() or "published"
        if status not in Meeting.PUBLIC_STATUSES:
            problem("status", f"“{status}” is not published, withdrawn or withheld")
        row.status = status
        number = self._id(raw("id"), line, problem) if "id" in self.layout.fields else None
        row.order = (0, number, 0, line) if number else (1, 0, (held_on or date.min), line)

        if status in ("withdrawn", "withheld"):
            if not self.layout.mapping.contract:
                problem(
                    "status",
                    f"a {status} record comes in only with the register's own CSV, which "
                    "carries the public reason",
                )
                return row
            self._stub(row, raw, problem)
            row.input = records.MeetingInput(
                held_on=held_on or EARLIEST_DATE, format="", initiative="", subject=""
            )
            return row

        texts = self._texts(raw, problem)
        start_time = self._time(raw("start_time"), problem)
        choices = {}
        for name, vocabulary_ in (
            ("format", vocabulary.MEETING_FORMATS),
            ("initiative", vocabulary.INITIATIVES),
        ):
            value = raw(name).strip().casefold()
            if not value:
                problem(name, "required")
            elif value not in vocabulary_:
                problem(name, f"“{value}” is not one of {', '.join(vocabulary_)}")
            choices[name] = value
        links = self._links(self.layout.many(cells, "document_links"), problem)
        self._moments(row, raw, held_on, problem)
        if row.problems or held_on is None:
            return row
        row.input = records.MeetingInput(
            held_on=held_on,
            start_time=start_time,
            document_links=tuple(links),
            **choices,
            **texts,
        )
        self._linked(row, cells, problem)
        return row

    # -- fields

    def _date(self, value: str, name: str, problem, *, required: bool = False) -> date | None:
        value = value.strip()
        if not value:
            if required:
                problem(name, "required")
            return None
        parsed = self._parse_date(value)
        if parsed is None:
            shapes = ", ".join(self.formats) if self.formats else "YYYY-MM-DD"
            problem(name, f"“{value[:40]}” is not a date in the form {shapes}")
            return None
        if not EARLIEST_DATE <= parsed <= self.today:
            problem(
                name,
                f"{parsed.isoformat()} is not between {EARLIEST_DATE.isoformat()} and "
                f"today ({self.today.isoformat()}): only meetings that have taken place "
                "are published",
            )
            return None
        return parsed

    def _parse_date(self, value: str) -> date | None:
        if value not in self.dates:  # a file has a few thousand days, on many rows
            self.dates[value] = self._strptime(value)
        return self.dates[value]

    def _strptime(self, value: str) -> date | None:
        if not self.formats:
            return parse_iso_date(value)
        for pattern in self.formats:
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                continue
        return None

    def _moment(self, value: str, name: str, problem) -> datetime | None:
        """A timestamp: ISO 8601 (UTC with Z or an offset; without one, local time), or
        a date alone (taken as noon, local time)."""
        value = value.strip()
        if not value:
            return None
        day = self._parse_date(value) or parse_iso_date(value)
        if day is not None:
            return datetime.combine(day, time(12), tzinfo=self.zone).astimezone(UTC)
        if ISO_MOMENT.fullmatch(value):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                moment = None
            if moment is not None:
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=self.zone)
                return moment.astimezone(UTC)
        problem(name, f"“{value[:40]}” is not a date and time such as 2025-03-01T09:30:00Z")
        return None

    def _moments(self, row: Row, raw, held_on: date | None, problem) -> None:
        published = self._moment(raw("published_at"), "published_at", problem)
        if published is None and held_on is not None:
            days = raw("days_to_publish").strip()
            if days:
                count = parse_id(days) if days != "0" else 0
                if count is None:
                    problem("days_to_publish", f"“{days[:20]}” is not a number of days")
                else:
                    published = self._moment(
                        (held_on + timedelta(days=count)).isoformat(), "", problem
                    )
        if published is not None:
            if published > self.now:
                problem("published_at", "lies in the future")
            elif held_on is not None and local_date(published) < held_on:
                problem("published_at", "is before the meeting was held")
        amended = self._moment(raw("last_amended_at"), "last_amended_at", problem)
        if amended is not None:
            if amended > self.now:
                problem("last_amended_at", "lies in the future")
            elif published is not None and amended < published:
                problem("last_amended_at", "is before the record was published")
        row.published_at, row.amended_at = published, amended

    def _id(self, value: str, line: int, problem) -> int | None:
        value = value.strip()
        if not value:
            return None
        number = parse_id(value)
        if number is None:
            problem("id", f"“{value[:20]}” is not a record number")
            return None
        first = self.ids.setdefault(number, line)
        if first != line:
            problem("id", f"{number} is on line {first} too")
        return number

    def _texts(self, raw, problem) -> dict[str, str]:
        texts = {}
        for name in ("subject", *LINE_LIMITS):
            value = raw(name)
            if reverses(value):
                problem(name, "remove the invisible characters that reverse the text's direction")
            texts[name] = single_line(normalise(value))
        subject = texts["subject"]
        low, high = SUBJECT_LENGTH
        if not subject:
            problem("subject", "required")
        elif not low <= len(subject) <= high or not has_visible(subject):
            problem(
                "subject",
                f"the subject must be {low} to {high} characters (this one has {len(subject)})",
            )
        for name, limit in LINE_LIMITS.items():
            if len(texts[name]) > limit:
                problem(name, f"at most {limit} characters (this one has {len(texts[name])})")
        for name, limit in TEXT_LIMITS.items():
            value = raw(name)
            if reverses(value):
                problem(name, "remove the invisible characters that reverse the text's direction")
            text = normalise(value)
            text = text if has_visible(text) else ""
            if len(text) > limit:
                problem(name, f"at most {limit} characters (this one has {len(text)})")
            texts[name] = text
        return texts

    def _time(self, value: str, problem) -> time | None:
        value = value.strip()
        if not value:
            return None
        match = TIME_OF_DAY.fullmatch(value)
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return time(int(match[1]), int(match[2]))
        problem("start_time", f"“{value[:20]}” is not a time in the form HH:MM")
        return None

    def _links(self, links: list[str], problem) -> list[str]:
        links = [normalise(link) for link in links if link.strip()]
        if len(links) > MAX_LINKS:
            problem("document_links", f"at most {MAX_LINKS} links")
        for link in links:
            if len(link) > MAX_LINK or not is_web_link(link):
                problem(
                    "document_links",
                    f"“{link[:80]}” is not a web address starting with http:// or https://",
                )
        return links

    def _stub(self, row: Row, raw, problem) -> None:
        """A withdrawn or withheld record: its stub keeps only the date, the reason and
        (withheld) the legal ground."""
        reason = normalise(raw("reason"))
        ground = single_line(normalise(raw("legal_ground")))
        if not has_visible(reason):
            problem("reason", f"a {row.status} record needs the reason, which is public")
        elif len(reason) > MAX_REASON:
            problem("reason", f"at most {MAX_REASON} characters")
        if row.status == "withheld" and not has_visible(ground):
            problem(
                "legal_ground", "a withheld record needs the legal provision it is withheld under"
            )
        elif len(ground) > MAX_GROUND:
            problem("legal_ground", f"at most {MAX_GROUND} characters")
        for name, value in (("reason", reason), ("legal_ground", ground)):
            if reverses(value):
                problem(name, "remove the invisible characters that reverse the text's direction")
        row.reason, row.ground = reason, ground
        moment = self._moment(raw("withdrawn_at"), "withdrawn_at", problem)
        if moment is not None and moment > self.now:
            problem("withdrawn_at", "lies in the future")
        row.withdrawn_at = moment

    # -- linked records

    def _aligned(self, cells, name: str, count: int, problem) -> list[str]:
        """A list that goes with the officials or organisations, one value each (or none
        at all; a single unit stands for every official)."""
        values = self.layout.many(cells, name)
        if not any(values):
            return [""] * count
        if len(values) == 1 and count > 1 and name == "official_units":
            return values * count
        if len(values) != count:
            owners = "organisations" if name.startswith("organisation") else "officials"
            if name == "issue_slugs":
                owners = "issues"
            problem(name, f"{len(values)} values for {count} {owners}")
            return [""] * count
        return values

    def _names(self, cells, name: str, problem) -> list[str]:
        names = []
        for value in self.layout.many(cells, name):
            text, wrong = checked_name(value)
            if wrong:
                problem(name, wrong)
            elif text:
                names.append(text)
        return names

    def _linked(self, row: Row, cells, problem) -> None:
        register = self.register
        official_names = self._names(cells, "officials", problem)
        titles = self._aligned(cells, "official_titles", len(official_names), problem)
        units = self._aligned(cells, "official_units", len(official_names), problem)
        if not official_names:
            problem("officials", "at least one of the region's participants is required")
        names = self._names(cells, "organisations", problem)
        facts = {
            name: self._aligned(cells, name, len(names), problem) for name in ORGANISATION_FACTS
        }
        if not names:
            problem("organisations", "at least one organisation is required")
        issue_titles = self._names(cells, "issues", problem)
        slugs = self._aligned(cells, "issue_slugs", len(issue_titles), problem)
        if row.problems:
            return
        for name, title, unit in zip(official_names, titles, units, strict=True):
            title, unit = clean_line(title), clean_line(unit)
            if len(title) > MAX_NAME or len(unit) > MAX_NAME:
                problem("official_titles", f"at most {MAX_NAME} characters")
                continue
            found = register.official(name, title, unit, self.label("official_titles"))
            if isinstance(found, str):
                problem("officials", found)
            elif found not in row.officials:
                row.officials.append(found)
        for position, name in enumerate(names):
            values = {key: facts[key][position] for key in ORGANISATION_FACTS}
            try:
                found = register.organisation(name, values)
            except organisations.OrganisationError as error:
                problem(
                    FACT_COLUMNS.get(error.field, "organisations"), f"“{name}”: {error.message}"
                )
                continue
            if isinstance(found, str):
                problem("organisation_numbers", found)
            elif found not in row.organisations:
                row.organisations.append(found)
        for title, slug in zip(issue_titles, slugs, strict=True):
            found = register.issue(title, slug.strip())
            if isinstance(found, str):
                problem("issues", found)
            elif found not in row.issues:
                row.issues.append(found)


# -- matching against the register ----------------------------------------------------------


class Register:
    """The register's units, officials, organisations and issues, read once, and the new
    ones the file names; each name is looked up here, never with a query per row."""

    def __init__(self):
        # Each name (with its facts) is looked up once: the answer stays the answer.
        self.seen: dict[tuple, object] = {}
        self.units: dict[str, Known | NewUnit] = {}
        for unit_id, name in db.session.execute(select(Unit.id, Unit.name).order_by(Unit.id)):
            self.units.setdefault(name_key(name), Known(unit_id, name))
        self.officials: dict[str, list] = defaultdict(list)
        for official_id, name, title in db.session.execute(
            select(Official.id, Official.name, Official.title).order_by(Official.id)
        ):
            self.officials[name_key(name)].append((Known(official_id, name), name_key(title)))
        self.organisations: dict[int, tuple] = {}
        self.by_number: dict[str, Known | NewOrganisation] = {}
        self.by_name: dict[str, Known | NewOrganisation] = {}
        rows = db.session.execute(
            select(
                Organisation.id,
                Organisation.name,
                Organisation.name_key,
                Organisation.org_number,
                Organisation.merged_into_id,
                Organisation.public,
            ).order_by(Organisation.merged_into_id.is_not(None), Organisation.id)
        ).all()
        for row in rows:
            self.organisations[row.id] = row
        for row in rows:
            kept = self._kept(row.id)
            if kept is None:
                continue
            if row.org_number:
                self.by_number.setdefault(row.org_number, kept)
            self.by_name.setdefault(row.name_key, kept)
        self.issues_by_slug: dict[str, Known | NewIssue] = {}
        self.issues_by_title: dict[str, Known | NewIssue] = {}
        for issue_id, slug, title in db.session.execute(
            select(Issue.id, Issue.slug, Issue.title).order_by(Issue.id)
        ):
            known = Known(issue_id, title)
            self.issues_by_slug[slug] = known
            self.issues_by_title.setdefault(title_key(title), known)
        self.numbers: dict[int, str] = {row.id: row.org_number for row in rows if row.org_number}

    def _kept(self, organisation_id: int) -> Known | None:
        """The organisation a merged one lives on as (itself when not merged)."""
        row = self.organisations.get(organisation_id)
        for _hop in range(organisations.MAX_MERGE_HOPS + 1):
            if row is None:
                return None
            if row.merged_into_id is None:
                return Known(row.id, row.name, row.public)
            row = self.organisations.get(row.merged_into_id)
        return None

    def unit(self, name: str) -> Known | NewUnit | None:
        if not name:
            return None
        key = name_key(name)
        if key not in self.units:
            self.units[key] = NewUnit(name)
        return self.units[key]

    def official(
        self, name: str, title: str, unit: str, titles: str = "official_titles"
    ) -> Known | NewOfficial | str:
        """The official of this name (and title, where two share a name), or a new one;
        a message when the register cannot tell which (`titles` names the column that
        would tell)."""
        key = (name, title, unit)
        found = self.seen.get(key)
        if found is None:
            found = self._official(name, title, unit, titles)
            if not isinstance(found, str):  # a later row may yet make the official
                self.seen[key] = found
        return found

    def _official(self, name: str, title: str, unit: str, titles: str):
        key = name_key(name)
        candidates = self.officials.get(key, [])
        if len(candidates) > 1 and title:
            candidates = [pair for pair in candidates if pair[1] == name_key(title)]
        if len(candidates) == 1:
            return candidates[0][0]
        if candidates:
            return (
                f"the register has {len(candidates)} officials called “{name}”; "
                "give the title of the one who took part"
            )
        if not title:
            return (
                f"“{name}” is not in the register: give the official's title ({titles}) "
                "to add them, or add them in the administration first"
            )
        new = NewOfficial(name, title, self.unit(unit))
        self.officials[key].append((new, name_key(title)))
        return new

    def organisation(self, name: str, facts: dict[str, str]) -> Known | NewOrganisation | str:
        """By organisation number first, then by folded name; otherwise a new one. The
        facts are checked as the administration checks them (OrganisationError)."""
        key = ("organisation", name, *facts.values())
        if key not in self.seen:
            try:
                self.seen[key] = self._organisation(name, facts)
            except organisations.OrganisationError as error:
                self.seen[key] = error
        found = self.seen[key]
        if isinstance(found, organisations.OrganisationError):
            raise found
        return found

    def _organisation(self, name: str, facts: dict[str, str]) -> Known | NewOrganisation | str:
        country = organisations.clean_country(facts["organisation_countries"])
        number = organisations.clean_org_number(facts["organisation_numbers"], country)
        website = organisations.clean_website(facts["organisation_websites"])
        eu_id = organisations.clean_eu_transparency_id(facts["organisation_eu_transparency_ids"])
        kind = facts["organisation_kinds"].strip().casefold()
        if kind and kind not in vocabulary.ORGANISATION_KINDS:
            raise organisations.OrganisationError(
                f"“{kind}” is not one of {', '.join(vocabulary.ORGANISATION_KINDS)}", "kind"
            )
        if number and number in self.by_number:
            return self.by_number[number]
        key = name_key(name)
        found = self.by_name.get(key)
        if found is not None:
            held = (
                found.org_number
                if isinstance(found, NewOrganisation)
                else self.numbers.get(found.id, "")
            )
            if number and held and held != number:
                return (
                    f"“{name}” has the organisation number {held} in the register, "
                    f"the file says {number}"
                )
            if number and isinstance(found, NewOrganisation):
                # A new one takes the facts later rows give and earlier ones lacked.
                found.org_number = number
                self.by_number[number] = found
            if isinstance(found, NewOrganisation):
                found.kind = found.kind if found.kind != "other" else (kind or "other")
                found.country = found.country or country
                found.website = found.website or website
                found.eu_transparency_id = found.eu_transparency_id or eu_id
            return found
        new = NewOrganisation(
            name=name,
            kind=kind or "other",
            org_number=number,
            country=country,
            website=website,
            eu_transparency_id=eu_id,
        )
        self.by_name[key] = new
        if number:
            self.by_number[number] = new
        return new

    def issue(self, title: str, slug: str) -> Known | NewIssue | str:
        """By slug, then by folded title, then by the web address the title makes."""
        key = ("issue", title, slug)
        if key not in self.seen:
            self.seen[key] = self._issue(title, slug)
        return self.seen[key]

    def _issue(self, title: str, slug: str) -> Known | NewIssue | str:
        for candidate in (slug, title):
            if candidate in self.issues_by_slug:
                return self.issues_by_slug[candidate]
        key = title_key(title)
        if key in self.issues_by_title:
            return self.issues_by_title[key]
        made = agenda.slugify(title)
        if made in self.issues_by_slug:
            return self.issues_by_slug[made]
        if not made:
            return f"the issue “{title}” needs at least one letter a–z or digit in its title"
        if len(title) > MAX_NAME:
            return f"an issue's title may be at most {MAX_NAME} characters"
        # The slug the file gives (an export's), if it is one the register would make.
        new = NewIssue(title, slug if slug and agenda.slugify(slug) == slug else made)
        self.issues_by_slug[new.slug] = new
        self.issues_by_slug.setdefault(made, new)
        self.issues_by_title[key] = new
        return new


# -- the import ---------------------------------------------------------------------------


class _Refused(Exception):
    """Rolls the transaction back: some row is invalid, or it was a dry run."""


def import_meetings(
    data: bytes,
    mapping: Mapping | None = None,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    source: str = "",
    progress: Progress = no_progress,
) -> Result:
    """Check every row of the file, then import the valid ones in one transaction.

    Without `skip_invalid`, one invalid row and nothing is written (Result.written is
    False, Result.invalid says why). With `dry_run` nothing is written either way.
    Raises MappingError or SourceError when the file cannot be read at all.
    """
    encoding = mapping.encoding if mapping else "utf-8"
    table = read_table(data, encoding, mapping.delimiter if mapping else None)
    if mapping is None:
        mapping = contract_mapping(table.header, table.delimiter)
    layout = Layout(mapping, table.header)
    result = Result(rows=len(table.rows), header=table.header, delimiter=table.delimiter)
    if dry_run:
        try:
            _check(table, layout, result, progress)
        finally:
            db.session.rollback()
        return result
    try:
        with write_transaction():
            valid = _check(table, layout, result, progress)
            if result.invalid and not skip_invalid:
                raise _Refused
            if valid:
                _write(valid, result, source, progress)
                result.written = True
    except _Refused:
        pass
    return result


def _check(table: Table, layout: Layout, result: Result, progress: Progress) -> list[Row]:
    checker = Checker(layout, Register())
    rows = [
        checker.check(line, cells)
        for line, cells in progress(table.rows, len(table.rows), "Checking")
    ]
    result.invalid = [row for row in rows if row.problems]
    valid = sorted((row for row in rows if not row.problems), key=lambda row: row.order)
    result.imported = len(valid)
    result.undated = sum(
        1 for row in valid if row.status == "published" and row.published_at is None
    )
    seen: dict[type, dict[int, object]] = defaultdict(dict)
    for row in valid:
        for linked in (*row.officials, *row.organisations, *row.issues):
            if not isinstance(linked, Known):
                seen[type(linked)][id(linked)] = linked
                if isinstance(linked, NewOfficial) and isinstance(linked.unit, NewUnit):
                    seen[NewUnit][id(linked.unit)] = linked.unit
    result.new_units = _sorted(unit.name for unit in seen[NewUnit].values())
    result.new_officials = _sorted(official.name for official in seen[NewOfficial].values())
    result.new_organisations = _sorted(org.name for org in seen[NewOrganisation].values())
    result.new_issues = _sorted(issue.title for issue in seen[NewIssue].values())
    result.pending = seen
    return valid


def _sorted(names) -> list[str]:
    return sorted(names, key=lambda name: (name.casefold(), name))


def _write(rows: list[Row], result: Result, source: str, progress: Progress) -> None:
    now = utcnow()
    first_published = (
        db.session.scalar(select(Meeting.id).where(Meeting.status == "published").limit(1)) is None
    )
    created = _create_linked(result.pending)
    # Organisations that only drafts named become public with the records naming them.
    private = {
        linked.id
        for row in rows
        for linked in row.organisations
        if isinstance(linked, Known) and not linked.public
    }
    if private:
        db.session.execute(
            update(Organisation).where(Organisation.id.in_(private)).values(public=True)
        )
    last = records.take_number(count=len(rows))
    first = last - len(rows) + 1
    result.numbers = (first, last)
    # Rows with the file's ids were sorted by them: do the numbers given differ?
    result.renumbered = any(
        row.order[0] == 0 and row.order[1] != number for number, row in enumerate(rows, start=first)
    )
    published: list[int] = []
    chunks = [rows[start : start + CHUNK] for start in range(0, len(rows), CHUNK)]
    number = first
    chain = history.locked_chain()
    for chunk in progress(chunks, len(chunks), "Writing"):
        number = _write_chunk(chunk, number, now, published, chain)
    # The search index, which the session's hook keeps for ORM writes, in bulk here: the
    # new records added to it, or, when they are the register's first, the index built
    # afresh (faster, and with statistics for the query planner).
    connection = db.session.connection()
    if first_published:
        for _whole in progress([None], 1, "Indexing"):
            fulltext.rebuild(connection)
    else:
        batches = [
            published[start : start + INDEX_BATCH]
            for start in range(0, len(published), INDEX_BATCH)
        ]
        for batch in progress(batches, len(batches), "Indexing"):
            fulltext.reindex(connection, batch)
    audit.log(
        "meetings_import",
        after={
            "file": source,
            "rows": result.rows,
            "imported": len(rows),
            "numbers": [first, last],
            "without_publication_date": result.undated,
            "invalid_lines": [row.line for row in result.invalid],
        }
        | {f"new_{kind}": ids for kind, ids in created.items()},
    )


def _create_linked(new: dict[type, dict[int, object]]) -> dict[str, list[int]]:
    """Insert the units, officials, organisations and issues the import makes; their
    ids, by kind, for the audit entry."""
    created: dict[str, list[int]] = {}
    steps = (
        ("units", NewUnit, lambda u: Unit(name=u.name, kind=NEW_UNIT_KIND, active=True)),
        (
            "officials",
            NewOfficial,
            lambda o: Official(
                name=o.name,
                title=o.title,
                unit_id=o.unit.id if o.unit is not None else None,
                active=True,
            ),
        ),
        (
            "organisations",
            NewOrganisation,
            lambda o: Organisation(
                name=o.name,
                kind=o.kind,
                org_number=o.org_number or None,
                country=o.country or None,
                website=o.website or None,
                eu_transparency_id=o.eu_transparency_id or None,
                public=True,
            ),
        ),
        ("issues", NewIssue, lambda i: Issue(slug=i.slug, title=i.title, status="active")),
    )
    for kind, model, make in steps:
        pending = list(new[model].values())
        made = [make(item) for item in pending]
        db.session.add_all(made)
        db.session.flush()
        for item, record in zip(pending, made, strict=True):
            item.id = record.id
        created[kind] = [record.id for record in made]
    return created


# The meeting's columns in the order _write_chunk gives their values (a test checks that
# they are every column but the id).
MEETING_COLUMNS = (
    "number",
    "version",
    "held_on",
    "start_time",
    "format",
    "location",
    "initiative",
    "subject",
    "summary",
    "outcome",
    "representatives",
    "client",
    "document_links",
    "status",
    "created_by_id",
    "created_at",
    "published_at",
    "amended_at",
    "withdrawn_at",
    "withdrawal_reason",
    "withheld_ground",
    "calendar_event",
    "imported_at",
)
REVISION_COLUMNS = (
    "meeting_id",
    "number",
    "action",
    "user_id",
    "created_at",
    "reason",
    "before",
    "after",
    "content_hash",
    "chain_hash",
)


def _write_chunk(
    chunk: list[Row], number: int, now: datetime, published: list[int], chain: history.Chain
) -> int:
    first = number
    meetings = []
    for row in chunk:
        data = row.input
        meetings.append(
            [
                number,  # number
                1,  # version
                data.held_on,
                data.start_time,
                data.format,
                data.location,
                data.initiative,
                data.subject,
                data.summary,
                data.outcome,
                data.representatives,
                data.client,
                list(data.document_links),
                row.status,
                None,  # created_by_id
                now,  # created_at
                row.published_at,
                row.amended_at,
                (row.withdrawn_at or now) if row.status != "published" else None,
                row.reason,  # withdrawal_reason
                row.ground,  # withheld_ground
                None,  # calendar_event
                now,  # imported_at
            ]
        )
        number += 1
    Inserter(Meeting.__table__, MEETING_COLUMNS)(meetings)
    # The ids are read back by the numbers just given (unique): SQLite would return the
    # ids of a many-row insert only one row at a time.
    table = Meeting.__table__
    ids = dict(
        db.session.connection()
        .execute(
            select(table.c.number, table.c.id).where(table.c.number.between(first, number - 1))
        )
        .all()
    )
    links: dict = {meeting_official: [], meeting_organisation: [], meeting_issue: []}
    revisions = []
    for position, row in enumerate(chunk):
        meeting_id = ids[first + position]
        if row.status != "published":
            reason = f"{row.reason} ({row.ground})" if row.ground else row.reason
            action = "withdraw" if row.status == "withdrawn" else "withhold"
            at = row.withdrawn_at or now
            hashes = chain.append(
                record=first + position,
                number=1,
                action=action,
                created_at=at,
                reason=reason or "",
                before=None,
                after=None,
            )
            revisions.append([meeting_id, 1, action, None, at, reason, None, None, *hashes])
            continue
        published.append(meeting_id)
        links[meeting_official].extend([meeting_id, item.id] for item in row.officials)
        links[meeting_organisation].extend([meeting_id, item.id] for item in row.organisations)
        links[meeting_issue].extend([meeting_id, item.id] for item in row.issues)
        after = record_content(
            row.input,
            document_links=row.input.document_links,
            officials=(_name(item) for item in row.officials),
            organisations=(_name(item) for item in row.organisations),
            issues=(_name(item) for item in row.issues),
        )
        at = row.published_at or now
        hashes = chain.append(
            record=first + position,
            number=1,
            action="publish",
            created_at=at,
            reason="",
            before=None,
            after=after,
        )
        revisions.append([meeting_id, 1, "publish", None, at, "", None, after, *hashes])
    # In the order their hashes were made: the ids follow it, and so does the chain.
    for table, values in links.items():
        Inserter(table, tuple(column.name for column in table.c))(values)
    Inserter(Revision.__table__, REVISION_COLUMNS)(revisions)
    return number


class Inserter:
    """Rows into a table in one executemany, inside the session's transaction.

    What session.execute(insert(table), rows) does, less its per-row bookkeeping (most of
    an import's writing time): each value is converted by its column type's own bind
    processor for this database (a value seen before, such as a date, only once), and
    the rows go to the driver as they are. Rows are lists of values in `names` order.
    """

    def __init__(self, table, names: tuple[str, ...]):
        self.connection = db.session.connection()
        dialect = self.connection.dialect
        compiled = insert(table).compile(
            dialect=dialect, column_keys=list(names), for_executemany=True
        )
        self.statement = str(compiled)
        self.names = names
        # SQLite's "?" takes the values in the statement's order; psycopg's take names.
        self.order = None
        if compiled.positiontup is not None:
            positions = [names.index(name) for name in compiled.positiontup]
            self.order = itemgetter(*positions) if len(positions) > 1 else lambda row: (row[0],)
        self.copy = None
        if dialect.name == "postgresql" and dialect.driver == "psycopg":
            quote = dialect.identifier_preparer.quote
            columns = ", ".join(quote(name) for name in names)
            self.copy = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
        self.processors = []
        for position, name in enumerate(names):
            process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.processors.append((position, process, {}))

    def __call__(self, rows: list[list]) -> None:
        if not rows:
            return
        for position, process, seen in self.processors:
            for row in rows:
                value = row[position]
                try:
                    converted = seen[value]
                except KeyError:
                    converted = seen[value] = process(value)
                except TypeError:  # a list or a dict (JSON): not kept
                    converted = process(value)
                row[position] = converted
        if self.copy is not None:
            # PostgreSQL: COPY, many times faster than row-by-row INSERTs from psycopg.
            with self.connection.connection.dbapi_connection.cursor() as cursor:
                with cursor.copy(self.copy) as copy:
                    for row in rows:
                        copy.write_row(row)
        elif self.order is not None:
            self.connection.exec_driver_sql(self.statement, list(map(self.order, rows)))
        else:
            parameters = [dict(zip(self.names, row, strict=True)) for row in rows]
            self.connection.exec_driver_sql(self.statement, parameters)


# -- telling what happened -----------------------------------------------------------------


def problem_lines(result: Result) -> Iterator[str]:
    """Each problem of each invalid row, with its line."""
    for row in result.invalid:
        for problem in row.problems:
            yield f"line {row.line}: {problem}"


def write_report(stream, result: Result) -> None:
    """The invalid rows as CSV: line, reason, then the row's own cells under the file's
    own headers, in the file's delimiter (cells safe from spreadsheet formulas)."""
    writer = csv.writer(stream, delimiter=result.delimiter, lineterminator="\r\n")
    writer.writerow(["line", "reason", *result.header])
    for row in result.invalid:
        writer.writerow(
            [row.line, safe_cell("; ".join(row.problems)), *(safe_cell(c) for c in row.cells)]
        )


def summary(result: Result, *, dry_run: bool = False, listed: int = 20) -> list[str]:
    """What the import did (or a dry run would do), in a few lines for the command line."""
    if not (result.written or dry_run):
        if result.invalid:
            return [
                f"Nothing was imported: {len(result.invalid)} of {result.rows} rows are "
                "invalid. Correct them, or import the others with --skip-invalid --report."
            ]
        return [f"Nothing was imported: the file has {result.rows} rows."]
    text = f"{'Would import' if dry_run else 'Imported'} {result.imported} of {result.rows} rows"
    if result.numbers:
        text += f" as records {result.numbers[0]}–{result.numbers[1]}"
    lines = [text + "."]
    if result.renumbered:
        lines.append(
            "The file's ids are not kept: the register numbers its records itself, without gaps."
        )
    if result.undated:
        lines.append(
            f"{result.undated} had no publication date: they are marked as imported, with no "
            "days to publish."
        )
    for label, names in (
        (f"new units (of the kind {NEW_UNIT_KIND}: check them)", result.new_units),
        ("new officials", result.new_officials),
        ("new organisations", result.new_organisations),
        ("new issues", result.new_issues),
    ):
        if names:
            shown = ", ".join(names[:listed])
            more = f" and {len(names) - listed} more" if len(names) > listed else ""
            lines.append(f"{len(names)} {label}: {shown}{more}.")
    if result.invalid:
        lines.append(f"{len(result.invalid)} invalid rows were skipped.")
    return lines
