"""The audit log, for admins: read-only, filterable by account, action and dates."""

from datetime import UTC, datetime, time, timedelta

from flask import render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import vocabulary
from ..extensions import db
from ..models import AuditEntry, User
from ..text import parse_id, parse_iso_date
from . import admin_only, bp

PAGE_SIZE = 100


@bp.route("/audit")
@admin_only
def audit():
    """Every sign-in and change, newest first, a page at a time."""
    args, errors = request.args, {}
    query = select(AuditEntry).options(selectinload(AuditEntry.user))

    user_id = parse_id(args.get("user", "")) if args.get("user") else None
    if args.get("user") and user_id is None:
        errors["user"] = _("“%(value)s” is not a valid id.", value=args["user"][:40])
    elif user_id:
        query = query.where(AuditEntry.user_id == user_id)

    action = args.get("action", "")
    if action and action not in vocabulary.AUDIT_ACTIONS:
        errors["action"] = _("“%(value)s” is not one of the allowed values.", value=action[:40])
    elif action:
        query = query.where(AuditEntry.action == action)

    for name, compare in (("from", "__ge__"), ("to", "__lt__")):
        raw = args.get(name, "").strip()
        if not raw:
            continue
        day = parse_iso_date(raw)
        if day is None:
            errors[name] = _("“%(value)s” is not a date in the form YYYY-MM-DD.", value=raw[:40])
            continue
        if name == "to":
            day += timedelta(days=1)  # the whole of the last day
        moment = datetime.combine(day, time(), tzinfo=UTC)
        query = query.where(getattr(AuditEntry.at, compare)(moment))

    before_id = parse_id(args.get("before", "")) if args.get("before") else None
    if args.get("before") and before_id is None:
        errors["before"] = _("The page link is not valid. Start again from the first page.")
    elif before_id:
        query = query.where(AuditEntry.id < before_id)

    entries, next_url = [], None
    if not errors:
        entries = db.session.scalars(
            query.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE + 1)
        ).all()
        if len(entries) > PAGE_SIZE:
            entries = entries[:PAGE_SIZE]
            kept = {key: value for key, value in args.items() if key != "before"}
            next_url = url_for("admin.audit", **kept, before=entries[-1].id)
    accounts = db.session.execute(select(User.id, User.name, User.email).order_by(User.name))
    html = render_template(
        "admin/audit.html",
        entries=entries,
        errors=errors,
        accounts=accounts.all(),
        next_url=next_url,
    )
    return html, 400 if errors else 200
