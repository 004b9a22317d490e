"""Units, officials and the issue agenda, for registrars and admins."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import agenda
from ..extensions import db
from ..models import Issue, Official, Unit
from ..transactions import ConcurrentChange
from . import bp
from .agenda_forms import IssueForm, OfficialForm, UnitForm

# Units


@bp.route("/units")
def units():
    """The region's units, with how many officials each has."""
    counts = dict(
        db.session.execute(select(Official.unit_id, func.count()).group_by(Official.unit_id)).all()
    )
    rows = db.session.scalars(select(Unit).order_by(Unit.active.desc(), Unit.name)).all()
    return render_template("admin/units.html", units=rows, counts=counts)


@bp.route("/units/new", methods=["GET", "POST"])
def new_unit():
    """Add a unit of the region."""
    form = UnitForm()
    if form.validate_on_submit():
        saved = _save(form, lambda: agenda.create_unit(form.to_input(), current_user))
        if saved is not None:
            flash(_("The unit “%(name)s” is added.", name=saved.name), "success")
            return redirect(url_for("admin.units"))
    return _render(form, "admin/unit_form.html", unit=None)


@bp.route("/units/<id:unit_id>", methods=["GET", "POST"])
def unit(unit_id: int):
    """Rename a unit or change its kind."""
    record = _or_404(Unit, unit_id)
    form = UnitForm(obj=record)
    if form.validate_on_submit():
        saved = _save(form, lambda: agenda.update_unit(unit_id, form.to_input(), current_user))
        if saved is not None:
            flash(_("The unit “%(name)s” is saved.", name=saved.name), "success")
            return redirect(url_for("admin.units"))
    return _render(form, "admin/unit_form.html", unit=record, toggle_form=FlaskForm())


@bp.post("/units/<id:unit_id>/deactivate")
def deactivate_unit(unit_id: int):
    """Offer a unit for no new officials; those it has keep it."""
    return _set_unit_active(unit_id, False)


@bp.post("/units/<id:unit_id>/reactivate")
def reactivate_unit(unit_id: int):
    """Offer a deactivated unit again."""
    return _set_unit_active(unit_id, True)


def _set_unit_active(unit_id: int, active: bool):
    _or_404(Unit, unit_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        saved = agenda.set_unit_active(unit_id, active, current_user)
    except agenda.NotFound:
        abort(404)
    except ConcurrentChange:
        flash(_concurrent_message(), "error")
        return redirect(url_for("admin.unit", unit_id=unit_id))
    if active:
        flash(_("The unit “%(name)s” is active again.", name=saved.name), "success")
    else:
        flash(
            _(
                "The unit “%(name)s” is deactivated. Its officials keep it, but it is no "
                "longer offered for others.",
                name=saved.name,
            ),
            "success",
        )
    return redirect(url_for("admin.units"))


# Officials


@bp.route("/officials")
def officials():
    """The region's officials, with their unit and whether they are offered in forms."""
    rows = db.session.scalars(
        select(Official)
        .options(selectinload(Official.unit))
        .order_by(Official.active.desc(), Official.name, Official.id)
    ).all()
    return render_template("admin/officials.html", officials=rows)


@bp.route("/officials/new", methods=["GET", "POST"])
def new_official():
    """Add an official of the region."""
    form = OfficialForm()
    if not form.is_submitted():
        form.active.data = True
    if form.validate_on_submit():
        saved = _save(form, lambda: agenda.create_official(form.to_input(), current_user))
        if saved is not None:
            flash(_("%(name)s is added.", name=saved.name), "success")
            return redirect(url_for("admin.officials"))
    return _render(form, "admin/official_form.html", official=None)


@bp.route("/officials/<id:official_id>", methods=["GET", "POST"])
def official(official_id: int):
    """Correct an official's name, title or unit, or deactivate them."""
    record = _or_404(Official, official_id)
    form = OfficialForm(obj=record, current_unit_id=record.unit_id)
    if form.validate_on_submit():
        saved = _save(
            form, lambda: agenda.update_official(official_id, form.to_input(), current_user)
        )
        if saved is not None:
            flash(_("%(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("admin.officials"))
    return _render(form, "admin/official_form.html", official=record)


# Issues


@bp.route("/issues")
def issues():
    """The issue agenda, with how many published records each issue has."""
    counts = agenda.published_meetings_per_issue()
    rows = db.session.scalars(
        select(Issue).options(selectinload(Issue.unit)).order_by(Issue.status, Issue.title)
    ).all()
    return render_template("admin/issues.html", issues=rows, counts=counts)


@bp.route("/issues/new", methods=["GET", "POST"])
def new_issue():
    """Put a new issue on the agenda."""
    form = IssueForm()
    if form.validate_on_submit():
        saved = _save(form, lambda: agenda.create_issue(form.to_input(), current_user))
        if saved is not None:
            flash(_("The issue “%(title)s” is added.", title=saved.title), "success")
            return redirect(url_for("admin.issues"))
    return _render(form, "admin/issue_form.html", issue=None, slug_fixed=False)


@bp.route("/issues/<id:issue_id>", methods=["GET", "POST"])
def issue(issue_id: int):
    """Change an issue, or conclude it."""
    record = _or_404(Issue, issue_id)
    form = IssueForm(obj=record, current_unit_id=record.unit_id)
    if form.validate_on_submit():
        saved = _save(form, lambda: agenda.update_issue(issue_id, form.to_input(), current_user))
        if saved is not None:
            flash(_("The issue “%(title)s” is saved.", title=saved.title), "success")
            return redirect(url_for("admin.issues"))
    return _render(
        form, "admin/issue_form.html", issue=record, slug_fixed=agenda.slug_is_fixed(record)
    )


# Shared


def _or_404(model, record_id: int):
    record = db.session.get(model, record_id)
    if record is None:
        abort(404)
    return record


def _save(form, write):
    """Run a domain write; a refusal becomes a message next to its field."""
    try:
        return write()
    except agenda.NotFound:
        abort(404)
    except agenda.AgendaError as error:
        getattr(form, error.field).errors.append(error.message)
    except ConcurrentChange:
        flash(_concurrent_message(), "error")
        form.conflict = True
    return None


def _concurrent_message() -> str:
    return _(
        "Someone else saved at the same moment, so nothing of yours was saved. "
        "Check and send the form again."
    )


def _render(form, template: str, **context):
    status = 200
    if form.is_submitted():
        status = 409 if getattr(form, "conflict", False) else 400
    return render_template(template, form=form, **context), status
