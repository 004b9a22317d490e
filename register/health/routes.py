import json
import tempfile
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Response, current_app
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .. import keptfiles
from ..extensions import REPLICA, db, redis_client
from . import PATHS, bp


@bp.route("/healthz")
def healthz():
    """The process answers and the database is reachable."""
    problem = database_problem()
    return answer({"database": problem or "ok"})


@bp.route("/readyz")
def readyz():
    """Ready for traffic: the database answers, its schema is the code's, files can be kept;
    and the read replica and Redis answer, when they are configured."""
    checks = {"database": database_problem() or "ok"}
    if checks["database"] == "ok":
        checks["migrations"] = migrations_problem() or "ok"
    if REPLICA in db.engines:
        checks["replica"] = database_problem(REPLICA) or "ok"
    if redis_client() is not None:
        checks["redis"] = redis_problem() or "ok"
    checks["instance"] = instance_problem() or "ok"
    return answer(checks)


def answer(checks: dict[str, str]) -> Response:
    """200 `{"status": "ok", …}` when every check passed, else 503 naming what failed."""
    failed = {name: result for name, result in checks.items() if result != "ok"}
    body = {"status": "ok" if not failed else "unavailable", "checks": checks}
    if failed:
        body["reason"] = "; ".join(f"{name}: {result}" for name, result in failed.items())
    response = Response(
        json.dumps(body) + "\n", status=503 if failed else 200, mimetype="application/json"
    )
    # A cached "ok" would hide an outage from the next probe.
    response.headers["Cache-Control"] = "no-store"
    return response


def database_problem(bind_key: str | None = None) -> str | None:
    """None when a trivial query answers on the database (or the replica); else a short
    reason (details go to the log, not to whoever asks: they may name hosts)."""
    try:
        with db.engines[bind_key].connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        name = "the database" if bind_key is None else f"the {bind_key}"
        current_app.logger.warning("Health check: %s did not answer: %s", name, error)
        return "unreachable"
    return None


def redis_problem() -> str | None:
    """None when Redis, where the sign-in failures are counted, answers a PING."""
    try:
        redis_client().ping()
    except RedisError as error:
        current_app.logger.warning("Health check: Redis did not answer: %s", error)
        return "unreachable"
    return None


def migrations_problem() -> str | None:
    """None when the database's Alembic revision is the code's head."""
    expected = code_heads(current_app.extensions["migrate"].directory)
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        current_app.logger.warning("Health check: no migration version read: %s", error)
        return "version unreadable"
    if current == expected:
        return None
    if not current:
        return "not migrated (run flask db upgrade)"
    return "not at head (run flask db upgrade)"


@cache
def code_heads(directory: str) -> set[str]:
    """The head revisions of the migrations shipped with the code (read once)."""
    return set(ScriptDirectory(directory).get_heads())


def instance_problem() -> str | None:
    """None when a file can be written where the downloads are kept."""
    try:
        with tempfile.TemporaryFile(dir=keptfiles.folder()):
            pass
    except OSError as error:
        current_app.logger.warning("Health check: the instance folder is not writable: %s", error)
        return "not writable"
    return None


def any_host(wsgi_app, host: str):
    """`wsgi_app`, answering the health checks whatever `Host` they name.

    Load balancers probe a server by its own address (an AWS target group sends
    `Host: 10.0.3.7:8000` and cannot be told otherwise), which TRUSTED_HOSTS refuses. The
    checks' answers hold no URL, so they are served as if sent to the register's `host`.
    """

    def middleware(environ, start_response):
        if environ.get("PATH_INFO") in PATHS and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            environ["HTTP_HOST"] = host
        return wsgi_app(environ, start_response)

    return middleware
