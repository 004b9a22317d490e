"""The audit log: sign-ins, failures, sign-outs and changes, append-only, for admins only."""

import pytest
from sqlalchemy import select

from register import audit
from register.extensions import db
from register.models import AuditEntry

from .conftest import AuthActions, csrf_token
from .test_meeting_form import meeting_form, open_form


def actions(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


@pytest.fixture
def admin(records):
    return records.user(email="admin@example.org", role="admin", name="Ada Admin")


def test_sign_ins_failures_and_sign_outs_are_logged(app, client, auth, world):
    auth.login(password="wrong password")
    auth.login(email="nobody@example.org")
    auth.login()
    auth.logout()
    assert actions(app) == ["sign_in_failed", "sign_in_failed", "sign_in", "sign_out"]
    with app.app_context():
        failed = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[:2]
        assert failed[0].user_id == world["user"] and failed[0].actor == "official@example.org"
        assert failed[1].user_id is None and failed[1].actor == "nobody@example.org"
        assert all(entry.address == "127.0.0.1" for entry in failed)


def test_meeting_changes_are_logged_with_before_and_after(app, client, auth, world):
    auth.login()
    token = open_form(client)
    client.post("/desk/meetings/new", data=meeting_form(token, world, action="save_draft"))
    client.post("/desk/meetings/1/edit", data=meeting_form(token, world, subject="Publicerat"))
    assert actions(app)[-2:] == ["meeting_create", "meeting_publish"]
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).filter_by(action="meeting_publish"))
        assert entry.after["subject"] == "Publicerat" and entry.target_type == "meeting"


def test_admin_reads_and_filters_the_log(app, client, auth, world, admin):
    auth.login(password="wrong password")
    auth.login(email="admin@example.org")
    page = client.get("/admin/audit?action=sign_in_failed").get_data(as_text=True)
    assert "official@example.org" in page
    assert "admin@example.org</span>" not in page  # the admin's own sign-in is filtered out
    page = client.get(f"/admin/audit?user={admin}").get_data(as_text=True)
    assert "Ada Admin" in page
    for bad in ("action=hack", "user=²", "from=igår", "before=x"):
        assert client.get(f"/admin/audit?{bad}").status_code == 400


def test_only_admins_read_the_log(app, client, auth, world, records):
    assert client.get("/admin/audit").status_code == 302
    auth.login()
    assert client.get("/admin/audit").status_code == 403
    auth.logout()
    records.user(email="registrar@example.org", role="registrar")
    AuthActions(client).login(email="registrar@example.org")
    assert client.get("/admin/audit").status_code == 403


def test_a_line_break_in_input_cannot_forge_an_entry(app, client, auth, world, admin):
    forged = "x@example.org\r\n2026-01-01 00:00:00 admin@example.org sign_in"
    token = csrf_token(client.get("/login"))
    client.post("/login", data={"email": forged, "password": "x", "csrf_token": token})
    auth.login(email="admin@example.org")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert page.count("<tr>\n      <td><time") == len(actions(app))  # one row per entry
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).filter_by(action="sign_in_failed"))
        assert entry.actor == forged.lower()[:254]


def test_the_log_is_append_only(app, world):
    with app.app_context():
        audit.log("sign_in", actor="someone")
        db.session.commit()
        entry = db.session.scalar(select(AuditEntry))
        entry.actor = "someone else"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.scalar(select(AuditEntry)))
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
