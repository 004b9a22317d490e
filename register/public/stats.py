"""The statistics page: figures and charts over the published meetings that match the
register's filters, each chart's figures also as a table and as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from flask import Response, abort, render_template
from flask_babel import format_number, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from .. import statistics
from ..charts import bar_chart, month_chart, month_label
from ..export import safe_cell
from ..extensions import db
from ..freshness import memoised
from ..language import served_language
from ..models import Issue, Unit
from ..search import MeetingFilters
from . import bp
from .routes import active_filter_labels, named_filters, request_filters, without_filter


@dataclass(frozen=True)
class Chart:
    """One figure of the page: how its data is counted and how it is written as CSV."""

    title: object  # a lazy string, translated when shown
    data: Callable[[MeetingFilters], object]
    header: tuple[str, ...]
    rows: Callable[[object], list[tuple]]


def _share_rows(shares) -> list[tuple]:
    return [(share.code, share.label, share.meetings) for share in shares]


def _timeliness_rows(timeliness) -> list[tuple]:
    def row(promptness, unit_id, name):
        share = promptness.share_within_deadline
        return (
            unit_id,
            name,
            promptness.published,
            promptness.within_deadline,
            None if share is None else round(share, 4),
            promptness.median_days,
        )

    return [row(timeliness.overall, None, _("All units"))] + [
        row(unit, unit.unit_id, unit.name or _("No unit")) for unit in timeliness.units
    ]


# The page's charts, by the name their CSV is addressed with (/stats/<name>.csv).
CHARTS = {
    "months": Chart(
        _l("Meetings per month"),
        statistics.per_month,
        ("month", "meetings"),
        lambda months: [(month_label(month), count) for month, count in months],
    ),
    "kinds": Chart(
        _l("Meetings by kind of organisation"),
        statistics.by_kind,
        ("kind", "label", "meetings"),
        _share_rows,
    ),
    "organisations": Chart(
        _l("Organisations met most often"),
        statistics.top_organisations,
        ("organisation_id", "organisation", "kind", "meetings"),
        lambda ranked: [(row.key, row.name, row.detail, row.meetings) for row in ranked],
    ),
    "officials": Chart(
        _l("Officials in most meetings"),
        statistics.top_officials,
        ("official_id", "official", "title", "meetings"),
        lambda ranked: [(row.key, row.name, row.detail, row.meetings) for row in ranked],
    ),
    "issues": Chart(
        _l("Meetings by issue"),
        statistics.by_issue,
        ("issue", "title", "meetings"),
        lambda ranked: [(row.key, row.name, row.meetings) for row in ranked],
    ),
    "initiatives": Chart(
        _l("Who took the initiative"),
        statistics.by_initiative,
        ("initiative", "label", "meetings"),
        _share_rows,
    ),
    "formats": Chart(
        _l("Meetings by format"),
        statistics.by_format,
        ("format", "label", "meetings"),
        _share_rows,
    ),
    "timeliness": Chart(
        _l("Published within the deadline, by unit"),
        statistics.timeliness,
        (
            "unit_id",
            "unit",
            "published",
            "within_deadline",
            "share_within_deadline",
            "median_days_to_publish",
        ),
        _timeliness_rows,
    ),
}


@bp.route("/stats")
def stats():
    """Figures and charts over the published meetings matching the register's filters."""
    filters = request_filters()
    figures = None
    if not filters.errors:
        # Counted over every matching meeting: once per change of the register. The
        # labels are in the visitor's language.
        figures = memoised(
            ("statistics", filters.key, served_language()),
            partial(statistics.figures, filters),
        )
    html = render_template(
        "public/stats.html",
        filters=filters,
        figures=figures,
        charts=drawn(figures) if figures else {},
        titles={name: chart.title for name, chart in CHARTS.items()},
        named=named_filters(filters),
        active_filter_labels=active_filter_labels,
        without_filter=without_filter,
        top=statistics.TOP,
        issue_options=db.session.execute(select(Issue.slug, Issue.title).order_by(Issue.title)),
        unit_options=db.session.execute(select(Unit.id, Unit.name).order_by(Unit.name)),
    )
    return html, 400 if filters.errors else 200


def drawn(figures: statistics.Figures) -> dict[str, Markup]:
    """Each figure as an SVG chart (empty Markup when it has no data)."""
    meetings = _("Meetings")

    def bars(name: str, pairs) -> Markup:
        return bar_chart(
            list(pairs), title=str(CHARTS[name].title), value_label=meetings, number=format_number
        )

    timeliness = figures.timeliness
    return {
        "months": month_chart(
            figures.months,
            title=str(CHARTS["months"].title),
            value_label=meetings,
            number=format_number,
        ),
        "kinds": bars("kinds", ((share.label, share.meetings) for share in figures.kinds)),
        "organisations": bars(
            "organisations", ((row.name, row.meetings) for row in figures.organisations)
        ),
        "officials": bars("officials", ((row.name, row.meetings) for row in figures.officials)),
        "issues": bars("issues", ((row.name, row.meetings) for row in figures.issues)),
        "initiatives": bars(
            "initiatives", ((share.label, share.meetings) for share in figures.initiatives)
        ),
        "formats": bars("formats", ((share.label, share.meetings) for share in figures.formats)),
        "timeliness": bar_chart(
            [
                (unit.name or _("No unit"), round(100 * unit.share_within_deadline))
                for unit in timeliness.units
            ],
            title=str(CHARTS["timeliness"].title),
            value_label=_("Share within %(days)d days", days=timeliness.deadline),
            number=lambda percent: format_percent(percent / 100),
        ),
    }


@bp.route("/stats/<chart>.csv")
def stats_csv(chart: str):
    """One chart's figures as CSV, under the same filters as the page."""
    if chart not in CHARTS:
        abort(404)
    filters = request_filters()
    if filters.errors:
        # The argument's name, as the address has it, then what is wrong with it.
        message = "\n".join(f"{name}: {error}" for name, error in filters.errors.items())
        return Response(message + "\n", status=400, mimetype="text/plain")
    definition = CHARTS[chart]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(definition.header)
    data = memoised(
        ("statistics chart", chart, filters.key, served_language()),
        partial(definition.data, filters),
    )
    for row in definition.rows(data):
        writer.writerow([safe_cell(value) for value in row])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.mimetype_params["charset"] = "utf-8"
    today = datetime.now(UTC).date().isoformat()
    response.headers["Content-Disposition"] = f'attachment; filename="stats-{chart}-{today}.csv"'
    return response
