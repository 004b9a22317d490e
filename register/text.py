"""Text as people type it: normalised, visible, and free of characters that deceive."""

import re
import unicodedata
from datetime import date
from urllib.parse import urlsplit

# Characters with no width: they make "Acme\u200b AB" look like "Acme AB".
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# Embeddings, overrides and isolates reorder what a reader sees (e.g. "fdp.exe" shown as
# "exe.pdf"); a public record must read as it is stored.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters that render as nothing: Hangul fillers, the braille blank, the grapheme joiner.
FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


def normalise(value: str) -> str:
    """NFC, so that "å" typed as one character or as a + ring is the same text; trimmed."""
    return unicodedata.normalize("NFC", value).strip()


def has_visible(value: str) -> bool:
    """Whether the text has at least one letter, digit, punctuation mark or symbol that
    shows on the screen."""
    return any(unicodedata.category(char)[0] in "LNPS" and char not in FILLERS for char in value)


def _is_invisible(char: str) -> bool:
    """Format characters (zero-width spaces, soft hyphens, direction marks …) and fillers.

    Bidirectional overrides are format characters too, but they are refused, not dropped:
    see has_bidi_control.
    """
    return char in FILLERS or (unicodedata.category(char) == "Cf" and char not in BIDI_CONTROLS)


def has_bidi_control(value: str) -> bool:
    return any(char in BIDI_CONTROLS for char in value)


def single_line(value: str) -> str:
    """A name or a subject: runs of white space become one space, invisible characters go,
    so "Acme\u200b AB" is "Acme AB" and three zero-width spaces are nothing."""
    if _COMMON_TEXT.search(value) is None:
        # The soft hyphen is the only invisible character among these.
        return " ".join(value.replace("\u00ad", "").split())
    return " ".join("".join(char for char in value if not _is_invisible(char)).split())


# Latin letters, punctuation, dashes, quotes and currency: most of what people write. A text
# of these alone is folded with a few fast string operations; any other character takes
# the careful way, one character at a time (same result, 20 times slower).
_COMMON_TEXT = re.compile(r"[^\x00-\u02ff\u2010-\u2027\u2030-\u205e\u20a0-\u20c0]")
# The only combining marks that folding text of those characters can leave.
_COMBINING_LATIN = re.compile(r"[\u0300-\u034e\u0350-\u036f]+")


def name_key(name: str) -> str:
    """A name folded for matching: case, spacing and zero-width characters do not count."""
    return single_line(unicodedata.normalize("NFKC", name)).casefold()


# Letters that a search folds to plain Latin ones, beyond what stripping accents does.
_SEARCH_FOLDS = {"æ": "ae", "ø": "o", "ß": "ss", "đ": "d", "ł": "l", "œ": "oe"}
_SEARCH_FOLDED = re.compile("[" + "".join(_SEARCH_FOLDS) + "]")
_DASHES = re.compile(r"[\u2010-\u2015\u2212-]")
# A word of a search: letters and digits of any script, as folded by search_key.
_WORD = re.compile(r"[^\W_]+")


def search_key(text: str) -> str:
    """Text folded for finding: case, spacing, invisible characters, dashes and accents
    (Å, Ä, Ö, Æ, Ø, é …) do not count, so "goteborg" finds "Göteborg"."""
    folded = _SEARCH_FOLDED.sub(lambda match: _SEARCH_FOLDS[match.group()], name_key(text))
    decomposed = unicodedata.normalize("NFKD", folded)
    if _COMMON_TEXT.search(text) is None:
        plain = _COMBINING_LATIN.sub("", decomposed)
    else:
        plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_DASHES.sub(" ", plain).split())


def search_words(text: str) -> list[str]:
    """The words of a text as search indexes and finds them: search_key's folding, split
    at everything that is not a letter or a digit ("Göteborg–Borås" → goteborg, boras)."""
    return _WORD.findall(search_key(text))


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_iso_date(raw: str) -> date | None:
    """A date written exactly YYYY-MM-DD, as every message promises; None otherwise.

    Not bare `date.fromisoformat`: since Python 3.11 it also takes 20250101 and 2025-W01.
    """
    if not ISO_DATE.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


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


def is_web_link(url: str) -> bool:
    """A link to a web page: http(s), a host, no spaces. A malformed address ("http://[::1")
    is not one: urlsplit raises on it."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(host) and " " not in url
