"""Accounts, for admins: create with a temporary password, change, deactivate, reactivate."""

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import accounts
from ..extensions import db
from ..models import User
from ..transactions import ConcurrentChange
from . import admin_only, bp
from .account_forms import AccountForm


@bp.route("/accounts", endpoint="accounts")
@admin_only
def accounts_list():
    """Every account: who, which role, which official, whether it can sign in."""
    users = db.session.scalars(
        select(User).options(selectinload(User.official)).order_by(User.name, User.id)
    ).all()
    return render_template("admin/accounts.html", accounts=users)


@bp.route("/accounts/new", methods=["GET", "POST"])
@admin_only
def new_account():
    """Create an account; its temporary password is shown once, on the page that follows."""
    form = AccountForm()
    if form.validate_on_submit():
        try:
            account, password = accounts.create_account(form.to_input(), current_user)
        except accounts.AccountError as error:
            return refused(form, error)
        except ConcurrentChange:
            return concurrent_change(form)
        # Rendered, not redirected: the password must not travel in a URL or a cookie.
        response = make_response(
            render_template("admin/account_created.html", account=account, password=password)
        )
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_form(form)


@bp.route("/accounts/<id:account_id>", methods=["GET", "POST"])
@admin_only
def account(account_id: int):
    """Change an account's email, name, role or official, or give it a temporary password."""
    user = account_or_404(account_id)
    form = AccountForm(account=user)
    if not form.is_submitted():
        form.fill_from(user)
    if form.validate_on_submit():
        data = form.to_input()
        try:
            user, changed = accounts.update_account(user.id, data, current_user)
        except accounts.AccountError as error:
            return refused(form, error)
        except ConcurrentChange:
            return concurrent_change(form)
        if not changed:
            flash(_("Nothing was changed, so nothing was recorded."), "info")
        elif data.temporary_password:
            flash(
                _(
                    "The account is saved. Its sessions have ended, and the temporary "
                    "password must be changed at the next sign-in."
                ),
                "success",
            )
        else:
            flash(_("The account is saved."), "success")
        if current_user.role != "admin":  # an admin who made themselves a registrar
            return redirect(url_for("admin.index"))
        return redirect(url_for("admin.accounts"))
    return render_form(form)


@bp.post("/accounts/<id:account_id>/deactivate")
@admin_only
def deactivate_account(account_id: int):
    """Close an account: it cannot sign in, and every session of it ends at once."""
    return change_activity(account_id, accounts.deactivate)


@bp.post("/accounts/<id:account_id>/reactivate")
@admin_only
def reactivate_account(account_id: int):
    """Open a closed account again, with the password it had."""
    return change_activity(account_id, accounts.reactivate)


@bp.post("/accounts/<id:account_id>/two-step/reset")
@admin_only
def reset_two_factor(account_id: int):
    """Take away an account's two-step sign-in, e.g. when its phone is lost."""
    return change_activity(account_id, accounts.reset_two_factor)


def change_activity(account_id: int, operation):
    user = account_or_404(account_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        changed = operation(user.id, current_user)
    except (accounts.AccountError, ConcurrentChange) as error:
        form = AccountForm(account=user, formdata=None)
        form.fill_from(user)
        if isinstance(error, ConcurrentChange):
            return concurrent_change(form)
        return refused(form, error)
    if operation is accounts.reset_two_factor:
        message = (
            _(
                "Two-step sign-in is reset and the account signed out everywhere. If its "
                "role requires it, the holder sets it up again at the next sign-in."
            )
            if changed
            else _("The account had no two-step sign-in.")
        )
    elif operation is accounts.deactivate:
        message = (
            _("The account is deactivated and signed out everywhere.")
            if changed
            else _("The account was deactivated already.")
        )
    else:
        message = (
            _("The account is active again. Its holder signs in with the same password.")
            if changed
            else _("The account was active already.")
        )
    flash(message, "success" if changed else "info")
    return redirect(url_for("admin.account", account_id=user.id))


def account_or_404(account_id: int) -> User:
    user = db.session.get(User, account_id)
    if user is None:
        abort(404)
    return user


def render_form(form: AccountForm, status: int | None = None, **context):
    if status is None:
        status = 400 if form.is_submitted() and form.errors else 200
    return render_template(
        "admin/account_form.html",
        form=form,
        account=form.account,
        **context,
    ), status


def refused(form: AccountForm, error: accounts.AccountError):
    """The domain refused the change: say why next to the field; nothing was stored."""
    if error.status == 404:
        abort(404)
    if error.status == 403:
        abort(403)
    if error.field is not None and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
        return render_form(form, error.status)
    return render_form(form, error.status, refusal=error.message)


def concurrent_change(form: AccountForm):
    flash(
        _(
            "Someone else changed accounts at the same moment, so nothing of yours was "
            "saved. Check the account and send the form again."
        ),
        "error",
    )
    return render_form(form, 409)
