"""The audit log: every sign-in, failed sign-in and sign-out, and every change made through
the admin, the desk or the command line — who, when (UTC), from which address, what, with
before and after.

An entry is added to the caller's transaction, so a change and its entry are stored
together or not at all. The application only ever appends: updating or deleting an entry
raises. Values are kept as structured data and shown escaped, so a CR/LF typed into a form
cannot forge a line.
"""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import event

from .extensions import db
from .models import AuditEntry, User

MAX_ACTOR = 254


def client_address() -> str:
    """The address the request came from, or "cli" for the command line."""
    if has_request_context():
        return (request.remote_addr or "")[:64]
    return "cli"


def log(
    action: str,
    *,
    user: User | None = None,
    actor: str | None = None,
    target=None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Append one entry to the current transaction; the caller commits."""
    if target is not None and getattr(target, "id", None) is None:
        db.session.flush()  # a record created in this transaction needs its id first
    if actor is None:
        actor = user.email if user is not None else client_address()
    entry = AuditEntry(
        action=action,
        user_id=user.id if user is not None else None,
        actor=actor[:MAX_ACTOR],
        address=client_address(),
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None),
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(mapper, connection, target):
    raise RuntimeError("the audit log is append-only")
