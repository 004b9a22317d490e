"""Form fields with the register's own, translated messages (WTForms has no Danish)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, TimeField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget


def choices(pairs) -> list[SelectChoice]:
    """Options for a choice field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class _OwnParseMessage:
    """Replaces WTForms' parse error with the register's own message."""

    parse_error = None

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.parse_error) from None


class IsoDateField(_OwnParseMessage, DateField):
    """A date typed as YYYY-MM-DD."""

    parse_error = _l("Enter a real date in the form YYYY-MM-DD.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, format="%Y-%m-%d", **kwargs)


class ClockTimeField(_OwnParseMessage, TimeField):
    """A time of day typed as HH:MM."""

    parse_error = _l("Enter a time in the form HH:MM.")

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
        try:
            self.data = [int(value) for value in valuelist]
        except ValueError:
            self.data = None
            raise ValueError(_l("One of the chosen values is not a valid id.")) from None

    def pre_validate(self, form):
        if self.data is None:
            return  # already reported by process_formdata
        known = {choice.value for choice in self.choices}
        if any(value not in known for value in self.data):
            raise ValidationError(_l("One of the chosen records does not exist."))


def MaxLength(limit: int) -> Length:  # noqa: N802 (reads like the WTForms validators)
    """At most `limit` characters, said in the user's language."""
    return Length(max=limit, message=_l("At most %(max)d characters."))
