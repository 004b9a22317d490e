"""Text as people type it: normalised, visible, and free of characters that deceive."""

import re
import unicodedata

# Characters with no width: they make "Acme\u200b AB" look like "Acme AB".
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# Embeddings, overrides and isolates reorder what a reader sees (e.g. "fdp.exe" shown as
# "exe.pdf"); a public record must read as it is stored.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZERO_WIDTH_TABLE = str.maketrans("", "", ZERO_WIDTH)


def normalise(value: str) -> str:
    """NFC, so that "å" typed as one character or as a + ring is the same text; trimmed."""
    return unicodedata.normalize("NFC", value).strip()


def has_visible(value: str) -> bool:
    """Whether the text has at least one letter, digit, punctuation mark or symbol."""
    return any(unicodedata.category(char)[0] in "LNPS" for char in value)


def has_bidi_control(value: str) -> bool:
    return any(char in BIDI_CONTROLS for char in value)


def single_line(value: str) -> str:
    """A name: runs of white space become one space, zero-width characters go."""
    return " ".join(value.translate(_ZERO_WIDTH_TABLE).split())


def name_key(name: str) -> str:
    """A name folded for matching: case, spacing and zero-width characters do not count."""
    return single_line(unicodedata.normalize("NFKC", name)).casefold()


ASCII_ID = re.compile(r"[0-9]{1,10}")
MAX_ID = 2**31 - 1


def parse_id(raw: object) -> int | None:
    """A record id from a query string, form or cursor: ASCII digits only, 1 to 2**31 - 1.

    Not `str.isdigit()`: it accepts ², ① and ፩, which `int()` then refuses.
    """
    if not isinstance(raw, str) or not ASCII_ID.fullmatch(raw):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None
