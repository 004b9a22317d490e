"""Public pages kept whole between changes of the register, and answered with 304.

An anonymous visitor's page depends on nothing but its address, its language, the day and
the register's last public change: the same for everyone. So each is rendered once per
change and kept in the process (the most visited few hundred), and carries an `ETag` and
`Last-Modified` from that change, so that a browser or a CDN that holds it is answered
`304 Not Modified`.

A kept page is answered before Flask handles the request (`KeptPages` wraps the app), for
one look at the last change: that is what lets a 2-core server answer the list page about
a thousand times a second. Only a request without a session cookie is answered there, so
nobody signed in, and nobody with a message waiting, is ever given a kept page. Which
responses may be kept is decided inside Flask (`mark_keepable`): a 200 HTML page of the
public register that sets no cookie and put nothing in the session.

After a change every page is made again, once: while one request makes a page, others
for it are given the page kept before the change (what the register said a moment ago,
with its own ETag), or, when there is none, wait for the new one. So a publication does
not set every thread of a busy server counting the same large list at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime

from flask import Flask, Response, request, session
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import is_resource_modified, parse_cookie
from werkzeug.wsgi import get_current_url

from ..extensions import read_from_replica
from ..freshness import KeptValues, entity_tag, last_change
from ..language import LANGUAGE_COOKIE, chosen_language
from . import bp

KEPT_PAGES = 200
# How long a request waits for another to make the page it asks for, when no earlier
# page can be given meanwhile; then it makes the page itself.
MAKING_WAIT_SECONDS = 30
# Set by KeptPages on a request it may keep the page of: (key, last change).
CANDIDATE = "register.kept_page"
# Set by mark_keepable when the response may be kept.
KEEPABLE = "register.keepable"
# Headers a kept page is never given again: they belonged to the first visitor's response.
NOT_KEPT = {"set-cookie", "date", "content-length"}


@dataclass(frozen=True)
class KeptPage:
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    last_modified: datetime | None

    def answer(self, environ, start_response):
        if not is_resource_modified(environ, etag=self.etag, last_modified=self.last_modified):
            headers = [(name, value) for name, value in self.headers if name != "Content-Type"]
            start_response("304 Not Modified", headers)
            return []
        start_response("200 OK", [*self.headers, ("Content-Length", str(len(self.body)))])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [self.body]


class KeptPages:
    """WSGI middleware: answers a kept page, or lets Flask make it and keeps it."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.pages = KeptValues(KEPT_PAGES)
        self._making: dict[tuple, threading.Event] = {}  # pages being made, by key
        self._making_lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        cookies = parse_cookie(environ)
        if self.app.config["SESSION_COOKIE_NAME"] in cookies:
            return self.wsgi_app(environ, start_response)  # maybe signed in: Flask decides
        try:
            with self.app.app_context():
                read_from_replica()  # as the public pages it keeps are read
                changed = last_change()
                language = chosen_language(
                    cookies.get(LANGUAGE_COOKIE), environ.get("HTTP_ACCEPT_LANGUAGE")
                )
        except SQLAlchemyError:
            return self.wsgi_app(environ, start_response)  # Flask gives the error page
        key = (get_current_url(environ), language, date.today())
        found, page = self.pages.get(key, changed)
        if found:
            return page.answer(environ, start_response)
        if environ["REQUEST_METHOD"] != "GET":
            return self.wsgi_app(environ, start_response)
        with self._making_lock:
            making = self._making.get(key)
            if making is None:
                making = self._making[key] = threading.Event()
                mine = True
            else:
                mine = False
        if not mine:
            earlier = self.pages.latest(key)
            if earlier is not None:
                return earlier.answer(environ, start_response)
            making.wait(MAKING_WAIT_SECONDS)
            found, page = self.pages.get(key, changed)
            if found:
                return page.answer(environ, start_response)
            return self.wsgi_app(environ, start_response)
        try:
            environ[CANDIDATE] = changed
            return self._make_and_keep(environ, start_response, key, changed)
        finally:
            with self._making_lock:
                del self._making[key]
            making.set()

    def _make_and_keep(self, environ, start_response, key, changed):
        sent = {}

        def remember(status, headers, exc_info=None):
            sent.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, remember)
        if not environ.get(KEEPABLE) or not sent["status"].startswith("200"):
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        headers = [(name, value) for name, value in sent["headers"] if name.lower() not in NOT_KEPT]
        etag = dict(headers)["ETag"].strip('"')
        self.pages.put(key, changed, KeptPage(headers, content, etag, changed))
        return [content]


@bp.after_request
def mark_keepable(response: Response) -> Response:
    """Give a page that may be kept its validators and let KeptPages keep it."""
    if CANDIDATE not in request.environ:
        return response
    if (
        response.status_code != 200
        or response.mimetype != "text/html"
        or response.is_streamed
        or current_user.is_authenticated
        or session.modified  # a form token or a message: this page is this visitor's
        or "Set-Cookie" in response.headers
    ):
        return response
    changed = request.environ[CANDIDATE]
    response.set_etag(entity_tag(changed, by_language=True))
    if changed is not None:
        response.last_modified = changed
    # Any cache may keep it, and must ask again (a 304 when nothing changed) before use.
    response.headers["Cache-Control"] = "public, no-cache"
    response.vary.add("Accept-Language")
    request.environ[KEEPABLE] = True
    return response.make_conditional(request)
