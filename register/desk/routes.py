import re

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.exceptions import RequestEntityTooLarge

from .. import calendar_import, compliance, records
from ..extensions import db
from ..fields import choices
from ..models import Meeting, local_today
from ..text import parse_id
from ..transactions import ConcurrentChange
from . import bp, listing
from .forms import (
    CalendarDraftsForm,
    CalendarForm,
    MeetingForm,
    WithdrawForm,
    WithholdForm,
)
from .lookup import find_organisations, searching_organisations


@bp.route("/")
def index():
    """The user's own records (search, status filter, pages), the user's overdue drafts,
    and the region's overdue drafts for registrars."""
    cutoff = publication_cutoff()
    filters = listing.parse_desk_filters(request.args)
    listed = None
    if not filters.errors:
        listed = listing.desk_page(current_user, filters, cutoff)
    own_overdue = listing.overdue_drafts(cutoff, created_by=current_user)
    overdue = listing.overdue_drafts(cutoff) if current_user.is_registrar else None
    html = render_template(
        "desk/index.html",
        filters=filters,
        listed=listed,
        status_filters=listing.STATUS_FILTERS,
        overdue=overdue,
        own_overdue=own_overdue,
        cutoff=cutoff,
    )
    return html, 400 if filters.errors else 200


def publication_cutoff():
    """Drafts of meetings held before this date are past the publication deadline."""
    return compliance.cutoff(local_today())


def meeting_or_404(meeting_id: int) -> Meeting:
    """A public record, or a draft the user may see; others' drafts do not exist for them."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not (meeting.is_public or current_user.can_see(meeting)):
        abort(404)
    return meeting


@bp.route("/meetings/<id:meeting_id>")
def meeting(meeting_id: int):
    """A draft as it will read once published; a published record's page is public."""
    record = meeting_or_404(meeting_id)
    if record.number is not None:
        return redirect(url_for("public.meeting", number=record.number))
    return render_template("public/meeting.html", meeting=record, delete_form=FlaskForm())


@bp.route("/meetings/new", methods=["GET", "POST"])
def new_meeting():
    """Log a new meeting, as a draft or published at once; `?follow_up=<id>` starts from
    an earlier record's organisations, issues and participants."""
    form = MeetingForm()
    if not form.is_submitted():
        if current_user.official_id:
            form.official_ids.data = [current_user.official_id]
        if "follow_up" in request.args:
            return follow_up_form(form, request.args["follow_up"])
    if searching_organisations(form):
        return render_form(form, **find_organisations(form))
    if form.validate_on_submit():
        data = form.to_input()
        if not form.duplicates_seen:
            duplicates = records.possible_duplicates(data, current_user)
            if duplicates:
                # Shown once: the form now says the user has seen them.
                form.duplicate_checked.data = "1"
                return render_form(form, 200, duplicates=duplicates)
        if form.previews:
            return publish_preview(form, data)
        try:
            meeting = records.create(data, current_user, publish=form.publishes)
        except ConcurrentChange:
            return concurrent_change(form)
        return after_save(meeting, form.publishes)
    return render_form(form)


def follow_up_form(form: MeetingForm, raw_id: str):
    """The new-meeting form prefilled from a record the user may see."""
    earlier = meeting_or_404(parse_id(raw_id) or 0)
    if earlier.status not in ("draft", "published"):
        flash(
            _(
                "A withdrawn or withheld record cannot be followed up. "
                "Log the new meeting without it."
            ),
            "error",
        )
        return render_form(form, 409)
    form.follow_up(earlier)
    return render_form(form, follow_up=earlier)


def publish_preview(form: MeetingForm, data: records.MeetingInput):
    """The form again, with exactly what publishing it would make public; nothing saved."""
    typed = records.typed_snapshot(data)
    changed = None
    if form.amends_published_record:
        now = form.meeting.snapshot()
        changed = {name for name in typed if typed[name] != now.get(name)}
    return render_form(form, 200, preview=typed, changed=changed)


@bp.route("/meetings/<id:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id: int):
    """Change a draft, publish it, or amend a published record with a stated reason."""
    meeting = meeting_or_404(meeting_id)
    if not current_user.can_edit(meeting):
        abort(403)
    form = MeetingForm(meeting=meeting)
    if not form.is_submitted():
        form.fill_from(meeting)
    if searching_organisations(form):
        return render_form(form, **find_organisations(form))
    if form.validate_on_submit():
        data = form.to_input()
        if meeting.status == "draft" and (form.publishes or form.previews):
            if not form.duplicates_seen:
                duplicates = records.possible_duplicates(data, current_user, besides=meeting.id)
                if duplicates:
                    # A draft about to become public is checked as a new record is.
                    form.duplicate_checked.data = "1"
                    return render_form(form, 200, duplicates=duplicates)
        if form.previews:
            return publish_preview(form, data)
        amending = form.amends_published_record
        try:
            saved = records.update_meeting(
                meeting.id,
                data,
                current_user,
                version=form.version.data,
                publish=form.publishes,
                reason=form.reason.data,
            )
        except records.StaleVersion as stale:
            return edit_conflict(form, stale.meeting, data)
        except ConcurrentChange:
            return concurrent_change(form)
        except records.NotAllowed:
            abort(403)
        if not saved.changed:
            flash(_("Nothing was changed, so nothing was recorded."), "info")
            return redirect(record_url(saved.meeting))
        return after_save(saved.meeting, form.publishes, amended=amending)
    return render_form(form)


@bp.post("/meetings/<id:meeting_id>/delete")
def delete_meeting(meeting_id: int):
    """Delete a draft that was never published (its author and the registrars)."""
    meeting = meeting_or_404(meeting_id)
    if not current_user.can_delete(meeting):
        abort(403)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    version = parse_id(request.form.get("version", ""))
    try:
        records.delete_draft(meeting.id, current_user, version=version or 0)
    except records.StaleVersion:
        flash(_("The draft was changed after you opened it, so it was not deleted."), "error")
        return redirect(url_for("desk.meeting", meeting_id=meeting_id))
    except records.NotAllowed:
        abort(403)
    flash(_("The draft is deleted."), "success")
    return redirect(url_for("desk.index"))


@bp.post("/meetings/<id:meeting_id>/join")
def join_meeting(meeting_id: int):
    """Join a colleague's record of the same meeting: add one's own official to it."""
    meeting = meeting_or_404(meeting_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    version = parse_id(request.form.get("version", "")) or 0
    official = current_user.official
    reason = (
        _(
            "Added participant %(name)s, who joined the record instead of logging the same "
            "meeting twice.",
            name=official.name,
        )
        if official
        else ""
    )
    try:
        saved = records.join(meeting.id, current_user, version=version, reason=reason)
    except records.NotAllowed:
        abort(404)
    except records.NotJoinable:
        flash(_("A withdrawn or withheld record takes no new participants."), "error")
        return render_record(meeting, 409)
    except records.NoLinkedOfficial:
        flash(
            _(
                "Your account is not linked to one of the region's officials, so you cannot "
                "be added as a participant. Ask a registrar to link your account."
            ),
            "error",
        )
        return render_record(meeting, 409)
    except records.StaleVersion as stale:
        flash(
            _("The record was changed after you saw it, so nothing was done. Check it again."),
            "error",
        )
        return render_record(stale.meeting, 409)
    except ConcurrentChange:
        flash(_("Someone else changed this record at the same moment; nothing was done."), "error")
        return render_record(db.session.get(Meeting, meeting_id), 409)
    if not saved.changed:
        flash(_("You are already one of its participants."), "info")
    elif saved.meeting.status == "published":
        flash(
            _("You are added to the record's participants; the change is in its public history."),
            "success",
        )
    else:
        flash(_("You are added to the draft's participants."), "success")
    return redirect(record_url(saved.meeting))


def render_form(form: MeetingForm, status: int | None = None, **context):
    if status is None:
        status = 400 if form.is_submitted() and form.errors else 200
    return render_template(
        "desk/meeting_form.html",
        form=form,
        meeting=form.meeting,
        guidance=form_guidance(),
        **context,
    ), status


def form_guidance() -> list[str]:
    """The paragraphs of the configured guidance (FORM_GUIDANCE); none means the default."""
    text = (current_app.config.get("FORM_GUIDANCE") or "").replace("\r\n", "\n")
    return [paragraph.strip() for paragraph in re.split(r"\n\s*\n", text) if paragraph.strip()]


def edit_conflict(form: MeetingForm, current: Meeting, data: records.MeetingInput):
    """The record moved on since the form was loaded: show what differs, keep what was typed.

    The form now carries the current version, so sending it again is a deliberate choice
    made with the colleague's change in view.
    """
    now, typed = current.snapshot(), records.typed_snapshot(data)
    differences = [(name, now[name], typed[name]) for name in now if now[name] != typed[name]]
    form.version.data = current.version
    form.meeting = current
    return render_form(form, 409, conflict=differences, latest=current.revisions[-1:])


def concurrent_change(form: MeetingForm):
    """Show the form again, as typed, when another save won the race."""
    flash(
        _(
            "Someone else saved this record at the same moment, so nothing of yours was "
            "saved. Check the record and send the form again."
        ),
        "error",
    )
    return render_form(form, 409)


def record_url(meeting: Meeting) -> str:
    if meeting.number is not None:
        return url_for("public.meeting", number=meeting.number)
    return url_for("desk.meeting", meeting_id=meeting.id)


def after_save(meeting: Meeting, published: bool, *, amended: bool = False):
    if amended:
        flash(
            _("The record is amended; the change and your reason are in its public history."),
            "success",
        )
        return redirect(record_url(meeting))
    if published:
        flash(_("The meeting is published in the register."), "success")
        return redirect(record_url(meeting))
    flash(_("The draft is saved. It is not public until you publish it."), "success")
    return redirect(url_for("desk.index"))


@bp.app_context_processor
def withdrawal_forms():
    """The record page's withdraw and withhold forms, for registrars."""

    def forms_for(meeting: Meeting) -> dict:
        withdraw, withhold = WithdrawForm(formdata=None), WithholdForm(formdata=None)
        withdraw.version.data = withhold.version.data = meeting.version
        return {"withdraw_form": withdraw, "withhold_form": withhold}

    return {"withdrawal_forms": forms_for}


@bp.post("/meetings/<id:meeting_id>/withdraw")
def withdraw_meeting(meeting_id: int):
    """Withdraw a published record (registrars): a public stub with the reason stays."""
    return take_down(meeting_id, WithdrawForm(), "withdraw_form")


@bp.post("/meetings/<id:meeting_id>/withhold")
def withhold_meeting(meeting_id: int):
    """Withhold a published record's details on a legal ground (registrars)."""
    return take_down(meeting_id, WithholdForm(), "withhold_form")


def take_down(meeting_id: int, form: WithdrawForm, form_name: str):
    if not current_user.is_registrar:
        abort(403)
    meeting = db.session.get(Meeting, meeting_id) or abort(404)
    if not form.validate_on_submit():
        return render_record(meeting, 400, **{form_name: form})
    try:
        if isinstance(form, WithholdForm):
            meeting = records.withhold(
                meeting_id,
                current_user,
                ground=form.ground.data,
                reason=form.reason.data,
                version=form.version.data,
            )
            flash(
                _("The record is withheld. Its public stub shows the ground and the reason."),
                "success",
            )
        else:
            meeting = records.withdraw(
                meeting_id, current_user, reason=form.reason.data, version=form.version.data
            )
            flash(_("The record is withdrawn. Its public stub shows the reason."), "success")
    except records.NotPublished as refused:
        flash(TAKE_DOWN_REFUSALS.get(refused.status, TAKE_DOWN_REFUSALS["draft"]), "error")
        return render_record(db.session.get(Meeting, meeting_id), 409)
    except records.StaleVersion as stale:
        flash(
            _("The record was changed after you opened it, so nothing was done. Check it again."),
            "error",
        )
        return render_record(stale.meeting, 409)
    except ConcurrentChange:
        flash(_("Someone else changed this record at the same moment; nothing was done."), "error")
        return render_record(db.session.get(Meeting, meeting_id), 409)
    except records.NotAllowed:
        abort(403)
    except (records.ReasonRequired, records.GroundRequired) as missing:
        field = form.ground if isinstance(missing, records.GroundRequired) else form.reason
        field.errors = [_("This is required; it is shown in the public record.")]
        return render_record(meeting, 400, **{form_name: form})
    return redirect(url_for("public.meeting", number=meeting.number))


TAKE_DOWN_REFUSALS = {
    "draft": _l(
        "A draft has never been public, so it cannot be withdrawn or withheld; delete it instead."
    ),
    "withdrawn": _l("This record is already withdrawn."),
    "withheld": _l("This record is already withheld."),
}


def render_record(meeting: Meeting, status: int, **forms):
    """The record's page again, with the message and the forms as they were sent."""
    template = render_template(
        "public/meeting.html",
        meeting=meeting,
        delete_form=FlaskForm() if meeting.number is None else None,
        **forms,
    )
    return template, status


# -- Calendar import ---------------------------------------------------------------------

# How long the list of events shown stays valid for making drafts from it.
CALENDAR_LIST_MAX_AGE = 12 * 3600

CALENDAR_PROBLEMS = {
    calendar_import.EMPTY: _l("The file is empty. Export the calendar again and choose that file."),
    calendar_import.NOT_A_CALENDAR: _l(
        "This is not a calendar file. Choose an .ics file exported from Outlook, Google "
        "Calendar or Apple Calendar."
    ),
    calendar_import.ZIP_ARCHIVE: _l(
        "This is a .zip archive. Google Calendar exports one: unzip it and choose the .ics "
        "file inside."
    ),
    calendar_import.TOO_MANY_EVENTS: _l(
        "There are more than %(n)d events between these dates. Choose a shorter range.",
        n=calendar_import.MAX_EVENTS,
    ),
    calendar_import.TOO_MANY_IN_FILE: _l(
        "The file holds more than %(n)d events. Export a shorter period of your calendar.",
        n=calendar_import.MAX_FILE_EVENTS,
    ),
    calendar_import.TOO_COMPLEX: _l(
        "The calendar took too long to read. Choose a shorter range, or export fewer events."
    ),
}

SKIP_REASONS = {
    calendar_import.NO_DATE: _l("it has no date"),
    calendar_import.UNKNOWN_TIME_ZONE: _l("its time zone is unknown"),
    calendar_import.REPEATS_TOO_OFTEN: _l("it repeats more often than daily"),
    calendar_import.UNREADABLE: _l("its dates or repetition could not be read"),
}


@bp.route("/calendar", methods=["GET", "POST"])
def calendar():
    """Upload an .ics file and list its events between two dates, to make drafts of them."""
    form = CalendarForm()
    if not form.is_submitted():
        form.fill_defaults()
        return render_calendar(form)
    if not form.validate_on_submit():
        return render_calendar(form, status=400)
    try:
        reading = calendar_import.read_calendar(
            form.calendar.data.read(),
            form.from_.data,
            form.to.data,
            current_app.config["TIMEZONE"],
        )
    except calendar_import.CalendarError as error:
        form.calendar.errors = [CALENDAR_PROBLEMS[error.problem]]
        return render_calendar(form, status=400)
    events = calendar_import.choices(
        reading.events,
        current_user,
        own_domains=[current_user.email],
        untitled=_("Meeting from the calendar"),
    )
    drafts_form = CalendarDraftsForm(formdata=None)
    drafts_form.token.data = seal_events(events)
    return render_calendar(form, events=events, skipped=reading.skipped, drafts_form=drafts_form)


@bp.post("/calendar/drafts")
def calendar_drafts():
    """Make a draft of each event ticked in the list."""
    drafts_form = CalendarDraftsForm()
    events = unseal_events(drafts_form.token.data)
    form = CalendarForm(formdata=None)
    form.fill_defaults()
    if events is None:
        form.calendar.errors = [
            _("The list of events is no longer valid. Choose the file again to see it anew.")
        ]
        return render_calendar(form, status=400)
    # Every listed event may be ticked: one made a draft of meanwhile (the form sent twice)
    # is left alone by make_drafts and counted.
    drafts_form.event.choices = choices((n, e.subject) for n, e in enumerate(events, start=1))
    if not drafts_form.validate_on_submit():
        return render_calendar(form, events=events, drafts_form=drafts_form, status=400)
    try:
        result = calendar_import.make_drafts(
            [events[n - 1] for n in drafts_form.event.data], current_user
        )
    except ConcurrentChange:
        flash(_("Someone else saved at the same moment; no drafts were made. Try again."), "error")
        return render_calendar(form, events=events, drafts_form=drafts_form, status=409)
    count = len(result.meetings)
    if count:
        flash(
            ngettext(
                "%(num)d draft was made from your calendar. Complete it and publish it.",
                "%(num)d drafts were made from your calendar. Complete them and publish them.",
                count,
            ),
            "success",
        )
    if result.already:
        flash(
            ngettext(
                "%(num)d of the chosen events had been made a draft of already.",
                "%(num)d of the chosen events had been made drafts of already.",
                result.already,
            ),
            "info",
        )
    return redirect(url_for("desk.index"))


def render_calendar(form, *, events=(), skipped=(), drafts_form=None, status=200):
    made = calendar_import.drafted((e.key for e in events), current_user) if events else {}
    page = render_template(
        "desk/calendar.html",
        form=form,
        events=events,
        skipped=skipped,
        skip_reasons=SKIP_REASONS,
        drafts_form=drafts_form,
        made=made,
        listed=drafts_form is not None,
    )
    return page, status


def _calendar_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="desk.calendar-events")


def seal_events(events: list) -> str:
    """The listed events, signed, for the form that makes drafts: the file is not kept."""
    data = {"u": current_user.id, "e": [event.to_data() for event in events]}
    return _calendar_serializer().dumps(data)


def unseal_events(token: str | None) -> list | None:
    """The events of a list this user was shown, or None when the token is not one."""
    try:
        data = _calendar_serializer().loads(token or "", max_age=CALENDAR_LIST_MAX_AGE)
        if data["u"] != current_user.id:
            return None
        return [calendar_import.EventChoice.from_data(item) for item in data["e"]]
    except (BadData, KeyError, TypeError, ValueError):
        return None


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A file over the upload limit: said on the calendar page, next to the file field."""
    megabytes = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    if request.endpoint == "desk.calendar" and current_user.is_authenticated:
        form = CalendarForm(formdata=None)
        form.fill_defaults()
        form.calendar.errors = [
            _(
                "The file is larger than %(mb)d MB. Export a shorter period of your calendar.",
                mb=megabytes,
            )
        ]
        return render_calendar(form, status=413)
    message = _("What you sent is too large.")
    return render_template("errors/error.html", code=413, message=message), 413
