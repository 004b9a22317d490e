"""Two-step sign-in: the code after the password, setting it up, switching it off, and new
recovery codes (the rules are in two_factor.py)."""

import time

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import accounts, audit, signin, two_factor
from ..extensions import db
from ..models import User
from ..redirects import safe_next
from . import bp
from .forms import CodeForm, CurrentPasswordForm, RecoveryCodeForm
from .routes import PENDING, complete_sign_in, retry_later, throttled_page, wait_message


def pending_user() -> User | None:
    """The account whose password was right in this session, if that was recent enough and
    nothing has signed it out since."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    age = int(time.time()) - pending.get("at", 0)
    if not 0 <= age <= current_app.config["TWO_FACTOR_PENDING_SECONDS"]:
        return None
    user = accounts.holding_token(pending.get("token", ""))
    if user is None or not user.two_factor_enabled:
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of signing in: a code from the app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("desk.index"))
    user = pending_user()
    if user is None:
        if session.pop(PENDING, None) is not None:
            flash(_("Signing in took too long. Sign in again."), "info")
        return redirect(url_for("auth.login"))
    target = safe_next(session[PENDING].get("next"), url_for("desk.index"))
    # Two forms on the page, the app's code and a recovery code: only the one sent is read.
    using_recovery = request.method == "POST" and "recovery_code" in request.form
    form = CodeForm(formdata=None) if using_recovery else CodeForm()
    recovery = RecoveryCodeForm() if using_recovery else RecoveryCodeForm(formdata=None)
    submitted = recovery if using_recovery else form
    if submitted.validate_on_submit():
        typed = submitted.recovery_code.data if using_recovery else submitted.code.data
        # Counted before the code is checked, apart from the password's count, so that six
        # digits cannot be guessed faster than a password.
        try:
            attempt = signin.begin(user.email, audit.client_address(), signin.SECOND_FACTOR)
        except signin.Throttled as throttled:
            return throttled_page(
                "auth/login_code.html", form, throttled.retry_after, recovery=recovery
            )
        used = two_factor.verify(user.id, typed)
        if used is not None:
            signin.succeeded(attempt)
            user = db.session.get(User, user.id)
            if used == "recovery":
                left = two_factor.remaining_recovery_codes(user)
                flash(
                    _(
                        "You signed in with a recovery code. Recovery codes left: %(num)d. "
                        "Make new ones on your account page if you are running out.",
                        num=left,
                    ),
                    "info",
                )
            return complete_sign_in(user, target)
        db.session.commit()
        message = _("The code is wrong or has been used already. Try the next one.")
        if using_recovery:
            message = _("The recovery code is wrong or has been used already.")
        submitted[("recovery_code" if using_recovery else "code")].errors.append(message)
    status = 400 if submitted.errors else 200
    return render_template("auth/login_code.html", form=form, recovery=recovery), status


@bp.route("/account/two-step")
@login_required
def two_factor_account():
    """Whether two-step sign-in is on, and what can be done about it."""
    return render_two_factor_page()


def render_two_factor_page(status: int = 200, **forms):
    user = current_user
    context = {
        "required": two_factor.required(user),
        "remaining": two_factor.remaining_recovery_codes(user) if user.two_factor_enabled else 0,
        "disable_form": forms.get("disable_form") or CurrentPasswordForm(prefix="off", user=user),
        "codes_form": forms.get("codes_form") or CurrentPasswordForm(prefix="codes", user=user),
        "throttled": forms.get("throttled"),
    }
    return render_template("auth/two_factor.html", **context), status


@bp.route("/account/two-step/setup", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    """Set up an authenticator app: scan or type the secret, then confirm with a code."""
    target = safe_next(request.args.get("next"), url_for("desk.index"))
    if current_user.two_factor_enabled:
        return redirect(url_for("auth.two_factor_account"))
    secret = two_factor.pending_secret(current_user.id)
    form = CodeForm()
    if form.validate_on_submit():
        codes = two_factor.confirm(current_user.id, form.code.data)
        if codes is not None:
            return recovery_codes_page(codes, target)
        form.code.errors.append(_("The code is wrong. Enter the code your app shows now."))
    uri = two_factor.provisioning_uri(current_user, secret)
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        qr_code=two_factor.qr_code_svg(uri, _("QR code for your authenticator app")),
        secret=two_factor.grouped(secret),
        required=two_factor.required(current_user),
    ), 400 if form.errors else 200


def recovery_codes_page(codes: list[str], target: str):
    """The new recovery codes, shown once: rendered, never redirected with, nor cached."""
    response = make_response(
        render_template("auth/recovery_codes.html", codes=codes, target=target)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def password_confirmed(form: CurrentPasswordForm) -> bool:
    """Whether `form` is valid, its password guessed no more freely than at signing in:
    raises signin.Throttled while the account or address must wait."""
    attempt = None
    if form.is_submitted() and form.current_password.data:
        attempt = signin.begin(current_user.email, audit.client_address())
    valid = form.validate_on_submit()
    if attempt is not None and "current_password" not in form.errors:
        signin.succeeded(attempt)
    db.session.commit()
    return valid


def throttled_account_page(retry_after: int):
    page, _status = render_two_factor_page(throttled=wait_message(retry_after))
    return retry_later(page, 429, retry_after)


@bp.post("/account/two-step/off")
@login_required
def two_factor_disable():
    """Switch two-step sign-in off, for a role that does not require it."""
    if two_factor.required(current_user):
        abort(403)
    form = CurrentPasswordForm(prefix="off", user=current_user)
    try:
        if not password_confirmed(form):
            return render_two_factor_page(400, disable_form=form)
    except signin.Throttled as throttled:
        return throttled_account_page(throttled.retry_after)
    if two_factor.switch_off(current_user.id):
        flash(_("Two-step sign-in is off. You sign in with your password alone."), "success")
    return redirect(url_for("auth.two_factor_account"))


@bp.post("/account/two-step/recovery-codes")
@login_required
def new_recovery_codes():
    """New recovery codes; the old ones stop working."""
    form = CurrentPasswordForm(prefix="codes", user=current_user)
    try:
        if not password_confirmed(form):
            return render_two_factor_page(400, codes_form=form)
    except signin.Throttled as throttled:
        return throttled_account_page(throttled.retry_after)
    codes = two_factor.new_recovery_codes(current_user.id)
    if codes is None:
        return redirect(url_for("auth.two_factor_account"))
    return recovery_codes_page(codes, url_for("auth.two_factor_account"))
