"""When the public register last changed, and conditional GET built on it.

Every write that changes what the public sees stores a revision (publication, amendment,
withdrawal) or an audit entry (an organisation, official, issue or unit edited or merged)
in the same transaction, so the newest of the two is the register's last change. Entries
about accounts, sign-ins and drafts change nothing public and are left out, so that a
sign-in does not make every client download the register again.

The exports and the API answer `304 Not Modified` to a client whose copy is still
current, before running any query for the body.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import TypeVar

from flask import Response, current_app, request
from sqlalchemy import select
from werkzeug.http import is_resource_modified

from .extensions import db
from .language import served_language
from .models import AuditEntry, Revision

# Audit actions that change nothing the public sees (accounts, sign-ins, drafts). Any
# other action counts as a change: a new kind of entry at worst costs a download.
PRIVATE_ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "password_change",
    "two_factor_enable",
    "two_factor_enrol_failed",
    "two_factor_failed",
    "two_factor_recovery_code_used",
    "two_factor_recovery_codes_new",
    "two_factor_disable",
    "two_factor_reset",
    "account_create",
    "account_update",
    "account_deactivate",
    "account_reactivate",
    "meeting_create",
    "meeting_save",
    "meeting_delete",
)
# Part of every entity tag: change it when the shape of the responses changes, so that
# clients holding a copy in the old shape fetch the new one.
RESPONSE_FORMAT = "1"
# Figures kept per process by `memoised`: a few hundred sets of counts, some kilobytes each.
MEMO_ENTRIES = 256

T = TypeVar("T")


def last_change() -> datetime | None:
    """The moment of the newest public change, None for a register never written to.

    The revision with the highest id is the newest (revisions are only appended); the
    audit log is read newest first down its time index, past the private entries. One
    statement, built once: every public page asks it first.
    """
    revision, audit = db.session.execute(_LAST_CHANGE).one()
    moments = [moment for moment in (revision, audit) if moment is not None]
    return max(moments) if moments else None


_revisions = Revision.__table__.c
_audit = AuditEntry.__table__.c
_LAST_CHANGE = select(
    select(_revisions.created_at).order_by(_revisions.id.desc()).limit(1).scalar_subquery(),
    select(_audit.at)
    .where(_audit.action.not_in(PRIVATE_ACTIONS))
    .order_by(_audit.at.desc())
    .limit(1)
    .scalar_subquery(),
)


def entity_tag(changed: datetime | None, *, by_language: bool = False) -> str:
    """A tag for this address's body as of the last change: the full URL (host, path
    and query string) and, when the body is translated, the language it is served in."""
    parts = [
        RESPONSE_FORMAT,
        changed.isoformat() if changed else "never",
        request.url,
        current_app.config.get("PUBLIC_URL") or "",
        served_language() if by_language else "",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def conditional(build: Callable[[], Response], *, by_language: bool = False) -> Response:
    """The response `build` makes, with `ETag` and `Last-Modified`; or `304 Not Modified`
    without building it when the client's copy (If-None-Match, If-Modified-Since) is
    current.

    Call it after the request's parameters were checked: a bad request answers 400 even
    to a client that claims a current copy. Only a 200 gets the validators.
    """
    changed = last_change()
    tag = entity_tag(changed, by_language=by_language)
    response = None
    if request.if_none_match.star_tag:
        # `If-None-Match: *` asks whether the resource exists at all: a 404 stays a 404.
        response = build()
        if response.status_code != 200:
            return response
    if not is_resource_modified(request.environ, etag=tag, last_modified=changed):
        if response is not None:
            response.close()  # a streamed body already holds the request's context
        response = Response(status=304)
    elif response is None:
        response = build()
    if response.status_code in (200, 304):
        response.set_etag(tag)
        if changed is not None:
            response.last_modified = changed
        # Caches may keep a copy but must ask again before using it.
        response.headers["Cache-Control"] = "no-cache"
        if by_language:
            response.vary.add("Accept-Language")
    return response


def memoised(key: Hashable, compute: Callable[[], T]) -> T:
    """The value compute() returns, worked out once per public change in this process.

    For figures that take long to count over a large register (the statistics, the
    filter form's counts) and cannot differ until the register changes: each is kept
    with the moment of the last change it was counted at, and counted again once there
    is a newer one. Keep only values that do not depend on the request's language.
    """
    memo = kept_values("memo", MEMO_ENTRIES)
    changed = last_change()
    found, value = memo.get(key, changed)
    if not found:
        value = compute()
        memo.put(key, changed, value)
    return value


def kept_values(name: str, size: int) -> KeptValues:
    """The app's store of this name (made on first use), in this process."""
    return current_app.extensions.setdefault(f"kept {name}", KeptValues(size))


class KeptValues:
    """Values kept with the moment of the register's last change they hold for, the
    most recently used `size` of them; a value of an earlier change is never given."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._values: OrderedDict[Hashable, tuple[datetime | None, object]] = OrderedDict()

    def get(self, key: Hashable, changed: datetime | None) -> tuple[bool, object]:
        with self._lock:
            kept = self._values.get(key)
            if kept is None or kept[0] != changed:
                return False, None
            self._values.move_to_end(key)
            return True, kept[1]

    def latest(self, key: Hashable) -> object | None:
        """The value kept for `key` whatever change it holds for: for a caller that
        knows it is still good to give out (see public.kept_pages)."""
        with self._lock:
            kept = self._values.get(key)
            return None if kept is None else kept[1]

    def put(self, key: Hashable, changed: datetime | None, value: object) -> None:
        with self._lock:
            self._values[key] = (changed, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
