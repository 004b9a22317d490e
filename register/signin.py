"""Sign-in throttling: per account typed and per client address, counted where every
worker and host sees the same count: in the database, or in Redis when REDIS_URL is set.

An attempt is counted as a failure before its password is checked, in one atomic step
that first looks whether the account or the address must wait. Parallel guesses therefore
cannot all slip through between a check and a count, and a refused attempt costs no
password hashing, so guessing cannot slow the public site. A successful sign-in takes its
attempt back and clears the account's failures.

The limits (config.py): an account may fail SIGN_IN_ACCOUNT_FAILURES times; after that
each try waits SIGN_IN_LOCKOUT_SECONDS after the last failure, doubling with each further
failure up to SIGN_IN_LOCKOUT_MAX_SECONDS. An address may fail SIGN_IN_ADDRESS_FAILURES
times in any SIGN_IN_ADDRESS_WINDOW_SECONDS. Failures older than
SIGN_IN_FAILURES_KEPT_SECONDS no longer count: the database prunes them, Redis lets them
expire.

Both stores keep only SHA-256 digests of the account and the address. When Redis does not
answer, `begin` raises Unavailable and nobody can sign in until it does: guesses are never
let through uncounted.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import delete, func, select, text

from .extensions import db, redis_client
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


class Unavailable(Exception):
    """The failures cannot be counted (Redis does not answer): no attempt may be made."""


@dataclass(frozen=True)
class Attempt:
    """An attempt counted as failed until `succeeded()` takes it back: the keys it was
    counted under, and which of the address's failures is this one (a row id in the
    database, a member of the address's set in Redis)."""

    account_key: str
    address_key: str
    address_failure: int | str


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
    Throttled with the seconds to wait when the account or the address must wait, or
    Unavailable when the count cannot be kept. `counter` is PASSWORD or SECOND_FACTOR:
    what the account's limit counts."""
    account, address = account_key(email, counter), address_key(address)
    store = redis_client()
    if store is None:
        return _database_begin(account, address)
    try:
        return _redis_begin(store, account, address)
    except RedisError as error:
        current_app.logger.error("Sign-in refused: Redis did not answer: %s", error)
        raise Unavailable from error


def succeeded(attempt: Attempt) -> None:
    """Clear the account's failures and take the attempt back from the address. In the
    database this joins the caller's transaction (the sign-in's), which commits; in Redis
    it is done at once, and a Redis that does not answer leaves the attempt counted."""
    store = redis_client()
    if store is None:
        db.session.execute(delete(SignInFailure).where(SignInFailure.key == attempt.account_key))
        db.session.execute(delete(SignInFailure).where(SignInFailure.id == attempt.address_failure))
        return
    try:
        with store.pipeline(transaction=True) as both:
            both.delete(_redis_key(attempt.account_key))
            both.zrem(_redis_key(attempt.address_key), attempt.address_failure)
            both.execute()
    except RedisError as error:
        # The right password was given: let it in; the attempt merely stays counted.
        current_app.logger.warning("A sign-in's failures were not cleared in Redis: %s", error)


def clear_account(email: str, counter: str = PASSWORD) -> None:
    """Forget an account's failures, e.g. when an admin gives it a new password; in the
    database this joins the caller's transaction, in Redis it is done at once."""
    store = redis_client()
    if store is None:
        key = account_key(email, counter)
        db.session.execute(delete(SignInFailure).where(SignInFailure.key == key))
        return
    try:
        store.delete(_redis_key(account_key(email, counter)))
    except RedisError as error:
        current_app.logger.warning("An account's failures were not cleared in Redis: %s", error)


# -- in the database -----------------------------------------------------------------------


def _database_begin(account: str, address: str) -> Attempt:
    keys = (account, address)
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
        attempt = Attempt(account, address, address_failure=rows[1].id)
    return attempt


def _refuse_if_waiting(keys: tuple[str, str], now: datetime) -> None:
    wait = max(_account_wait(keys[0], now), _address_wait(keys[1], now))
    if wait > 0:
        raise Throttled(_whole_seconds(wait))


def _whole_seconds(wait: float) -> int:
    return max(1, math.ceil(wait))


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


# -- in Redis ------------------------------------------------------------------------------

# One sorted set per key (account or address), each failure a member scored with the
# moment it happened by Redis's clock (one clock for every host). The script runs whole,
# with nothing between its check and its count, on every worker and host alike; a key
# expires once its newest failure no longer counts.
BEGIN_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local kept, account_allowed, lockout, lockout_max, address_allowed, window =
  tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]),
  tonumber(ARGV[5]), tonumber(ARGV[6])
local account, address, member = KEYS[1], KEYS[2], ARGV[7]
redis.call('ZREMRANGEBYSCORE', account, '-inf', '(' .. (now - kept))
redis.call('ZREMRANGEBYSCORE', address, '-inf', '(' .. (now - kept))
local wait = 0
local count = redis.call('ZCARD', account)
if count >= account_allowed then
  local last = tonumber(redis.call('ZRANGE', account, -1, -1, 'WITHSCORES')[2])
  local lock = math.min(lockout * 2 ^ math.min(count - account_allowed, 30), lockout_max)
  wait = math.max(wait, last + lock - now)
end
local counted = redis.call('ZRANGE', address, '+inf', now - window, 'BYSCORE', 'REV',
  'LIMIT', address_allowed - 1, 1, 'WITHSCORES')
if #counted > 0 then
  wait = math.max(wait, tonumber(counted[2]) + window - now)
end
if wait > 0 then
  return tostring(wait)
end
for _, key in ipairs({account, address}) do
  redis.call('ZADD', key, now, member)
  redis.call('EXPIRE', key, kept)
end
return '0'
"""


def _redis_begin(store, account: str, address: str) -> Attempt:
    config = current_app.config
    member = secrets.token_hex(16)  # this attempt's failure, in both sets
    limits = [
        config[name]
        for name in (
            "SIGN_IN_FAILURES_KEPT_SECONDS",
            "SIGN_IN_ACCOUNT_FAILURES",
            "SIGN_IN_LOCKOUT_SECONDS",
            "SIGN_IN_LOCKOUT_MAX_SECONDS",
            "SIGN_IN_ADDRESS_FAILURES",
            "SIGN_IN_ADDRESS_WINDOW_SECONDS",
        )
    ]
    script = store.register_script(BEGIN_SCRIPT)  # sent once, then run by its digest
    wait = float(script(keys=[_redis_key(account), _redis_key(address)], args=[*limits, member]))
    if wait > 0:
        raise Throttled(_whole_seconds(wait))
    return Attempt(account, address, address_failure=member)


def _redis_key(key: str) -> str:
    return current_app.config["REDIS_KEY_PREFIX"] + "signin:" + key
