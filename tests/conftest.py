"""Fixtures after the flaskr pattern: app, client, runner, auth; a fresh database per test.

The schema comes from the Alembic migrations, built once per run. SQLite tests copy that
database file; with TEST_DATABASE_URL set (PostgreSQL), every table is emptied instead.
"""

import atexit
import os
import re
import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta
from functools import cache

import pytest
from flask_migrate import upgrade
from jinja2 import BytecodeCache
from psycopg import connect, errors, sql
from sqlalchemy import make_url, select, text

from register import create_app, history
from register.extensions import db
from register.models import Issue, Meeting, Official, Organisation, Revision, Unit, User
from register.records import take_number

pytest_plugins = ["tests.turns"]  # under pytest-xdist, a server test runs alone


def database_of_this_worker(url: str | None) -> str | None:
    """The PostgreSQL database of this pytest-xdist worker (`make test` runs the suite in two
    processes): named after TEST_DATABASE_URL's and the worker, `register_test_gw0`, and
    created with the unaccent extension if missing, for which the role needs CREATEDB
    (.ci/postgres.sh grants it). Without xdist, TEST_DATABASE_URL's own database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = make_url(url)
    own = base.set(database=f"{base.database}_{worker}")

    def libpq(url):
        return url.set(drivername="postgresql").render_as_string(hide_password=False)

    with connect(libpq(base), autocommit=True) as connection:
        found = "SELECT 1 FROM pg_database WHERE datname = %s"
        if not connection.execute(found, (own.database,)).fetchone():
            name = sql.Identifier(own.database)
            create = "CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0"
            try:
                connection.execute(sql.SQL(create).format(name))
            except errors.DuplicateDatabase:
                pass  # another run made it a moment ago
    with connect(libpq(own), autocommit=True) as connection:
        connection.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    return own.render_as_string(hide_password=False)


TEST_DATABASE_URL = database_of_this_worker(os.environ.get("TEST_DATABASE_URL"))
PASSWORD = "correct horse battery"
CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def utc_today() -> date:
    return datetime.now(UTC).date()


class CompiledTemplates(BytecodeCache):
    """The templates as compiled once, for every test's app: each test makes an app of its
    own, and compiling every template anew for each took a fifth of the suite's time. Jinja
    keeps a template's source checksum with its code, so an edited template is compiled
    again."""

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        checksum, code = self.code.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = (bucket.checksum, bucket.code)


COMPILED_TEMPLATES = CompiledTemplates()


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
    app = create_app(settings)
    app.instance_path = instance_folder()
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


@cache
def instance_folder() -> str:
    """The test apps' instance folder, where the whole-register downloads are kept: one a
    process, so that the processes of `make test` do not remove each other's files, and
    not the repository's `instance/`, which `make run` uses."""
    path = tempfile.mkdtemp(prefix="register-tests-instance-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


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
        token = csrf_token(self._client.get("/login"))
        return self._client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def logout(self):
        token = csrf_token(self._client.get("/desk/"))
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@cache
def password_hash(password: str) -> str:
    """User.set_password's argon2id hash of a password, made once a run: a hash takes a
    fifth of a second, and the tests make well over a thousand accounts."""
    user = User()
    user.set_password(password)
    return user.password_hash


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
        self, email="official@example.org", role="official", official_id=None, name="Test User"
    ):
        user = User(email=email, name=name, role=role, official_id=official_id)
        user.password_hash = password_hash(PASSWORD)
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
