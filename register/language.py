"""Which language a visitor is served, and which language a response really speaks."""

from flask import current_app
from flask_babel import get_locale, get_translations
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

# The language the interface is written in: what is served when no catalogue is found.
SOURCE_LANGUAGE = "en"
# The cookie that keeps the language a visitor chose; a preference, not a secret.
LANGUAGE_COOKIE = "lang"


def chosen_language(cookie: str | None, accept_language: str | None) -> str:
    """The visitor's chosen language (the language cookie), else the browser's best match
    (the Accept-Language header), else the register's default. Given the raw values, so
    that the kept pages can tell a visitor's language before Flask handles the request."""
    languages = current_app.config["LANGUAGES"]
    if cookie in languages:
        return cookie
    default = current_app.config["DEFAULT_LOCALE"]
    browser = parse_accept_header(accept_language, LanguageAccept).best_match(languages)
    return browser or (default if default in languages else "sv")


def served_language() -> str:
    """The language the interface really speaks: the chosen one when its compiled
    catalogue was found, else the English of the source, so that `<html lang>` never
    calls English text Swedish."""
    locale = str(get_locale())
    if locale == SOURCE_LANGUAGE or getattr(get_translations(), "files", None):
        return locale
    return SOURCE_LANGUAGE
