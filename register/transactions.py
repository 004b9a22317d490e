"""Write transactions: every change to the register is one of these."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .extensions import db, read_from_primary


class ConcurrentChange(Exception):
    """Another save won a race the database itself caught; nothing was stored."""


@contextmanager
def write_transaction() -> Iterator[None]:
    """One transaction whose reads are the ones its writes are based on.

    It ends whatever the request has read so far, then takes the write lock at once:
    `BEGIN IMMEDIATE` on SQLite (a deferred BEGIN would read first and fail or act on
    stale data when it comes to write), and row locks (`FOR UPDATE`) on PostgreSQL,
    taken by the callers as they read.
    """
    session = db.session
    session.rollback()
    read_from_primary()  # what a write reads must be the primary's, as what it writes
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        yield
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ConcurrentChange from None
    except StaleDataError:
        session.rollback()
        raise ConcurrentChange from None
    except BaseException:
        session.rollback()
        raise
