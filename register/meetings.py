"""Saving meetings: drafts, publication and amendments, each change kept as a revision."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .desk.forms import MeetingForm, lines
from .extensions import db
from .models import Issue, Meeting, Official, Organisation, Revision, User, name_key, utcnow


class ConcurrentChange(Exception):
    """Someone else saved the same record at the same moment; nothing was stored."""


def save_meeting(form: MeetingForm, author: User) -> tuple[Meeting, bool]:
    """Store a validated form as a new or changed meeting, in one transaction.

    Returns the meeting and whether anything changed. Raises ConcurrentChange when the
    database refuses the write because another save won the race (the same revision
    number twice); then nothing of this save is kept.
    """
    meeting = form.meeting
    if meeting is None:
        meeting = Meeting(created_by=author, status="draft")
        db.session.add(meeting)
    before = meeting.snapshot() if meeting.status == "published" else None

    for name in Meeting.DESCRIPTIVE_FIELDS:
        setattr(meeting, name, getattr(form, name).data)
    meeting.document_links = lines(form.document_links.data)
    meeting.officials = _by_ids(Official, form.official_ids.data)
    meeting.issues = _by_ids(Issue, form.issue_ids.data)
    organisations = _by_ids(Organisation, form.organisation_ids.data)
    for organisation in find_or_create_organisations(lines(form.new_organisations.data)):
        if organisation not in organisations:
            organisations.append(organisation)
    meeting.organisations = organisations

    changed = True
    if form.action.data == "publish":
        if before is None:
            meeting.status = "published"
            meeting.published_at = utcnow()
            _add_revision(meeting, "publish", author, before=None)
        elif meeting.snapshot() != before:
            meeting.amended_at = utcnow()
            _add_revision(meeting, "amend", author, before=before, reason=form.reason.data)
        else:
            changed = False
    if not changed:
        db.session.rollback()
        return meeting, False
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ConcurrentChange from None
    return meeting, True


def _by_ids(model, ids: list[int]) -> list:
    if not ids:
        return []
    return list(db.session.scalars(select(model).where(model.id.in_(ids))))


def find_or_create_organisations(names: list[str]) -> list[Organisation]:
    """Organisations by name, matching existing ones regardless of case and spacing."""
    found: dict[str, Organisation] = {}
    for name in names:
        key = name_key(name)
        if key in found:
            continue
        organisation = db.session.scalar(
            select(Organisation).filter_by(name_key=key).order_by(Organisation.id).limit(1)
        )
        if organisation is None:
            organisation = Organisation(name=" ".join(name.split()), kind="other")
            db.session.add(organisation)
        found[key] = organisation
    return list(found.values())


def _add_revision(meeting: Meeting, action: str, author: User, before, reason: str = "") -> None:
    meeting.revisions.append(
        Revision(
            number=len(meeting.revisions) + 1,
            action=action,
            user=author,
            reason=reason,
            before=before,
            after=meeting.snapshot(),
        )
    )
