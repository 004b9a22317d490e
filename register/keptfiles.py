"""Whole-register downloads written once per change of the register and kept on disk.

A file is named for what it holds: its kind, the moment of the register's last public
change and the public address its links start with. A download of the same kind after no
further change is then the file, sent at the speed of the disk; after a change the name is
new and the file is written again. Files are written under a temporary name and renamed
when complete, so no request ever sends a half-written one, and files of earlier changes
are removed (a request still sending one keeps its open copy).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from . import export
from .extensions import reading_engine

# Part of every name: change it when the files' layout changes, so that none written by
# an earlier version is sent.
FILE_FORMAT = "1"
# A temporary file older than this was left by a worker that was stopped mid-write.
ABANDONED_AFTER_SECONDS = 6 * 3600


def folder() -> Path:
    """Where the app keeps its files: the instance folder's `opendata`."""
    path = Path(current_app.instance_path) / "opendata"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(stem: str, suffix: str, changed: datetime | None) -> Path:
    """The file of this kind as of the register's last change `changed`, of the database
    it is read from (an instance folder may serve several: the primary and a replica, or
    the tests' databases)."""
    parts = (
        FILE_FORMAT,
        stem,
        changed.isoformat() if changed else "never",
        export.meeting_url(1),
        reading_engine().url.render_as_string(hide_password=True),
    )
    key = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]
    return folder() / f"{stem}-{key}{suffix}"


def open_kept(target: Path) -> BinaryIO | None:
    """The file, opened for reading (the response closes it); None when not written yet."""
    try:
        return open(target, "rb")
    except FileNotFoundError:
        return None


def write(target: Path, writer: Callable[[str], None]) -> None:
    """Have `writer` write the file at a temporary path, then put it in place."""
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=".writing-", suffix=target.suffix
    )
    os.close(handle)
    try:
        writer(temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _remove_older(target)


def written_while_sent(target: Path, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The chunks, passed on as they come and written to the file on the way; the file is
    kept only when every chunk was written (a client that leaves early leaves none)."""
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=".writing-", suffix=target.suffix
    )
    complete = False
    try:
        with os.fdopen(handle, "wb") as file:
            for chunk in chunks:
                file.write(chunk)
                yield chunk
        os.replace(temporary, target)
        complete = True
    finally:
        if not complete:
            Path(temporary).unlink(missing_ok=True)
    _remove_older(target)


def _temporary(target: Path) -> tuple[int, str]:
    return tempfile.mkstemp(dir=target.parent, prefix=".writing-", suffix=target.suffix)


def _remove_older(target: Path) -> None:
    """Remove the files of the same kind written for earlier changes, and temporary
    files abandoned by stopped workers."""
    stem = target.name[: -len(target.suffix) - 25]  # less "-<key>" and the suffix
    for old in target.parent.glob(f"{stem}-*{target.suffix}"):
        if old != target:
            old.unlink(missing_ok=True)
    abandoned = time.time() - ABANDONED_AFTER_SECONDS
    for temporary in target.parent.glob(".writing-*"):
        try:
            if temporary.stat().st_mtime < abandoned:
                temporary.unlink(missing_ok=True)
        except FileNotFoundError:
            pass
