"""The pickers' suggestions: a signed-in JSON look-up of organisations, officials and issues.

GET /desk/lookup/<kind>?q=... answers {"results": [{"id", "label", "detail", "former"}]},
at most lookup.LIMIT of them; an empty query answers an empty list, a query longer than
lookup.MAX_QUERY_LENGTH a 400 with {"error": ...}. Anonymous requests get a 401 with
{"error": ...} (see require_sign_in), not the sign-in page.
"""

from flask import abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import lookup
from . import bp

FINDERS = {
    "organisations": lambda query: lookup.organisations(query, current_user),
    "officials": lookup.officials,
    "issues": lookup.issues,
}


@bp.get("/lookup/<kind>")
def lookup_records(kind: str):
    """Suggestions for a picker, as JSON."""
    finder = FINDERS.get(kind) or abort(404)
    query = request.args.get("q", "")
    try:
        matches = finder(query)
    except lookup.QueryTooLong:
        message = _("Type at most %(n)d characters.", n=lookup.MAX_QUERY_LENGTH)
        return jsonify(error=message), 400
    return jsonify(results=[match.as_json() for match in matches])


# -- the search step of the meeting form, without JavaScript ------------------------------

SEARCH_STEP_LIMIT = 50


def searching_organisations(form) -> bool:
    """The meeting form was sent with its "Find" button: search, save nothing."""
    return form.is_submitted() and "find_organisations" in request.form


def find_organisations(form) -> dict:
    """List only the organisations that match the typed query, and those ticked already,
    keeping everything else typed in the form; an empty query lists them all again."""
    field, query = form.organisation_ids, form.organisation_query.data or ""
    try:
        matches = lookup.organisations(query, current_user, limit=SEARCH_STEP_LIMIT)
    except lookup.QueryTooLong:
        form.organisation_query.errors = [
            _("Type at most %(n)d characters.", n=lookup.MAX_QUERY_LENGTH)
        ]
        return {}
    if not lookup.words_of(query):
        return {}
    form.list_organisations({match.id for match in matches} | set(field.data or ()))
    return {"organisation_matches": len(matches), "organisation_query": query}
