"""The region's own side of the register: units, officials and the issue agenda.

Every writer (the admin's forms, the command line) calls these functions with plain data
and the acting user. Each call is one transaction that writes its audit entry; a refused
change raises an AgendaError naming the field it concerns, and stores nothing.

Renaming an official or an issue changes how the published records that name them read,
so the rename amends those records (records.restating) with a public reason, written in
the register's default language so the public history reads in one language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from . import audit, records, vocabulary
from .extensions import db
from .models import Issue, Meeting, Official, Unit, User, meeting_issue, meeting_official
from .text import name_key
from .transactions import write_transaction

MAX_SLUG = 100
# Letters that Unicode decomposition does not reduce to ASCII.
_SLUG_LETTERS = str.maketrans(
    {"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "ð": "d", "đ": "d", "þ": "th", "ł": "l"}
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class UnitInput:
    name: str
    kind: str


@dataclass(frozen=True)
class OfficialInput:
    name: str
    title: str
    unit_id: int | None = None
    active: bool = True


@dataclass(frozen=True)
class IssueInput:
    title: str
    summary: str = ""
    outcome_sought: str = ""
    decision_makers: str = ""
    status: str = "active"
    unit_id: int | None = None
    started_on: date | None = None
    ended_on: date | None = None


class AgendaError(Exception):
    """A change that was refused, with the form field it concerns; nothing was stored."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


class NotFound(AgendaError):
    """The unit, official or issue does not exist."""


class NameTaken(AgendaError):
    """Another unit already has this name."""


class SlugTaken(AgendaError):
    """The title makes the web address of another issue."""


class UnknownChoice(AgendaError):
    """A kind, status or unit that is not one of the options."""


class BadDates(AgendaError):
    """The issue's dates contradict each other or its status."""


def slugify(title: str) -> str:
    """The web-address form of a title: ASCII letters and digits joined by single hyphens.

    "Dubbelspår Göteborg–Borås" → "dubbelspar-goteborg-boras"; at most 100 characters.
    """
    text = unicodedata.normalize("NFKC", title).lower().translate(_SLUG_LETTERS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    slug = _NOT_ALNUM.sub("-", text).strip("-")
    return slug[:MAX_SLUG].rstrip("-")


# Units


def create_unit(data: UnitInput, user: User) -> Unit:
    """A new unit of the region."""
    with write_transaction():
        _check_unit(data, None)
        unit = Unit(name=data.name, kind=data.kind, active=True)
        db.session.add(unit)
        audit.log("unit_create", user=user, target=unit, after=_unit_state(unit))
    return unit


def update_unit(unit_id: int, data: UnitInput, user: User) -> Unit:
    """Rename a unit or change its kind."""
    with write_transaction():
        unit = _locked(Unit, unit_id)
        _check_unit(data, unit)
        before = _unit_state(unit)
        unit.name, unit.kind = data.name, data.kind
        _log_change("unit_update", user, unit, before, _unit_state(unit))
    return unit


def set_unit_active(unit_id: int, active: bool, user: User) -> Unit:
    """Deactivate a unit (kept on its officials and records, offered for no new ones) or
    bring it back."""
    with write_transaction():
        unit = _locked(Unit, unit_id)
        before = _unit_state(unit)
        unit.active = active
        _log_change("unit_update", user, unit, before, _unit_state(unit))
    return unit


def _check_unit(data: UnitInput, unit: Unit | None) -> None:
    if data.kind not in vocabulary.UNIT_KINDS:
        raise UnknownChoice("kind", _l("Choose one of the options in the list."))
    key = name_key(data.name)
    for other_id, other_name in db.session.execute(select(Unit.id, Unit.name)):
        if name_key(other_name) == key and (unit is None or other_id != unit.id):
            raise NameTaken(
                "name", _l("There is already a unit called “%(name)s”.", name=other_name)
            )


def _unit_state(unit: Unit) -> dict:
    return {"name": unit.name, "kind": unit.kind, "active": unit.active}


# Officials


def create_official(data: OfficialInput, user: User) -> Official:
    """A new official of the region."""
    with write_transaction():
        _check_unit_choice(data.unit_id, None)
        official = Official(
            name=data.name, title=data.title, unit_id=data.unit_id, active=data.active
        )
        db.session.add(official)
        audit.log("official_create", user=user, target=official, after=_official_state(official))
    return official


def update_official(official_id: int, data: OfficialInput, user: User) -> Official:
    """Correct an official's name, title or unit, or (de)activate them.

    A deactivated official stays on their records but is offered in no new meeting form.
    """
    with write_transaction():
        official = _locked(Official, official_id)
        _check_unit_choice(data.unit_id, official.unit_id)
        before = _official_state(official)
        reason = _in_register_language(
            _l(
                "The official's name was corrected by the registrar: %(old)s → %(new)s",
                old=official.name,
                new=data.name,
            )
        )
        meetings = _linked_records(meeting_official, meeting_official.c.official_id, official_id)
        with records.restating(meetings, user, reason):
            official.name, official.title = data.name, data.title
            official.unit_id, official.active = data.unit_id, data.active
        _log_change("official_update", user, official, before, _official_state(official))
    return official


def _official_state(official: Official) -> dict:
    return {
        "name": official.name,
        "title": official.title,
        "unit_id": official.unit_id,
        "active": official.active,
    }


# Issues


def create_issue(data: IssueInput, user: User) -> Issue:
    """A new item on the region's agenda; its slug is made from the title."""
    with write_transaction():
        _check_issue(data, None)
        issue = Issue(slug=_free_slug(data.title, None))
        _apply_issue(issue, data)
        db.session.add(issue)
        audit.log("issue_create", user=user, target=issue, after=_issue_state(issue))
    return issue


def update_issue(issue_id: int, data: IssueInput, user: User) -> Issue:
    """Change an issue or conclude it.

    The slug follows the title until a public record links the issue; from then on it
    never changes, so the links people keep go on working.
    """
    with write_transaction():
        issue = _locked(Issue, issue_id)
        _check_issue(data, issue)
        before = _issue_state(issue)
        slug = issue.slug if slug_is_fixed(issue) else _free_slug(data.title, issue)
        reason = _in_register_language(
            _l(
                "The issue's title was corrected by the registrar: %(old)s → %(new)s",
                old=issue.title,
                new=data.title,
            )
        )
        meetings = _linked_records(meeting_issue, meeting_issue.c.issue_id, issue_id)
        with records.restating(meetings, user, reason):
            issue.slug = slug
            _apply_issue(issue, data)
        _log_change("issue_update", user, issue, before, _issue_state(issue))
    return issue


def slug_is_fixed(issue: Issue) -> bool:
    """Whether a published, withdrawn or withheld record links the issue (by its slug)."""
    if issue.id is None:
        return False
    return bool(published_meeting_count(issue.id, statuses=Meeting.PUBLIC_STATUSES))


def published_meetings_per_issue() -> dict[int, int]:
    """Issue id → how many published records concern it."""
    return dict(
        db.session.execute(
            select(meeting_issue.c.issue_id, func.count())
            .join(Meeting, Meeting.id == meeting_issue.c.meeting_id)
            .where(Meeting.status == "published")
            .group_by(meeting_issue.c.issue_id)
        ).all()
    )


def published_meeting_count(issue_id: int, statuses=("published",)) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(meeting_issue)
        .join(Meeting, Meeting.id == meeting_issue.c.meeting_id)
        .where(meeting_issue.c.issue_id == issue_id, Meeting.status.in_(statuses))
    )


def _check_issue(data: IssueInput, issue: Issue | None) -> None:
    if data.status not in vocabulary.ISSUE_STATUSES:
        raise UnknownChoice("status", _l("Choose one of the options in the list."))
    _check_unit_choice(data.unit_id, issue.unit_id if issue else None)
    if data.started_on and data.ended_on and data.ended_on < data.started_on:
        raise BadDates("ended_on", _l("The end date cannot be before the start date."))
    if data.status == "concluded" and data.ended_on is None:
        raise BadDates("ended_on", _l("A concluded issue needs the date it ended."))
    if data.status == "active" and data.ended_on is not None:
        raise BadDates(
            "ended_on",
            _l("An active issue has no end date yet: remove it, or mark the issue concluded."),
        )


def _free_slug(title: str, issue: Issue | None) -> str:
    slug = slugify(title)
    if not slug:
        raise SlugTaken(
            "title",
            _l("The title needs at least one letter a–z or digit, for the issue's web address."),
        )
    other = db.session.scalar(select(Issue).where(Issue.slug == slug))
    if other is not None and other is not issue:
        raise SlugTaken(
            "title",
            _l(
                "The issue “%(title)s” already has the web address “%(slug)s”; "
                "choose a title that differs in more than accents or punctuation.",
                title=other.title,
                slug=slug,
            ),
        )
    return slug


def _apply_issue(issue: Issue, data: IssueInput) -> None:
    for name in (
        "title",
        "summary",
        "outcome_sought",
        "decision_makers",
        "status",
        "unit_id",
        "started_on",
        "ended_on",
    ):
        setattr(issue, name, getattr(data, name))


def _issue_state(issue: Issue) -> dict:
    return {
        "slug": issue.slug,
        "title": issue.title,
        "summary": issue.summary,
        "outcome_sought": issue.outcome_sought,
        "decision_makers": issue.decision_makers,
        "status": issue.status,
        "unit_id": issue.unit_id,
        "started_on": issue.started_on.isoformat() if issue.started_on else None,
        "ended_on": issue.ended_on.isoformat() if issue.ended_on else None,
    }


# Shared


def _locked(model, record_id: int):
    record = db.session.get(model, record_id, with_for_update=True, populate_existing=True)
    if record is None:
        raise NotFound("", _l("This record does not exist."))
    return record


def _check_unit_choice(unit_id: int | None, current_unit_id: int | None) -> None:
    """A unit must exist, and be active unless the record already belongs to it."""
    if unit_id is None:
        return
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise UnknownChoice("unit_id", _l("Choose one of the options in the list."))
    if not unit.active and unit_id != current_unit_id:
        raise UnknownChoice(
            "unit_id", _l("The unit “%(name)s” is deactivated; choose another.", name=unit.name)
        )


def _linked_records(table, column, record_id: int) -> list[Meeting]:
    """The public records linking a record, locked: their history is about to grow."""
    return list(
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.id.in_(select(table.c.meeting_id).where(column == record_id)),
                Meeting.status == "published",
            )
            .order_by(Meeting.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def _in_register_language(message) -> str:
    """A public reason (a lazy string), in the register's default language whoever
    writes it."""
    with force_locale(current_app.config["DEFAULT_LOCALE"]):
        return str(message)


def _log_change(action: str, user: User, target, before: dict, after: dict) -> None:
    if before != after:
        audit.log(action, user=user, target=target, before=before, after=after)
