"""The write path for meetings: drafts, publication, amendments and deletion.

Every writer (the desk's form, and later the importer, the calendar import, the admin and
the command line) calls these functions with plain data and the acting user. Each call is
one transaction that reads what it changes under a write lock, so the "before" of a
revision is the state the change was really made to, and each revision's before equals
the previous one's after.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import and_, false, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from . import audit, history
from .extensions import db
from .models import (
    Counter,
    Issue,
    Meeting,
    Official,
    Organisation,
    Revision,
    User,
    meeting_organisation,
    record_content,
    utcnow,
)
from .text import name_key, single_line
from .transactions import write_transaction
from .vocabulary import ORGANISATION_KINDS

MEETING_NUMBER = "meeting_number"


@dataclass(frozen=True)
class MeetingInput:
    """What a writer says a meeting is: the SPEC §6 fields as plain values."""

    held_on: date
    format: str
    initiative: str
    subject: str
    start_time: time | None = None
    location: str = ""
    summary: str = ""
    outcome: str = ""
    representatives: str = ""
    client: str = ""
    document_links: tuple[str, ...] = ()
    official_ids: tuple[int, ...] = ()
    organisation_ids: tuple[int, ...] = ()
    new_organisations: tuple[str, ...] = ()
    # The kind of each new organisation, in the same order ("" or missing: "other").
    new_organisation_kinds: tuple[str, ...] = ()
    issue_ids: tuple[int, ...] = ()
    # The calendar event a draft is made from (calendar_import.CalendarEvent.key); only
    # create() stores it, so that a later save from the form keeps it.
    calendar_event: str | None = None


class RecordError(Exception):
    """A save that was refused; nothing of it was stored."""


class NotAllowed(RecordError):
    """The user may not do this with this meeting."""


class ReasonRequired(RecordError):
    """An amendment of a published record needs a public reason."""


class StaleVersion(RecordError):
    """The record changed after the form was loaded; the save was refused whole."""

    def __init__(self, meeting: Meeting):
        super().__init__(f"meeting {meeting.id} is at version {meeting.version}")
        self.meeting = meeting


@dataclass(frozen=True)
class Saved:
    meeting: Meeting
    changed: bool


def create(data: MeetingInput, author: User, *, publish: bool) -> Meeting:
    """A new meeting, saved as a draft or published at once."""
    with write_transaction():
        meeting = Meeting(
            created_by=author, status="draft", version=1, calendar_event=data.calendar_event
        )
        db.session.add(meeting)
        _apply(meeting, data, author)
        if publish:
            _publish(meeting, author)
        else:
            audit.log("meeting_create", user=author, target=meeting, after=meeting.snapshot())
    return meeting


def update_meeting(
    meeting_id: int,
    data: MeetingInput,
    author: User,
    *,
    version: int,
    publish: bool,
    reason: str = "",
) -> Saved:
    """Change a draft, publish it, or amend a published record.

    `version` is the version the writer's copy was loaded from; when the record has moved
    on since, StaleVersion is raised and nothing is stored. A save that changes nothing
    records nothing.
    """
    with write_transaction():
        meeting = _locked(meeting_id)
        if not author.can_edit(meeting):
            raise NotAllowed
        if meeting.version != version:
            raise StaleVersion(meeting)
        was_published = meeting.status == "published"
        if was_published and not publish:
            raise NotAllowed  # a published record never goes back to being a draft
        before = meeting.snapshot()
        named_before = list(meeting.organisations)
        _apply(meeting, data, author)
        after = meeting.snapshot()
        if was_published:
            if after == before:
                db.session.rollback()
                return Saved(meeting, changed=False)
            if not reason.strip():
                raise ReasonRequired
            meeting.amended_at = utcnow()
            _make_organisations_public(meeting)
            _unpublish_unnamed([o for o in named_before if o not in meeting.organisations])
            _add_revision(meeting, "amend", author, before=before, after=after, reason=reason)
            audit.log("meeting_amend", user=author, target=meeting, before=before, after=after)
        elif publish:
            _publish(meeting, author)
        elif after == before:
            db.session.rollback()
            return Saved(meeting, changed=False)
        else:
            audit.log("meeting_save", user=author, target=meeting, before=before, after=after)
        meeting.version = version + 1
    return Saved(meeting, changed=True)


def delete_draft(meeting_id: int, author: User, *, version: int) -> None:
    """Delete a draft that was never published; a published record never can be."""
    with write_transaction():
        meeting = _locked(meeting_id)
        if not author.can_delete(meeting):
            raise NotAllowed
        if meeting.version != version:
            raise StaleVersion(meeting)
        audit.log("meeting_delete", user=author, target=meeting, before=meeting.snapshot())
        private = [org for org in meeting.organisations if not org.public]
        db.session.delete(meeting)
        db.session.flush()
        _forget_unused(private)


def typed_snapshot(data: MeetingInput) -> dict:
    """What the record would show if `data` were saved: to compare with a stored record."""
    organisations = [o.name for o in _by_ids(Organisation, data.organisation_ids)]
    known = {name_key(name) for name in organisations}
    organisations += [
        single_line(name) for name in data.new_organisations if name_key(name) not in known
    ]
    return record_content(
        data,
        document_links=data.document_links,
        officials=(o.name for o in _by_ids(Official, data.official_ids)),
        organisations=organisations,
        issues=(i.title for i in _by_ids(Issue, data.issue_ids)),
    )


def take_number(name: str = MEETING_NUMBER, count: int = 1) -> int:
    """The next number of a gapless counter, inside the caller's write transaction.

    The UPDATE locks the counter's row on PostgreSQL until the transaction ends; on SQLite
    the transaction holds the write lock already. A rollback gives the number back. With
    `count`, that many numbers are taken at once and the last is returned (the importer).
    """
    increment = (
        update(Counter)
        .where(Counter.name == name)
        .values(value=Counter.value + count)
        .returning(Counter.value)
    )
    taken = db.session.execute(increment).scalar()
    if taken is None:
        # No counter yet (a new or emptied database): start it after the highest number
        # used. Two publishers may get here at once: one insert wins, the other's does
        # nothing, and both then count on from the one row.
        highest = db.session.scalar(select(func.max(Meeting.number))) or 0
        dialect_insert = postgresql_insert if _dialect() == "postgresql" else sqlite_insert
        db.session.execute(
            dialect_insert(Counter)
            .values(name=name, value=highest)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        taken = db.session.execute(increment).scalar_one()
    return taken


def _dialect() -> str:
    return db.session.get_bind().dialect.name


@contextmanager
def restating(meetings: list[Meeting], author: User, reason: str) -> Iterator[None]:
    """Keep the public history true when what records name changes beneath them.

    Renaming or merging an organisation, or renaming an official or an issue, changes how
    published records read. Inside a write transaction, wrap that change: every public
    record whose content it changes gets an amendment with the stated reason, so each
    revision's "before" stays the previous one's "after".
    """
    published = [meeting for meeting in meetings if meeting.status == "published"]
    before = {meeting.id: meeting.snapshot() for meeting in published}
    yield
    db.session.flush()
    for meeting in published:
        db.session.refresh(meeting)
        after = meeting.snapshot()
        if after != before[meeting.id]:
            meeting.amended_at = utcnow()
            meeting.version += 1
            _add_revision(
                meeting, "amend", author, before=before[meeting.id], after=after, reason=reason
            )


def _locked(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id, with_for_update=True, populate_existing=True)
    if meeting is None:
        raise NotAllowed
    return meeting


def _apply(meeting: Meeting, data: MeetingInput, author: User) -> None:
    for name in Meeting.DESCRIPTIVE_FIELDS:
        setattr(meeting, name, getattr(data, name))
    meeting.document_links = list(data.document_links)
    meeting.officials = _by_ids(Official, data.official_ids)
    meeting.issues = _by_ids(Issue, data.issue_ids)
    organisations = _by_ids(Organisation, data.organisation_ids)
    for organisation in find_or_create_organisations(
        data.new_organisations, author, meeting, kinds=data.new_organisation_kinds
    ):
        if organisation not in organisations:
            organisations.append(organisation)
    meeting.organisations = organisations


def _publish(meeting: Meeting, author: User) -> None:
    meeting.status = "published"
    meeting.published_at = utcnow()
    meeting.number = take_number()
    _make_organisations_public(meeting)
    after = meeting.snapshot()
    _add_revision(meeting, "publish", author, before=None, after=after)
    audit.log("meeting_publish", user=author, target=meeting, after=after)


def _forget_unused(organisations: list[Organisation]) -> None:
    """Private organisations that no meeting names any more leave no trace behind."""
    for organisation in organisations:
        named = db.session.scalar(
            select(meeting_organisation.c.meeting_id)
            .where(meeting_organisation.c.organisation_id == organisation.id)
            .limit(1)
        )
        merged_here = db.session.scalar(
            select(Organisation.id).filter_by(merged_into_id=organisation.id).limit(1)
        )
        if named is None and merged_here is None:
            db.session.delete(organisation)


def _make_organisations_public(meeting: Meeting) -> None:
    """A published record names its counterparts publicly, new ones included."""
    for organisation in meeting.organisations:
        if not organisation.public:
            organisation.public = True


def _unpublish_unnamed(organisations: list[Organisation]) -> None:
    """Counterparts that no published record names any more, and that no registrar vouched
    for, are private again, as while only drafts named them: a record withdrawn because it
    named a private person must not leave the name on a public page of its own. (A merged
    duplicate keeps its flag: its address leads to the organisation kept.)"""
    db.session.flush()  # the record's new status and links, for the statement below
    db.session.execute(
        update(Organisation)
        .where(
            Organisation.id.in_([organisation.id for organisation in organisations]),
            Organisation.public.is_(True),
            Organisation.vouched_at.is_(None),
            Organisation.merged_into_id.is_(None),
            ~_named_on(Meeting.status == "published"),
        )
        .values(public=False)
        .execution_options(synchronize_session="fetch")
    )


def _by_ids(model, ids) -> list:
    if not ids:
        return []
    return list(db.session.scalars(select(model).where(model.id.in_(ids))))


def organisations_visible_to(user: User, meeting: Meeting | None = None):
    """The organisations a user may know of: public ones, those on the meeting at hand, and
    those on drafts the user may edit. One that only a colleague's draft names stays hidden
    from them, in the form's list and in name matching alike."""
    condition = Organisation.public.is_(True)
    if meeting is not None and meeting.id is not None:
        condition = or_(condition, _named_on(Meeting.id == meeting.id))
    if user.is_registrar:
        return or_(condition, _named_on(Meeting.status == "draft"))
    return or_(condition, _named_on(Meeting.status == "draft", Meeting.created_by_id == user.id))


def offered_organisations(user: User, meeting: Meeting | None = None):
    """What the meeting form offers: the visible ones, less merged duplicates (their
    meetings name the one kept)."""
    return and_(Organisation.merged_into_id.is_(None), organisations_visible_to(user, meeting))


def _named_on(*where):
    return Organisation.id.in_(
        select(meeting_organisation.c.organisation_id)
        .join(Meeting, Meeting.id == meeting_organisation.c.meeting_id)
        .where(*where)
    )


def find_or_create_organisations(
    names, author: User, meeting: Meeting | None = None, kinds=()
) -> list[Organisation]:
    """Organisations by name, matching those the author may know of regardless of case,
    spacing and invisible characters; a new one is not public until a record naming it
    is. A colleague's private one is not matched: that would tell the author it exists.
    `kinds` gives the kind of each new one, in the order of `names` (default "other")."""
    found: dict[str, Organisation] = {}
    kinds = list(kinds)
    for position, name in enumerate(names):
        key = name_key(name)
        if key in found:
            continue
        organisation = db.session.scalar(
            select(Organisation)
            .filter_by(name_key=key)
            .where(organisations_visible_to(author, meeting))
            .order_by(Organisation.merged_into_id.is_not(None), Organisation.id)
            .limit(1)
        )
        # A merged duplicate's name stands for the organisation it was merged into.
        for _hop in range(5):
            if organisation is None or organisation.merged_into is None:
                break
            organisation = organisation.merged_into
        if organisation is None:
            kind = kinds[position] if position < len(kinds) else ""
            if kind not in ORGANISATION_KINDS:
                kind = "other"
            organisation = Organisation(name=single_line(name), kind=kind, public=False)
            db.session.add(organisation)
        found[key] = organisation
    return list(found.values())


def _add_revision(
    meeting: Meeting, action: str, author: User, *, before, after, reason: str = ""
) -> None:
    revision = Revision(
        number=len(meeting.revisions) + 1,
        action=action,
        user=author,
        reason=reason,
        before=before,
        after=after,
    )
    history.append(meeting, revision)


# -- Withdrawing and withholding -----------------------------------------------------------


class NotPublished(RecordError):
    """Only a published record can be withdrawn or withheld; `status` says what it is."""

    def __init__(self, meeting: Meeting):
        super().__init__(f"meeting {meeting.id} is {meeting.status}")
        self.status = meeting.status


class GroundRequired(RecordError):
    """Withholding a record needs the legal provision it is withheld under."""


def withdraw(meeting_id: int, author: User, *, reason: str, version: int) -> Meeting:
    """Withdraw a published record (a duplicate, logged by mistake): a public stub with
    its number, date and the reason stays; the content is no longer public."""
    return _take_down(meeting_id, author, "withdraw", reason=reason, ground="", version=version)


def withhold(meeting_id: int, author: User, *, ground: str, reason: str, version: int) -> Meeting:
    """Withhold a published record's details on a stated legal ground (e.g. a secrecy
    provision of OSL): a public stub with its number, date, ground and reason stays."""
    if not ground.strip():
        raise GroundRequired
    return _take_down(meeting_id, author, "withhold", reason=reason, ground=ground, version=version)


def _take_down(
    meeting_id: int, author: User, action: str, *, reason: str, ground: str, version: int
) -> Meeting:
    reason, ground = reason.strip(), ground.strip()
    with write_transaction():
        meeting = _locked(meeting_id)
        if not author.is_registrar:
            raise NotAllowed
        if meeting.version != version:
            raise StaleVersion(meeting)
        if meeting.status != "published":
            raise NotPublished(meeting)
        if not reason:
            raise ReasonRequired
        before = meeting.snapshot()
        meeting.status = "withdrawn" if action == "withdraw" else "withheld"
        meeting.withdrawn_at = utcnow()
        meeting.withdrawal_reason = reason
        meeting.withheld_ground = ground
        _unpublish_unnamed(meeting.organisations)
        public_reason = f"{reason} ({ground})" if ground else reason
        _add_revision(meeting, action, author, before=before, after=None, reason=public_reason)
        audit.log(
            f"meeting_{action}",
            user=author,
            target=meeting,
            before=before,
            after={"status": meeting.status, "reason": reason, "ground": ground},
        )
        meeting.version = version + 1
    return meeting


# -- Duplicates and joining ----------------------------------------------------------------


class NoLinkedOfficial(RecordError):
    """The account is linked to no official of the region, so it cannot take part."""


class NotJoinable(RecordError):
    """A withdrawn or withheld record takes no participants; `status` says which it is."""

    def __init__(self, meeting: Meeting):
        super().__init__(f"meeting {meeting.id} is {meeting.status}")
        self.status = meeting.status


def possible_duplicates(
    data: MeetingInput, user: User, *, limit: int = 5, besides: int | None = None
) -> list[Meeting]:
    """Records a colleague logged of what may be the same meeting: held the same day with
    at least one of the same organisations (typed names matched as on saving). Published
    records, and drafts the user may see; never the user's own."""
    organisation_ids = set(data.organisation_ids)
    keys = {name_key(name) for name in data.new_organisations}
    if keys:
        named = db.session.execute(
            select(Organisation.id, Organisation.merged_into_id).where(
                Organisation.name_key.in_(keys), organisations_visible_to(user)
            )
        )
        for row in named:
            organisation_ids.add(row.merged_into_id or row.id)
    if not organisation_ids:
        return []
    # Drafts the user may see: a registrar sees all, an official those naming them.
    if user.is_registrar:
        drafts_seen = Meeting.status == "draft"
    elif user.official_id:
        drafts_seen = and_(
            Meeting.status == "draft", Meeting.officials.any(Official.id == user.official_id)
        )
    else:
        drafts_seen = false()
    query = (
        select(Meeting)
        .where(
            Meeting.held_on == data.held_on,
            Meeting.id.in_(
                select(meeting_organisation.c.meeting_id).where(
                    meeting_organisation.c.organisation_id.in_(organisation_ids)
                )
            ),
            or_(Meeting.created_by_id.is_(None), Meeting.created_by_id != user.id),
            or_(Meeting.status == "published", drafts_seen),
            Meeting.id != (besides or 0),  # not the draft being published itself
        )
        .order_by(Meeting.number.is_(None), Meeting.number, Meeting.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def join(meeting_id: int, user: User, *, version: int, reason: str) -> Saved:
    """Add the user's own official to a record a colleague logged of the same meeting.

    A narrowly defined amendment any official linked to an official may make: it adds
    themselves and nothing else. A published record gets a public revision with `reason`;
    a draft (one the user may see) simply gains the participant. Joining a record one
    already takes part in changes nothing.
    """
    with write_transaction():
        meeting = _locked(meeting_id)
        if not (meeting.is_public or user.can_see(meeting)):
            raise NotAllowed
        if meeting.status not in ("draft", "published"):
            raise NotJoinable(meeting)
        official = db.session.get(Official, user.official_id) if user.official_id else None
        if official is None:
            raise NoLinkedOfficial
        if meeting.version != version:
            raise StaleVersion(meeting)
        if user.attended(meeting):
            db.session.rollback()
            return Saved(meeting, changed=False)
        before = meeting.snapshot()
        meeting.officials.append(official)
        db.session.flush()
        after = meeting.snapshot()
        if meeting.status == "published":
            meeting.amended_at = utcnow()
            _add_revision(meeting, "amend", user, before=before, after=after, reason=reason)
            audit.log("meeting_amend", user=user, target=meeting, before=before, after=after)
        else:
            audit.log("meeting_save", user=user, target=meeting, before=before, after=after)
        meeting.version = version + 1
    return Saved(meeting, changed=True)
