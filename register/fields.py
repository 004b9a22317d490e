"""Form building blocks with the register's own, translated messages (WTForms has no
Danish), and the rules every text a person types must keep."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    SelectField,
    SelectMultipleField,
    TimeField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from . import passwords
from .text import has_bidi_control, has_visible, normalise, parse_id, single_line


def clean_text(value) -> str:
    """Text in NFC, trimmed; a field missing from the request, or holding nothing visible,
    counts as empty."""
    if not isinstance(value, str):
        return ""
    text = normalise(value)
    return text if has_visible(text) else ""


def clean_line(value) -> str:
    """One line (a subject, a name, a place): NFC, one space between words, no invisible
    characters, so that a length counts what a reader sees."""
    return single_line(normalise(value)) if isinstance(value, str) else ""


class RegisterForm(FlaskForm):
    """A form that refuses characters which would make stored text read otherwise."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and has_bidi_control(field.data):
                field.errors = [
                    *field.errors,
                    _l("Remove the invisible characters that reverse the text's direction."),
                ]
                valid = False
        return valid


class Visible:
    """The text must contain letters, digits or signs, not only invisible characters."""

    def __init__(self, optional: bool = False):
        self.optional = optional

    def __call__(self, form, field):
        if self.optional and not field.data:
            return
        if not has_visible(field.data or ""):
            raise ValidationError(_l("Write it with visible characters."))


def choices(pairs) -> list[SelectChoice]:
    """Options for a choice field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class _TypedExactly:
    """A value typed in one exact shape, with the register's own message otherwise.

    The shape is checked before parsing: strptime alone takes 2025-1-1 and 1:5.
    """

    parse_error = None
    shape: re.Pattern

    def process_formdata(self, valuelist):
        valuelist = [value.strip() for value in valuelist]
        if valuelist and valuelist[0] and not self.shape.fullmatch(valuelist[0]):
            self.data = None
            raise ValueError(self.parse_error)
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.parse_error) from None


class IsoDateField(_TypedExactly, DateField):
    """A date typed as YYYY-MM-DD."""

    parse_error = _l("Enter a real date in the form YYYY-MM-DD.")
    shape = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, format="%Y-%m-%d", **kwargs)


class ClockTimeField(_TypedExactly, TimeField):
    """A time of day typed as HH:MM."""

    parse_error = _l("Enter a time in the form HH:MM.")
    shape = re.compile(r"[0-9]{2}:[0-9]{2}")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, format="%H:%M", **kwargs)


class ChoiceField(SelectField):
    """One value from a fixed list."""

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(_l("Choose one of the options in the list."))


class CheckboxListField(SelectMultipleField):
    """Several records chosen from a list of checkboxes; the values are their ids."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=int, **kwargs)

    def process_formdata(self, valuelist):
        ids = [parse_id(value) for value in valuelist]
        if None in ids:
            self.data = None
            raise ValueError(_l("One of the chosen values is not a valid id."))
        self.data = ids

    def pre_validate(self, form):
        if self.data is None:
            return  # already reported by process_formdata
        known = {choice.value for choice in self.choices}
        if any(value not in known for value in self.data):
            raise ValidationError(_l("One of the chosen records does not exist."))


def MaxLength(limit: int) -> Length:  # noqa: N802 (reads like the WTForms validators)
    """At most `limit` characters, said in the user's language."""
    return Length(max=limit, message=_l("At most %(max)d characters."))


class VersionField(Field):
    """The hidden version of the record the form was loaded from (optimistic locking)."""

    widget = HiddenInput()

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist):
        self.data = parse_id(valuelist[0]) if valuelist else None


class PasswordRule:
    """The rule every password chosen or given in the app keeps (passwords.py): its
    length, and not a common one."""

    def __call__(self, form, field):
        if field.data:
            message = passwords.problem(field.data)
            if message is not None:
                raise ValidationError(message)
