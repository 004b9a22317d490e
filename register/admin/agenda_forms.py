"""Forms for units, officials and the issue agenda; field names as in SPEC §6."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from .. import vocabulary
from ..agenda import IssueInput, OfficialInput, UnitInput
from ..extensions import db
from ..fields import ChoiceField, IsoDateField, MaxLength, RegisterForm, Visible, choices
from ..fields import clean_text as _clean_text
from ..models import Unit
from ..text import parse_id, single_line

NO_UNIT = ""


def clean_name(value) -> str:
    """A name or title: one line, single spaces, no zero-width characters."""
    return single_line(_clean_text(value))


def unit_choices(current_unit_id: int | None):
    """Active units, and the unit the record already belongs to even if deactivated."""
    units = db.session.scalars(
        select(Unit)
        .where(or_(Unit.active.is_(True), Unit.id == (current_unit_id or 0)))
        .order_by(Unit.name)
    )
    return choices([(NO_UNIT, _l("No unit")), *((str(u.id), u.name) for u in units)])


class UnitForm(RegisterForm):
    name = StringField(
        _l("Name"),
        filters=[clean_name],
        validators=[InputRequired(_l("Enter the unit's name.")), MaxLength(200), Visible()],
    )
    kind = ChoiceField(
        _l("Kind"),
        choices=choices(vocabulary.UNIT_KINDS.items()),
        validators=[InputRequired(_l("Choose the kind of unit."))],
    )

    def to_input(self) -> UnitInput:
        return UnitInput(name=self.name.data, kind=self.kind.data)


class _WithUnit:
    """A form with a unit_id list of the units that may be chosen."""

    def load_units(self, current_unit_id: int | None) -> None:
        self.unit_id.choices = unit_choices(current_unit_id)
        if not self.is_submitted():
            self.unit_id.data = str(current_unit_id) if current_unit_id else NO_UNIT

    @property
    def chosen_unit_id(self) -> int | None:
        return parse_id(self.unit_id.data or "")


class OfficialForm(_WithUnit, RegisterForm):
    name = StringField(
        _l("Name"),
        filters=[clean_name],
        validators=[InputRequired(_l("Enter the official's name.")), MaxLength(200), Visible()],
    )
    title = StringField(
        _l("Title"),
        filters=[clean_name],
        validators=[InputRequired(_l("Enter the official's title.")), MaxLength(200), Visible()],
    )
    unit_id = ChoiceField(_l("Unit"))
    active = BooleanField(_l("Active: offered in the meeting form"))

    def __init__(self, *args, current_unit_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.load_units(current_unit_id)

    def to_input(self) -> OfficialInput:
        return OfficialInput(
            name=self.name.data,
            title=self.title.data,
            unit_id=self.chosen_unit_id,
            active=bool(self.active.data),
        )


class IssueForm(_WithUnit, RegisterForm):
    title = StringField(
        _l("Title"),
        filters=[clean_name],
        validators=[InputRequired(_l("Enter the issue's title.")), MaxLength(200), Visible()],
    )
    summary = TextAreaField(_l("Summary"), filters=[_clean_text], validators=[MaxLength(5000)])
    outcome_sought = TextAreaField(
        _l("The outcome sought"), filters=[_clean_text], validators=[MaxLength(5000)]
    )
    decision_makers = TextAreaField(
        _l("The decision-makers targeted"), filters=[_clean_text], validators=[MaxLength(5000)]
    )
    status = ChoiceField(
        _l("Status"),
        choices=choices(vocabulary.ISSUE_STATUSES.items()),
        validators=[InputRequired(_l("Choose the issue's status."))],
    )
    unit_id = ChoiceField(_l("Responsible unit"))
    started_on = IsoDateField(_l("Started on"), validators=[Optional()])
    ended_on = IsoDateField(_l("Ended on"), validators=[Optional()])

    def __init__(self, *args, current_unit_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.load_units(current_unit_id)

    def to_input(self) -> IssueInput:
        return IssueInput(
            title=self.title.data,
            summary=self.summary.data,
            outcome_sought=self.outcome_sought.data,
            decision_makers=self.decision_makers.data,
            status=self.status.data,
            unit_id=self.chosen_unit_id,
            started_on=self.started_on.data,
            ended_on=self.ended_on.data,
        )
