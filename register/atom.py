"""The Atom feed (RFC 4287) of the register: each publication, amendment and withdrawal of
a record is one entry, under the same filters as the list of meetings, so that one can
follow an issue, an organisation or an official in a feed reader.

An entry shows the record as that revision left it (its `after`), as the record's public
history does. A withdrawn or withheld record shows only its withdrawal: the number, the
date held and the public reason, none of the content it no longer makes public.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from . import vocabulary
from .export import absolute_url, meeting_url
from .extensions import db
from .models import Issue, Meeting, Official, Organisation, Revision, Unit
from .search import MeetingFilters, published_meetings

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
# Enough for a reader polling daily; older entries are in the register and its history.
FEED_ENTRIES = 50
TAKE_DOWNS = ("withdraw", "withhold")
# Characters XML 1.0 cannot carry, not even escaped: C0 controls but tab, newline and
# carriage return, lone surrogates and the two non-characters U+FFFE and U+FFFF.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def latest_revisions(filters: MeetingFilters, limit: int = FEED_ENTRIES) -> list[Revision]:
    """The newest public revisions of the records matching the filters, newest first.

    The records are those of the exports: withdrawn and withheld ones only while no filter
    asks about content they no longer show; of those, only the withdrawal itself.
    """
    # The filters' conditions on the joined meeting: the newest revisions are read in the
    # order of their index and checked one by one, which stops at the first `limit` found.
    matching = published_meetings(filters, stubs=True).whereclause
    newest = (
        select(Revision.id)
        .join(Revision.meeting)
        .where(matching)
        .where(or_(Meeting.status == "published", Revision.action.in_(TAKE_DOWNS)))
        .order_by(Revision.created_at.desc(), Revision.id.desc())
        .limit(limit)
    )
    # The order is found over the ids alone, then only those rows are read whole: sorting
    # whole rows would read every revision's before and after.
    ids = list(db.session.scalars(newest))
    query = select(Revision).where(Revision.id.in_(ids)).options(joinedload(Revision.meeting))
    revisions = list(db.session.scalars(query))
    return sorted(revisions, key=lambda revision: ids.index(revision.id))


def describe(filters: MeetingFilters) -> list[str]:
    """The filters in words, for the feed's title: names rather than ids and slugs."""
    parts = []
    if filters.q:
        parts.append(_("Search: “%(q)s”", q=filters.q))
    for slug in filters.issues:
        title = db.session.scalar(select(Issue.title).filter_by(slug=slug))
        parts.append(_("Issue: %(name)s", name=title or slug))
    if filters.organisation:
        organisation = db.session.get(Organisation, filters.organisation)
        known = organisation is not None and organisation.public
        name = organisation.name if known else _("unknown (%(id)s)", id=filters.organisation)
        parts.append(_("Organisation: %(name)s", name=name))
    if filters.official:
        parts.append(_("Official: %(name)s", name=_name(Official, filters.official)))
    if filters.unit:
        parts.append(_("Unit: %(name)s", name=_name(Unit, filters.unit)))
    for kind in filters.kinds:
        kind_name = vocabulary.ORGANISATION_KINDS[kind]
        parts.append(_("Kind of organisation: %(name)s", name=kind_name))
    for meeting_format in filters.formats:
        format_name = vocabulary.MEETING_FORMATS[meeting_format]
        parts.append(_("Format: %(name)s", name=format_name))
    if filters.date_from:
        parts.append(_("Held from %(date)s", date=format_date(filters.date_from, "long")))
    if filters.date_to:
        parts.append(_("Held until %(date)s", date=format_date(filters.date_to, "long")))
    return parts


def _name(model, record_id: int) -> str:
    record = db.session.get(model, record_id)
    return record.name if record else _("unknown (%(id)s)", id=record_id)


def feed_document(filters: MeetingFilters, revisions: list[Revision], *, language: str) -> bytes:
    """The Atom document for these revisions, listed under these filters."""
    args = filters.as_args(sort=None)  # a feed is always newest first
    register_name = current_app.config["REGISTER_NAME"]
    title = " · ".join([*describe(filters), _("Influence register"), register_name])

    feed = ElementTree.Element("feed", {"xmlns": ATOM, "xml:lang": language})
    _text(feed, "id", absolute_url("public.feed", **args))
    _text(feed, "title", title)
    _text(
        feed,
        "subtitle",
        _(
            "Records of meetings newly published, amended or withdrawn in %(name)s's register.",
            name=register_name,
        ),
    )
    newest = revisions[0].created_at if revisions else datetime.now(UTC)
    _text(feed, "updated", _timestamp(newest))
    _link(feed, "self", absolute_url("public.feed", **args), MEDIA_TYPE)
    listing = absolute_url("public.meetings", **filters.as_args(sort="published"))
    _link(feed, "alternate", listing, "text/html")
    author = ElementTree.SubElement(feed, "author")
    _text(author, "name", register_name)
    _text(author, "uri", absolute_url("public.index"))
    for revision in revisions:
        feed.append(_entry(revision))
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(revision: Revision) -> ElementTree.Element:
    meeting = revision.meeting
    entry = ElementTree.Element("entry")
    _text(entry, "id", _tag_uri(revision))
    if revision.action in TAKE_DOWNS:
        title, summary = _take_down(revision)
    else:
        content = revision.after or {}
        subject = content.get("subject", "")
        if revision.action == "amend":
            title = _("Amended: %(subject)s", subject=subject)
        else:
            title = subject
        summary = _summary(revision, content)
    _text(entry, "title", title)
    _text(entry, "updated", _timestamp(revision.created_at))
    _link(entry, "alternate", meeting_url(meeting.number), "text/html")
    if revision.action != "publish":
        history = absolute_url("public.meeting_history", number=meeting.number)
        _link(entry, "related", history, "text/html", title=_("History of this record"))
    _text(entry, "summary", summary)
    return entry


def _take_down(revision: Revision) -> tuple[str, str]:
    """A withdrawal's title and text: what every stub shows, nothing of the content."""
    meeting = revision.meeting
    held_on = format_date(meeting.held_on, "long")
    if revision.action == "withdraw":
        title = _("Record no. %(id)s withdrawn", id=meeting.number)
        text = _("The record of a meeting held on %(date)s was withdrawn.", date=held_on)
    else:
        title = _("Record no. %(id)s withheld", id=meeting.number)
        text = _(
            "The details of a meeting held on %(date)s were withheld on a legal ground.",
            date=held_on,
        )
    reason = _("Reason:")
    return title, f"{text}\n{reason} {revision.reason}"


def _summary(revision: Revision, content: dict) -> str:
    """The record as this revision left it, as plain text; an amendment leads with why."""
    lines = []
    if revision.action == "amend":
        reason = _("Reason for the amendment:")
        lines.append(f"{reason} {revision.reason}")
        changed = [
            str(vocabulary.RECORD_FIELDS.get(field, field))
            for field, _before, _after in revision.changes()
        ]
        if changed:
            label = _("Changed:")
            lines.append(f"{label} {', '.join(changed)}")
        lines.append("")
    held_on = content.get("held_on")
    when = format_date(date.fromisoformat(held_on), "long") if held_on else ""
    meeting_format = vocabulary.MEETING_FORMATS.get(content.get("format"), content.get("format"))
    lines.append(" · ".join(str(part) for part in (when, meeting_format) if part))
    for label, key in (
        (_("Organisations met"), "organisations"),
        (_("The region's participants"), "officials"),
        (_("Issues pursued"), "issues"),
    ):
        if content.get(key):
            lines.append(f"{label}: {', '.join(content[key])}")
    if content.get("summary"):
        lines += ["", content["summary"]]
    return "\n".join(lines)


def _tag_uri(revision: Revision) -> str:
    """A permanent id (RFC 4151) for the revision: the site's host name, the day the
    revision was made, and the record's public number and the revision's number."""
    host = urlsplit(absolute_url("public.index")).hostname
    day = revision.created_at.astimezone(UTC).date().isoformat()
    return f"tag:{host},{day}:meetings/{revision.meeting.number}/revisions/{revision.number}"


def _timestamp(moment: datetime) -> str:
    """RFC 3339, in UTC."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(parent: ElementTree.Element, name: str, value: object) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, name)
    element.text = NOT_XML.sub("", str(value))
    return element


def _link(parent, rel: str, href: str, media_type: str, title: str | None = None) -> None:
    attributes = {"rel": rel, "href": href, "type": media_type}
    if title:
        attributes["title"] = NOT_XML.sub("", title)
    ElementTree.SubElement(parent, "link", attributes)
