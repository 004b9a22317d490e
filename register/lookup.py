"""Look-ups for the meeting form's pickers: organisations, officials and issues by a few
typed letters.

A query and a name are compared folded (text.search_key: case, spacing, accents, Å/Ä/Ö,
Æ/Ø and dashes do not count). Every word of the query must begin a word of the name, so
"gbg hamn" does not find "Göteborgs Hamn" but "göteborgs ham" and "hamn" do. An
organisation is also found by its organisation number, with or without the hyphen, and by
the former name of a duplicate merged into it.

Organisations can be many (a region that has used the register for years knows tens of
thousands), so they are looked up in the database: first the names that begin with the
query, a range on the indexed search key, then, only when those are too few, names with
a later word that begins with it. Officials and issues are few and folded in Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import and_, literal, select, true

from .extensions import db
from .models import Issue, Official, Organisation, User
from .records import offered_organisations, organisations_visible_to
from .text import search_key

LIMIT = 20
MAX_QUERY_LENGTH = 100
# Above every character a folded name can hold, so [key, key + TOP) is "starts with key".
_TOP = "\U0010ffff"
_DIGITS_ONLY = re.compile(r"[0-9][0-9 \-\u2010-\u2015]*")
MERGE_HOPS = 5


class QueryTooLong(ValueError):
    """The query is longer than anyone types into a picker."""


@dataclass(frozen=True)
class Match:
    id: int
    label: str
    detail: str = ""
    former: str = ""  # the merged duplicate's name that matched

    def as_json(self) -> dict:
        return {"id": self.id, "label": self.label, "detail": self.detail, "former": self.former}


def words_of(query: str) -> list[str]:
    """The folded words of a query; checked for length first."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryTooLong
    return search_key(query).split()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _begins_a_word(column, word: str):
    """`word` begins the folded name or one of its later words."""
    return literal(" ").concat(column).like(f"% {_escape_like(word)}%", escape="\\")


def _begins_with(column, key: str):
    """The name begins with `key`: a range the column's index answers, checked exactly."""
    return and_(
        column >= key,
        column < key + _TOP,
        column.like(f"{_escape_like(key)}%", escape="\\"),
    )


def organisations(query: str, user: User | None, limit: int = LIMIT) -> list[Match]:
    """The organisations the user may name in a meeting (without a user: the public ones)
    that match `query`, best first: names that begin with it, then names with a later
    word that does; a merged duplicate's former name stands for the organisation kept."""
    words = words_of(query)
    if not words:
        return []
    visible = Organisation.public.is_(True) if user is None else organisations_visible_to(user)
    found: dict[int, str] = {}  # id of a match (perhaps a merged one) -> its former name

    def collect(where, room: int, order) -> None:
        if room <= 0:
            return
        rows = db.session.execute(
            select(Organisation.id, Organisation.name, Organisation.merged_into_id)
            .where(where, visible, Organisation.id.not_in(found) if found else true())
            .order_by(*order)
            .limit(room)
        ).all()
        if order[0] is Organisation.id:
            rows.sort(key=lambda row: (search_key(row.name), row.id))
        for row in rows:
            found[row.id] = row.name if row.merged_into_id else ""

    digits = _org_number_prefix(query)
    for shape in digits:
        by_number = (Organisation.org_number, Organisation.id)
        collect(_begins_with(Organisation.org_number, shape), limit - len(found), by_number)
    # Names that begin with the first word: a range of the index, read in its order.
    later_words = [_begins_a_word(Organisation.search_key, word) for word in words[1:]]
    begins = _begins_with(Organisation.search_key, words[0])
    by_name = (Organisation.search_key, Organisation.id)
    collect(and_(begins, *later_words), limit - len(found), by_name)
    if not digits:
        # Names with a later word that begins with it: no index helps, so the table is
        # read in its own order, which stops early when the word is common and reads each
        # row once when it is rare (not the index walked row by row).
        every_word = [_begins_a_word(Organisation.search_key, word) for word in words]
        collect(and_(*every_word), limit - len(found), (Organisation.id,))
    return _kept(found, user, limit)


def _org_number_prefix(query: str) -> list[str]:
    """How an organisation number that begins with the typed digits is stored: Swedish
    ones as NNNNNN-NNNN, Danish CVR numbers as 8 digits."""
    query = query.strip()
    if not _DIGITS_ONLY.fullmatch(query):
        return []
    digits = re.sub(r"[^0-9]", "", query)
    if len(digits) < 4:
        return []
    shapes = {digits}
    if len(digits) > 6:
        shapes.add(f"{digits[:6]}-{digits[6:]}")
    elif len(digits) == 6 and re.search(r"[\-\u2010-\u2015]\s*$", query):
        shapes = {f"{digits}-"}
    return sorted(shapes)


def _kept(found: dict[int, str], user: User | None, limit: int) -> list[Match]:
    """Each match as the organisation it now is (a merged one: the one it was merged
    into), once, in the order found, and only if the user's form offers it."""
    targets: dict[int, str] = {}
    pending = dict(found)
    for _hop in range(MERGE_HOPS):
        if not pending:
            break
        rows = db.session.execute(
            select(Organisation.id, Organisation.merged_into_id).where(Organisation.id.in_(pending))
        )
        merged = {row.id: row.merged_into_id for row in rows}
        next_round = {}
        for organisation_id, former in pending.items():
            into = merged.get(organisation_id)
            if into is None:
                targets.setdefault(organisation_id, former)
            else:
                next_round.setdefault(into, former)
        pending = next_round
    order = list(targets)
    if user is None:
        offered_to_user = and_(Organisation.merged_into_id.is_(None), Organisation.public.is_(True))
    else:
        offered_to_user = offered_organisations(user)
    offered = {
        row.id: row
        for row in db.session.execute(
            select(Organisation.id, Organisation.name, Organisation.org_number).where(
                Organisation.id.in_(order), offered_to_user
            )
        )
    }
    matches = []
    for organisation_id in order:
        row = offered.get(organisation_id)
        if row is None:
            continue
        former = targets[organisation_id]
        detail = row.org_number or ""
        matches.append(Match(row.id, row.name, detail, former=former))
    return matches[:limit]


def officials(query: str, limit: int = LIMIT, *, former: bool = False) -> list[Match]:
    """Active officials (with `former`, those no longer active too: the public register's
    filter finds their meetings) whose name or title matches `query`."""
    words = words_of(query)
    if not words:
        return []
    rows = db.session.execute(
        select(Official.id, Official.name, Official.title)
        .where(true() if former else Official.active.is_(True))
        .order_by(Official.name, Official.id)
    )
    return [
        Match(row.id, row.name, row.title)
        for row in rows
        if _matches(words, f"{row.name} {row.title}")
    ][:limit]


def issues(query: str, limit: int = LIMIT) -> list[Match]:
    """Issues on the agenda (active ones first) whose title matches `query`."""
    words = words_of(query)
    if not words:
        return []
    rows = db.session.execute(
        select(Issue.id, Issue.title, Issue.status).order_by(Issue.status, Issue.title, Issue.id)
    )
    return [Match(row.id, row.title) for row in rows if _matches(words, row.title)][:limit]


def _matches(words: list[str], text: str) -> bool:
    names = search_key(text).split()
    return all(any(name.startswith(word) for name in names) for word in words)


def named_in_filter(kind: str, text: str) -> list[Match]:
    """What a name typed into the public register's organisation or official filter
    stands for: the one whose name it is (case, accents and spacing aside), else every
    public one it could mean, best first."""
    if kind == "organisation":
        matches = organisations(text, None, limit=LIMIT)
    else:
        matches = officials(text, limit=LIMIT, former=True)
    typed = search_key(text)
    exact = [match for match in matches if search_key(match.label) == typed]
    return exact if len(exact) == 1 else matches
