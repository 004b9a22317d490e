from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..meetings import ConcurrentChange, save_meeting
from ..models import Meeting, local_today, meeting_official
from . import bp
from .forms import MeetingForm


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
    return render_template(
        "desk/index.html",
        drafts=[m for m in meetings if m.status == "draft"],
        published=[m for m in meetings if m.status != "draft"],
        overdue=overdue,
        cutoff=cutoff,
    )


def publication_cutoff():
    """Drafts of meetings held before this date are past the publication deadline."""
    return local_today() - timedelta(days=current_app.config["PUBLISH_WITHIN_DAYS"])


@bp.route("/meetings/new", methods=["GET", "POST"])
def new_meeting():
    """Log a new meeting, as a draft or published at once."""
    form = MeetingForm()
    if not form.is_submitted() and current_user.official_id:
        form.official_ids.data = [current_user.official_id]
    if form.validate_on_submit():
        try:
            meeting, _changed = save_meeting(form, author=current_user)
        except ConcurrentChange:
            return concurrent_change(form)
        return after_save(meeting, form.action.data)
    return render_form(form)


@bp.route("/meetings/<id:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id: int):
    """Change a draft, publish it, or amend a published record with a stated reason."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    if not current_user.can_edit(meeting):
        abort(403)
    form = MeetingForm(meeting=meeting)
    if not form.is_submitted():
        form.fill_from(meeting)
    if form.validate_on_submit():
        try:
            meeting, changed = save_meeting(form, author=current_user)
        except ConcurrentChange:
            return concurrent_change(form)
        if not changed:
            flash(_("Nothing was changed, so no amendment was recorded."), "info")
            return redirect(url_for("public.meeting", meeting_id=meeting.id))
        return after_save(meeting, form.action.data)
    return render_form(form)


def render_form(form: MeetingForm):
    status = 400 if form.is_submitted() and form.errors else 200
    return render_template("desk/meeting_form.html", form=form, meeting=form.meeting), status


def concurrent_change(form: MeetingForm):
    """Show the form again, as typed, when another save won the race."""
    flash(
        _(
            "Someone else saved this record at the same moment, so nothing of yours was "
            "saved. Check the record and send the form again."
        ),
        "error",
    )
    return render_template("desk/meeting_form.html", form=form, meeting=form.meeting), 409


def after_save(meeting: Meeting, action: str):
    if action == "publish":
        flash(_("The meeting is published in the register."), "success")
        return redirect(url_for("public.meeting", meeting_id=meeting.id))
    flash(_("The draft is saved. It is not public until you publish it."), "success")
    return redirect(url_for("desk.index"))
