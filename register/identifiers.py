"""Validators for organisation identifiers: Swedish, Danish and EU Transparency Register.

Each validator returns the canonical form or raises ValueError with an English message.
"""

from __future__ import annotations

import random
import re

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]")  # spaces, hyphens and typographic dashes
_EU_TRANSPARENCY_ID = re.compile(r"\d{9,12}-\d{2}")
_CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def luhn_check_digit(digits: str) -> int:
    """The Luhn (mod 10) check digit for a string of digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def validate_swedish_org_number(value: str) -> str:
    """A Swedish organisationsnummer as "NNNNNN-NNNN" (also accepts "16NNNNNNNNNN")."""
    digits = _SEPARATORS.sub("", value or "")
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    if not (len(digits) == 10 and digits.isascii() and digits.isdigit()):
        raise ValueError("A Swedish organisation number has 10 digits, as in 556074-3089.")
    if luhn_check_digit(digits[:9]) != int(digits[9]):
        raise ValueError("The check digit of this Swedish organisation number is wrong.")
    return f"{digits[:6]}-{digits[6:]}"


def validate_danish_cvr(value: str) -> str:
    """A Danish CVR number as 8 digits (an optional "DK" prefix is dropped)."""
    digits = _SEPARATORS.sub("", value or "")
    if digits[:2].upper() == "DK":
        digits = digits[2:]
    if not (len(digits) == 8 and digits.isascii() and digits.isdigit() and digits[0] != "0"):
        raise ValueError("A Danish CVR number has 8 digits and does not start with 0.")
    if sum(int(d) * w for d, w in zip(digits, _CVR_WEIGHTS, strict=True)) % 11:
        raise ValueError("The check digit of this Danish CVR number is wrong.")
    return digits


def validate_eu_transparency_id(value: str) -> str:
    """An EU Transparency Register id: 9–12 digits, a hyphen and two digits."""
    candidate = re.sub(r"[\u2010-\u2015]", "-", (value or "").strip())
    if not (candidate.isascii() and _EU_TRANSPARENCY_ID.fullmatch(candidate)):
        raise ValueError(
            "An EU Transparency Register id is digits, a hyphen and two digits, "
            "as in 7714905406-52."
        )
    return candidate


def normalise_org_number(value: str, country: str | None = None) -> str:
    """A Swedish or Danish organisation number in canonical form, by country or by shape."""
    country = (country or "").upper()
    if country == "SE":
        return validate_swedish_org_number(value)
    if country == "DK":
        return validate_danish_cvr(value)
    if country:
        raise ValueError("Only Swedish organisation numbers and Danish CVR numbers are supported.")
    # No country given: 8 digits can only be a CVR number, anything else is tried as Swedish.
    digits = _SEPARATORS.sub("", value or "")
    if len(digits) == 8 or digits[:2].upper() == "DK":
        return validate_danish_cvr(value)
    return validate_swedish_org_number(value)


def generate_swedish_org_number(rng: random.Random, prefix_digit: int = 5) -> str:
    """A valid organisationsnummer; prefix 5 is an aktiebolag, 8 a non-profit association."""
    # Legal entities have 2 or more as their third digit, so they never look like a birth date.
    body = f"{prefix_digit}{rng.randrange(10)}{rng.randint(2, 9)}{rng.randrange(10**6):06d}"
    return f"{body[:6]}-{body[6:]}{luhn_check_digit(body)}"


def generate_danish_cvr(rng: random.Random) -> str:
    """A valid Danish CVR number."""
    while True:
        body = f"{rng.randint(1, 9)}{rng.randrange(10**6):06d}"
        # The last weight is 1, so the check digit is what makes the sum divisible by 11.
        check = -sum(int(d) * w for d, w in zip(body, _CVR_WEIGHTS[:7], strict=True)) % 11
        if check < 10:
            return f"{body}{check}"
