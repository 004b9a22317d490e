"""Organisations as registrars keep them: corrected facts and merged duplicates.

Renaming or merging changes how published records read, so both are done inside
`records.restating()`: every affected public record gets an amendment stating why, and
its history stays one unbroken chain.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from . import audit, identifiers, records, vocabulary
from .extensions import db
from .models import Meeting, Organisation, User, meeting_organisation, utcnow
from .text import is_web_link, name_key, search_key, single_line
from .transactions import write_transaction

# How many merged_into links are followed before giving up (merges flatten chains, so one
# is normal; more only if data came from elsewhere).
MAX_MERGE_HOPS = 5
# The facts a registrar edits, as SPEC §6 names them.
FIELDS = ("name", "kind", "org_number", "eu_transparency_id", "country", "website")
MAX_WEBSITE = 500


@dataclass(frozen=True)
class OrganisationInput:
    """What a registrar says an organisation is: plain values, "" for none."""

    name: str
    kind: str
    org_number: str = ""
    eu_transparency_id: str = ""
    country: str = ""
    website: str = ""


class OrganisationError(Exception):
    """A refused change; nothing of it was stored. `field` says which input was wrong."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotFound(OrganisationError):
    """No organisation has this id."""

    def __init__(self):
        super().__init__(_l("There is no such organisation."))


class NumberTaken(OrganisationError):
    """Another organisation already has this organisation number."""

    def __init__(self, number: str, holder: Organisation):
        super().__init__(
            _l(
                "%(number)s is already the number of “%(name)s”. If they are the same "
                "organisation, merge them instead.",
                number=number,
                name=holder.name,
            ),
            field="org_number",
        )
        self.holder = holder


class AlreadyMerged(OrganisationError):
    """A merged organisation is no longer edited or merged; its kept one is."""

    def __init__(self, organisation: Organisation):
        super().__init__(
            _l(
                "This organisation was merged into “%(name)s”; change that one instead.",
                name=organisation.merged_into.name if organisation.merged_into else "–",
            )
        )
        self.kept = organisation.merged_into


@dataclass(frozen=True)
class Merged:
    kept: Organisation
    meetings_moved: int


# -- checking input ------------------------------------------------------------------


def clean(data: OrganisationInput) -> OrganisationInput:
    """The input in canonical form; OrganisationError names the first wrong field."""
    name = single_line(data.name or "")
    if not name:
        raise OrganisationError(_l("Enter the organisation's name."), "name")
    if len(name) > 200:
        raise OrganisationError(_l("At most %(max)d characters.", max=200), "name")
    if data.kind not in vocabulary.ORGANISATION_KINDS:
        raise OrganisationError(_l("Choose one of the options in the list."), "kind")
    country = clean_country(data.country)
    return replace(
        data,
        name=name,
        country=country,
        org_number=clean_org_number(data.org_number, country),
        eu_transparency_id=clean_eu_transparency_id(data.eu_transparency_id),
        website=clean_website(data.website),
    )


def clean_country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased; "" for none."""
    country = (value or "").strip().upper()
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise OrganisationError(
            _l("Write the country as its two-letter code, as in SE, DK or BE."), "country"
        )
    return country


def clean_org_number(value: str, country: str = "") -> str:
    """A Swedish organisationsnummer or Danish CVR number, check digit verified."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return identifiers.normalise_org_number(value, country or None)
    except ValueError as error:
        raise OrganisationError(_org_number_message(str(error)), "org_number") from None


def _org_number_message(problem: str):
    """The identifiers module explains in English; say the same in the user's language."""
    if "check digit" in problem:
        if "Danish" in problem:
            return _l("The check digit of this Danish CVR number is wrong: check the number.")
        return _l("The check digit of this Swedish organisation number is wrong: check the number.")
    if "Only Swedish" in problem:
        return _l(
            "Only Swedish organisation numbers and Danish CVR numbers can be entered: "
            "set the country to SE or DK, or leave the number empty."
        )
    if "Danish" in problem:
        return _l("A Danish CVR number has 8 digits and does not start with 0.")
    return _l("A Swedish organisation number has 10 digits, as in 556036-0793.")


def clean_eu_transparency_id(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return identifiers.validate_eu_transparency_id(value)
    except ValueError:
        raise OrganisationError(
            _l(
                "An EU Transparency Register id is 9 to 12 digits, a hyphen and two digits, "
                "as in 7714905406-52."
            ),
            "eu_transparency_id",
        ) from None


def clean_website(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if not is_web_link(value) or any(char.isspace() for char in value) or len(value) > MAX_WEBSITE:
        raise OrganisationError(
            _l("Enter a web address starting with http:// or https://, as in https://example.se."),
            "website",
        )
    return value


# -- reading -------------------------------------------------------------------------


def kept_instead(organisation: Organisation | None) -> Organisation | None:
    """The organisation a merged one now lives on as; None when it was not merged (or the
    chain of merges is broken or too long)."""
    if organisation is None or organisation.merged_into_id is None:
        return None
    current = organisation
    for _hop in range(MAX_MERGE_HOPS):
        current = current.merged_into
        if current is None:
            return None
        if current.merged_into_id is None:
            return current
    return None


def linked_meetings(organisation_id: int, *, lock: bool = False) -> list[Meeting]:
    """Every meeting naming the organisation, whatever its status."""
    query = select(Meeting).where(
        Meeting.id.in_(
            select(meeting_organisation.c.meeting_id).where(
                meeting_organisation.c.organisation_id == organisation_id
            )
        )
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(db.session.scalars(query.order_by(Meeting.id)))


def meeting_counts(organisation_id: int) -> dict[str, int]:
    """How many meetings name the organisation, by status."""
    rows = db.session.execute(
        select(Meeting.status, func.count())
        .join(meeting_organisation, meeting_organisation.c.meeting_id == Meeting.id)
        .where(meeting_organisation.c.organisation_id == organisation_id)
        .group_by(Meeting.status)
    )
    return {status: count for status, count in rows}


def facts(organisation: Organisation) -> dict:
    """What the audit log keeps of an organisation."""
    return {
        **{name: getattr(organisation, name) for name in FIELDS},
        "public": organisation.public,
        "merged_into_id": organisation.merged_into_id,
    }


# -- changing ------------------------------------------------------------------------


def update_organisation(organisation_id: int, data: OrganisationInput, author: User) -> bool:
    """Correct an organisation's facts; a registrar's edit makes it public.

    Returns whether anything changed. A new name is restated in every published record
    naming the organisation, each with an amendment saying so.
    """
    data = clean(data)
    with write_transaction():
        organisation = _locked(organisation_id)
        if organisation.merged_into_id is not None:
            raise AlreadyMerged(organisation)
        if data.org_number:
            holder = db.session.scalar(
                select(Organisation).where(
                    Organisation.org_number == data.org_number,
                    Organisation.id != organisation.id,
                )
            )
            if holder is not None:
                raise NumberTaken(data.org_number, holder)
        before = facts(organisation)
        values = {name: value or None for name, value in asdict(data).items()}
        values["name"] = data.name
        renamed = data.name != organisation.name
        meetings = linked_meetings(organisation.id, lock=True) if renamed else []
        with register_language():
            reason = gettext(
                "The organisation's name was corrected: %(old)s → %(new)s",
                old=organisation.name,
                new=data.name,
            )
        with records.restating(meetings, author, reason):
            for name, value in values.items():
                setattr(organisation, name, value)
            organisation.name_key = name_key(data.name)
            organisation.search_key = search_key(data.name)
            organisation.public = True  # a registrar vouches for it
            organisation.vouched_at = organisation.vouched_at or utcnow()
        after = facts(organisation)
        if after == before:
            db.session.rollback()
            return False
        audit.log(
            "organisation_update", user=author, target=organisation, before=before, after=after
        )
    return True


def merge(organisation_id: int, into_id: int | None, author: User) -> Merged:
    """Merge a duplicate into the organisation kept.

    Every meeting naming the duplicate names the kept one instead (once, where it named
    both); the kept one takes over facts it lacked; the duplicate remembers where it went,
    so its URL can redirect. Organisations merged into the duplicate earlier now point
    to the kept one directly.
    """
    with write_transaction():
        if into_id is not None and into_id < organisation_id:
            # Rows are locked in id order, so that A→B and B→A at once cannot deadlock.
            db.session.get(Organisation, into_id, with_for_update=True)
        organisation = _locked(organisation_id)
        if organisation.merged_into_id is not None:
            raise AlreadyMerged(organisation)
        kept = _merge_target(organisation, into_id)
        before = {"organisation": facts(organisation), "into": facts(kept)}
        meetings = linked_meetings(organisation.id, lock=True)
        with register_language():
            reason = gettext(
                "The organisation %(old)s was merged into %(new)s, a record of the same "
                "organisation.",
                old=organisation.name,
                new=kept.name,
            )
        with records.restating(meetings, author, reason):
            _move_links(organisation.id, kept.id)
        for meeting in meetings:
            if meeting.status != "published":
                # An open form of a draft must not put the duplicate back on it.
                meeting.version += 1
        _take_over_facts(organisation, kept)
        organisation.merged_into_id = kept.id
        organisation.merged_at = utcnow()
        db.session.execute(
            update(Organisation)
            .where(Organisation.merged_into_id == organisation.id)
            .values(merged_into_id=kept.id)
        )
        db.session.flush()
        audit.log(
            "organisation_merge",
            user=author,
            target=organisation,
            before=before,
            after={
                "organisation": facts(organisation),
                "into": facts(kept),
                "meetings_moved": [meeting.id for meeting in meetings],
            },
        )
    return Merged(kept=kept, meetings_moved=len(meetings))


def _locked(organisation_id: int) -> Organisation:
    organisation = db.session.get(
        Organisation, organisation_id, with_for_update=True, populate_existing=True
    )
    if organisation is None:
        raise NotFound
    return organisation


def _merge_target(organisation: Organisation, into_id: int | None) -> Organisation:
    if into_id is None:
        raise OrganisationError(_l("Give the id of the organisation to keep."), "into")
    if into_id == organisation.id:
        raise OrganisationError(_l("An organisation cannot be merged into itself."), "into")
    kept = db.session.get(Organisation, into_id, with_for_update=True, populate_existing=True)
    if kept is None:
        raise OrganisationError(_l("There is no organisation with id %(id)d.", id=into_id), "into")
    if kept.merged_into_id is not None:
        raise OrganisationError(
            _l(
                "“%(name)s” was itself merged into another organisation (id %(id)d); "
                "merge into that one.",
                name=kept.name,
                id=kept.merged_into_id,
            ),
            "into",
        )
    return kept


def _move_links(from_id: int, to_id: int) -> None:
    """Re-point meeting links; a meeting naming both keeps the one link it may have
    (meeting, organisation) is the link table's primary key."""
    links = meeting_organisation.c
    naming_both = select(links.meeting_id).where(links.organisation_id == to_id)
    db.session.execute(
        delete(meeting_organisation).where(
            links.organisation_id == from_id, links.meeting_id.in_(naming_both)
        )
    )
    db.session.execute(
        update(meeting_organisation)
        .where(links.organisation_id == from_id)
        .values(organisation_id=to_id)
    )


def _take_over_facts(duplicate: Organisation, kept: Organisation) -> None:
    """The kept organisation keeps its own facts and takes the duplicate's where it had
    none; it is public if either was."""
    number = duplicate.org_number
    if number and not kept.org_number:
        duplicate.org_number = None
        db.session.flush()  # the number is unique: free it before the kept one takes it
        kept.org_number = number
    for name in ("eu_transparency_id", "country", "website"):
        if getattr(duplicate, name) and not getattr(kept, name):
            setattr(kept, name, getattr(duplicate, name))
    if kept.kind == "other" and duplicate.kind != "other":
        kept.kind = duplicate.kind
    kept.public = kept.public or duplicate.public
    kept.vouched_at = kept.vouched_at or duplicate.vouched_at


def register_language():
    """For stored public text (a record's amendment reason): the register's own language,
    whoever's request wrote it."""
    return force_locale(current_app.config["DEFAULT_LOCALE"])


def public_successor(organisation: Organisation | None) -> Organisation | None:
    """Where a merged public organisation's pages now lead: the kept one, if public."""
    if organisation is None or not organisation.public:
        return None
    kept = kept_instead(organisation)
    return kept if kept is not None and kept.public else None
