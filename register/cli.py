"""Command-line tools: `flask --app wsgi users create`, `demo`, `import-meetings`, `backup`,
`verify-history` …"""

import os
import sqlite3
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale
from sqlalchemy import func, select

from . import accounts, audit, backup, fulltext, history, importer, passwords, vocabulary
from .extensions import db
from .models import Meeting, Official, User
from .transactions import ConcurrentChange, write_transaction

users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name.")
@click.option(
    "--role", type=click.Choice(list(vocabulary.ROLES)), default="official", show_default=True
)
@click.option("--official-id", type=int, help="Link the account to this official.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, name, role, official_id, password_stdin):
    """Create an account; the password comes from standard input or a prompt."""
    # The plain mistakes are caught before the password is asked for.
    email = User.normalise_email(email)
    if not accounts.is_email(email):
        raise click.BadParameter(f"{email!r} is not an email address", param_hint="EMAIL")
    if accounts.email_taken(email):
        raise click.ClickException(f"an account for {email} already exists")
    if official_id is not None and db.session.get(Official, official_id) is None:
        raise click.BadParameter(f"there is no official {official_id}", param_hint="--official-id")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = passwords.problem(password)  # the rule of passwords chosen in the app
    if problem is not None:
        with force_locale("en"):
            raise click.ClickException(str(problem))
    data = accounts.AccountInput(email=email, name=name, role=role, official_id=official_id)
    try:
        accounts.create_account(data, None, password=password)
    except accounts.AccountError as error:
        with force_locale("en"):
            raise click.ClickException(str(error.message)) from None
    except ConcurrentChange:
        raise click.ClickException(f"an account for {email} already exists") from None
    click.echo(f"Created {role} account {email}.")


@click.command("demo")
@click.option(
    "--meetings", type=click.IntRange(min=1), help="A large synthetic register of N meetings."
)
@click.option("--if-empty", is_flag=True, help="Do nothing when the register already has meetings.")
def demo(meetings, if_empty):
    """Load realistic demo data into an empty register.

    Outside development the demo accounts get random passwords, printed once here: an
    account with a password anyone could look up must never exist on a real server.
    """
    from .demo import DEMO_PASSWORD, DemoDataError, load_demo

    if db.session.scalar(select(func.count()).select_from(Meeting)):
        if if_empty:
            click.echo("The register already has meetings; no demo data loaded.")
            return
        raise click.ClickException(
            "the register already has meetings; demo data needs an empty one"
        )
    try:
        known = current_app.config["DEVELOPMENT"]
        result = load_demo(meetings=meetings, password=DEMO_PASSWORD if known else None)
    except DemoDataError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Loaded demo data: {result['meetings']} meetings.")
    for email, role, password in result.get("accounts", []):
        click.echo(f"  {role:10} {email}  password: {password}")


@click.command("reindex-search")
@with_appcontext
def reindex_search():
    """Rebuild the full-text search index from the published records, in one transaction
    (searches go on using the old index until it is done)."""
    with write_transaction():
        count = fulltext.rebuild(db.session.connection())
        # Searches may find other records now: a public change, so that pages and
        # figures kept since the last one are made again.
        audit.log("search_reindex", after={"meetings": count})
    click.echo(f"Indexed {count} published meetings.")


@click.command("import-meetings")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--map",
    "mapping_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A mapping file (TOML, SPEC §5) for a layout other than the register's own CSV.",
)
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows, report the others.")
@click.option(
    "--report", type=click.Path(dir_okay=False), help="Write the invalid rows to this CSV file."
)
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
def import_meetings(file, mapping_file, skip_invalid, report, dry_run):
    """Import meetings from a CSV file: every row is checked first, then all are written
    in one transaction (see register/importer.py)."""
    if skip_invalid and not report:
        raise click.UsageError("--skip-invalid needs --report FILE for the rows it skips")
    started = time.perf_counter()
    try:
        mapping = None
        if mapping_file:
            with open(mapping_file, encoding="utf-8") as handle:
                mapping = importer.load_mapping(handle.read())
        with open(file, "rb") as handle:
            data = handle.read()
        with force_locale("en"):
            result = importer.import_meetings(
                data,
                mapping,
                skip_invalid=skip_invalid,
                dry_run=dry_run,
                source=os.path.basename(file),
                progress=_progress_bar if sys.stderr.isatty() else importer.no_progress,
            )
    except UnicodeDecodeError:
        raise click.ClickException("the mapping file is not UTF-8 text") from None
    except importer.CannotImport as error:
        raise click.ClickException(str(error)) from None
    except ConcurrentChange:
        raise click.ClickException(
            "the register changed during the import, so nothing was imported; run it again"
        ) from None
    if report:
        with open(report, "w", encoding="utf-8-sig", newline="") as stream:
            importer.write_report(stream, result)
    problems = list(importer.problem_lines(result))
    shown = problems[:20] if report else problems
    for line in shown:
        click.echo(line, err=True)
    if len(shown) < len(problems):
        click.echo(f"… {len(problems) - len(shown)} more in {report}", err=True)
    for line in importer.summary(result, dry_run=dry_run):
        click.echo(line)
    click.echo(f"Took {time.perf_counter() - started:.1f} s.")
    if result.invalid and not skip_invalid:
        raise SystemExit(1)


@click.command("backup")
@with_appcontext
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite DESTINATION if it exists.")
def backup_database(destination, force):
    """Copy the SQLite database to DESTINATION while the register runs: a consistent
    snapshot, checked before it is put in place. PostgreSQL: use pg_dump."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(backup.PG_DUMP_ADVICE)
    if not url.database or url.database == ":memory:":
        raise click.ClickException("the database is in memory: there is no file to back up")
    try:
        size = backup.copy_sqlite(Path(url.database), destination, overwrite=force)
    except (backup.BackupError, sqlite3.Error, OSError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up the register to {destination} ({size / 2**20:.1f} MiB, integrity ok).")


@click.command("verify-history")
@with_appcontext
@click.option(
    "--head",
    "noted_head",
    help="A chain head noted earlier (e.g. from the data page): it must still be in the chain.",
)
def verify_history(noted_head):
    """Check the hash chain over every revision: each content hash recomputed from the
    stored revision, each link from the one before; exits 1 at the first broken link."""
    if noted_head is not None:
        noted_head = noted_head.strip().lower()
    with db.engine.connect() as connection:
        result = history.verify(connection, noted_head)
    if isinstance(result, history.Break):
        click.echo(f"The history is broken: {result}", err=True)
        raise SystemExit(1)
    click.echo(f"{result.count} revisions, chain head {result.head}")


def _progress_bar(items, length: int, label: str):
    with click.progressbar(items, length=length, label=label, file=sys.stderr) as bar:
        yield from bar


def register(app: Flask) -> None:
    """Add the register's commands to `flask`."""
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(reindex_search)
    app.cli.add_command(import_meetings)
    app.cli.add_command(backup_database)
    app.cli.add_command(verify_history)
