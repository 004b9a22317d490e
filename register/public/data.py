"""The open-data page and the whole public register as data: a CSV and a JSON file per
resource, the data package describing them, and one SQLite file holding them all."""

from flask import (
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    send_file,
    stream_with_context,
    url_for,
)

from .. import export, history, opendata
from ..extensions import db
from ..freshness import conditional, last_change, memoised
from . import bp

FORMATS = {"csv": "text/csv", "json": "application/json"}


@bp.record
def check_licence(state) -> None:
    """Refuse to start with a licence the data page could not name."""
    opendata.licence(state.app.config)


def resource_path(resource: opendata.Resource, format: str = "csv") -> str:
    """A resource's absolute address; the meetings are the register's own downloads."""
    if resource.name == "meetings":
        return export.absolute_url(f"public.meetings_{format}")
    return export.absolute_url("public.data_file", name=resource.name, format=format)


@bp.route("/data")
def data():
    """The open-data page: downloads, the columns of every resource, licence, last change."""
    return render_template(
        "public/data.html",
        resources=opendata.RESOURCES,
        licence=opendata.licence(current_app.config),
        last_change=last_change(),
        chain_head=memoised("chain_head", history.head),
    )


@bp.route("/data/datapackage.json")
def datapackage():
    """The register's data described as a Frictionless Data Package."""
    return conditional(
        lambda: jsonify(opendata.datapackage(resource_path, last_change())), by_language=True
    )


@bp.route("/data/<name>.<any(csv, json):format>")
def data_file(name: str, format: str):
    """One resource of the whole public register as CSV or JSON, streamed."""
    resource = opendata.RESOURCES.get(name)
    if resource is None:
        abort(404)
    if resource.name == "meetings":
        return redirect(url_for(f"public.meetings_{format}"))
    serialise = opendata.stream_csv if format == "csv" else opendata.stream_json

    def generate():
        # Read inside the generator: the view's session is closed once the view returns.
        yield from serialise(resource, db.session.connection())

    def build() -> Response:
        response = Response(stream_with_context(generate()), mimetype=FORMATS[format])
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.{format}"'
        if format == "csv":
            response.mimetype_params["charset"] = "utf-8"
        return response

    return conditional(build)


@bp.route("/data/register.sqlite")
def register_sqlite():
    """The whole public register as one SQLite database file, with its foreign keys."""

    def build() -> Response:
        database = opendata.open_sqlite(last_change())
        return send_file(
            database,
            mimetype="application/vnd.sqlite3",
            as_attachment=True,
            download_name="register.sqlite",
        )

    return conditional(build)
