"""The register's history as a hash chain, so that a changed or deleted revision shows.

Every revision stores two SHA-256 hashes, as lowercase hex:

- `content_hash`, of the revision's canonical JSON: the record's public number
  (`meeting_id`), the revision's `number`, `action`, `created_at` (UTC, to the second,
  e.g. "2026-03-01T09:30:00Z"), `reason`, `before` and `after`. Keys sorted, no
  whitespace, UTF-8, non-ASCII characters as they are. These are the fields and values of
  the public revisions resource (/data/revisions.json), so anyone can recompute it.
- `chain_hash` = SHA-256 of the previous revision's chain hash followed by this
  revision's content hash (both as hex text); the first revision follows GENESIS.
  "Previous" is the revision before it in the whole register, by id.

Changing a stored revision (its reason, say) changes its content hash; deleting one
breaks the link of the next. Revisions join the chain here only, under a lock, so two
writers never both follow the same revision. `scripts/verify_history.py` checks a
downloaded revisions file without the register's code.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select, text

from .extensions import db
from .models import (
    Issue,
    Meeting,
    Official,
    Organisation,
    Revision,
    meeting_issue,
    meeting_official,
    meeting_organisation,
    record_content,
    utcnow,
)

GENESIS = "0" * 64
# The key of the PostgreSQL advisory lock that appending to the chain takes: any fixed
# number no other lock in the database uses ("revchain" in ASCII).
CHAIN_LOCK = 0x726576636861696E
BATCH = 1000
# What a published record links, as its revisions name it: the link table, the linked
# table and the column that holds the name.
LINKED_NAMES = {
    "officials": (meeting_official, Official, "official_id", Official.name),
    "organisations": (meeting_organisation, Organisation, "organisation_id", Organisation.name),
    "issues": (meeting_issue, Issue, "issue_id", Issue.title),
}


def timestamp(moment: datetime) -> str:
    """A moment as the public revisions resource writes it: UTC, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def content_hash(
    *,
    record: int,
    number: int,
    action: str,
    created_at: datetime,
    reason: str,
    before: dict | None,
    after: dict | None,
) -> str:
    """The SHA-256 of a revision's canonical JSON."""
    document = {
        "meeting_id": record,
        "number": number,
        "action": action,
        "created_at": timestamp(created_at),
        "reason": reason,
        "before": before,
        "after": after,
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def stored_fields(row) -> dict:
    """What content_hash covers, from a revision row read with the record's public number
    as `record` (as verify and the migration that filled the hashes read them)."""
    return {
        "record": row.record,
        "number": row.number,
        "action": row.action,
        "created_at": row.created_at,
        "reason": row.reason or "",
        "before": row.before,
        "after": row.after,
    }


def link(previous: str, content: str) -> str:
    """The chain hash of a revision with this content hash after `previous`."""
    return hashlib.sha256((previous + content).encode("ascii")).hexdigest()


class Chain:
    """The chain's head while revisions are appended to it, in the order of their ids."""

    def __init__(self, head: str):
        self.head = head

    def append(self, **revision) -> tuple[str, str]:
        """The content and chain hashes of the next revision (content_hash's fields)."""
        content = content_hash(**revision)
        self.head = link(self.head, content)
        return content, self.head


def locked_chain() -> Chain:
    """The chain, for appending to inside the caller's write transaction.

    On PostgreSQL a transaction-scoped advisory lock is taken first, so that a concurrent
    writer waits until this transaction ends and then reads the head it left; on SQLite
    the write transaction holds the database's write lock already (BEGIN IMMEDIATE).
    Revisions must then be inserted in the order their hashes were made, before the
    transaction ends.
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    head = session.scalar(select(Revision.chain_hash).order_by(Revision.id.desc()).limit(1))
    return Chain(head or GENESIS)


def append(meeting: Meeting, revision: Revision) -> None:
    """Add a revision to the meeting and to the register's chain: the one way the app's
    writers record a revision. The revision must not be in the session yet."""
    if revision.created_at is None:
        revision.created_at = utcnow()
    chain = locked_chain()
    revision.content_hash, revision.chain_hash = chain.append(
        record=meeting.number,
        number=revision.number,
        action=revision.action,
        created_at=revision.created_at,
        reason=revision.reason or "",
        before=revision.before,
        after=revision.after,
    )
    meeting.revisions.append(revision)
    # Inserted now, while the lock is held, so that its id follows the head it links to
    # and the next revision of this transaction reads it as the head.
    db.session.flush()


# -- Reading and checking the chain --------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """The newest link of the chain: how many revisions it covers, its hash, and when."""

    count: int
    chain_hash: str
    created_at: datetime


def head() -> Head | None:
    """The chain's head, or None while the register has no revisions."""
    newest = db.session.execute(
        select(Revision.chain_hash, Revision.created_at).order_by(Revision.id.desc()).limit(1)
    ).first()
    if newest is None:
        return None
    count = db.session.scalar(select(func.count(Revision.id)))
    return Head(count, newest.chain_hash, newest.created_at)


@dataclass(frozen=True)
class Break:
    """The first place where the stored history contradicts itself."""

    revision_id: int | None
    record: int | None
    number: int | None
    problem: str

    def __str__(self) -> str:
        if self.revision_id is None:
            return self.problem
        return (
            f"revision id {self.revision_id} (record {self.record}, revision {self.number}): "
            f"{self.problem}"
        )


@dataclass(frozen=True)
class Verified:
    count: int
    head: str


def verify(connection: Connection, noted_head: str | None = None) -> Verified | Break:
    """Check the whole chain: every content hash recomputed from the stored revision,
    every link from the one before, each record's revision numbers 1, 2, 3 …, the
    public numbers 1 to the highest, and every published record as its latest revision
    shows it, so that a record changed behind the history's back shows too (renaming
    what records link amends them: records.restating).

    Deleting the newest revisions leaves a shorter chain that holds together; a head
    noted earlier (`noted_head`, e.g. from the data page) shows it: it must still be a
    link of the chain."""
    found = _chain_break(connection, noted_head)
    if isinstance(found, Break):
        return found
    return _numbering_break(connection) or _live_record_break(connection) or found


def _chain_break(connection: Connection, noted_head: str | None) -> Verified | Break:
    previous, count = GENESIS, 0
    noted_found = noted_head is None
    for row in _revisions(connection):
        count += 1
        where = (row.id, row.record, row.number)
        expected = content_hash(**stored_fields(row))
        if row.content_hash != expected:
            return Break(
                *where,
                f"its content does not match its content hash {row.content_hash} "
                f"(recomputed: {expected}): the revision was changed",
            )
        if row.chain_hash != link(previous, row.content_hash):
            return Break(
                *where,
                f"its chain hash {row.chain_hash} does not follow from the previous link "
                f"{previous}: a revision before it was deleted or changed",
            )
        previous = row.chain_hash
        noted_found = noted_found or previous == noted_head
    if not noted_found:
        return Break(
            None,
            None,
            None,
            f"the chain no longer contains the head noted earlier, {noted_head}: revisions "
            f"up to it were deleted or changed (it now ends at {previous} after {count})",
        )
    return Verified(count, previous)


def _revisions(connection: Connection) -> Iterator:
    # The record's number comes from the meeting, so a changed number shows as well.
    query = (
        select(
            Revision.id,
            Meeting.number.label("record"),
            Revision.number,
            Revision.action,
            Revision.created_at,
            Revision.reason,
            Revision.before,
            Revision.after,
            Revision.content_hash,
            Revision.chain_hash,
        )
        .join(Meeting, Meeting.id == Revision.meeting_id)
        .order_by(Revision.id)
        .execution_options(yield_per=BATCH)
    )
    return connection.execute(query)


def _numbering_break(connection: Connection) -> Break | None:
    """A record whose revision numbers skip or do not start at 1, or a public number
    missing below the highest."""
    previous = func.lag(Revision.number).over(
        partition_by=Revision.meeting_id, order_by=Revision.number
    )
    numbered = select(
        Revision.id, Revision.meeting_id, Revision.number, previous.label("previous")
    ).subquery()
    skipped = connection.execute(
        select(numbered.c.id, Meeting.number, numbered.c.number, numbered.c.previous)
        .join(Meeting, Meeting.id == numbered.c.meeting_id)
        .where(func.coalesce(numbered.c.previous, 0) + 1 != numbered.c.number)
        .order_by(numbered.c.id)
        .limit(1)
    ).first()
    if skipped is not None:
        after = f"revision {skipped.previous}" if skipped.previous else "the start"
        return Break(
            skipped.id,
            skipped[1],
            skipped.number,
            f"the record's revision numbers skip from {after} to {skipped.number}",
        )
    unrevised = connection.execute(
        select(Meeting.number)
        .where(Meeting.number.is_not(None), ~Meeting.revisions.any())
        .order_by(Meeting.number)
        .limit(1)
    ).scalar()
    if unrevised is not None:
        return Break(None, None, None, f"record {unrevised} has no revisions left")
    numbers = select(
        Meeting.number, func.lag(Meeting.number).over(order_by=Meeting.number).label("previous")
    ).where(Meeting.number.is_not(None))
    numbers = numbers.subquery()
    gap = connection.execute(
        select(numbers.c.number, numbers.c.previous)
        .where(func.coalesce(numbers.c.previous, 0) + 1 != numbers.c.number)
        .order_by(numbers.c.number)
        .limit(1)
    ).first()
    if gap is not None:
        return Break(
            None,
            None,
            None,
            f"the public record numbers skip from {gap.previous or 0} to {gap.number}",
        )
    return None


def _live_record_break(connection: Connection) -> Break | None:
    """The first published record whose content differs from its latest revision's."""
    latest = (
        select(Revision.meeting_id, func.max(Revision.number).label("number"))
        .group_by(Revision.meeting_id)
        .subquery()
    )
    query = (
        select(
            Meeting.id.label("meeting_id"),
            Revision.id,
            Meeting.number.label("record"),
            Revision.number,
            Revision.after,
            Meeting.document_links,
            *(getattr(Meeting, name) for name in Meeting.DESCRIPTIVE_FIELDS),
        )
        .join(latest, latest.c.meeting_id == Meeting.id)
        .join(
            Revision,
            (Revision.meeting_id == Meeting.id) & (Revision.number == latest.c.number),
        )
        .where(Meeting.status == "published")
        .order_by(Meeting.number)
        .execution_options(yield_per=BATCH)
    )
    for rows in connection.execute(query).partitions():
        names = _linked_names(connection, [row.meeting_id for row in rows])
        for row in rows:
            live = record_content(
                row,
                document_links=row.document_links,
                **{kind: names[kind].get(row.meeting_id, ()) for kind in LINKED_NAMES},
            )
            shown = row.after or {}
            changed = [name for name in live if shown.get(name) != live[name]]
            if changed:
                return Break(
                    row.id,
                    row.record,
                    row.number,
                    "it is the record's latest revision, but the published record differs "
                    f"from it in {', '.join(changed)}: the record was changed without a "
                    "revision",
                )
    return None


def _linked_names(connection: Connection, meeting_ids: list[int]) -> dict[str, dict]:
    """The names each of these meetings links, by kind and meeting id."""
    names = {}
    for kind, (link, model, column, name) in LINKED_NAMES.items():
        rows = connection.execute(
            select(link.c.meeting_id, name)
            .join(model, model.id == link.c[column])
            .where(link.c.meeting_id.in_(meeting_ids))
        )
        by_meeting = defaultdict(list)
        for meeting_id, value in rows:
            by_meeting[meeting_id].append(value)
        names[kind] = by_meeting
    return names
