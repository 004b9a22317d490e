"""Extensions, created unbound and attached to the app in create_app()."""

import redis
from flask import current_app, g, has_app_context
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Delete, Insert, MetaData, Update
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The bind key of the read replica (DATABASE_REPLICA_URL), when one is configured.
REPLICA = "replica"


class RoutingSession(Session):
    """A session that reads from the replica once `read_from_replica()` was called in its
    app context (for an anonymous visitor's GET of a public page), and otherwise, and for
    every write, uses the primary."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if (
            bind is None
            and has_app_context()
            and g.get("read_from_replica")
            and not self._flushing
            and not isinstance(clause, Insert | Update | Delete)
        ):
            return self._db.engines[REPLICA]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def read_from_replica() -> None:
    """Read from the replica, when one is configured, for the rest of this app context:
    the request's, and a streamed response's after the view's session is closed."""
    if REPLICA in db.engines:
        g.read_from_replica = True


def read_from_primary() -> None:
    """Read from the primary from now on in this app context (e.g. before a write)."""
    g.pop("read_from_replica", None)


def reading_engine():
    """The engine this app context's reads go to: the replica or the primary."""
    return db.session.get_bind()


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def redis_client():
    """This process's client of the Redis at REDIS_URL (made at first use), or None when
    none is configured. Short time-outs: a Redis that does not answer must not hold a
    worker for long."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    kept = current_app.extensions.get("redis")
    if kept is None or kept[0] != url:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        kept = current_app.extensions["redis"] = (url, client)
    return kept[1]
