"""Public pages kept whole between changes of the register, and answered with 304.

An anonymous visitor's page depends on nothing but its address, its language, the day and
the register's last public change: the same for everyone. So each is rendered once per
change and kept in the process (the most visited few hundred), and carries an `ETag` and
`Last-Modified` from that change, so that a browser or a CDN that holds it is answered
`304 Not Modified`. Signed-in pages, pages with a message for the visitor (a flash) or a
form token, and anything but a 200 HTML page are left alone.
"""

from datetime import date

from flask import Response, g, request, session
from flask_login import current_user

from ..freshness import entity_tag, kept_values, last_change
from ..language import served_language
from . import bp

KEPT_PAGES = 200


def _key() -> tuple | None:
    """What the page of this request depends on; None for a request that is not for a
    page everyone is given alike."""
    if request.method != "GET" or current_user.is_authenticated or "_flashes" in session:
        return None
    return (request.url, served_language(), date.today())


@bp.before_request
def answer_from_kept_page():
    key = _key()
    if key is None:
        return None
    g.kept_page = key, last_change()
    found, page = kept_values("pages", KEPT_PAGES).get(*g.kept_page)
    if not found:
        return None
    return Response(page, mimetype="text/html")


@bp.after_request
def keep_page(response: Response) -> Response:
    kept = g.pop("kept_page", None)
    if (
        kept is None
        or response.status_code != 200
        or response.mimetype != "text/html"
        or response.is_streamed
        or session.modified  # a form token or a message: this page is this visitor's
    ):
        return response
    key, changed = kept
    kept_values("pages", KEPT_PAGES).put(key, changed, response.get_data())
    response.set_etag(entity_tag(changed, by_language=True))
    if changed is not None:
        response.last_modified = changed
    # Any cache may keep it, and must ask again (a 304 when nothing changed) before use.
    response.headers["Cache-Control"] = "public, no-cache"
    response.vary.add("Accept-Language")
    return response.make_conditional(request)
