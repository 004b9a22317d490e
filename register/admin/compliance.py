"""Publication compliance, for registrars and admins: overdue drafts, late publications and
the median days to publish per unit and per official, each table also as CSV."""

import csv
import io
import re

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from .. import compliance
from ..export import safe_cell
from ..models import local_today
from . import bp

MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")

# Each downloadable table: its column names (the CSV header) and how a row fills them.
CSV_TABLES = {
    "overdue": (
        (
            "id",
            "held_on",
            "subject",
            "days_since_meeting",
            "days_overdue",
            "officials",
            "author",
            "author_email",
        ),
        lambda r: (
            r.id,
            r.held_on.isoformat(),
            r.subject,
            r.days_since_meeting,
            r.days_overdue,
            "; ".join(r.officials),
            r.author_name,
            r.author_email,
        ),
    ),
    "late": (
        ("id", "date", "published_on", "days_to_publish", "status"),
        lambda r: (
            r.number,
            r.held_on.isoformat(),
            r.published_on.isoformat(),
            r.days_to_publish,
            r.status,
        ),
    ),
    "units": (
        ("month", "unit", "published", "median_days_to_publish"),
        lambda r: (r.month, r.name, r.published, r.median_days),
    ),
    "officials": (
        ("month", "official", "published", "median_days_to_publish"),
        lambda r: (r.month, r.name, r.published, r.median_days),
    ),
}


def month_filters(args) -> tuple[str | None, str | None, dict[str, str]]:
    """The optional months `from` and `to` (YYYY-MM) of the query string, checked."""
    months, errors = {}, {}
    for name in ("from", "to"):
        raw = args.get(name, "").strip()
        if not raw:
            months[name] = None
        elif MONTH.fullmatch(raw):
            months[name] = raw
        else:
            months[name] = None
            errors[name] = _("“%(value)s” is not a month in the form YYYY-MM.", value=raw[:40])
    if months["from"] and months["to"] and months["from"] > months["to"]:
        errors["to"] = _("The last month is before the first.")
    return months["from"], months["to"], errors


def table_rows(table: str, first: str | None, last: str | None) -> list:
    if table == "overdue":
        return compliance.overdue_drafts(local_today())
    if table == "late":
        return compliance.late_publications(first, last)
    return compliance.median_days("unit" if table == "units" else "official", first, last)


# The page lists the most recent late publications; the CSV has them all.
LATE_ROWS_SHOWN = 100


@bp.route("/compliance", endpoint="compliance")
def compliance_report():
    """Overdue drafts, late publications and the median days to publish, by month."""
    first, last, errors = month_filters(request.args)
    tables = {}
    if not errors:
        tables = {table: table_rows(table, first, last) for table in CSV_TABLES}
    html = render_template(
        "admin/compliance.html",
        tables=tables,
        errors=errors,
        month_args={name: value for name, value in (("from", first), ("to", last)) if value},
        cutoff=compliance.cutoff(local_today()),
        shown=LATE_ROWS_SHOWN,
    )
    return html, 400 if errors else 200


@bp.route("/compliance/<table>.csv")
def compliance_csv(table: str):
    """One of the compliance tables as CSV (UTF-8, RFC 4180, formulas neutralised)."""
    if table not in CSV_TABLES:
        abort(404)
    first, last, errors = month_filters(request.args)
    if errors:
        return Response(" ".join(errors.values()) + "\n", status=400, mimetype="text/plain")
    header, cells = CSV_TABLES[table]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in table_rows(table, first, last):
        writer.writerow([safe_cell(cell) for cell in cells(row)])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.mimetype_params["charset"] = "utf-8"
    filename = f"compliance-{table}-{local_today().isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
