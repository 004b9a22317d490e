"""The register's Atom feed: new, amended and withdrawn records under any filter."""

from flask import Response
from flask_babel import gettext as _

from .. import atom
from ..freshness import conditional
from ..language import served_language
from . import bp
from .routes import request_filters


@bp.route("/feed.atom")
def feed():
    """The latest publications, amendments and withdrawals of the matching records."""
    filters = request_filters()
    if filters.errors:
        lines = [f"{field}: {message}" for field, message in filters.errors.items()]
        body = "\n".join([_("The feed could not be made:"), *lines]) + "\n"
        return Response(body, status=400, mimetype="text/plain")

    def build():
        revisions = atom.latest_revisions(filters)
        document = atom.feed_document(filters, revisions, language=served_language())
        response = Response(document, mimetype=atom.MEDIA_TYPE)
        response.mimetype_params["charset"] = "utf-8"
        return response

    # Feed readers poll: while the register has not changed they get a 304, and the
    # feed's query is not even run.
    return conditional(build, by_language=True)
