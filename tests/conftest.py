"""Fixtures after the flaskr pattern: app, client, runner, auth; a fresh database per test.

The schema comes from the Alembic migrations, built once per run. SQLite tests copy that
database file; with TEST_DATABASE_URL set (PostgreSQL), every table is emptied instead.

The sign-in throttle's tests run on each of its stores (`throttle`): the database, and
Redis when TEST_REDIS_URL is set (each test under a key prefix of its own). Without it the
Redis variants are skipped and say why, except in CI (the CI variable set), where they
fail: there a missing Redis is a broken set-up, not a reason to test less.
"""

import atexit
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from functools import cache

import pyotp
import pytest
import redis
from flask_migrate import upgrade
from jinja2 import BytecodeCache
from psycopg import connect, errors, sql
from sqlalchemy import create_engine, delete, make_url, select, text

from register import create_app, history, two_factor
from register.extensions import db
from register.models import (
    Issue,
    Meeting,
    Official,
    Organisation,
    Revision,
    SignInFailure,
    Unit,
    User,
    utcnow,
)
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
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
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


class CompiledTemplates(BytecodeCache):
    """The templates as compiled once, for every test's app: each test makes an app of its
    own, and compiling every template anew for each took a fifth of the time of the desk's
    tests. Jinja keeps a template's source checksum with its code, so an edited template is
    compiled again."""

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
        # Hashing as deployed takes a seventh of a second a sign-in, a minute of every run;
        # test_sign_in_security checks the stated parameters with the deployed settings.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
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


@pytest.fixture
def redis_url():
    """The Redis to test against (TEST_REDIS_URL); skipped without one, failed in CI."""
    if not TEST_REDIS_URL:
        reason = "TEST_REDIS_URL is not set: no Redis to test the sign-in limits in"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {reason}; .ci/run starts one")
        pytest.skip(reason)
    return TEST_REDIS_URL


class DatabaseFailures:
    """The sign-in failures as the database keeps them (the default store)."""

    name = "database"
    config: dict[str, str] = {}

    def __init__(self, app):
        self.app = app

    def keys(self) -> list[str]:
        """The keys (digests) under which failures are counted now."""
        with self.app.app_context():
            return sorted(db.session.scalars(select(SignInFailure.key)))

    def age(self, seconds: int) -> None:
        """As if every failure so far had happened `seconds` earlier."""
        with self.app.app_context():
            for failure in db.session.scalars(select(SignInFailure)):
                failure.at -= timedelta(seconds=seconds)
            db.session.commit()

    def close(self) -> None:
        with self.app.app_context():
            db.session.execute(delete(SignInFailure))
            db.session.commit()


class RedisFailures:
    """The sign-in failures as Redis keeps them, under a key prefix of this test's own."""

    name = "redis"

    def __init__(self, url: str):
        self.connection = redis.Redis.from_url(url)
        self.prefix = f"test-{uuid.uuid4().hex}:"
        self.config = {"REDIS_URL": url, "REDIS_KEY_PREFIX": self.prefix}

    def _stored(self) -> list[bytes]:
        return list(self.connection.scan_iter(match=self.prefix + "*"))

    def keys(self) -> list[str]:
        start = len(self.prefix + "signin:")
        return sorted(key.decode()[start:] for key in self._stored())

    def age(self, seconds: int) -> None:
        """As if `seconds` had passed: every failure happened that much earlier, and a
        key whose time to live runs out is gone, as Redis would have let it expire."""
        for key in self._stored():
            left = self.connection.ttl(key)
            if left <= seconds:
                self.connection.delete(key)
                continue
            aged = {
                m: score - seconds
                for m, score in self.connection.zrange(key, 0, -1, withscores=True)
            }
            self.connection.zadd(key, aged)
            self.connection.expire(key, left - seconds)

    def close(self) -> None:
        for key in self._stored():
            self.connection.delete(key)
        self.connection.close()


@pytest.fixture(params=["database", "redis"])
def throttle(request, app):
    """Each store of the sign-in failures in turn, configured on the test's app; with
    `keys()` and `age()` to look into it. Pass `throttle.config` to any other app (or, as
    environment, to a served one) that must count in the same place."""
    if request.param == "redis":
        store = RedisFailures(request.getfixturevalue("redis_url"))
    else:
        store = DatabaseFailures(app)
    app.config.update(store.config)
    yield store
    store.close()


# -- a read replica: a second database, a copy of the primary as it was ----------------

COPIED = "Möte som replikan har"
NOT_YET_COPIED = "Möte som bara primären har ännu"


class Replica:
    """A second database of the test's own, made a copy of the primary by `copy()`; `app`
    is the register reading from it (and from the primary for the rest)."""

    def __init__(self, primary_app, tmp_path):
        self.primary_url = primary_app.config["SQLALCHEMY_DATABASE_URI"]
        self.apps = [primary_app]
        if TEST_DATABASE_URL:
            primary = make_url(self.primary_url)
            # Named after the primary, so that parallel runs, each on a database of its
            # own, each have their own replica too.
            self.name = f"{primary.database}_replica"
            self.url = primary.set(database=self.name).render_as_string(hide_password=False)
            self._server = create_engine(
                primary.set(database="postgres"), isolation_level="AUTOCOMMIT"
            )
        else:
            self.url = f"sqlite:///{tmp_path / 'replica.db'}"
        self.app = self.make_app()

    def make_app(self, **config):
        app = make_app(self.primary_url, DATABASE_REPLICA_URL=self.url, **config)
        self.apps.append(app)
        return app

    def copy(self) -> None:
        """Make the replica what the primary is now, as replication would catch up."""
        self._close_connections()
        if TEST_DATABASE_URL:
            primary = make_url(self.primary_url).database
            with self._server.connect() as server:
                self._drop(server)
                # Leftovers of apps that are gone hold the primary open; a template cannot be.
                self._end_sessions(server, primary)
                server.execute(text(f'CREATE DATABASE "{self.name}" TEMPLATE "{primary}"'))
        else:
            source = sqlite3.connect(self.primary_url.removeprefix("sqlite:///"))
            target = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            with source, target:
                source.backup(target)
            source.close()
            target.close()

    def _close_connections(self) -> None:
        for app in self.apps:
            with app.app_context():
                db.session.remove()
                for engine in db.engines.values():
                    engine.dispose()

    def _drop(self, server) -> None:
        self._end_sessions(server, self.name)
        server.execute(text(f'DROP DATABASE IF EXISTS "{self.name}"'))

    @staticmethod
    def _end_sessions(server, database: str) -> None:
        """End the test role's own sessions on a database (PostgreSQL ends autovacuum's
        itself when the database is dropped or copied)."""
        server.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"
                " AND usename = current_user AND pid <> pg_backend_pid()"
            ),
            {"name": database},
        )

    def drop(self) -> None:
        self._close_connections()
        if TEST_DATABASE_URL:
            with self._server.connect() as server:
                self._drop(server)
            self._server.dispose()


@pytest.fixture
def replica(app, tmp_path):
    replica = Replica(app, tmp_path)
    yield replica
    replica.drop()


@pytest.fixture
def lagging(replica, records, world):
    """The replica has one published record; the primary has a second, not yet copied.
    Both are the official's. Gives the second's internal id."""
    mine = {"official_ids": [world["official"]], "organisation_ids": [world["organisation"]]}
    records.meeting(subject=COPIED, created_by_id=world["user"], **mine)
    replica.copy()
    return records.meeting(subject=NOT_YET_COPIED, created_by_id=world["user"], **mine)


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


@cache
def password_hash(password: str) -> str:
    """User.set_password's argon2id hash of a password, with the test apps' parameters, made
    once a process: most tests make an account or several."""
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
        self,
        name="Trafikverket",
        kind="public_authority",
        org_number=None,
        public=True,
        vouched=False,
    ):
        """Public, by default as a published record makes it: with `vouched`, as a
        registrar entered it (public then whether records name it or not)."""
        organisation = Organisation(name=name, kind=kind, org_number=org_number, public=public)
        organisation.vouched_at = utcnow() if vouched else None
        return self._save(organisation)

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
        user.password_hash = password_hash(PASSWORD)
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
