"""Sign-in throttling: per account typed and per client address, kept in the database so
that it holds across every worker and host.

An attempt is counted as a failure before its password is checked, in one short
transaction that first looks whether the account or the address must wait. Parallel
guesses therefore cannot all slip through between a check and a count, and a refused
attempt costs no password hashing, so guessing cannot slow the public site. A successful
sign-in takes its attempt back and clears the account's failures.

The limits (config.py): an account may fail SIGN_IN_ACCOUNT_FAILURES times; after that
each try waits SIGN_IN_LOCKOUT_SECONDS after the last failure, doubling with each further
failure up to SIGN_IN_LOCKOUT_MAX_SECONDS. An address may fail SIGN_IN_ADDRESS_FAILURES
times in any SIGN_IN_ADDRESS_WINDOW_SECONDS. Failures older than
SIGN_IN_FAILURES_KEPT_SECONDS no longer count and are pruned.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, text

from .extensions import db
from .models import SignInFailure, utcnow
from .transactions import write_transaction

# At most this many expired rows are pruned by one attempt: enough to keep up with the
# two rows each attempt adds.
PRUNE_BATCH = 500


class Throttled(Exception):
    """The attempt must wait; nothing was counted and no password was checked."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Attempt:
    """An attempt counted as failed until `succeeded()` takes it back."""

    account_key: str
    address_row_id: int


# What is counted per account: passwords, and separately the codes of two-step sign-in,
# so that a correct password, which clears the account's password failures, does not
# clear its failed codes too.
PASSWORD = "account"
SECOND_FACTOR = "second-factor"


def account_key(email: str, counter: str = PASSWORD) -> str:
    return _digest(f"{counter}:{email}")


def address_key(address: str) -> str:
    return _digest("address:" + address)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def begin(email: str, address: str, counter: str = PASSWORD) -> Attempt:
    """Count an attempt to sign in as `email` (normalised) from `address`, or raise
    Throttled with the seconds to wait when the account or the address must wait.
    `counter` is PASSWORD or SECOND_FACTOR: what the account's limit counts."""
    keys = (account_key(email, counter), address_key(address))
    # A first look without any lock: while guessing is throttled, the guesses are refused
    # without queueing for the write lock that the counting below takes.
    _refuse_if_waiting(keys, utcnow())
    with write_transaction():
        _lock(keys)
        now = utcnow()
        _refuse_if_waiting(keys, now)  # again, now that no other attempt can count
        rows = [SignInFailure(key=key, at=now) for key in keys]
        db.session.add_all(rows)
        db.session.flush()
        _prune(now)
        attempt = Attempt(account_key=keys[0], address_row_id=rows[1].id)
    return attempt


def _refuse_if_waiting(keys: tuple[str, str], now: datetime) -> None:
    wait = max(_account_wait(keys[0], now), _address_wait(keys[1], now))
    if wait > 0:
        raise Throttled(max(1, math.ceil(wait)))


def succeeded(attempt: Attempt) -> None:
    """Clear the account's failures and take the attempt back from the address; added to
    the caller's transaction (the sign-in's), which commits."""
    db.session.execute(delete(SignInFailure).where(SignInFailure.key == attempt.account_key))
    db.session.execute(delete(SignInFailure).where(SignInFailure.id == attempt.address_row_id))


def clear_account(email: str, counter: str = PASSWORD) -> None:
    """Forget an account's failures, e.g. when an admin gives it a new password; added to
    the caller's transaction."""
    db.session.execute(
        delete(SignInFailure).where(SignInFailure.key == account_key(email, counter))
    )


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=current_app.config[name])


def _account_wait(key: str, now: datetime) -> float:
    """Seconds the account must still wait: none for its first failures, then a lock-out
    after the last failure that doubles with every further one."""
    config = current_app.config
    kept = now - _seconds("SIGN_IN_FAILURES_KEPT_SECONDS")
    count, last = db.session.execute(
        select(func.count(), func.max(SignInFailure.at)).where(
            SignInFailure.key == key, SignInFailure.at >= kept
        )
    ).one()
    allowed = config["SIGN_IN_ACCOUNT_FAILURES"]
    if count < allowed:
        return 0
    lockout = min(
        config["SIGN_IN_LOCKOUT_SECONDS"] * 2 ** min(count - allowed, 30),
        config["SIGN_IN_LOCKOUT_MAX_SECONDS"],
    )
    return (last + timedelta(seconds=lockout) - now).total_seconds()


def _address_wait(key: str, now: datetime) -> float:
    """Seconds until the address has fewer failures than its limit within the window."""
    allowed = current_app.config["SIGN_IN_ADDRESS_FAILURES"]
    window = _seconds("SIGN_IN_ADDRESS_WINDOW_SECONDS")
    # The allowed-th newest failure in the window: once it leaves, one more may be tried.
    oldest_counted = db.session.scalar(
        select(SignInFailure.at)
        .where(SignInFailure.key == key, SignInFailure.at >= now - window)
        .order_by(SignInFailure.at.desc())
        .offset(allowed - 1)
        .limit(1)
    )
    if oldest_counted is None:
        return 0
    return (oldest_counted + window - now).total_seconds()


def _lock(keys) -> None:
    """Serialise the attempts on the same account or address. SQLite's BEGIN IMMEDIATE
    has done so already; on PostgreSQL a transaction-scoped advisory lock per key, taken
    in one order so that two attempts cannot wait for each other."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    numbers = sorted(int.from_bytes(bytes.fromhex(key[:16]), "big", signed=True) for key in keys)
    for number in numbers:
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": number})


def _prune(now: datetime) -> None:
    """Delete failures that no longer count. Rows another transaction holds are skipped,
    not waited for, so pruning never blocks a sign-in."""
    kept = now - _seconds("SIGN_IN_FAILURES_KEPT_SECONDS")
    expired = (
        select(SignInFailure.id)
        .where(SignInFailure.at < kept)
        .limit(PRUNE_BATCH)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(delete(SignInFailure).where(SignInFailure.id.in_(expired)))
