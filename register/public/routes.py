import os
import tempfile
from datetime import UTC, datetime

from flask import (
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from werkzeug.wsgi import wrap_file

from .. import (
    agenda,
    export,
    fulltext,
    history,
    keptfiles,
    lookup,
    organisations,
    spreadsheet,
    vocabulary,
)
from ..extensions import db
from ..freshness import conditional, last_change, memoised
from ..language import LANGUAGE_COOKIE
from ..models import (
    Issue,
    Meeting,
    Official,
    Organisation,
    Unit,
    meeting_organisation,
)
from ..redirects import safe_next
from ..search import (
    MeetingFilters,
    after_cursor,
    count_listed,
    count_meetings,
    decode_cursor,
    encode_cursor,
    facet_counts,
    parse_filters,
    published_meetings,
    with_links,
)
from . import bp

EXPORT_BATCH = 500
# How long the browser keeps a visitor's choice of language.
LANGUAGE_COOKIE_DAYS = 365


@bp.route("/")
def index():
    """Start page: latest meetings, active issues and key figures."""
    latest = db.session.scalars(with_links(published_meetings(MeetingFilters()).limit(8))).all()
    meetings_per_issue = memoised(("meetings per issue",), agenda.published_meetings_per_issue)
    active_issues = [
        (issue, meetings_per_issue.get(issue.id, 0))
        for issue in db.session.scalars(
            select(Issue).where(Issue.status == "active").order_by(Issue.title)
        )
    ]
    return render_template(
        "public/index.html",
        latest=latest,
        active_issues=active_issues,
        figures=memoised(("key figures",), key_figures),
    )


def key_figures() -> dict[str, object]:
    """Counts for the start page, all over published records."""
    published = Meeting.status == "published"
    meetings = db.session.scalar(select(func.count()).where(published)) or 0
    organisations = db.session.scalar(
        select(func.count(func.distinct(meeting_organisation.c.organisation_id)))
        .join(Meeting, Meeting.id == meeting_organisation.c.meeting_id)
        .where(published)
    )
    since = db.session.scalar(select(func.min(Meeting.held_on)).where(published))
    return {"meetings": meetings, "organisations": organisations or 0, "since": since}


def filter_choices() -> dict[str, list]:
    """The options of the register's filter form, as (value, label) pairs."""
    return {
        "issue_options": db.session.execute(
            select(Issue.slug, Issue.title).order_by(Issue.title)
        ).all(),
        "unit_options": db.session.execute(select(Unit.id, Unit.name).order_by(Unit.name)).all(),
    }


@bp.route("/meetings")
def meetings():
    """The register: published meetings, newest first, filtered, a page at a time."""
    filters = request_filters()
    choices = named_choices(filters)
    if choices is not None and not filters.errors and not any(choices.values()):
        # Every typed name stands for one organisation or official: filter by its id.
        return redirect(url_for("public.meetings", **filters.as_args()))
    cursor = request.args.get("cursor", "")
    position = decode_cursor(cursor) if cursor else None
    if cursor and position is None:
        filters.errors["cursor"] = _("The page link is not valid. Start again from the first page.")
    page, total, next_cursor, facets = [], 0, None, None
    offset = position.offset if position else 0
    if not filters.errors and not any((choices or {}).values()):
        query = published_meetings(filters)
        total = count_meetings(filters, query)
        if position:
            query = after_cursor(query, position, filters.sort)
        page_size = current_app.config["PAGE_SIZE"]
        page = db.session.scalars(with_links(query.limit(page_size + 1))).all()
        if len(page) > page_size:
            page = page[:page_size]
            next_cursor = encode_cursor(page[-1], offset + len(page))
        facets = facet_counts(filters, total)
    html = render_template(
        "public/meetings.html",
        filters=filters,
        page=page,
        total=total,
        counted_to=current_app.config["LIST_COUNT_LIMIT"],
        next_cursor=next_cursor,
        is_first_page=position is None,
        offset=offset,
        facets=facets,
        choices=choices or {},
        named=named_filters(filters),
        matches=fulltext.matched_fields(filters.q, page) if filters.q and page else {},
        active_filter_labels=active_filter_labels,
        without_filter=without_filter,
        **filter_choices(),
    )
    return html, 400 if filters.errors else 200


def request_filters() -> MeetingFilters:
    """The filters of the request's query string. A merged duplicate's organisation is
    the kept organisation's: the request is sent on there (301), as its page is."""
    filters = parse_filters(request.args)
    if filters.organisation:
        kept = organisations.public_successor(db.session.get(Organisation, filters.organisation))
        if kept is not None:
            args = request.args.to_dict(flat=False) | {"organisation": str(kept.id)}
            abort(redirect(url_for(request.endpoint, **(request.view_args or {}), **args), 301))
    return filters


def active_filter_labels(filters, named: dict[str, str]) -> list[tuple[tuple[str, str], str]]:
    """Each active filter value as ((argument, value), what to call it), for the chips
    that show and remove them."""
    issue_titles = dict(db.session.execute(select(Issue.slug, Issue.title)).all())
    labels = []
    for argument, values in filters.as_args(sort=None).items():
        for value in values if isinstance(values, list) else [values]:
            if argument == "issue":
                label = issue_titles.get(value, value)
            elif argument == "kind":
                label = vocabulary.ORGANISATION_KINDS.get(value, value)
            elif argument == "format":
                label = vocabulary.MEETING_FORMATS.get(value, value)
            elif argument == "unit":
                unit = db.session.get(Unit, int(value))
                label = unit.name if unit else value
            elif argument in named:
                label = named[argument]
            elif argument == "from":
                label = _("from %(date)s", date=value)
            elif argument == "to":
                label = _("to %(date)s", date=value)
            else:
                label = f"“{value}”"
            labels.append(((argument, value), label))
    return labels


def without_filter(filters, key: tuple[str, str]) -> dict:
    """The list's arguments less one filter value."""
    argument, value = key
    args = filters.as_args()
    if isinstance(args.get(argument), list):
        args[argument] = [kept for kept in args[argument] if kept != value]
    else:
        args.pop(argument, None)
    return args


def named_choices(filters) -> dict[str, list] | None:
    """Names typed into the organisation and official fields, looked up.

    None when no name was typed. Otherwise, for each field, the candidates to choose from
    (empty when the name stood for exactly one, whose id is then set on `filters`); a name
    that stands for nothing is an error of its field.
    """
    typed = {key: request.args.get(f"{key}_name", "").strip() for key in FILTER_NAMES}
    if not any(typed.values()):
        return None
    choices = {}
    for key, text in typed.items():
        if not text:
            continue
        try:
            matches = lookup.named_in_filter(key, text)
        except lookup.QueryTooLong:
            filters.errors[key] = _("Type at most %(n)d characters.", n=lookup.MAX_QUERY_LENGTH)
            continue
        if len(matches) == 1:
            setattr(filters, key, matches[0].id)
            choices[key] = []
        elif not matches:
            filters.errors[key] = FILTER_NAMES[key]() % {"name": text[:80]}
        else:
            choices[key] = matches
    return choices


# What to say when a typed name stands for nothing, per field.
FILTER_NAMES = {
    "organisation": lambda: _("No organisation in the register is called “%(name)s”."),
    "official": lambda: _("No official in the register is called “%(name)s”."),
}


@bp.get("/lookup/<kind>")
def lookup_names(kind: str):
    """Suggestions for the register's organisation and official filters, as JSON: public
    names only, as the filters find them."""
    if kind not in ("organisations", "officials"):
        abort(404)
    query = request.args.get("q", "")
    try:
        if kind == "organisations":
            matches = lookup.organisations(query, None)
        else:
            matches = lookup.officials(query, former=True)
    except lookup.QueryTooLong:
        message = _("Type at most %(n)d characters.", n=lookup.MAX_QUERY_LENGTH)
        return jsonify(error=message), 400
    return jsonify(results=[match.as_json() for match in matches])


def named_filters(filters) -> dict[str, str]:
    """Names for the filters that have no field in the form (reached by links).

    An organisation that only drafts name is not public: it is as unknown as one that
    does not exist.
    """
    names = {}
    for key, model in (("official", Official), ("organisation", Organisation)):
        record_id = getattr(filters, key)
        if record_id:
            record = db.session.get(model, record_id)
            if record is None or getattr(record, "public", True) is False:
                names[key] = _("unknown (%(id)s)", id=record_id)
            else:
                names[key] = record.name
    return names


def export_query(kind: str) -> tuple[MeetingFilters, Select]:
    """The filters and the query of a download; bad filters end the request with a 400."""
    filters = request_filters()
    if filters.errors:
        message = " ".join(filters.errors.values())
        if kind == "json":
            abort(make_response(jsonify(error=message, fields=filters.errors), 400))
        abort(Response(message + "\n", status=400, mimetype="text/plain"))
    return filters, published_meetings(filters, stubs=True)


def exported(filters: MeetingFilters, query: Select, serialise, suffix: str, mimetype: str):
    """A download of the meetings, serialised while the response is sent.

    The whole register, the download most asked for, is kept as a file from one change
    of the register to the next (see keptfiles): written while it is sent to the first
    client after a change, then sent from the disk. The query runs inside the generator:
    the view's own database session is closed once the view returns.
    """
    changed = last_change()
    if filters.key == () and filters.sort == "held" and changed is not None:
        target = keptfiles.path_of("meetings", suffix, changed)
        kept = keptfiles.open_kept(target)
        if kept is not None:
            response = Response(wrap_file(request.environ, kept), mimetype=mimetype)
            response.content_length = os.fstat(kept.fileno()).st_size
            return response
        body = keptfiles.written_while_sent(target, serialise(query))
    else:
        body = serialise(query)
    return Response(stream_with_context(body), mimetype=mimetype)


def export_filename(extension: str) -> str:
    today = datetime.now(UTC).date().isoformat()
    return f"meetings-{today}.{extension}"


@bp.route("/meetings.csv")
def meetings_csv():
    """Every published meeting matching the filters, as CSV, streamed."""
    filters, query = export_query("csv")

    def build():
        response = exported(filters, query, export.stream_csv, ".csv", "text/csv")
        disposition = f'attachment; filename="{export_filename("csv")}"'
        response.headers["Content-Disposition"] = disposition
        response.mimetype_params["charset"] = "utf-8"
        return response

    return conditional(build)


@bp.route("/meetings.json")
def meetings_json():
    """Every published meeting matching the filters, as JSON, streamed."""
    filters, query = export_query("json")
    return conditional(
        lambda: exported(filters, query, export.stream_json, ".json", "application/json")
    )


@bp.route("/meetings.xlsx")
def meetings_xlsx():
    """Every published meeting matching the filters, as an Excel workbook.

    The workbook is written to a temporary file (a zip cannot be sent before it is
    finished) and sent from there; memory stays flat either way.
    """
    filters = request_filters()
    if not filters.errors:
        query = published_meetings(filters, stubs=True)
        if count_listed(query, spreadsheet.MAX_ROWS) > spreadsheet.MAX_ROWS:
            # Refused: only now is every row counted, for the message.
            rows = db.session.scalar(
                select(func.count()).select_from(query.order_by(None).subquery())
            )
            csv_url = url_for("public.meetings_csv", **filters.as_args())
            message = _(
                "This list has %(rows)s meetings, more than the %(limit)s rows Excel can show. "
                "Narrow it with the filters, or download it as CSV: %(url)s",
                rows=f"{rows:,}",
                limit=f"{spreadsheet.MAX_ROWS:,}",
                url=export.absolute_url("public.meetings_csv") + csv_url[len("/meetings.csv") :],
            )
            return Response(message + "\n", status=400, mimetype="text/plain")
    _filters, query = export_query("xlsx")

    def build():
        workbook = tempfile.TemporaryFile()
        rows = export.export_select(query).execution_options(yield_per=EXPORT_BATCH)
        spreadsheet.write_workbook(export.export_rows(db.session.execute(rows)), workbook)
        workbook.seek(0)
        return send_file(
            workbook,
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            as_attachment=True,
            download_name=export_filename("xlsx"),
        )

    return conditional(build)


def public_meeting_or_404(number: int) -> Meeting:
    """A record by its public number; drafts have none and are reached through the desk."""
    meeting = db.session.scalar(select(Meeting).filter_by(number=number))
    if meeting is None or not meeting.is_public:
        abort(404)
    return meeting


@bp.route("/meetings/<id:number>")
def meeting(number: int):
    """One record, with everything public about it."""
    record = public_meeting_or_404(number)
    return render_template("public/meeting.html", meeting=record)


@bp.route("/meetings/<id:number>/history")
def meeting_history(number: int):
    """The record's public history: publication, amendments with reasons, withdrawal."""
    record = public_meeting_or_404(number)
    return render_template(
        "public/history.html", meeting=record, chain_head=memoised("chain_head", history.head)
    )


@bp.get("/language")
def set_language():
    """Remember the visitor's language and go back to the page they were on.

    A GET (a preference, nothing of the register's): the public pages then carry no form
    token, so they are the same for every anonymous visitor and can be kept and cached.
    """
    response = redirect(safe_next(request.args.get("next"), url_for("public.index")))
    lang = request.args.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        # A cookie of its own, not in the session: a visitor who chose a language is
        # still served the kept pages, which are answered before any session is read.
        response.set_cookie(
            LANGUAGE_COOKIE,
            lang,
            max_age=LANGUAGE_COOKIE_DAYS * 24 * 3600,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    response.headers["Cache-Control"] = "no-store"
    return response
