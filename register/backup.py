"""`flask backup`: a consistent copy of a SQLite register while it runs.

SQLite's online backup API copies the database in one step, inside one read transaction:
the copy is the database as of one moment, whatever is written meanwhile (in WAL mode
writers go on unhindered). It is written beside the destination under a temporary name,
checked with `PRAGMA integrity_check`, and only then put in place, so a file at the
destination is always a complete copy. PostgreSQL has its own tool, pg_dump.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

PG_DUMP_ADVICE = (
    "flask backup copies SQLite databases only. This register runs on PostgreSQL: back it "
    "up with pg_dump, e.g. `pg_dump --format=custom --file=register.dump DBNAME`, and "
    "restore with pg_restore (docs/deploy.md, 'Backups')."
)


class BackupError(Exception):
    """No backup was made; the message says why."""


def copy_sqlite(source: Path, destination: Path, *, overwrite: bool = False) -> int:
    """Copy the SQLite database `source` to `destination`; return the copy's size in bytes."""
    source = source.resolve()
    destination = destination.resolve()
    if destination == source:
        raise BackupError("the backup cannot be the database itself")
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    if destination.exists() and not overwrite:
        raise BackupError(f"{destination} exists; add --force to overwrite it")
    if not destination.parent.is_dir():
        raise BackupError(f"there is no folder {destination.parent}")
    handle, temporary = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".partial"
    )
    os.close(handle)
    try:
        live = sqlite3.connect(source, timeout=30)
        copy = sqlite3.connect(temporary)
        try:
            live.backup(copy)  # every page in one step: one snapshot
            # One self-contained file, whatever journal the live database keeps.
            copy.execute("PRAGMA journal_mode=DELETE")
            check = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        finally:
            copy.close()
            live.close()
        if check != ["ok"]:
            raise BackupError("the copy failed its integrity check: " + "; ".join(check[:5]))
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return destination.stat().st_size
