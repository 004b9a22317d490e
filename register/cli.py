"""Command-line tools: `flask --app wsgi users create`, `flask --app wsgi demo`."""

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import func, select

from . import accounts, vocabulary
from .extensions import db
from .models import Meeting, Official, User
from .transactions import ConcurrentChange

users = AppGroup("users", help="Manage accounts.")
MIN_PASSWORD_LENGTH = accounts.MIN_PASSWORD  # as for passwords chosen in the app


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
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"the password must be at least {MIN_PASSWORD_LENGTH} characters"
        )
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


def register(app: Flask) -> None:
    """Add the register's commands to `flask`."""
    app.cli.add_command(users)
    app.cli.add_command(demo)
