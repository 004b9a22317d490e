"""The audit log: every sign-in, failed sign-in and sign-out, and every change made through
the admin, the desk or the command line — who, when (UTC), from which address, what, with
before and after.

An entry is added to the caller's transaction, so a change and its entry are stored
together or not at all. The application only ever appends: updating or deleting an entry
raises. Values are kept as structured data and shown escaped, so a CR/LF typed into a form
cannot forge a line.
"""

from __future__ import annotations

import json
import logging
import sys

import click
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db
from .models import AuditEntry, User

MAX_ACTOR = 254
# Each stored entry is also a JSON line here once its transaction commits (docs/deploy.md).
logger = logging.getLogger("register.audit")
# Never written to the log, whatever a snapshot may come to hold.
SECRET_KEYS = frozenset(
    {"password", "password_hash", "temporary_password", "session_token", "token", "secret"}
)
_ADDED = "audit_entries_added"
_FLUSHED = "audit_lines_flushed"


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
    db.session.info.setdefault(_ADDED, []).append(entry)
    return entry


def log_line(entry: AuditEntry) -> str:
    """One entry as a JSON line: what the audit page shows, secrets left out."""
    return json.dumps(
        {
            "audit_id": entry.id,
            "at": entry.at.isoformat() if entry.at else None,
            "action": entry.action,
            "actor": entry.actor,
            "user_id": entry.user_id,
            "address": entry.address,
            "target_type": entry.target_type or None,
            "target_id": entry.target_id,
            "before": _without_secrets(entry.before),
            "after": _without_secrets(entry.after),
        },
        ensure_ascii=False,
        default=str,
    )


def _without_secrets(value):
    if isinstance(value, dict):
        return {
            key: "[removed]" if key in SECRET_KEYS else _without_secrets(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_secrets(item) for item in value]
    return value


class _StandardError(logging.StreamHandler):
    """A handler writing to whatever sys.stderr is when it writes (tests swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def _not_on_a_command_line(record: logging.LogRecord) -> bool:
    """A command's entries are not printed among what it tells its user (they are stored)."""
    return click.get_current_context(silent=True) is None


def configure_logger() -> None:
    """Send `register.audit` to standard error as bare JSON lines, unless the deployment's
    logging configuration gave it handlers of its own."""
    if logger.handlers:
        return
    handler = _StandardError()
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(_not_on_a_command_line)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # not again through the app's plain-text handler


@event.listens_for(Session, "after_flush_postexec")
def _render_flushed(session, flush_context):
    """Render the entries just written, while their ids and times can be read."""
    added = session.info.get(_ADDED)
    if added:
        flushed = [entry for entry in added if entry.id is not None]
        session.info.setdefault(_FLUSHED, []).extend(log_line(entry) for entry in flushed)
        added[:] = [entry for entry in added if entry.id is None]


@event.listens_for(Session, "after_commit")
def _emit_committed(session):
    """Only committed entries are logged: a rolled-back change left no trace."""
    for line in session.info.pop(_FLUSHED, ()):
        logger.info(line)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session):
    session.info.pop(_ADDED, None)
    session.info.pop(_FLUSHED, None)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(mapper, connection, target):
    raise RuntimeError("the audit log is append-only")
