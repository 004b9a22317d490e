"""The API's views: check the parameters, then answer from the export's rows and the
directory, with conditional GET."""

from __future__ import annotations

from datetime import date

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import directory, export
from ..extensions import db
from ..freshness import conditional
from ..models import Meeting, Organisation
from ..organisations import public_successor
from ..search import (
    Position,
    after_cursor,
    decode_cursor,
    encode_cursor,
    parse_filters,
    published_meetings,
)
from ..text import parse_id
from . import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MEETING_PARAMETERS,
    PAGE_PARAMETERS,
    bp,
    error_response,
    json_response,
    openapi,
)


def checked(allowed: tuple[str, ...], errors: dict[str, str] | None = None) -> None:
    """End the request with a 400 naming each bad or unknown parameter.

    An unknown parameter is refused rather than ignored: a misspelt filter would
    otherwise quietly answer with the whole register.
    """
    errors = dict(errors or {})
    for name in request.args:
        if name not in allowed:
            if allowed:
                message = _("Unknown parameter. This address takes: %(names)s.")
                errors[name[:40]] = message % {"names": ", ".join(allowed)}
            else:
                errors[name[:40]] = _("Unknown parameter. This address takes none.")
    if errors:
        abort(error_response(400, " ".join(dict.fromkeys(errors.values())), errors))


def page_arguments(errors: dict[str, str]) -> tuple[str, int]:
    """The `cursor` (unchecked) and `limit` of a paged list; a bad limit is an error."""
    limit = DEFAULT_LIMIT
    raw = request.args.get("limit", "").strip()
    if raw:
        value = parse_id(raw)
        if value is None or value > MAX_LIMIT:
            errors["limit"] = _(
                "The limit must be a whole number from 1 to %(max)d.", max=MAX_LIMIT
            )
        else:
            limit = value
    return request.args.get("cursor", "").strip(), limit


def bad_cursor() -> str:
    return _("The cursor is not valid. Start again without it, from the first page.")


def link_next(response, next_url: str | None):
    """The `next` page also as an RFC 8288 Link header, for clients that follow those."""
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


@bp.get("/meetings")
def meetings():
    """Published meetings (and the stubs of withdrawn ones, as the exports list them)
    matching the /meetings filters, newest first, a page at a time."""
    filters = parse_filters(request.args)
    errors = dict(filters.errors)
    cursor, limit = page_arguments(errors)
    position = decode_cursor(cursor) if cursor else None
    if cursor and position is None:
        errors["cursor"] = bad_cursor()
    checked(MEETING_PARAMETERS, errors)
    if filters.organisation:
        # A merged duplicate's meetings are the kept organisation's: send the client there.
        kept = public_successor(db.session.get(Organisation, filters.organisation))
        if kept is not None:
            args = request.args.to_dict(flat=False) | {"organisation": str(kept.id)}
            return redirect(url_for("api.meetings", **args), 301)

    def build():
        query = published_meetings(filters, stubs=True)
        if position:
            query = after_cursor(query, position, filters.sort)
        # The page's numbers first; then the export's columns (aggregates over the linked
        # records) for those alone, not for every row the sort looks at.
        numbers = db.session.scalars(query.with_only_columns(Meeting.number).limit(limit + 1))
        place = {number: index for index, number in enumerate(numbers)}
        select_page = export.export_select(select(Meeting).where(Meeting.number.in_(list(place))))
        rows = sorted(
            export.export_rows(db.session.execute(select_page)), key=lambda row: place[row.number]
        )
        next_url = None
        if len(rows) > limit:
            rows = rows[:limit]
            last = Position(date.fromisoformat(rows[-1].held_on), rows[-1].number, 0)
            offset = (position.offset if position else 0) + limit
            args = filters.as_args(cursor=encode_cursor(last, offset))
            if limit != DEFAULT_LIMIT:
                args["limit"] = str(limit)
            next_url = export.absolute_url("api.meetings", **args)
        body = {"meetings": [export.json_record(row) for row in rows], "next": next_url}
        return link_next(json_response(body), next_url)

    return conditional(build)


@bp.get("/meetings/<id:number>")
def meeting(number: int):
    """One record by its public number; a withdrawn or withheld one as its stub."""
    checked(())

    def build():
        query = select(Meeting).where(
            Meeting.number == number, Meeting.status.in_(Meeting.PUBLIC_STATUSES)
        )
        rows = list(export.export_rows(db.session.execute(export.export_select(query))))
        if not rows:
            abort(404)
        return json_response(export.json_record(rows[0]))

    return conditional(build)


def listed(key: str, items):
    return conditional(lambda: json_response({key: items()}))


def one(find, key):
    def build():
        item = find(key)
        if item is None:
            abort(404)
        return json_response(item)

    return conditional(build)


@bp.get("/issues")
def issues():
    """The issue agenda, by title, each with its published meetings."""
    checked(())
    return listed("issues", directory.issues)


@bp.get("/issues/<slug>")
def issue(slug: str):
    """One issue by its slug."""
    checked(())
    return one(directory.issue, slug)


@bp.get("/organisations")
def organisations():
    """Public organisations by id, a page at a time, each with its published meetings."""
    errors: dict[str, str] = {}
    cursor, limit = page_arguments(errors)
    after = directory.decode_after(cursor) if cursor else None
    if cursor and after is None:
        errors["cursor"] = bad_cursor()
    checked(PAGE_PARAMETERS, errors)

    def build():
        items, more = directory.organisations(after, limit)
        next_url = None
        if more:
            extra = {} if limit == DEFAULT_LIMIT else {"limit": limit}
            token = directory.encode_after(items[-1]["id"])
            next_url = export.absolute_url("api.organisations", cursor=token, **extra)
        return link_next(json_response({"organisations": items, "next": next_url}), next_url)

    return conditional(build)


@bp.get("/organisations/<id:organisation_id>")
def organisation(organisation_id: int):
    """One public organisation; a merged duplicate answers 301 to the one kept."""
    checked(())
    record = db.session.get(Organisation, organisation_id)
    if record is None or not record.public:
        abort(404)
    if record.merged_into_id is not None:
        kept = public_successor(record)
        if kept is None:
            abort(404)
        return redirect(url_for("api.organisation", organisation_id=kept.id), 301)
    return one(directory.organisation, organisation_id)


@bp.get("/officials")
def officials():
    """The region's officials, by name, each with their published meetings."""
    checked(())
    return listed("officials", directory.officials)


@bp.get("/officials/<id:official_id>")
def official(official_id: int):
    """One official."""
    checked(())
    return one(directory.official, official_id)


@bp.get("/units")
def units():
    """The parts of the public body, by name, each with its officials' published meetings."""
    checked(())
    return listed("units", directory.units)


@bp.get("/units/<id:unit_id>")
def unit(unit_id: int):
    """One unit."""
    checked(())
    return one(directory.unit, unit_id)


@bp.get("/openapi.json")
def openapi_document():
    """This API described in OpenAPI 3.1."""
    checked(())
    return conditional(lambda: json_response(openapi.document()))
