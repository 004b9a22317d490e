"""Full-text search of the published register, the same on SQLite and PostgreSQL.

A published meeting is indexed as the words of its subject, summary, outcome,
organisations (with the former names of those merged into them), officials, issues,
representatives and client. Words are folded in Python (text.search_words: case, Å/Ä/Ö,
Æ/Ø, accents and dashes do not count) and handed to the database ready-made, so both
databases hold the same words at the same positions and answer alike:

- SQLite: an FTS5 table, one column per field, its rowid the meeting's id;
- PostgreSQL: a table of tsvectors, written from those words and positions, with a GIN
  index.

A query is parsed here too, never by the database: every word is required, in any order;
"a quoted phrase" needs its words side by side in one field; a word ending in * matches
the words it begins. Anything else (AND, OR, NOT, NEAR, brackets, colons …) is a word or a
separator, so no query is an error.

Only published records are in the index: a draft's words, or a withdrawn record's, find
nothing. The index follows every write by itself: a session hook notes the meetings,
organisations, officials and issues each flush changed, and just before the transaction
commits re-indexes the meetings concerned, inside that same transaction.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import (
    Connection,
    bindparam,
    cast,
    column,
    delete,
    event,
    false,
    func,
    inspect,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

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
from .text import search_words

# The fields a query looks at, in the order the index keeps them; matched_fields names them.
FIELDS = (
    "subject",
    "summary",
    "outcome",
    "organisations",
    "officials",
    "issues",
    "representatives",
    "client",
)
TEXT_FIELDS = ("subject", "summary", "outcome", "representatives", "client")
# The index's table on both databases (on SQLite, FTS5 adds tables named INDEX_*).
INDEX = "meeting_search"
# PostgreSQL keeps word positions up to 16 383, and 256 of them per word: a record is
# indexed up to this many words, on both databases alike.
MAX_WORDS = 16_000
MAX_POSITIONS = 256
# Longer runs of letters are no words anyone searches for.
MAX_WORD_LENGTH = 100
# A prefix needs this many letters: "a*" would stand for half the dictionary.
MIN_PREFIX = 2
QUOTES = re.compile('["“”„«»]')
# Meetings read and written at a time when indexing.
BATCH = 5_000

_fts = table(INDEX, column("rowid"), *(column(name) for name in FIELDS))
_tsv = table(INDEX, column("meeting_id"), column("document"))


# -- queries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """Words that must stand side by side (one word, or a phrase); with `prefix`, the
    last one only begins a word."""

    words: tuple[str, ...]
    prefix: bool = False


def parse(q: str) -> tuple[Term, ...]:
    """The terms of a query, each required. Never fails: what is not a word is a separator.

    Quotes (" “ ” „ « ») delimit phrases, an unclosed one runs to the end; a piece typed
    as one (Göteborg–Borås, e-post) is a phrase too; a trailing * makes a prefix.
    """
    terms: dict[Term, None] = {}
    for position, part in enumerate(QUOTES.split(q)):
        pieces = [part] if position % 2 else part.split()
        for piece in pieces:
            term = _term(piece)
            if term is not None:
                terms[term] = None
    return tuple(terms)


def _term(piece: str) -> Term | None:
    words = tuple(word for word in search_words(piece) if len(word) <= MAX_WORD_LENGTH)
    if not words:
        return None
    prefix = piece.rstrip().endswith("*") and len(words[-1]) >= MIN_PREFIX
    return Term(words, prefix)


def matching(q: str) -> ColumnElement[bool]:
    """A condition on Meeting: its published content holds every term of the query.

    A query without a single word matches nothing. How the condition is written depends
    on how many records the words find, so that the database plans a rare word and a
    common one each the fast way (see _many).
    """
    found = _found(q)
    if found is None:
        return false()
    if _many(q, found):
        if _dialect() == "postgresql":
            # It walks the list's index by date, probing each meeting's entry.
            return Meeting.id.in_(found)
        # SQLite would look every match up to sort them by date; `id + 0` (which no index
        # serves) makes it walk the list's index by date instead, checking each meeting
        # against the matches, and stop at the end of the page.
        return (Meeting.id + 0).in_(found)
    if _dialect() == "postgresql":
        # The few matches first, then those meetings by id: never a walk through every
        # published record in search of them.
        return Meeting.id == func.any(func.array(found.scalar_subquery()))
    return Meeting.id.in_(found)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def count(q: str, at_most: int | None = None) -> int:
    """How many published meetings the query finds: as many as published_meetings with
    this `q` alone lists, counted in the index alone.

    With `at_most`, counting stops there (a list can say "more than …"): PostgreSQL reads
    each match's entry to count it, which takes a while for a word in every tenth of a
    million records; SQLite counts from the index's word lists alone.
    """
    found = _found(q)
    if found is None:
        return 0
    if at_most is not None:
        found = found.limit(at_most)
    return db.session.scalar(select(func.count()).select_from(found.subquery()))


def _found(q: str):
    """The ids of the indexed meetings holding every term of the query; None for none."""
    terms = parse(q)
    if not terms:
        return None
    if _dialect() == "postgresql":
        tsquery = " & ".join(_tsquery_term(term) for term in terms)
        return select(_tsv.c.meeting_id).where(
            _tsv.c.document.op("@@")(cast(bindparam("tsquery", tsquery), TSQUERY))
        )
    match = " AND ".join(_fts5_term(term) for term in terms)
    return select(_fts.c.rowid).where(literal_column(INDEX).op("MATCH")(match))


# Up to this many matches, a search finds them first and then their meetings; from this
# many on, it walks the list by date and checks each meeting (see matching). At a million
# meetings, on both databases, this is about where the walk to the end of a page gets
# cheaper than fetching and sorting every match.
MANY = 5_000
_PLANS = "fulltext_plans"


def _many(q: str, found) -> bool:
    """Whether the index holds at least MANY matches (counting no further); asked once
    per query and session, as a page asks for its count, rows and facets."""
    plans = db.session.info.setdefault(_PLANS, {})
    if q not in plans:
        counted = select(func.count()).select_from(found.limit(MANY).subquery())
        plans[q] = db.session.scalar(counted) >= MANY
    return plans[q]


def _fts5_term(term: Term) -> str:
    # Each word is a quoted string, so FTS5 reads no operator in it (AND, NEAR, column:).
    phrase = '"' + " ".join(term.words).replace('"', '""') + '"'
    return phrase + " *" if term.prefix else phrase


def _tsquery_term(term: Term) -> str:
    # Lexemes are quoted and taken as they are (a cast, not to_tsquery, which would run
    # them through PostgreSQL's own parser and could split some differently from ours).
    lexemes = [_quoted(word) for word in term.words]
    if term.prefix:
        lexemes[-1] += ":*"
    return "(" + " <-> ".join(lexemes) + ")"


def _quoted(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


# -- which field matched -----------------------------------------------------------------


def matched_fields(q: str, meetings: Iterable[Meeting]) -> dict[int, list[str]]:
    """For each meeting, the fields (keys of FIELDS, in that order) holding a term of the
    query, found as the index finds them. Meetings are expected with their officials,
    organisations and issues loaded (search.with_links)."""
    terms = parse(q)
    meetings = list(meetings)
    if not terms or not meetings:
        return {}
    former = _former_names(
        {organisation.id for meeting in meetings for organisation in meeting.organisations},
        db.session,
    )
    fold = _Folder()
    found = {}
    for meeting in meetings:
        fields = _limited(
            [
                [word for value in values for word in fold(value)]
                for values in _texts(meeting, former)
            ]
        )
        found[meeting.id] = [
            name
            for name, words in zip(FIELDS, fields, strict=True)
            if any(_has(words, term) for term in terms)
        ]
    return found


def _texts(meeting: Meeting, former: dict[int, list[str]]) -> list[list[str]]:
    """The texts of a loaded meeting, field by field in the order of FIELDS, in the order
    the index reads them from the database."""
    texts = {name: [getattr(meeting, name)] for name in TEXT_FIELDS} | {
        "organisations": [
            name
            for organisation in meeting.organisations
            for name in (organisation.name, *former.get(organisation.id, ()))
        ],
        "officials": [official.name for official in meeting.officials],
        "issues": [issue.title for issue in meeting.issues],
    }
    return [texts[name] for name in FIELDS]


def _has(words: list[str], term: Term) -> bool:
    """Whether the words hold the term's words side by side (the last as a prefix)."""
    *whole, last = term.words
    size = len(term.words)
    for start in range(len(words) - size + 1):
        end = start + size - 1
        if words[start:end] == whole and (
            words[end].startswith(last) if term.prefix else words[end] == last
        ):
            return True
    return False


def _former_names(organisation_ids: set[int], connection) -> dict[int, list[str]]:
    """The names of public organisations merged into these ones, by the kept one's id.

    A private one (only drafts named it) stays unknown, merged or not.
    """
    if not organisation_ids:
        return {}
    rows = connection.execute(
        select(Organisation.merged_into_id, Organisation.name)
        .where(
            Organisation.merged_into_id.in_(organisation_ids),
            Organisation.public.is_(True),
        )
        .order_by(Organisation.merged_into_id, Organisation.name, Organisation.id)
    )
    names: dict[int, list[str]] = defaultdict(list)
    for kept_id, name in rows:
        names[kept_id].append(name)
    return names


# -- building the index ------------------------------------------------------------------


class _Folder:
    """Texts folded into words; recent ones are remembered, as names recur on every record."""

    def __init__(self, size: int = 20_000):
        self.cache: dict[str, list[str]] = {}
        self.size = size

    def __call__(self, value: str | None) -> list[str]:
        if not value:
            return []
        words = self.cache.get(value)
        if words is None:
            words = [word for word in search_words(value) if len(word) <= MAX_WORD_LENGTH]
            if len(self.cache) >= self.size:
                self.cache.clear()
            self.cache[value] = words
        return words


def _limited(fields: list[list[str]]) -> list[list[str]]:
    """At most MAX_WORDS words in all, the first fields first."""
    if sum(map(len, fields)) <= MAX_WORDS:
        return fields
    limited, room = [], MAX_WORDS
    for words in fields:
        limited.append(words[:room])
        room -= len(limited[-1])
    return limited


def _tsvector(fields: list[list[str]]) -> str:
    """The fields' words as a tsvector literal: positions run on within a field and skip
    one between fields, so that no phrase spans two of them (as with FTS5's columns)."""
    positions: dict[str, list[str]] = {}
    position = 0
    for words in fields:
        for word in words:
            position += 1
            places = positions.setdefault(word, [])
            if len(places) < MAX_POSITIONS:
                places.append(str(position))
        position += 1
    return " ".join(f"{_quoted(word)}:{','.join(places)}" for word, places in positions.items())


_TEXT_COLUMNS = [getattr(Meeting, name) for name in TEXT_FIELDS]
_LINKED_NAMES = (
    (FIELDS.index("officials"), meeting_official, Official, Official.name),
    (FIELDS.index("issues"), meeting_issue, Issue, Issue.title),
)
_ORGANISATIONS = FIELDS.index("organisations")


def _documents(connection: Connection, chosen, fold: _Folder) -> dict[int, list[list[str]]]:
    """The words of the published meetings that `chosen` (a condition on a meeting id
    column) picks, field by field in the order of FIELDS, by meeting id."""
    documents: dict[int, list[list[str]]] = {}
    rows = connection.execute(
        select(Meeting.id, *_TEXT_COLUMNS).where(chosen(Meeting.id), Meeting.status == "published")
    )
    for meeting_id, subject, summary, outcome, representatives, client in rows:
        documents[meeting_id] = [
            fold(subject),
            fold(summary),
            fold(outcome),
            [],
            [],
            [],
            fold(representatives),
            fold(client),
        ]
    if not documents:
        return documents
    # Names in the order the model's relationships list them: by name, then id.
    for slot, link, model, name in _LINKED_NAMES:
        key = link.c[f"{model.__tablename__}_id"]
        for meeting_id, value in connection.execute(
            select(link.c.meeting_id, name)
            .join(model, model.id == key)
            .where(chosen(link.c.meeting_id))
            .order_by(link.c.meeting_id, name, model.id)
        ):
            if meeting_id in documents:
                documents[meeting_id][slot].extend(fold(value))
    links = connection.execute(
        select(meeting_organisation.c.meeting_id, Organisation.id, Organisation.name)
        .join(Organisation, Organisation.id == meeting_organisation.c.organisation_id)
        .where(chosen(meeting_organisation.c.meeting_id))
        .order_by(meeting_organisation.c.meeting_id, Organisation.name, Organisation.id)
    ).all()
    former = _former_names({organisation_id for _, organisation_id, _ in links}, connection)
    for meeting_id, organisation_id, value in links:
        if meeting_id in documents:
            words = documents[meeting_id][_ORGANISATIONS]
            words.extend(fold(value))
            for former_name in former.get(organisation_id, ()):
                words.extend(fold(former_name))
    return {meeting_id: _limited(fields) for meeting_id, fields in documents.items()}


def _write(connection: Connection, documents: dict[int, list[list[str]]]) -> None:
    if not documents:
        return
    if connection.dialect.name == "postgresql":
        # COPY is the fastest way in, and takes the tsvector literal as it is.
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY {INDEX} (meeting_id, document) FROM STDIN") as copy:
                for meeting_id, fields in documents.items():
                    copy.write_row((meeting_id, _tsvector(fields)))
    else:
        columns = ", ".join(FIELDS)
        marks = ", ".join("?" * (len(FIELDS) + 1))
        connection.exec_driver_sql(
            f"INSERT INTO {INDEX} (rowid, {columns}) VALUES ({marks})",
            [
                (meeting_id, *(" ".join(words) for words in fields))
                for meeting_id, fields in documents.items()
            ],
        )


def _index_table(connection: Connection):
    return _tsv if connection.dialect.name == "postgresql" else _fts


def _index_key(connection: Connection):
    return _tsv.c.meeting_id if connection.dialect.name == "postgresql" else _fts.c.rowid


def reindex(connection: Connection, meeting_ids: Iterable[int]) -> None:
    """Bring these meetings' entries up to date: published ones (re)indexed, any other
    (a draft, a withdrawn or deleted record) out of the index."""
    ids = sorted(set(meeting_ids))
    fold = _Folder()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        connection.execute(
            delete(_index_table(connection)).where(_index_key(connection).in_(chunk))
        )
        _write(connection, _documents(connection, lambda key, chunk=chunk: key.in_(chunk), fold))


def rebuild(connection: Connection) -> int:
    """Index every published meeting afresh, in the caller's transaction; returns how many.

    Memory stays flat: meetings are read and written a batch at a time. Searches go on
    finding the old entries until the transaction commits.
    """
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        empty = connection.execute(select(_tsv.c.meeting_id).limit(1)).first() is None
        if empty:
            # Filling an empty index (a new database, the demo data): the GIN index is
            # built once at the end, many times faster than entry by entry.
            connection.execute(text(f"DROP INDEX {_GIN}"))
        else:
            connection.execute(delete(_tsv))
    else:
        # Emptying FTS5 row by row would read every entry back; a new table is instant.
        drop(connection)
        create(connection)
    fold = _Folder()
    highest = connection.execute(select(func.max(Meeting.id))).scalar() or 0
    indexed = 0
    for low in range(0, highest, BATCH):
        documents = _documents(
            connection, lambda key, low=low: key.between(low + 1, low + BATCH), fold
        )
        _write(connection, documents)
        indexed += len(documents)
    if postgresql:
        if empty:
            _create_gin(connection)
        connection.execute(text(f"ANALYZE {INDEX}"))
    else:
        # Merge the index's segments into one: fewer to read at every search.
        connection.execute(text(f"INSERT INTO {INDEX}({INDEX}) VALUES ('optimize')"))
        # Without statistics SQLite takes `status = 'published'` for a rare condition and
        # plans searches around it (see matching); a sample of each index tells it better.
        connection.exec_driver_sql("PRAGMA analysis_limit = 1000")
        connection.exec_driver_sql("ANALYZE meeting")
        connection.exec_driver_sql("PRAGMA analysis_limit = 0")
    return indexed


# -- keeping it up to date -----------------------------------------------------------------


@dataclass
class _Changes:
    """What the flushes of a transaction changed that the index shows."""

    meetings: set[int] = field(default_factory=set)
    organisations: set[int] = field(default_factory=set)
    officials: set[int] = field(default_factory=set)
    issues: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.meetings or self.organisations or self.officials or self.issues)


_CHANGES = "fulltext_changes"
# The attributes of linked records that the index holds.
_WATCHED = {
    Organisation: ("name", "merged_into_id", "public"),
    Official: ("name",),
    Issue: ("title",),
}


def _changed(instance, names) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, flush_context) -> None:
    changes = session.info.setdefault(_CHANGES, _Changes())
    for instance in (*session.new, *session.deleted):
        if isinstance(instance, Meeting):
            changes.meetings.add(instance.id)
    for instance in session.dirty:
        if isinstance(instance, Meeting):
            if session.is_modified(instance):
                changes.meetings.add(instance.id)
        elif isinstance(instance, Organisation):
            if _changed(instance, _WATCHED[Organisation]):
                changes.organisations.add(instance.id)
                # Merged: its name now goes with the records of the one it was merged into.
                history = inspect(instance).attrs.merged_into_id.history
                changes.organisations.update(
                    value for value in (*history.deleted, *history.added) if value is not None
                )
        elif isinstance(instance, Official):
            if _changed(instance, _WATCHED[Official]):
                changes.officials.add(instance.id)
        elif isinstance(instance, Issue):
            if _changed(instance, _WATCHED[Issue]):
                changes.issues.add(instance.id)


@event.listens_for(Session, "before_commit")
def _update_index(session: Session) -> None:
    session.flush()
    changes = session.info.pop(_CHANGES, None)
    if not changes:
        return
    connection = session.connection()
    meeting_ids = set(changes.meetings)
    for ids, link, key in (
        (changes.organisations, meeting_organisation, meeting_organisation.c.organisation_id),
        (changes.officials, meeting_official, meeting_official.c.official_id),
        (changes.issues, meeting_issue, meeting_issue.c.issue_id),
    ):
        if ids:
            meeting_ids.update(
                connection.execute(select(link.c.meeting_id).where(key.in_(ids))).scalars()
            )
    reindex(connection, meeting_ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_changes(session: Session, previous_transaction) -> None:
    session.info.pop(_CHANGES, None)


# -- schema ----------------------------------------------------------------------------------


_GIN = f"ix_{INDEX}_document"


def _create_gin(connection: Connection) -> None:
    connection.execute(text(f"CREATE INDEX {_GIN} ON {INDEX} USING gin (document)"))


def create(connection: Connection) -> None:
    """Create the index's table (empty) on this database."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                f"CREATE TABLE {INDEX} ("
                "meeting_id INTEGER NOT NULL, document TSVECTOR NOT NULL, "
                f"CONSTRAINT pk_{INDEX} PRIMARY KEY (meeting_id), "
                f"CONSTRAINT fk_{INDEX}_meeting_id_meeting FOREIGN KEY (meeting_id) "
                "REFERENCES meeting (id) ON DELETE CASCADE)"
            )
        )
        _create_gin(connection)
    else:
        columns = ", ".join(FIELDS)
        # The words come folded and split: the tokenizer only separates them again.
        connection.execute(
            text(
                f"CREATE VIRTUAL TABLE {INDEX} USING fts5({columns}, "
                "tokenize = 'unicode61 remove_diacritics 0', columnsize = 0)"
            )
        )


def drop(connection: Connection) -> None:
    connection.execute(text(f"DROP TABLE IF EXISTS {INDEX}"))


# A database made from the models (create_all) rather than the migrations gets the index
# with the meeting table.
@event.listens_for(Meeting.__table__, "after_create")
def _create_with_meetings(target, connection, **kw) -> None:
    create(connection)


@event.listens_for(Meeting.__table__, "before_drop")
def _drop_with_meetings(target, connection, **kw) -> None:
    drop(connection)


def is_index_table(name: str | None) -> bool:
    """Whether a table is the search index's (or one FTS5 keeps for it): not a model's."""
    return name is not None and (name == INDEX or name.startswith(INDEX + "_"))


def include_name(name, type_, parent_names) -> bool:
    """For Alembic's comparison of models and database: the index is made by hand."""
    if type_ == "table":
        return not is_index_table(name)
    return True
