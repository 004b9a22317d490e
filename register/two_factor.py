"""Two-step sign-in (OWASP ASVS 2.8): a time-based one-time code (RFC 6238) from an
authenticator app after the password, or one of ten single-use recovery codes.

Codes have 6 digits, a 30-second step and SHA-1, what every authenticator app reads from
an otpauth:// URI. A code of the step before or after is accepted too, for clocks that
drift, but never a step at or before the last one accepted for the account, so a code
seen over a shoulder or in a log cannot be used again. Guesses are counted by signin.py
before they are checked.

A secret is created pending and switched on only when a code from it is confirmed. It is
kept as it is in the database: it must be read back to check codes, the `cryptography`
package is not among the app's dependencies, and a key derived from SECRET_KEY would tie
every enrolment to that key's lifetime. It is never shown again after enrolment nor
written to the audit log.

Each call below that changes an account is one write transaction that locks the account's
row and writes its audit entry in the same transaction.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, select

from . import audit
from .extensions import db
from .models import RecoveryCode, User, utcnow
from .transactions import write_transaction

DIGITS = 6
STEP_SECONDS = 30
# Steps either side of now whose codes are still accepted.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
CODE_PATTERN = re.compile(r"[0-9]{6}")  # ASCII digits only, unlike str.isdigit()
RECOVERY_PATTERN = re.compile(r"[a-z2-7]{16}")


def required(user: User) -> bool:
    """Whether the account's role must use two-step sign-in (TWO_FACTOR_ROLES)."""
    return user.role in current_app.config["TWO_FACTOR_ROLES"]


def must_enrol(user: User) -> bool:
    return required(user) and not user.two_factor_enabled


def current_step(now: float | None = None) -> int:
    return int(time.time() if now is None else now) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    """The code an authenticator app shows for `secret` during `step`."""
    return _totp(secret).generate_otp(step)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The step near now whose code `code` is, later than `after`; None if there is none."""
    code = normalise(code)
    if not CODE_PATTERN.fullmatch(code):
        return None
    now = current_step()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def normalise(code: str) -> str:
    """What was typed, without the spaces and dashes people add; recovery codes in lower
    case."""
    return re.sub(r"[\s-]", "", code or "").lower()


# -- enrolment ------------------------------------------------------------------------


def pending_secret(user_id: int) -> str:
    """The account's secret waiting for a confirming code, made now if it has none. An
    account with two-step sign-in on gets no new secret: it must switch it off first."""
    with write_transaction():
        user = _locked(user_id)
        if user.two_factor_enabled:
            raise ValueError("two-step sign-in is on already")
        if user.two_factor_secret is None:
            user.two_factor_secret = pyotp.random_base32()  # 160 bits, as RFC 4226 advises
        secret = user.two_factor_secret
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return _totp(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["REGISTER_NAME"]
    )


def qr_code_svg(uri: str, title: str) -> Markup:
    """The QR code of `uri` as an inline <svg> element: drawn with attributes, not style,
    so it needs nothing from the Content-Security-Policy."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title=title, svgclass="qr-code"
    )
    return Markup(svg)  # segno writes only the path data and the title, which it escapes


def grouped(text: str, separator: str = " ") -> str:
    """A secret or a recovery code in groups of four, to be read and typed by hand."""
    return separator.join(text[i : i + 4] for i in range(0, len(text), 4))


def confirm(user_id: int, code: str) -> list[str] | None:
    """Switch two-step sign-in on if `code` comes from the pending secret; return the new
    recovery codes (to be shown once), or None when the code is wrong."""
    with write_transaction():
        user = _locked(user_id)
        if user.two_factor_enabled or user.two_factor_secret is None:
            return None
        step = matching_step(user.two_factor_secret, code, None)
        if step is None:
            audit.log("two_factor_enrol_failed", user=user, target=user)
            return None
        user.two_factor_enabled_at = utcnow()
        user.two_factor_last_step = step
        codes = _new_recovery_codes(user)
        audit.log("two_factor_enable", user=user, target=user, after={"two_factor": True})
    return codes


def switch_off(user_id: int) -> bool:
    """The holder switches two-step sign-in off; returns False when it was off."""
    with write_transaction():
        user = _locked(user_id)
        if not forget(user):
            db.session.rollback()
            return False
        audit.log("two_factor_disable", user=user, target=user, after={"two_factor": False})
    return True


def forget(user: User) -> bool:
    """Remove the account's secret and recovery codes, in the caller's transaction;
    returns False when it had none."""
    if user.two_factor_secret is None:
        return False
    user.two_factor_secret = None
    user.two_factor_enabled_at = None
    user.two_factor_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    return True


# -- signing in -----------------------------------------------------------------------


def verify(user_id: int, code: str) -> str | None:
    """Check a code typed at signing in: "code" for an authenticator code, "recovery" for
    a recovery code (now used up), None when it is neither. A failure is audited."""
    with write_transaction():
        user = _locked(user_id)
        if not user.two_factor_enabled:
            return None
        step = matching_step(user.two_factor_secret, code, user.two_factor_last_step)
        if step is not None:
            user.two_factor_last_step = step
            return "code"
        if _use_recovery_code(user, code):
            audit.log("two_factor_recovery_code_used", user=user, target=user,
                      after={"recovery_codes_left": remaining_recovery_codes(user)})  # fmt: skip
            return "recovery"
        audit.log("two_factor_failed", user=user, target=user)
    return None


# -- recovery codes -------------------------------------------------------------------


def _recovery_digest(user: User, code: str) -> str:
    """A recovery code has 80 random bits, too many to try however fast the hash, so a
    plain SHA-256 suffices where a password needs argon2; the account's id in it makes the
    same code's digest differ between accounts."""
    return hashlib.sha256(f"recovery-code:{user.id}:{code}".encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes by new ones; return them, formatted to read."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        base64.b32encode(secrets.token_bytes(10)).decode().lower()
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_recovery_digest(user, code)) for code in codes
    )
    return [grouped(code, "-") for code in codes]


def new_recovery_codes(user_id: int) -> list[str] | None:
    """New recovery codes for an account with two-step sign-in on; the old ones stop
    working. None when it is off."""
    with write_transaction():
        user = _locked(user_id)
        if not user.two_factor_enabled:
            return None
        codes = _new_recovery_codes(user)
        audit.log("two_factor_recovery_codes_new", user=user, target=user)
    return codes


def _use_recovery_code(user: User, code: str) -> bool:
    code = normalise(code)
    if not RECOVERY_PATTERN.fullmatch(code):
        return False
    used = db.session.execute(
        delete(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_digest(user, code),
        )
    )
    return used.rowcount == 1


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user.id)
    )


def _locked(user_id: int) -> User:
    return db.session.scalar(select(User).where(User.id == user_id).with_for_update())
