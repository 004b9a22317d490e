"""Configuration read from the environment (a `.env` file may supply it)."""

import os


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}") from None


class Config:
    """Settings for every environment; values come from the environment."""

    # Development mode relaxes the secret-key and secure-cookie requirements.
    DEVELOPMENT = os.environ.get("FLASK_ENV") == "development" or _env_bool("FLASK_DEBUG", False)
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means "a SQLite file in the instance folder", resolved in create_app().
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or None

    REGISTER_NAME = os.environ.get("REGISTER_NAME", "Exempelregionen")
    PUBLISH_WITHIN_DAYS = _env_int("PUBLISH_WITHIN_DAYS", 14)
    DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "sv")
    LANGUAGES = ("sv", "en", "da")
    # The language the register's records are written in: what officials type is marked
    # with it when the interface speaks another, so screen readers pick the right voice.
    CONTENT_LANGUAGE = os.environ.get("CONTENT_LANGUAGE", "sv")
    # The public body's local time: dates of publication are counted in it.
    TIMEZONE = os.environ.get("REGISTER_TIMEZONE", "Europe/Stockholm")
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    # The public address, e.g. https://insyn.region.se: the base of every absolute URL,
    # and its host the one accepted in the Host header. Required outside development.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")
    # Further host names to accept (comma-separated), e.g. behind a second domain.
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]
    # How many proxies (nginx, a load balancer) stand in front of the app: the client's
    # address is then taken from their X-Forwarded-For, for the audit log. 0 trusts none.
    FORWARDED_PROXIES = _env_int("FORWARDED_PROXIES", 0)
    PAGE_SIZE = 50
    # A longer list says "more than …" rather than count every match on each request.
    LIST_COUNT_LIMIT = 10_000
    # Lists up to this long have the filter form's counts worked out on each request;
    # longer ones once per change of the register.
    FACET_LIVE_LIMIT = 2_000
    # The licence of the open data (SPDX id): CC0-1.0, CC-BY-4.0 or CC-BY-SA-4.0.
    DATA_LICENCE = os.environ.get("DATA_LICENCE", "CC0-1.0").strip()
    # Where visitors report accessibility problems or ask for content in another form
    # (an e-mail address), named in the accessibility statement.
    ACCESSIBILITY_CONTACT = os.environ.get("ACCESSIBILITY_CONTACT", "").strip()
    # Guidance shown beside the meeting form; when set, it replaces the built-in text in
    # every language. Paragraphs are separated by a blank line.
    FORM_GUIDANCE = os.environ.get("FORM_GUIDANCE", "").strip()

    BABEL_TRANSLATION_DIRECTORIES = os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "translations"
    )
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", not DEVELOPMENT)
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
