"""Which language a response really speaks."""

from flask_babel import get_locale, get_translations

# The language the interface is written in: what is served when no catalogue is found.
SOURCE_LANGUAGE = "en"


def served_language() -> str:
    """The language the interface really speaks: the chosen one when its compiled
    catalogue was found, else the English of the source, so that `<html lang>` never
    calls English text Swedish."""
    locale = str(get_locale())
    if locale == SOURCE_LANGUAGE or getattr(get_translations(), "files", None):
        return locale
    return SOURCE_LANGUAGE
