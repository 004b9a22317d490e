"""Organisations: correct their facts and merge duplicates (registrars and admins)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from .. import organisations
from ..extensions import db
from ..models import Meeting, Organisation, meeting_organisation
from ..organisations import AlreadyMerged, NumberTaken, OrganisationError
from ..text import name_key, parse_id
from ..transactions import ConcurrentChange
from . import bp
from .organisation_forms import MergeForm, OrganisationForm

PAGE_SIZE = 50
MAX_CANDIDATES = 20
MAX_QUERY = 200


def published_counts():
    """Published meetings per organisation, as a subquery to join."""
    return (
        select(meeting_organisation.c.organisation_id, func.count().label("meetings"))
        .join(Meeting, Meeting.id == meeting_organisation.c.meeting_id)
        .where(Meeting.status == "published")
        .group_by(meeting_organisation.c.organisation_id)
        .subquery()
    )


def matching(q: str):
    """Organisations whose name (regardless of case and spacing) or number contains q."""
    return or_(
        Organisation.name_key.contains(name_key(q), autoescape=True),
        Organisation.org_number.contains(q, autoescape=True),
    )


def with_counts(query):
    counts = published_counts()
    return (
        query.add_columns(func.coalesce(counts.c.meetings, 0))
        .outerjoin(counts, counts.c.organisation_id == Organisation.id)
        .options(selectinload(Organisation.merged_into))
    )


@bp.route("/organisations", endpoint="organisations")
def organisation_list():
    """Every organisation, drafts' ones included, searchable by name or number."""
    q = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
    page = parse_id(request.args.get("page", "1")) or 1
    query = select(Organisation)
    if q:
        query = query.where(matching(q))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        with_counts(query)
        .order_by(Organisation.merged_into_id.is_not(None), Organisation.name_key, Organisation.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    return render_template(
        "admin/organisations.html",
        rows=rows[:PAGE_SIZE],
        q=q,
        page=page,
        total=total,
        has_next=len(rows) > PAGE_SIZE,
    )


def organisation_or_404(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


@bp.route("/organisations/<id:organisation_id>", methods=["GET", "POST"])
def organisation(organisation_id: int):
    """Correct an organisation's name, kind, numbers, country and website."""
    record = organisation_or_404(organisation_id)
    form = OrganisationForm()
    if not form.is_submitted():
        form.fill_from(record)
    if form.validate_on_submit():
        try:
            changed = organisations.update_organisation(record.id, form.to_input(), current_user)
        except OrganisationError as error:
            return refused(form, error, "admin/organisation_form.html", organisation_id)
        except ConcurrentChange:
            return concurrent_change(form, "admin/organisation_form.html", organisation_id)
        if changed:
            flash(_("The organisation is saved."), "success")
        else:
            flash(_("Nothing was changed, so nothing was recorded."), "info")
        return redirect(url_for("admin.organisation", organisation_id=organisation_id))
    status = 400 if form.is_submitted() else 200
    return render_organisation_page("admin/organisation_form.html", organisation_id, form, status)


@bp.route("/organisations/<id:organisation_id>/merge", methods=["GET", "POST"])
def merge_organisation(organisation_id: int):
    """Merge a duplicate into the organisation kept: its meetings move there."""
    record = organisation_or_404(organisation_id)
    form = MergeForm()
    if not form.is_submitted() and parse_id(request.args.get("into", "")):
        form.into.data = request.args["into"]
    if form.validate_on_submit():
        try:
            merged = organisations.merge(record.id, form.into_id, current_user)
        except OrganisationError as error:
            return refused(form, error, "admin/organisation_merge.html", organisation_id)
        except ConcurrentChange:
            return concurrent_change(form, "admin/organisation_merge.html", organisation_id)
        flash(
            ngettext(
                "“%(old)s” is merged into this organisation; %(num)d meeting moved here.",
                "“%(old)s” is merged into this organisation; %(num)d meetings moved here.",
                merged.meetings_moved,
                old=record.name,
            ),
            "success",
        )
        return redirect(url_for("admin.organisation", organisation_id=merged.kept.id))
    status = 400 if form.is_submitted() else 200
    return render_organisation_page("admin/organisation_merge.html", organisation_id, form, status)


def merge_candidates(record: Organisation, q: str) -> list:
    """Organisations the record could be merged into: by default those sharing the first
    word of its name."""
    words = [word for word in record.name_key.split() if len(word) >= 3]
    q = q or (words[0] if words else record.name_key)
    query = select(Organisation).where(
        matching(q), Organisation.id != record.id, Organisation.merged_into_id.is_(None)
    )
    return db.session.execute(
        with_counts(query).order_by(Organisation.name_key, Organisation.id).limit(MAX_CANDIDATES)
    ).all()


def render_organisation_page(template: str, organisation_id: int, form, status: int, **context):
    # The record is read again: a refused write transaction has rolled the session back.
    record = organisation_or_404(organisation_id)
    q = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
    return render_template(
        template,
        organisation=record,
        kept=organisations.kept_instead(record),
        counts=organisations.meeting_counts(record.id),
        form=form,
        q=q,
        candidates=merge_candidates(record, q) if template.endswith("merge.html") else [],
        **context,
    ), status


def refused(form, error: OrganisationError, template: str, organisation_id: int):
    """The domain refused the change: say why next to the field, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    context = {}
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        context["problem"] = error.message
    if isinstance(error, NumberTaken):
        context["holder"] = error.holder
    status = 409 if isinstance(error, (NumberTaken, AlreadyMerged)) else 400
    return render_organisation_page(template, organisation_id, form, status, **context)


def concurrent_change(form, template: str, organisation_id: int):
    problem = _(
        "Someone else changed this organisation at the same moment, so nothing of yours was "
        "saved. Check it and send the form again."
    )
    return render_organisation_page(template, organisation_id, form, 409, problem=problem)
