from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, ValidationError
from wtforms.validators import DataRequired, EqualTo

from ..fields import MaxLength, PasswordRule


class LoginForm(FlaskForm):
    email = StringField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")), MaxLength(254)],
        render_kw={"autocomplete": "username", "type": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), MaxLength(1000)],
        render_kw={"autocomplete": "current-password"},
    )


def new_password_field(label):
    return PasswordField(
        label,
        validators=[DataRequired(_l("Enter a new password.")), PasswordRule()],
        render_kw={"autocomplete": "new-password"},
    )


class CurrentPasswordForm(FlaskForm):
    """Asks for the password again before it or two-step sign-in is changed."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), MaxLength(1000)],
        render_kw={"autocomplete": "current-password"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current_password(self, field):
        if not self.user.check_password(field.data or ""):
            raise ValidationError(_l("The current password is wrong."))


class PasswordChangeForm(CurrentPasswordForm):
    new_password = new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("The new password again"),
        validators=[EqualTo("new_password", _l("The two new passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_new_password(self, field):
        if field.data and field.data == self.current_password.data:
            raise ValidationError(_l("Choose a password different from the current one."))


def one_time_code_field(label):
    """A six-digit code from an authenticator app: the phone offers digits, and the
    browser may fill in a code it received."""
    return StringField(
        label,
        validators=[DataRequired(_l("Enter the six-digit code from your app.")), MaxLength(20)],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "autocapitalize": "off",
            "spellcheck": "false",
        },
    )


class CodeForm(FlaskForm):
    """The second step of signing in, or the confirmation of a new authenticator app."""

    code = one_time_code_field(_l("Code from your authenticator app"))


class RecoveryCodeForm(FlaskForm):
    recovery_code = StringField(
        _l("Recovery code"),
        validators=[DataRequired(_l("Enter one of your recovery codes.")), MaxLength(40)],
        render_kw={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"},
    )
