"""The account form (admin only); field names as SPEC §6."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from wtforms import PasswordField, SelectField, StringField, ValidationError
from wtforms.validators import InputRequired, Optional

from .. import vocabulary
from ..accounts import MAX_EMAIL, MAX_NAME, AccountInput, is_email
from ..extensions import db
from ..fields import (
    ChoiceField,
    MaxLength,
    PasswordRule,
    RegisterForm,
    Visible,
    choices,
    clean_text,
)
from ..models import Official, User
from ..text import parse_id


def optional_id(value) -> int | None:
    """An id chosen in a list, or None for "none"; anything else becomes 0, which no
    record has, so that the field reports it in the register's own words."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    return parse_id(value) or 0


class OptionalRecordField(SelectField):
    """At most one record from a list; the empty option means none."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=optional_id, **kwargs)

    def pre_validate(self, form):
        if self.data is not None and self.data not in {
            optional_id(choice.value) for choice in self.choices
        }:
            raise ValidationError(_l("Choose one of the options in the list."))


class AccountForm(RegisterForm):
    email = StringField(
        _l("Email"),
        filters=[clean_text],
        validators=[InputRequired(_l("Enter the email address.")), MaxLength(MAX_EMAIL)],
        render_kw={"type": "email", "autocomplete": "off", "spellcheck": "false"},
    )
    name = StringField(
        _l("Name"),
        filters=[clean_text],
        validators=[InputRequired(_l("Enter the person's name.")), MaxLength(MAX_NAME), Visible()],
        render_kw={"autocomplete": "off"},
    )
    role = ChoiceField(
        _l("Role"),
        choices=choices(vocabulary.ROLES.items()),
        validators=[InputRequired(_l("Choose a role."))],
    )
    official_id = OptionalRecordField(_l("Linked official"))
    temporary_password = PasswordField(
        _l("Temporary password"),
        validators=[Optional(strip_whitespace=False), PasswordRule()],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, account: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        linked = account.official_id if account else None
        officials = db.session.scalars(
            select(Official)
            .where(or_(Official.active.is_(True), Official.id == linked))
            .order_by(Official.name, Official.id)
        )
        self.official_id.choices = choices(
            [("", _l("None")), *((str(o.id), f"{o.name}, {o.title}") for o in officials)]
        )

    def fill_from(self, account: User) -> None:
        """Show a stored account in the form."""
        self.email.data = account.email
        self.name.data = account.name
        self.role.data = account.role
        self.official_id.data = account.official_id

    def validate_email(self, field):
        if field.data and not is_email(User.normalise_email(field.data)):
            raise ValidationError(_l("Enter an email address such as name@example.org."))

    def to_input(self) -> AccountInput:
        """The validated form as the domain's plain data."""
        return AccountInput(
            email=self.email.data,
            name=self.name.data,
            role=self.role.data,
            official_id=self.official_id.data,
            temporary_password=self.temporary_password.data or "",
        )
