"""The audit log also leaves the server: each committed entry is one JSON line on the
`register.audit` logger (standard error unless logging is configured otherwise), with no
password or secret in it."""

import json
import logging

import pytest
from sqlalchemy import select

from register import accounts, audit
from register.extensions import db
from register.models import AuditEntry, User

from .conftest import PASSWORD


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def audit_lines(app):
    """What the `register.audit` logger is given, line by line."""
    handler = Lines()
    audit.logger.addHandler(handler)
    yield handler.lines
    audit.logger.removeHandler(handler)


def parsed(lines: list[str]) -> list[dict]:
    return [json.loads(line) for line in lines]


def test_each_committed_entry_is_one_json_line_like_the_stored_one(app, auth, world, audit_lines):
    auth.login()
    [line] = parsed(audit_lines)
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry)).one()
        assert line == {
            "audit_id": entry.id,
            "at": entry.at.isoformat(),
            "action": "sign_in",
            "actor": "official@example.org",
            "user_id": world["user"],
            "address": "127.0.0.1",
            "target_type": "user",
            "target_id": world["user"],
            "before": None,
            "after": None,
        }
    assert PASSWORD not in audit_lines[0]


def test_the_default_handler_writes_bare_json_lines_to_standard_error(auth, world, capsys):
    capsys.readouterr()
    auth.login(password="not the password at all")
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert [json.loads(line)["action"] for line in lines] == ["sign_in_failed"]
    assert "not the password at all" not in "".join(lines)


def test_account_entries_carry_no_password(app, records, audit_lines):
    admin_id = records.user(email="admin@example.org", role="admin")
    with app.app_context():
        data = accounts.AccountInput(email="ny@example.org", name="Ny Person", role="official")
        user, temporary = accounts.create_account(data, db.session.get(User, admin_id))
        password_hash = user.password_hash
    [line] = audit_lines
    assert json.loads(line)["action"] == "account_create"
    assert json.loads(line)["after"]["email"] == "ny@example.org"
    assert temporary not in line and password_hash not in line


def test_a_rolled_back_change_leaves_no_line(app, audit_lines):
    with app.app_context():
        audit.log("meeting_save", actor="cli")
        db.session.flush()
        db.session.rollback()
        audit.log("meeting_publish", actor="cli")
        db.session.commit()
    assert [line["action"] for line in parsed(audit_lines)] == ["meeting_publish"]


def test_secret_fields_are_removed_wherever_they_are():
    entry = AuditEntry(
        id=1,
        action="account_update",
        actor="cli",
        address="cli",
        before={"password_hash": "$argon2id$…", "must_change_password": True},
        after={"nested": [{"session_token": "abc"}], "name": "Ada"},
    )
    line = json.loads(audit.log_line(entry))
    assert line["before"] == {"password_hash": "[removed]", "must_change_password": True}
    assert line["after"] == {"nested": [{"session_token": "[removed]"}], "name": "Ada"}


def test_a_command_line_prints_its_entries_not_among_its_own_output(app, runner, audit_lines):
    result = runner.invoke(
        args=["users", "create", "cli@example.org", "--name", "Cli", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output == "Created official account cli@example.org.\n"
    # Handlers the deployment configures still get them.
    assert [json.loads(line)["action"] for line in audit_lines] == ["account_create"]
