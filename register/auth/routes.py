import time

from flask import (
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
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from .. import audit, signin
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
        # Counted before the password is hashed: a throttled guess costs no hashing.
        try:
            attempt = signin.begin(email, audit.client_address())
        except signin.Throttled as throttled:
            return throttled_page("auth/login.html", form, throttled.retry_after)
        except signin.Unavailable:
            return unavailable_page("auth/login.html", form)
        user = db.session.scalar(select(User).filter_by(email=email))
        if user is None:
            User.spend_password_check(form.password.data)
        elif user.check_password(form.password.data) and user.active:
            signin.succeeded(attempt)
            if user.password_needs_rehash():
                user.set_password(form.password.data)  # the configured argon2 parameters
            if user.two_factor_enabled:
                db.session.commit()
                return ask_for_second_factor(user, target)
            return complete_sign_in(user, target)
        audit.log("sign_in_failed", user=user, actor=email, target=user)
        db.session.commit()
        # One message for every failure, so it does not reveal which accounts exist.
        form.password.errors.append(_("The email address or password is wrong."))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


def complete_sign_in(user: User, target: str):
    """Sign in `user`, whose password (and code, if they use one) was right."""
    session.pop(PENDING, None)
    login_user(user)
    session["signed_in_at"] = session["seen_at"] = int(time.time())
    audit.log("sign_in", user=user, target=user)
    db.session.commit()
    if user.must_change_password:
        return redirect(url_for("auth.change_password", next=target))
    return redirect(target)


# The session's mark that a password was right and the code is still to come: not a
# sign-in (Flask-Login knows nobody yet). It names the account by its session token, so
# that a password change or sign-out everywhere in between voids it, and it expires after
# TWO_FACTOR_PENDING_SECONDS.
PENDING = "two_factor_pending"


def ask_for_second_factor(user: User, target: str):
    session[PENDING] = {"token": user.session_token, "at": int(time.time()), "next": target}
    return redirect(url_for("auth.login_code"))


def throttled_page(template: str, form, retry_after: int, **context):
    """429: the page with its form and how long to wait, whichever limit it was, so that
    it does not reveal which accounts exist."""
    page = render_template(template, form=form, throttled=wait_message(retry_after), **context)
    return retry_later(page, 429, retry_after)


def retry_later(page: str, status: int, retry_after: int):
    """A refusal that says, in its Retry-After header too, how many seconds to wait."""
    response = make_response(page, status)
    response.headers["Retry-After"] = str(retry_after)
    return response


def wait_message(retry_after: int) -> str:
    minutes = max(1, -(-retry_after // 60))
    return ngettext(
        "Too many failed attempts to sign in. Wait %(num)d minute and try again.",
        "Too many failed attempts to sign in. Wait %(num)d minutes and try again.",
        minutes,
    )


# How long to suggest waiting when the failures cannot be counted.
UNAVAILABLE_RETRY_AFTER = 60


def unavailable_page(template: str, form):
    """503: the page with its form, saying that signing in must wait; no password was
    checked, since a guess that cannot be counted must not be tried."""
    page = render_template(template, form=form, throttled=unavailable_message())
    return retry_later(page, 503, UNAVAILABLE_RETRY_AFTER)


def unavailable_message() -> str:
    return _("Signing in is not possible just now. Try again in a few minutes.")


@bp.app_errorhandler(signin.Unavailable)
def sign_in_unavailable(error):
    """Wherever else a password or code would be checked (the two-step pages): the same
    refusal, as an error page."""
    page = render_template("errors/error.html", code=503, message=unavailable_message())
    return retry_later(page, 503, UNAVAILABLE_RETRY_AFTER)


@bp.before_app_request
def end_expired_session():
    """Sign out a session left unused for SESSION_IDLE_MINUTES, or signed in longer ago
    than SESSION_MAX_HOURS. The times travel in the signed session cookie, so a copied
    cookie expires too; other sessions of the account go on."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    signed_in = session.get("signed_in_at", 0)  # none: from before the limits existed
    seen = session.get("seen_at", signed_in)
    config = current_app.config
    if (
        now - seen > config["SESSION_IDLE_MINUTES"] * 60
        or now - signed_in > config["SESSION_MAX_HOURS"] * 3600
    ):
        logout_user()
        session.pop("signed_in_at", None)
        session.pop("seen_at", None)
        if request.blueprint == "api" or request.endpoint in SCRIPT_ENDPOINTS:
            return None  # answered as for anyone signed out: in JSON, not the sign-in page
        flash(_("Your session has ended. Sign in again to go on."), "info")
        path = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=safe_next(path, url_for("desk.index"))))
    if now - seen >= 60:  # a new cookie once a minute at most, not on every request
        session["seen_at"] = now
    return None


# Asked by the pages' scripts, not by people: answered without a page to be sent to.
SCRIPT_ENDPOINTS = ("desk.lookup_records", "auth.keep_session")


@bp.get("/account/session")
def keep_session():
    """Asked by static/register.js while a signed-in person types in a form: typing is
    activity, so a long text written without saving does not outlast the idle limit
    (end_expired_session, which ran before this, has noted the request)."""
    if not current_user.is_authenticated:
        return "", 401
    return "", 204


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
    attempt = None
    if form.is_submitted() and form.current_password.data:
        # The current password is guessed no more freely than at signing in.
        try:
            attempt = signin.begin(current_user.email, audit.client_address())
        except signin.Throttled as throttled:
            return throttled_page("auth/password.html", form, throttled.retry_after)
        except signin.Unavailable:
            return unavailable_page("auth/password.html", form)
    valid = form.validate_on_submit()
    if attempt is not None and "current_password" not in form.errors:
        signin.succeeded(attempt)
    if valid:
        user = current_user._get_current_object()
        user.set_password(form.new_password.data)
        user.must_change_password = False
        user.end_sessions()  # every other session ends; this one signs in again below
        audit.log("password_change", user=user, target=user)
        db.session.commit()
        login_user(user)
        flash(_("Your password is changed. Other sessions of your account have ended."), "success")
        return redirect(safe_next(request.args.get("next"), url_for("desk.index")))
    db.session.commit()
    return render_template("auth/password.html", form=form), 400 if form.errors else 200
