"""The organisation forms of SPEC §6: an organisation's facts, and the merge of a duplicate."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, ValidationError
from wtforms.validators import InputRequired

from .. import organisations, vocabulary
from ..fields import ChoiceField, MaxLength, RegisterForm, Visible, choices, clean_text
from ..models import Organisation
from ..organisations import OrganisationError, OrganisationInput
from ..text import parse_id


def _checked(clean, *args):
    """Run one of the domain's checks, its refusal becoming the field's message."""
    try:
        return clean(*args)
    except OrganisationError as error:
        raise ValidationError(error.message) from None


class OrganisationForm(RegisterForm):
    """An organisation's facts; field names are the model's (SPEC §6)."""

    name = StringField(
        _l("Name"),
        filters=[clean_text],
        validators=[
            InputRequired(_l("Enter the organisation's name.")),
            MaxLength(200),
            Visible(),
        ],
    )
    kind = ChoiceField(
        _l("Kind of organisation"), choices=choices(vocabulary.ORGANISATION_KINDS.items())
    )
    org_number = StringField(
        _l("Organisation number"), filters=[clean_text], validators=[MaxLength(20)]
    )
    eu_transparency_id = StringField(
        _l("EU Transparency Register id"), filters=[clean_text], validators=[MaxLength(20)]
    )
    country = StringField(_l("Country"), filters=[clean_text], validators=[MaxLength(2)])
    website = StringField(
        _l("Website"), filters=[clean_text], validators=[MaxLength(organisations.MAX_WEBSITE)]
    )

    def fill_from(self, organisation: Organisation) -> None:
        for name in organisations.FIELDS:
            getattr(self, name).data = getattr(organisation, name) or ""

    def to_input(self) -> OrganisationInput:
        return OrganisationInput(
            **{name: getattr(self, name).data for name in organisations.FIELDS}
        )

    def validate_country(self, field):
        field.data = _checked(organisations.clean_country, field.data)

    def validate_org_number(self, field):
        try:
            country = organisations.clean_country(self.country.data)
        except OrganisationError:
            return  # the country's own message says what is wrong
        field.data = _checked(organisations.clean_org_number, field.data, country)

    def validate_eu_transparency_id(self, field):
        field.data = _checked(organisations.clean_eu_transparency_id, field.data)

    def validate_website(self, field):
        field.data = _checked(organisations.clean_website, field.data)


class MergeForm(RegisterForm):
    """Which organisation to keep: its id (SPEC §6 `into`)."""

    into = StringField(
        _l("Id of the organisation to keep"),
        filters=[clean_text],
        validators=[InputRequired(_l("Give the id of the organisation to keep."))],
    )

    @property
    def into_id(self) -> int | None:
        return parse_id(self.into.data)

    def validate_into(self, field):
        if self.into_id is None:
            raise ValidationError(_l("An id is a whole number, as shown in the list."))
