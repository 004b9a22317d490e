"""Redirect targets that cannot send a visitor to another site."""

from urllib.parse import urlsplit


def is_safe_path(target: str | None) -> bool:
    """True for a path on this site, such as `/desk/`; false for anything with a host.

    Browsers read `//host`, `/\\host` and `\\\\host` as other sites, and strip tabs and
    newlines before parsing, so those are refused too.
    """
    if not target or not target.startswith("/") or len(target) > 2000:
        return False
    if target.startswith(("//", "/\\")) or any(c in target for c in "\t\r\n\\"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, fallback: str) -> str:
    return target if is_safe_path(target) else fallback
