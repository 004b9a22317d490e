"""Accounts: created, changed, deactivated and reactivated by an admin or the command line.

There is no e-mail server, so a new account gets a temporary password that the admin hands
over and the holder must change at the next sign-in. Each call is one write transaction that
reads what it changes under a write lock and writes its audit entry in the same transaction;
a refused operation raises an AccountError and changes nothing.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from . import audit, passwords, signin, two_factor
from .extensions import db
from .models import Official, User
from .text import has_visible
from .transactions import write_transaction
from .vocabulary import ROLES

MIN_PASSWORD = passwords.MIN_LENGTH
MAX_PASSWORD = passwords.MAX_LENGTH
MAX_EMAIL = 254
MAX_NAME = 200
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class AccountInput:
    """What a writer says an account is: the SPEC §6 fields as plain values.

    `temporary_password`: on creation, empty means "generate one"; on a change, empty
    means "keep the password".
    """

    email: str
    name: str
    role: str = "official"
    official_id: int | None = None
    temporary_password: str = ""


class AccountError(Exception):
    """A refused operation; nothing of it was stored. `field` names the form field."""

    status = 400

    def __init__(self, field: str | None, message):
        super().__init__(field, message)  # not str(): the message is translated when shown
        self.field = field
        self.message = message


class NotAllowed(AccountError):
    """Only an admin manages accounts."""

    status = 403


class AccountNotFound(AccountError):
    status = 404


class InvalidAccount(AccountError):
    """A value no account can have."""


class EmailTaken(AccountError):
    status = 409


class OfficialTaken(AccountError):
    status = 409


class OwnAccount(AccountError):
    """An admin cannot deactivate themselves (nor reset their own password here)."""

    status = 409


class LastAdmin(AccountError):
    """The register would be left with no active admin."""

    status = 409


def is_email(email: str) -> bool:
    return len(email) <= MAX_EMAIL and EMAIL_PATTERN.match(email) is not None


def email_taken(email: str, *, except_id: int | None = None) -> bool:
    """Whether another account has this email address, case aside."""
    query = select(User.id).where(func.lower(User.email) == User.normalise_email(email))
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query.limit(1)) is not None


def snapshot(user: User) -> dict:
    """What the audit log keeps of an account: never a password or its hash."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "official_id": user.official_id,
        "active": user.active,
        "must_change_password": user.must_change_password,
    }


def generate_password() -> str:
    """A temporary password of 22 URL-safe characters (128 bits)."""
    return secrets.token_urlsafe(16)


def create_account(
    data: AccountInput, by: User | None, *, password: str | None = None
) -> tuple[User, str]:
    """A new account and its temporary password, to be changed at the first sign-in.

    `by` is the acting admin, or None for the command line. The command line passes the
    holder's own `password` instead, which need not be changed.
    """
    with write_transaction():
        _check_actor(by)
        email = _checked(data, account=None)
        user = User(
            email=email,
            name=data.name.strip(),
            role=data.role,
            official_id=data.official_id,
            active=True,
            must_change_password=False,
        )
        if password is None:
            password = _temporary_password(data.temporary_password) or generate_password()
            user.must_change_password = True
        else:
            _check_password("password", password)
        user.set_password(password)
        db.session.add(user)
        db.session.flush()  # the column defaults, as the audit entry must show them
        audit.log("account_create", user=by, target=user, after=snapshot(user))
    return user, password


def update_account(account_id: int, data: AccountInput, by: User) -> tuple[User, bool]:
    """Change an account's email, name, role or linked official; a temporary password, when
    given, replaces the password and ends the account's sessions. Returns the account and
    whether anything changed (a change of nothing records nothing)."""
    with write_transaction():
        _check_actor(by)
        user = _locked(account_id)
        email = _checked(data, account=user)
        temporary = _temporary_password(data.temporary_password)
        if temporary and user.id == by.id:
            raise OwnAccount(
                "temporary_password",
                _l("Change your own password on the page for your password instead."),
            )
        if user.role == "admin" and data.role != "admin" and user.active:
            _keep_an_admin("role", _l("You cannot demote the last active administrator."))
        before = snapshot(user)
        user.email, user.name = email, data.name.strip()
        user.role, user.official_id = data.role, data.official_id
        after = snapshot(user)
        if temporary:
            user.set_password(temporary)
            user.must_change_password = True
            user.end_sessions()
            signin.clear_account(user.email)  # the holder can sign in with it at once
            after = snapshot(user) | {"temporary_password_set": True}
        if after == before:
            db.session.rollback()
            return user, False
        audit.log("account_update", user=by, target=user, before=before, after=after)
    return user, True


def deactivate(account_id: int, by: User | None) -> bool:
    """Close an account: it can no longer sign in, and every session of it ends at once.
    Returns False when it was closed already."""
    with write_transaction():
        _check_actor(by)
        user = _locked(account_id)
        if by is not None and user.id == by.id:
            raise OwnAccount(None, _l("You cannot deactivate your own account."))
        if not user.active:
            db.session.rollback()
            return False
        if user.role == "admin":
            _keep_an_admin(None, _l("You cannot deactivate the last active administrator."))
        before = snapshot(user)
        user.active = False
        user.end_sessions()
        audit.log("account_deactivate", user=by, target=user, before=before, after=snapshot(user))
    return True


def reactivate(account_id: int, by: User | None) -> bool:
    """Open a closed account again, with the password it had. Returns False when it was
    open already."""
    with write_transaction():
        _check_actor(by)
        user = _locked(account_id)
        if user.active:
            db.session.rollback()
            return False
        if user.official_id is not None:
            _lock_official(user.official_id)
            _check_official_free(user.official_id, user.id, field=None)
        before = snapshot(user)
        user.active = True
        audit.log("account_reactivate", user=by, target=user, before=before, after=snapshot(user))
    return True


def reset_two_factor(account_id: int, by: User | None) -> bool:
    """Take away an account's two-step sign-in, e.g. when its phone is lost: its sessions
    end, and a role that requires it must set it up again at the next sign-in. Returns
    False when it had none."""
    with write_transaction():
        _check_actor(by)
        user = _locked(account_id)
        if by is not None and user.id == by.id:
            raise OwnAccount(None, _l("Switch off your own two-step sign-in on your account page."))
        before = {"two_factor": user.two_factor_enabled}
        if not two_factor.forget(user):
            db.session.rollback()
            return False
        user.end_sessions()
        signin.clear_account(user.email, signin.SECOND_FACTOR)
        audit.log(
            "two_factor_reset", user=by, target=user, before=before, after={"two_factor": False}
        )
    return True


def _check_actor(by: User | None) -> None:
    if by is not None and not (by.active and by.role == "admin"):
        raise NotAllowed(None, _l("Only an administrator can manage accounts."))


def holding_token(session_token: str) -> User | None:
    """The active account whose sessions carry this token: a deactivated account, or one
    whose sessions were ended (a new token), has none."""
    return db.session.scalar(select(User).filter_by(session_token=session_token, active=True))


def _locked(account_id: int) -> User:
    user = db.session.scalar(select(User).where(User.id == account_id).with_for_update())
    if user is None:
        raise AccountNotFound(None, _l("There is no such account."))
    return user


def _checked(data: AccountInput, account: User | None) -> str:
    """The normalised email, once every field of `data` has been found acceptable."""
    email = User.normalise_email(data.email)
    if not is_email(email):
        raise InvalidAccount("email", _l("Enter an email address such as name@example.org."))
    if email_taken(email, except_id=account.id if account else None):
        raise EmailTaken("email", _l("Another account already has this email address."))
    name = data.name.strip()
    if not has_visible(name) or len(name) > MAX_NAME:
        raise InvalidAccount("name", _l("Enter the person's name, at most 200 characters."))
    if data.role not in ROLES:
        raise InvalidAccount("role", _l("Choose one of the options in the list."))
    if data.official_id is not None:
        official = _lock_official(data.official_id)
        if account is None or account.official_id != official.id:  # a new link
            if not official.active:
                raise InvalidAccount("official_id", _l("Choose an active official from the list."))
            _check_official_free(official.id, account.id if account else None, field="official_id")
    return email


def _lock_official(official_id: int) -> Official:
    """The official, locked: two accounts cannot be linked to it at the same moment."""
    official = db.session.scalar(
        select(Official).where(Official.id == official_id).with_for_update()
    )
    if official is None:
        raise InvalidAccount("official_id", _l("Choose an active official from the list."))
    return official


def _check_official_free(official_id: int, account_id: int | None, *, field: str | None):
    query = select(User.email).where(User.official_id == official_id, User.active.is_(True))
    if account_id is not None:
        query = query.where(User.id != account_id)
    holder = db.session.scalar(query.limit(1))
    if holder is not None:
        raise OfficialTaken(
            field,
            _l("This official is already linked to the active account %(email)s.", email=holder),
        )


def _temporary_password(password: str) -> str:
    if password:
        _check_password("temporary_password", password)
    return password


def _check_password(field: str, password: str) -> None:
    message = passwords.problem(password)
    if message is not None:
        raise InvalidAccount(field, message)


def _keep_an_admin(field: str | None, message) -> None:
    """Refuse when the account being changed is the only active admin.

    Every active admin's row is locked first, so that two admins demoting each other at
    the same moment cannot both succeed.
    """
    admins = db.session.scalars(
        select(User.id).where(User.role == "admin", User.active.is_(True)).with_for_update()
    ).all()
    if len(admins) <= 1:
        raise LastAdmin(field, message)
