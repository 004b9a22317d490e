"""The rule every password chosen or given in the register keeps (OWASP ASVS 2.1): 12 to 128
characters, and not a common password, which guessers try first.

The common passwords are Django's list (`data/common-passwords.txt.gz`, see
`data/README.md`), compared without regard to case. A password that is a common one with
only digits or signs added before or after it ("dragon2026!") counts as common too.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).with_name("data") / "common-passwords.txt.gz"
# Shorter cores are left alone: "x" is on the list, "1234567890x" is not thereby common.
MIN_CORE = 4
_AFFIX = "0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


@cache
def common_passwords() -> frozenset[str]:
    """The common passwords, in lower case; read once per process."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_common(password: str) -> bool:
    """Whether the password, or its letters once digits and signs around them are taken
    away, is on the list of common passwords (case aside)."""
    folded = password.strip().casefold()
    common = common_passwords()
    if folded in common:
        return True
    core = folded.strip(_AFFIX)
    return len(core) >= MIN_CORE and core != folded and core in common


def length_message():
    return _l("A password must be %(min)d to %(max)d characters.", min=MIN_LENGTH, max=MAX_LENGTH)


def problem(password: str):
    """Why this password may not be used, as a translatable message; None when it may."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return length_message()
    if is_common(password):
        return _l(
            "This is one of the most common passwords (perhaps with digits or signs added), "
            "which are guessed first. Choose another, for example a few unrelated words."
        )
    return None
