"""The register's data model (SPEC §2) as SQLAlchemy 2.0 typed models."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .extensions import db
from .text import name_key, search_key


def password_hasher() -> PasswordHasher:
    """argon2id with the parameters of the app's configuration (config.py)."""
    config = current_app.config if has_app_context() else {}
    return _hasher(
        config.get("ARGON2_TIME_COST", 3),
        config.get("ARGON2_MEMORY_COST", 65536),
        config.get("ARGON2_PARALLELISM", 4),
    )


@cache
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
    )


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a password no one knows, made with the same parameters as real ones."""
    return hasher.hash(secrets.token_urlsafe(16))


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite keeps no offset, so without this a value would come back naive there and
    aware on PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The calendar date of a UTC moment in the public body's own time zone."""
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def local_today() -> date:
    """Today's date where the public body is."""
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


class Setting(db.Model):
    """A small key-value store for facts about this installation (e.g. demo data)."""

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Unit(db.Model):
    """A part of the public body that the register covers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    # A deactivated unit keeps its officials and records but is offered for no new ones.
    active: Mapped[bool] = mapped_column(default=True)

    officials: Mapped[list[Official]] = relationship(back_populates="unit")

    def __str__(self) -> str:
        return self.name


class Official(db.Model):
    """A person of the region who takes part in meetings (public)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[Unit | None] = relationship(back_populates="officials")

    def __str__(self) -> str:
        return self.name


class User(UserMixin, db.Model):
    """An account. Never public."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="official")
    active: Mapped[bool] = mapped_column(default=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("official.id"))
    # What the session cookie carries instead of the id; rotated at sign-out so a
    # copied cookie stops working.
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(32)
    )
    # Set for a temporary password given by an admin: the next sign-in must change it.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Two-step sign-in (two_factor.py): the TOTP secret, switched on only once a code from
    # it was confirmed (a pending secret has no `two_factor_enabled_at`), and the last
    # time step whose code was accepted, so no code is used twice.
    two_factor_secret: Mapped[str | None] = mapped_column(String(32))
    two_factor_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    two_factor_last_step: Mapped[int | None]

    official: Mapped[Official | None] = relationship()

    @staticmethod
    def normalise_email(email: str) -> str:
        """NFKC first, so that a look-alike in full-width letters ("ｏｆｆｉｃｉａｌ@…") is the
        address it imitates; then trimmed and in lower case."""
        return unicodedata.normalize("NFKC", email).strip().lower()

    def set_password(self, password: str) -> None:
        self.password_hash = password_hasher().hash(password)

    def check_password(self, password: str) -> bool:
        try:
            return password_hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def password_needs_rehash(self) -> bool:
        """Whether the stored hash was made with other parameters than the configured."""
        try:
            return password_hasher().check_needs_rehash(self.password_hash)
        except InvalidHashError:
            return True

    @staticmethod
    def spend_password_check(password: str) -> None:
        """Take as long as a real check, so timing does not reveal unknown emails."""
        hasher = password_hasher()
        try:
            hasher.verify(_dummy_hash(hasher), password)
        except VerificationError:
            pass

    def end_sessions(self) -> None:
        """Sign the account out everywhere: every cookie carries the old token."""
        self.rotate_session_token()

    def rotate_session_token(self) -> None:
        self.session_token = secrets.token_urlsafe(32)

    def get_id(self) -> str:
        return self.session_token

    @property
    def two_factor_enabled(self) -> bool:
        return self.two_factor_secret is not None and self.two_factor_enabled_at is not None

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_registrar(self) -> bool:
        return self.role in ("registrar", "admin")

    # Who may do what with a meeting (README, "Who may do what"):
    # - a draft is seen by its author, the officials named on it and the registrars, and
    #   edited, published or deleted only by its author and the registrars; a named
    #   official proposes changes through the author;
    # - a published record is amended by its author, the officials named on it and the
    #   registrars;
    # - a withdrawn or withheld record is changed by no one.

    def attended(self, meeting: Meeting) -> bool:
        return self.official_id is not None and any(
            official.id == self.official_id for official in meeting.officials
        )

    def can_see(self, meeting: Meeting) -> bool:
        """Whether the desk shows this meeting to the user (drafts included)."""
        return self.is_registrar or meeting.created_by_id == self.id or self.attended(meeting)

    def can_edit(self, meeting: Meeting) -> bool:
        if meeting.status not in ("draft", "published"):
            return False
        if self.is_registrar or meeting.created_by_id == self.id:
            return True
        return meeting.status == "published" and self.attended(meeting)

    def can_delete(self, meeting: Meeting) -> bool:
        """Only a draft that was never published can be deleted."""
        return meeting.status == "draft" and meeting.number is None and self.can_edit(meeting)


class Organisation(db.Model):
    """A counterpart the region meets."""

    __table_args__ = (
        # The public list of organisations: only those listed (public, not merged away),
        # counted, searched, filtered by kind and paged in the list's order from the index
        # alone, however deep the page.
        Index(
            "ix_organisation_listed",
            "search_key",
            "kind",
            "id",
            sqlite_where=text("public = 1 AND merged_into_id IS NULL"),
            postgresql_where=text("public AND merged_into_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    # The name folded for look-ups (accents and dashes too): see text.search_key.
    search_key: Mapped[str] = mapped_column(String(200), index=True, default="")
    kind: Mapped[str] = mapped_column(String(30), default="other")
    # Swedish organisationsnummer (NNNNNN-NNNN) or Danish CVR number (8 digits).
    org_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    eu_transparency_id: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    website: Mapped[str | None] = mapped_column(String(500))
    # False while only drafts name it (typed into a draft's form): then it appears nowhere
    # public and in no other official's form. Set when a record naming it is published, or
    # when a registrar enters it. Unset again when no published record names it any more
    # (withdrawn, withheld or amended away), unless a registrar vouched for it.
    public: Mapped[bool] = mapped_column(default=False)
    # When a registrar first entered or corrected it: public from then on, named or not.
    vouched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A merged duplicate: its meetings moved to this organisation, its URL redirects there.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    merged_into: Mapped[Organisation | None] = relationship(remote_side=lambda: Organisation.id)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.name and not self.name_key:
            self.name_key = name_key(self.name)
        if self.name and not self.search_key:
            self.search_key = search_key(self.name)

    def __str__(self) -> str:
        return self.name


class Issue(db.Model):
    """An item on the region's influence agenda."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    outcome_sought: Mapped[str] = mapped_column(Text, default="")
    decision_makers: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    started_on: Mapped[date | None]
    ended_on: Mapped[date | None]

    unit: Mapped[Unit | None] = relationship()

    def __str__(self) -> str:
        return self.title


meeting_official = Table(
    "meeting_official",
    db.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("official_id", ForeignKey("official.id"), primary_key=True, index=True),
)
meeting_organisation = Table(
    "meeting_organisation",
    db.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True, index=True),
)
meeting_issue = Table(
    "meeting_issue",
    db.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("issue_id", ForeignKey("issue.id"), primary_key=True, index=True),
)


class Counter(db.Model):
    """A gapless counter: taken inside the writing transaction, so a rollback returns it.

    A database sequence or autoincrement would skip the numbers of rolled-back saves.
    """

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class Meeting(db.Model):
    """One meeting with outside parties: the register's record.

    `id` is internal (the desk's URLs); `number` is the public one, given at the first
    publication from a gapless counter, so that every number from 1 to the highest is a
    published, withdrawn or withheld record.
    """

    PUBLIC_STATUSES = ("published", "withdrawn", "withheld")

    # The record's own descriptive fields, named as in the meeting form (SPEC §6).
    DESCRIPTIVE_FIELDS = (
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
    )

    __table_args__ = (
        # Keyset pagination walks (status, held_on, number) newest first.
        Index("ix_meeting_status_held_on_number", "status", "held_on", "number"),
        # The statistics page counts published meetings by month, initiative, format and
        # days to publication, and joins their ids to the link tables: all from this index.
        Index(
            "ix_meeting_statistics",
            "status",
            "held_on",
            "initiative",
            "format",
            "published_at",
            "id",
        ),
        # Never reuse the id of a deleted draft: a form still open on it would otherwise
        # pass its version check against a different draft (PostgreSQL never reuses ids).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int | None] = mapped_column(unique=True)
    # Raised by every save that changes the record; a form carries the version it was
    # loaded from, and a save from an older one is refused (optimistic locking).
    version: Mapped[int] = mapped_column(default=1)
    held_on: Mapped[date]
    start_time: Mapped[time | None]
    format: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(200), default="")
    initiative: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    representatives: Mapped[str] = mapped_column(Text, default="")
    # Where a counterpart is a consultancy or PR firm: whom it acted for.
    client: Mapped[str] = mapped_column(String(200), default="")
    document_links: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    amended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When and why a record was withdrawn or withheld (both leave a public stub).
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")
    # The legal provision a withheld record's details are kept back under (e.g. OSL).
    withheld_ground: Mapped[str] = mapped_column(Text, default="")
    # The calendar event (UID and recurrence) a draft was made from, so that the calendar
    # import can mark the events already turned into drafts.
    calendar_event: Mapped[str | None] = mapped_column(String(500), index=True)
    # When `flask import-meetings` brought the record in from another register or a
    # spreadsheet. One imported without a publication date has no published_at: it shows
    # no days to publish and is never late.
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    officials: Mapped[list[Official]] = relationship(
        secondary=meeting_official, order_by=lambda: (Official.name, Official.id)
    )
    organisations: Mapped[list[Organisation]] = relationship(
        secondary=meeting_organisation,
        order_by=lambda: (Organisation.name, Organisation.id),
    )
    issues: Mapped[list[Issue]] = relationship(
        secondary=meeting_issue, order_by=lambda: (Issue.title, Issue.id)
    )
    created_by: Mapped[User | None] = relationship()
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="meeting", order_by=lambda: Revision.number
    )

    # Every UPDATE of the row also checks the version it read: a second guard beside the
    # row lock of the write path. The application raises the version itself.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def is_public(self) -> bool:
        return self.status in Meeting.PUBLIC_STATUSES

    @property
    def days_to_publish(self) -> int | None:
        """Days from the meeting to its first publication, counted in local dates."""
        if self.published_at is None:
            return None
        return (local_date(self.published_at) - self.held_on).days

    @property
    def published_late(self) -> bool:
        days = self.days_to_publish
        return days is not None and days > current_app.config["PUBLISH_WITHIN_DAYS"]

    def snapshot(self) -> dict:
        """The public content of the record, as kept in its revisions."""
        return record_content(
            self,
            document_links=self.document_links,
            officials=(official.name for official in self.officials),
            organisations=(organisation.name for organisation in self.organisations),
            issues=(issue.title for issue in self.issues),
        )


def record_content(source, *, document_links, officials, organisations, issues) -> dict:
    """A record's public content as revisions keep it, from anything that has the
    descriptive fields (a meeting, a writer's input) and the names it links to.

    Linked records are sets: they are listed in one canonical order, so that the same set
    never differs from itself by the order the form sent its ids in.
    """
    content = {name: getattr(source, name) for name in Meeting.DESCRIPTIVE_FIELDS}
    content["held_on"] = source.held_on.isoformat()
    content["start_time"] = source.start_time.strftime("%H:%M") if source.start_time else ""
    return content | {
        "document_links": list(document_links or []),
        "officials": canonical_names(officials),
        "organisations": canonical_names(organisations),
        "issues": canonical_names(issues),
    }


def canonical_names(names) -> list[str]:
    return sorted(names, key=lambda name: (name.casefold(), name))


class Revision(db.Model):
    """A publication, amendment or withdrawal of a meeting, with before and after."""

    __table_args__ = (
        UniqueConstraint("meeting_id", "number"),
        # The feed reads the newest revisions first.
        Index("ix_revision_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    number: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    # The hash chain over the whole register's revisions (see history.py), as hex.
    content_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))

    meeting: Mapped[Meeting] = relationship(back_populates="revisions")
    user: Mapped[User | None] = relationship()

    def changes(self) -> list[tuple[str, object, object]]:
        """The fields this revision changed, as (field, before, after)."""
        before, after = self.before or {}, self.after or {}
        return [
            (field, before.get(field), after.get(field))
            for field in after
            if before.get(field) != after.get(field)
        ]


class AuditEntry(db.Model):
    """One line of the audit log: who did what, when, from where, with before and after.

    Append-only: the application never changes or deletes an entry (see the mapper events
    in audit.py). Values are stored as structured data, so no input can forge a line.
    """

    __table_args__ = (Index("ix_audit_entry_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # Who, as they were known at the time (an email typed at a failed sign-in, or "cli").
    actor: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(50))
    target_type: Mapped[str] = mapped_column(String(30), default="")
    target_id: Mapped[int | None]
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    user: Mapped[User | None] = relationship()


class RecoveryCode(db.Model):
    """A single-use recovery code for two-step sign-in, kept only as a digest
    (two_factor.py); used codes are deleted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignInFailure(db.Model):
    """A failed sign-in, counted against the account typed and the client's address.

    A row is written before the password is checked, so that parallel guesses are counted
    too, and removed again when the sign-in succeeds. `key` is a digest of what is
    counted ("account:" and the email, or "address:" and the address), so the table
    keeps no email addresses, nor passwords typed into the email field. Rows are pruned
    once they no longer count (see signin.py).
    """

    __table_args__ = (Index("ix_sign_in_failure_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
