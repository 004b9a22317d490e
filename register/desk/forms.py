from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import and_, func, or_, select
from wtforms import HiddenField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from .. import calendar_import, vocabulary
from ..extensions import db
from ..fields import (
    CheckboxListField,
    ChoiceField,
    ClockTimeField,
    IsoDateField,
    MaxLength,
    RegisterForm,
    VersionField,
    Visible,
    choices,
    clean_line,
    clean_text,
)
from ..models import Issue, Meeting, Official, Organisation, local_today, meeting_organisation
from ..records import MeetingInput, offered_organisations
from ..text import has_visible, is_web_link

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DAYS_AHEAD = 366
MAX_LINES = 20
# Beyond this many organisations the form lists only the likely ones (see
# MeetingForm._organisations_to_list); the picker and the "Find" step reach the rest.
FULL_LIST_LIMIT = 300
RECENT_ORGANISATIONS = 200
MAX_ORGANISATION_NAME = 200
MAX_LINK_LENGTH = 2000


def lines(text: str | None) -> list[str]:
    """The non-blank lines of a text area, trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class MeetingForm(RegisterForm):
    """The meeting form; field names are the contract of SPEC §6."""

    held_on = IsoDateField(
        _l("Date of the meeting"),
        validators=[InputRequired(_l("Enter the date of the meeting."))],
    )
    start_time = ClockTimeField(_l("Start time"), validators=[Optional()])
    format = ChoiceField(
        _l("Format"),
        choices=choices(vocabulary.MEETING_FORMATS.items()),
        validators=[InputRequired(_l("Choose how the meeting was held."))],
    )
    location = StringField(
        _l("Location"), filters=[clean_line], validators=[MaxLength(200), Visible(optional=True)]
    )
    initiative = ChoiceField(
        _l("Who took the initiative"),
        choices=choices(vocabulary.INITIATIVES.items()),
        validators=[InputRequired(_l("Choose who took the initiative."))],
    )
    subject = StringField(
        _l("Subject"),
        filters=[clean_line],
        validators=[
            InputRequired(_l("Enter the subject of the meeting.")),
            Length(min=3, max=200, message=_l("The subject must be 3 to 200 characters.")),
            Visible(),
        ],
    )
    summary = TextAreaField(_l("Summary"), filters=[clean_text], validators=[MaxLength(10000)])
    outcome = TextAreaField(
        _l("Outcome or follow-up"), filters=[clean_text], validators=[MaxLength(5000)]
    )
    official_ids = CheckboxListField(_l("The region's participants"))
    organisation_ids = CheckboxListField(_l("Organisations met"))
    new_organisations = TextAreaField(
        _l("Other organisations, one per line"), filters=[clean_text], validators=[MaxLength(5000)]
    )
    # The kind of each new organisation, one code per line in the order of the names: the
    # organisation picker fills it in (without JavaScript new ones are "other").
    new_organisation_kinds = TextAreaField(
        _l("Kinds of the new organisations"), filters=[clean_text], validators=[MaxLength(1000)]
    )
    # The search step of the organisation list, for browsers without JavaScript.
    organisation_query = StringField(
        _l("Find organisations"), filters=[clean_line], validators=[MaxLength(100)]
    )
    issue_ids = CheckboxListField(_l("Issues pursued"))
    representatives = TextAreaField(
        _l("The counterpart's representatives (names and roles)"),
        filters=[clean_text],
        validators=[MaxLength(2000)],
    )
    client = StringField(
        _l("Client, where a consultancy or PR firm acted for someone"),
        filters=[clean_line],
        validators=[MaxLength(200), Visible(optional=True)],
    )
    document_links = TextAreaField(
        _l("Links to documents exchanged, one per line"),
        filters=[clean_text],
        validators=[MaxLength(20000)],
    )
    reason = TextAreaField(
        _l("Reason for the amendment"), filters=[clean_text], validators=[MaxLength(2000)]
    )
    action = StringField(filters=[clean_text])
    version = VersionField()
    # Set once the user has seen the warning about a colleague's record of the same
    # meeting and chosen to save their own anyway.
    duplicate_checked = HiddenField(filters=[clean_line])

    def __init__(self, *args, meeting: Meeting | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self._load_choices()

    def fill_from(self, meeting: Meeting) -> None:
        """Show a stored meeting in the form."""
        for name in Meeting.DESCRIPTIVE_FIELDS:
            getattr(self, name).data = getattr(meeting, name)
        self.official_ids.data = [o.id for o in meeting.officials]
        self.organisation_ids.data = [o.id for o in meeting.organisations]
        self.issue_ids.data = [i.id for i in meeting.issues]
        self.document_links.data = "\n".join(meeting.document_links or [])
        self.version.data = meeting.version

    def follow_up(self, earlier: Meeting) -> None:
        """Start a follow-up meeting: the same organisations, issues and participants as
        `earlier`, as far as the form offers them (no longer active officials are left out)."""
        linked = [o.id for o in earlier.organisations]
        offered = set(
            db.session.scalars(
                select(Organisation.id).where(
                    Organisation.id.in_(linked), offered_organisations(current_user)
                )
            )
        )
        self.organisation_ids.data = [i for i in linked if i in offered]
        self.list_organisations(
            {choice.value for choice in self.organisation_ids.choices} | offered
        )
        self.official_ids.data = [o.id for o in earlier.officials if o.active]
        self.issue_ids.data = [i.id for i in earlier.issues]

    def to_input(self) -> MeetingInput:
        """The validated form as the write path's plain data."""
        descriptive = {name: getattr(self, name).data for name in Meeting.DESCRIPTIVE_FIELDS}
        return MeetingInput(
            **descriptive,
            document_links=tuple(lines(self.document_links.data)),
            official_ids=tuple(self.official_ids.data or ()),
            organisation_ids=tuple(self.organisation_ids.data or ()),
            new_organisations=tuple(lines(self.new_organisations.data)),
            new_organisation_kinds=tuple(lines(self.new_organisation_kinds.data)),
            issue_ids=tuple(self.issue_ids.data or ()),
        )

    @property
    def publishes(self) -> bool:
        return self.action.data == "publish"

    @property
    def previews(self) -> bool:
        """The user asked to see what publishing would make public (nothing is saved)."""
        return self.action.data == "preview"

    @property
    def duplicates_seen(self) -> bool:
        return self.duplicate_checked.data == "1"

    @property
    def amends_published_record(self) -> bool:
        return self.meeting is not None and self.meeting.status == "published"

    def _load_choices(self) -> None:
        current = self.meeting
        linked_officials = [o.id for o in current.officials] if current else []
        officials = db.session.scalars(
            select(Official)
            .where(or_(Official.active.is_(True), Official.id.in_(linked_officials)))
            .order_by(Official.name)
        )
        self.official_ids.choices = choices((o.id, f"{o.name}, {o.title}") for o in officials)
        self.organisation_ids.choices = self._organisation_choices(
            self._organisations_to_list(current)
        )
        issues = db.session.scalars(select(Issue).order_by(Issue.status, Issue.title))
        self.issue_ids.choices = choices((i.id, i.title) for i in issues)

    def _organisations_to_list(self, current: Meeting | None):
        """Which organisations the form lists as checkboxes (the picker hides the list
        when JavaScript runs). A register knows thousands: beyond FULL_LIST_LIMIT the list
        holds the chosen ones, those on this meeting and those of the user's latest
        meetings; the look-up and the "Find" step reach the rest."""
        offered = offered_organisations(current_user, current)
        total = db.session.scalar(select(func.count(Organisation.id)).where(offered))
        if total <= FULL_LIST_LIMIT:
            return offered
        recent = (
            select(meeting_organisation.c.organisation_id)
            .join(Meeting, Meeting.id == meeting_organisation.c.meeting_id)
            .where(Meeting.created_by_id == current_user.id)
            .order_by(Meeting.id.desc())
            .limit(RECENT_ORGANISATIONS)
        )
        wanted = or_(
            Organisation.id.in_(self.organisation_ids.data or []),
            Organisation.id.in_(recent.scalar_subquery()),
        )
        if current is not None and current.id is not None:
            wanted = or_(wanted, Organisation.id.in_([o.id for o in current.organisations]))
        return and_(offered, wanted)

    def _organisation_choices(self, condition) -> list:
        rows = db.session.execute(
            select(Organisation.id, Organisation.name).where(condition).order_by(Organisation.name)
        )
        return choices((row.id, row.name) for row in rows)

    def list_organisations(self, ids) -> None:
        """List exactly these organisations (those the user may be offered among them)."""
        offered = offered_organisations(current_user, self.meeting)
        self.organisation_ids.choices = self._organisation_choices(
            and_(offered, Organisation.id.in_(list(ids)))
        )

    def validate_held_on(self, field):
        if field.data is None:
            return  # not a date: already reported
        latest = local_today() + timedelta(days=LATEST_DAYS_AHEAD)
        if field.data < EARLIEST_DATE or field.data > latest:
            raise ValidationError(
                _l(
                    "Enter a date between %(first)s and %(last)s.",
                    first=EARLIEST_DATE.isoformat(),
                    last=latest.isoformat(),
                )
            )

    def validate_official_ids(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one of the region's participants."))

    def validate_organisation_ids(self, field):
        if not field.data and not lines(self.new_organisations.data):
            raise ValidationError(_l("Choose at least one organisation, or type a new one below."))

    def validate_new_organisations(self, field):
        names = lines(field.data)
        if len(names) > MAX_LINES:
            raise ValidationError(_l("At most %(n)d new organisations at a time.", n=MAX_LINES))
        if not all(has_visible(name) for name in names):
            raise ValidationError(_l("Each line must contain a name in visible characters."))
        if any(len(name) > MAX_ORGANISATION_NAME for name in names):
            raise ValidationError(
                _l(
                    "An organisation's name may be at most %(n)d characters.",
                    n=MAX_ORGANISATION_NAME,
                )
            )

    def validate_new_organisation_kinds(self, field):
        if any(kind not in vocabulary.ORGANISATION_KINDS for kind in lines(field.data)):
            raise ValidationError(_l("Choose the kind of each new organisation from the list."))

    def validate_document_links(self, field):
        links = lines(field.data)
        if len(links) > MAX_LINES:
            raise ValidationError(_l("At most %(n)d links.", n=MAX_LINES))
        for link in links:
            if len(link) > MAX_LINK_LENGTH or not is_web_link(link):
                raise ValidationError(
                    _l(
                        "“%(link)s” is not a web address starting with http:// or https://.",
                        link=link[:80],
                    )
                )

    def validate_reason(self, field):
        if self.amends_published_record and not (field.data or "").strip():
            raise ValidationError(
                _l("Say why you are changing a published record; the reason is public.")
            )

    def validate_version(self, field):
        if self.meeting is not None and field.data is None:
            raise ValidationError(
                _l("The form is incomplete: open the record again from your desk.")
            )

    def validate_action(self, field):
        if field.data not in ("save_draft", "publish", "preview"):
            raise ValidationError(_l("Choose whether to save a draft or publish."))
        if field.data == "save_draft" and self.amends_published_record:
            raise ValidationError(_l("A published record cannot go back to being a draft."))
        publishing = field.data in ("publish", "preview")
        if publishing and self.held_on.data and self.held_on.data > local_today():
            raise ValidationError(
                _l("A meeting can be published once it has taken place; save it as a draft.")
            )


class WithdrawForm(RegisterForm):
    """Withdraw a published record: its stub and the reason stay public."""

    # Both forms sit on the record's page: their fields need ids of their own.
    id_prefix = "withdraw"

    reason = TextAreaField(
        _l("Reason for withdrawing (public)"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Say why the record is withdrawn; the reason is public.")),
            MaxLength(2000),
            Visible(),
        ],
    )
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            field.id = f"{self.id_prefix}-{field.name}"

    def validate_version(self, field):
        if field.data is None:
            raise ValidationError(_l("The form is incomplete: open the record again."))


class WithholdForm(WithdrawForm):
    """Withhold a published record's details on a stated legal ground."""

    id_prefix = "withhold"

    ground = StringField(
        _l("Legal ground (the provision, e.g. OSL 31 kap. 16 §)"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Name the legal provision the details are withheld under.")),
            MaxLength(200),
            Visible(),
        ],
    )
    reason = TextAreaField(
        _l("Reason for withholding (public)"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Say why the details are withheld; the reason is public.")),
            MaxLength(2000),
            Visible(),
        ],
    )


# -- Calendar import ---------------------------------------------------------------------


class CalendarForm(RegisterForm):
    """An .ics file and the dates whose events to list (SPEC §3: `calendar`, `from`, `to`)."""

    calendar = FileField(
        _l("Calendar file (.ics)"),
        validators=[FileRequired(_l("Choose the .ics file you exported from your calendar."))],
    )
    from_ = IsoDateField(_l("From"), name="from", validators=[Optional()])
    to = IsoDateField(_l("To"), validators=[Optional()])

    def fill_defaults(self) -> None:
        """The usual range: the last weeks, and the days ahead."""
        first, last = calendar_import.default_range(local_today())
        self.from_.data = self.from_.data or first
        self.to.data = self.to.data or last

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.from_.errors or self.to.errors:
            return valid
        self.fill_defaults()
        try:
            calendar_import.check_range(self.from_.data, self.to.data)
        except calendar_import.RangeError as error:
            if error.problem == "backwards":
                message = _l("The end date must not be before the start date.")
            else:
                message = _l(
                    "Choose at most %(n)d days at a time.", n=calendar_import.MAX_RANGE_DAYS
                )
            self.to.errors = [*self.to.errors, message]
            return False
        return valid


class CalendarDraftsForm(RegisterForm):
    """The events chosen from the list, and the signed list itself."""

    token = HiddenField()
    event = CheckboxListField(_l("Events to make drafts of"))

    def validate_event(self, field):
        if not field.data:
            raise ValidationError(_l("Tick at least one event."))
