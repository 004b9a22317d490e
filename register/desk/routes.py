from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from .. import compliance, records
from ..extensions import db
from ..models import Meeting, local_today, meeting_official
from ..text import parse_id
from ..transactions import ConcurrentChange
from . import bp
from .forms import MeetingForm, WithdrawForm, WithholdForm


@bp.route("/")
def index():
    """The signed-in official's own drafts and records, and overdue drafts for registrars."""
    mine = or_(
        Meeting.created_by_id == current_user.id,
        Meeting.id.in_(
            select(meeting_official.c.meeting_id).where(
                meeting_official.c.official_id == current_user.official_id
            )
        ),
    )
    meetings = db.session.scalars(
        select(Meeting)
        .where(mine)
        .options(selectinload(Meeting.officials), selectinload(Meeting.organisations))
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
    ).all()
    cutoff = publication_cutoff()
    overdue = []
    if current_user.is_registrar:
        overdue = db.session.scalars(
            select(Meeting)
            .where(Meeting.status == "draft", Meeting.held_on < cutoff)
            .options(selectinload(Meeting.officials))
            .order_by(Meeting.held_on)
        ).all()
    drafts = [m for m in meetings if m.status == "draft"]
    own_overdue = sorted(
        (m for m in drafts if m.created_by_id == current_user.id and m.held_on < cutoff),
        key=lambda m: (m.held_on, m.id),
    )
    return render_template(
        "desk/index.html",
        drafts=drafts,
        published=[m for m in meetings if m.status != "draft"],
        overdue=overdue,
        own_overdue=own_overdue,
        cutoff=cutoff,
    )


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
    """Log a new meeting, as a draft or published at once."""
    form = MeetingForm()
    if not form.is_submitted() and current_user.official_id:
        form.official_ids.data = [current_user.official_id]
    if form.validate_on_submit():
        try:
            meeting = records.create(form.to_input(), current_user, publish=form.publishes)
        except ConcurrentChange:
            return concurrent_change(form)
        return after_save(meeting, form.publishes)
    return render_form(form)


@bp.route("/meetings/<id:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id: int):
    """Change a draft, publish it, or amend a published record with a stated reason."""
    meeting = meeting_or_404(meeting_id)
    if not current_user.can_edit(meeting):
        abort(403)
    form = MeetingForm(meeting=meeting)
    if not form.is_submitted():
        form.fill_from(meeting)
    if form.validate_on_submit():
        data = form.to_input()
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
        return after_save(saved.meeting, form.publishes)
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


def render_form(form: MeetingForm, status: int | None = None, **context):
    if status is None:
        status = 400 if form.is_submitted() and form.errors else 200
    return render_template(
        "desk/meeting_form.html", form=form, meeting=form.meeting, **context
    ), status


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


def after_save(meeting: Meeting, published: bool):
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
