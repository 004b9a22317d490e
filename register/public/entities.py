"""The pages of the register's entities: the issue agenda, organisations and officials,
each with what the published meetings say about them."""

from functools import partial

from flask import abort, redirect, render_template, request, url_for
from flask_babel import format_number
from flask_babel import gettext as _

from .. import charts, profiles
from .. import organisations as organisation_records
from ..extensions import db
from ..freshness import memoised
from ..models import Official, Organisation
from ..search import with_links
from . import bp

# How many of the latest meetings an issue's, organisation's or official's page lists;
# the filtered list has them all.
LATEST_MEETINGS = 20
CHART_BARS = 10


def latest_meetings(meetings: profiles.MeetingSet) -> list:
    return db.session.scalars(with_links(profiles.latest(meetings, LATEST_MEETINGS))).all()


def month_chart(timeline: profiles.Timeline, title: str):
    return charts.month_chart(
        timeline.months, title=title, value_label=_("Meetings"), number=format_number
    )


def ranking_chart(ranking: profiles.Ranking, title: str):
    """The first ten of a ranking as bars; the page's table has them all."""
    bars = [(row.name, row.meetings) for row in ranking.rows[:CHART_BARS]]
    return charts.bar_chart(bars, title=title, value_label=_("Meetings"), number=format_number)


@bp.route("/issues")
def issues():
    """The region's agenda: active and concluded issues with their meetings."""
    active, concluded = profiles.agenda()
    return render_template("public/issues.html", active=active, concluded=concluded)


@bp.route("/issues/<slug>")
def issue(slug: str):
    """One issue: what the region wants and from whom, and the meetings about it."""
    record = profiles.issue_by_slug(slug)
    if record is None:
        abort(404)
    meeting_ids = profiles.issue_meetings(record.id)
    figures = memoised(("issue", record.id), partial(issue_figures, meeting_ids))
    return render_template(
        "public/issue.html",
        issue=record,
        timeline=figures["timeline"],
        month_chart=month_chart(
            figures["timeline"], _("Published meetings about the issue, per month")
        ),
        organisations=figures["organisations"],
        organisation_chart=ranking_chart(
            figures["organisations"], _("The organisations met most often about the issue")
        ),
        officials=figures["officials"],
        documents=figures["documents"],
        document_limit=profiles.DOCUMENT_LIMIT,
        meetings=latest_meetings(meeting_ids),
        list_args={"issue": record.slug},
    )


def issue_figures(meeting_ids: profiles.MeetingSet) -> dict:
    return {
        "timeline": profiles.timeline(meeting_ids),
        "organisations": profiles.organisations_met(meeting_ids),
        "officials": profiles.officials_on(meeting_ids),
        "documents": profiles.documents_of(meeting_ids),
    }


@bp.route("/organisations")
def organisations():
    """Counterparts: searched by name, filtered by kind, by name or by meetings, paged."""
    query = profiles.parse_organisation_query(request.args)
    page = profiles.organisation_page(query)
    html = render_template("public/organisations.html", query=query, page=page)
    return html, 400 if query.errors else 200


@bp.route("/organisations/<id:organisation_id>")
def organisation(organisation_id: int):
    """One counterpart and its meetings with the region; a merged one leads to the kept."""
    record = db.session.get(Organisation, organisation_id)
    if record is None or not record.public:
        abort(404)
    if record.merged_into_id is not None:
        kept = organisation_records.public_successor(record)
        if kept is None:
            abort(404)
        return redirect(url_for("public.organisation", organisation_id=kept.id), 301)
    meeting_ids = profiles.organisation_meetings(record.id)
    figures = memoised(
        ("organisation", record.id),
        partial(organisation_figures, meeting_ids, consultancy=record.kind == "consultancy"),
    )
    timeline = figures["timeline"]
    return render_template(
        "public/organisation.html",
        organisation=record,
        eu_register_url=profiles.eu_transparency_url(record.eu_transparency_id or ""),
        timeline=timeline,
        month_chart=month_chart(timeline, _("Published meetings with the organisation, per month")),
        total=timeline.total,
        issues=figures["issues"],
        officials=figures["officials"],
        clients=figures["clients"],
        meetings=latest_meetings(meeting_ids),
        list_args={"organisation": record.id},
    )


def organisation_figures(meeting_ids: profiles.MeetingSet, *, consultancy: bool) -> dict:
    return {
        "timeline": profiles.timeline(meeting_ids),
        "issues": profiles.issues_on(meeting_ids),
        "officials": profiles.officials_on(meeting_ids),
        # Whom a consultancy came on behalf of.
        "clients": profiles.clients_of(meeting_ids) if consultancy else [],
    }


@bp.route("/officials")
def officials():
    """The region's officials and politicians, by unit, with their published meetings."""
    return render_template("public/officials.html", groups=profiles.officials_by_unit())


@bp.route("/officials/<id:official_id>")
def official(official_id: int):
    """One official: whom they met, about what, and when."""
    record = db.session.get(Official, official_id)
    if record is None:
        abort(404)
    meeting_ids = profiles.official_meetings(record.id)
    figures = memoised(("official", record.id), partial(official_figures, meeting_ids))
    timeline = figures["timeline"]
    return render_template(
        "public/official.html",
        official=record,
        timeline=timeline,
        month_chart=month_chart(timeline, _("Published meetings of the official, per month")),
        total=timeline.total,
        organisations=figures["organisations"],
        organisation_chart=ranking_chart(
            figures["organisations"], _("The organisations the official met most often")
        ),
        issues=figures["issues"],
        meetings=latest_meetings(meeting_ids),
        list_args={"official": record.id},
    )


def official_figures(meeting_ids: profiles.MeetingSet) -> dict:
    return {
        "timeline": profiles.timeline(meeting_ids),
        "organisations": profiles.organisations_met(meeting_ids),
        "issues": profiles.issues_on(meeting_ids),
    }
