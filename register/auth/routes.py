from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import User
from ..redirects import safe_next
from . import bp
from .forms import LoginForm, PasswordChangeForm


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password; go on to a safe `next` or the desk."""
    target = safe_next(request.args.get("next"), url_for("desk.index"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        email = User.normalise_email(form.email.data)
        user = db.session.scalar(select(User).filter_by(email=email))
        if user is None:
            User.spend_password_check(form.password.data)
        elif user.check_password(form.password.data) and user.active:
            login_user(user)
            audit.log("sign_in", user=user, target=user)
            db.session.commit()
            if user.must_change_password:
                return redirect(url_for("auth.change_password", next=target))
            return redirect(target)
        audit.log("sign_in_failed", user=user, actor=email, target=user)
        db.session.commit()
        # One message for every failure, so it does not reveal which accounts exist.
        form.password.errors.append(_("The email address or password is wrong."))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    """Sign out everywhere: the session token changes, so copied cookies stop working."""
    current_user.end_sessions()
    audit.log("sign_out", user=current_user, target=current_user)
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password; a temporary one must be changed before anything else."""
    form = PasswordChangeForm(user=current_user)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        user.set_password(form.new_password.data)
        user.must_change_password = False
        user.end_sessions()  # every other session ends; this one signs in again below
        audit.log("password_change", user=user, target=user)
        db.session.commit()
        login_user(user)
        flash(_("Your password is changed. Other sessions of your account have ended."), "success")
        return redirect(safe_next(request.args.get("next"), url_for("desk.index")))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200
