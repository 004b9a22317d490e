"""Fixtures after the flaskr pattern: app, client, runner, auth; a fresh database per test.

The schema comes from the Alembic migrations, built once per run. SQLite tests copy that
database file; with TEST_DATABASE_URL set (PostgreSQL), every table is emptied instead.
"""

import os
import re
import shutil
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pyotp
import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from register import create_app, history, two_factor
from register.extensions import db
from register.models import Issue, Meeting, Official, Organisation, Revision, Unit, User
from register.records import take_number

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "correct horse battery"
CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# Two-step sign-in for the test accounts whose role requires it: each gets a fresh secret
# when it is created, so what the helpers remember below starts afresh with every test.
TOTP_SECRETS: dict[str, str] = {}  # email → the secret of the latest account made with it
_LAST_STEP: dict[str, int] = {}  # secret → the last time step a helper made a code for
_STEP_LOCK = threading.Lock()  # clients in threads sign in at once


def enrol_two_factor(user: User) -> str:
    """Switch two-step sign-in on for `user` (not yet stored) with a new secret."""
    secret = pyotp.random_base32()
    user.two_factor_secret = secret
    user.two_factor_enabled_at = datetime.now(UTC)
    TOTP_SECRETS[user.email] = secret
    return secret


def fresh_code(secret: str) -> str:
    """A code no earlier sign-in in this test has used, as a person would wait for.

    The app accepts the steps either side of now but never one at or before the last it
    accepted. The code is for the current step or the next, each still accepted if a step
    boundary passes before the server checks it; when both were used, this waits for the
    next step. The app's replay check is never bypassed: a test that signs one account in
    more than twice at once gives each client an account of its own."""
    while True:
        with _STEP_LOCK:
            now = two_factor.current_step()
            for step in (now, now + 1):
                if step > _LAST_STEP.get(secret, -1):
                    _LAST_STEP[secret] = step
                    return two_factor.code_at(secret, step)
        time.sleep(two_factor.STEP_SECONDS - time.time() % two_factor.STEP_SECONDS + 0.05)


def code_for(email: str) -> str:
    return fresh_code(TOTP_SECRETS[email])


def utc_today() -> date:
    return datetime.now(UTC).date()


def make_app(database_url: str, **config):
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SESSION_COOKIE_SECURE": False,
        "REGISTER_NAME": "Testregionen",
        # Dates in tests are counted in UTC, like utc_today(); local time has its own test.
        "TIMEZONE": "UTC",
    }
    settings.update(config)
    return create_app(settings)


@pytest.fixture(scope="session")
def migrated_database_url(tmp_path_factory):
    """A database built by `flask db upgrade`, once per test run."""
    if TEST_DATABASE_URL:
        url = TEST_DATABASE_URL
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("template") / "register.db")
    app = make_app(url)
    with app.app_context():
        if TEST_DATABASE_URL:
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app(migrated_database_url, tmp_path):
    """The app on a fresh, empty, migrated database."""
    if TEST_DATABASE_URL:
        app = make_app(migrated_database_url)
        with app.app_context():
            tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    else:
        template = migrated_database_url.removeprefix("sqlite:///")
        copy = tmp_path / "register.db"
        shutil.copyfile(template, copy)
        app = make_app(f"sqlite:///{copy}")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(response) -> str:
    """The CSRF token of the form on a page, as a browser would send it back."""
    match = CSRF_PATTERN.search(response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email="official@example.org", password=PASSWORD):
        """Sign in; for an account with two-step sign-in, the code step too."""
        token = csrf_token(self._client.get("/login"))
        response = self._client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )
        if response.headers.get("Location") == "/login/code":
            response = self.enter_code(code_for(email))
        return response

    def enter_code(self, code: str, field: str = "code"):
        token = csrf_token(self._client.get("/login/code"))
        return self._client.post("/login/code", data={field: code, "csrf_token": token})

    def logout(self):
        token = csrf_token(self._client.get("/desk/"))
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


class Records:
    """Creates what a test needs and returns ids, so nothing outlives its session."""

    def __init__(self, app):
        self.app = app

    def _save(self, record):
        with self.app.app_context():
            db.session.add(record)
            db.session.commit()
            return record.id

    def unit(self, name="Regionstyrelsen", kind="council"):
        return self._save(Unit(name=name, kind=kind))

    def official(self, name="Anna Regionråd", title="regionråd", unit_id=None):
        return self._save(Official(name=name, title=title, unit_id=unit_id))

    def organisation(
        self, name="Trafikverket", kind="public_authority", org_number=None, public=True
    ):
        return self._save(Organisation(name=name, kind=kind, org_number=org_number, public=public))

    def issue(self, title="Dubbelspår Göteborg–Borås", slug="dubbelspar-goteborg-boras"):
        return self._save(Issue(slug=slug, title=title, summary="", status="active"))

    def user(
        self,
        email="official@example.org",
        role="official",
        official_id=None,
        name="Test User",
        two_step=None,
    ):
        """An account with PASSWORD; with two-step sign-in on (a secret known to the
        sign-in helpers) when `two_step`, by default when its role requires it."""
        user = User(email=email, name=name, role=role, official_id=official_id)
        user.set_password(PASSWORD)
        if two_step is None:
            two_step = role in self.app.config["TWO_FACTOR_ROLES"]
        if two_step:
            enrol_two_factor(user)
        return self._save(user)

    def meeting(
        self,
        subject="Möte om dubbelspåret",
        status="published",
        official_ids=(),
        organisation_ids=(),
        issue_ids=(),
        held_on=None,
        created_by_id=None,
        **fields,
    ):
        with self.app.app_context():
            meeting = Meeting(
                subject=subject,
                held_on=held_on or utc_today() - timedelta(days=3),
                format=fields.pop("format", "in_person"),
                initiative=fields.pop("initiative", "region"),
                status=status,
                created_by_id=created_by_id,
                **fields,
            )
            meeting.officials = [db.session.get(Official, i) for i in official_ids]
            meeting.organisations = [db.session.get(Organisation, i) for i in organisation_ids]
            meeting.issues = [db.session.get(Issue, i) for i in issue_ids]
            db.session.add(meeting)
            db.session.flush()  # column defaults filled in, as the snapshot must see them
            if status != "draft":
                meeting.number = take_number()
            if status == "published":
                meeting.published_at = meeting.published_at or datetime.now(UTC)
                revision = Revision(number=1, action="publish", after=meeting.snapshot())
                history.append(meeting, revision)
            db.session.add(meeting)
            db.session.commit()
            return meeting.id

    def number(self, meeting_id):
        """The public number of a meeting, by its internal id."""
        with self.app.app_context():
            return db.session.get(Meeting, meeting_id).number


def history_chain_breaks(app) -> list[str]:
    """Every place where a record's history contradicts itself: a revision whose "before"
    is not the previous revision's "after", or numbers that skip."""
    breaks = []
    with app.app_context():
        for meeting in db.session.scalars(select(Meeting).where(Meeting.number.is_not(None))):
            previous = None
            for position, revision in enumerate(meeting.revisions, start=1):
                if revision.number != position:
                    breaks.append(f"meeting {meeting.number}: revision {revision.number} skips")
                if previous is not None and revision.before != previous.after:
                    breaks.append(f"meeting {meeting.number}: revision {revision.number}")
                previous = revision
            if meeting.status == "published" and previous.after != meeting.snapshot():
                breaks.append(f"meeting {meeting.number}: last revision is not the record")
    return breaks


@pytest.fixture
def records(app):
    return Records(app)


@pytest.fixture
def world(records):
    """A small register: one official with an account, a counterpart, an issue."""
    unit = records.unit()
    official = records.official(unit_id=unit)
    colleague = records.official(name="Bertil Kollega", title="regiondirektör", unit_id=unit)
    organisation = records.organisation()
    issue = records.issue()
    user = records.user(official_id=official)
    return {
        "unit": unit,
        "official": official,
        "colleague": colleague,
        "organisation": organisation,
        "issue": issue,
        "user": user,
    }
