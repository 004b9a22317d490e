"""Under pytest-xdist (`make test`), a server test runs alone: while one does, no other test
runs in another worker.

The server tests (marked `server`) start gunicorn with several workers, which with their
clients keep both cores busy, and some hold the app to what it promises under that load
within its own time limits (SQLite's busy timeout, gunicorn's worker timeout). Beside
another worker's tests on a busy machine, the thousand meetings from twenty clients ran
past SQLite's busy timeout; so these tests have the machine to themselves, as in a run in
one process. The other tests run side by side.

Two file locks, shared by the run's workers: a server test takes the gate, so no test may
begin, then the room, once the tests in it have ended; any other test passes the gate and
shares the room.
"""

import fcntl
import os
import tempfile
from pathlib import Path

import pytest

_locks: dict[str, int] = {}


def _path(name: str) -> Path:
    run = os.environ["PYTEST_XDIST_TESTRUNUID"]  # the same in every worker of a run
    return Path(tempfile.gettempdir()) / f"register-tests-{run}.{name}"


def _lock(name: str) -> int:
    if name not in _locks:
        _locks[name] = os.open(_path(name), os.O_RDWR | os.O_CREAT, 0o600)
    return _locks[name]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return (yield)
    gate, room = _lock("gate"), _lock("room")
    alone = item.get_closest_marker("server") is not None
    fcntl.flock(gate, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
    fcntl.flock(room, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
    if not alone:
        fcntl.flock(gate, fcntl.LOCK_UN)
    try:
        return (yield)
    finally:
        fcntl.flock(room, fcntl.LOCK_UN)
        if alone:
            fcntl.flock(gate, fcntl.LOCK_UN)


def pytest_sessionfinish(session):
    """The first worker done removes the lock files, which every worker has open by then
    (each opens them at its first test): the others run on without it."""
    for name, descriptor in _locks.items():
        os.close(descriptor)
        _path(name).unlink(missing_ok=True)
    _locks.clear()
