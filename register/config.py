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
    # A read replica of that database (e.g. PostgreSQL streaming replication): when set,
    # an anonymous visitor's GET or HEAD of a public page, export, feed, data file or the
    # API reads from it; signed-in pages and every write use DATABASE_URL.
    DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL") or None
    # Redis (redis://host:6379/0): when set, the sign-in limits are counted there rather
    # than in the database. REDIS_KEY_PREFIX starts every key, so that several registers
    # can share one Redis.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "register:")

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
    # A signed-in session ends after this long without a request, and this long after
    # signing in whatever its use (OWASP ASVS 3.3.2, level 2).
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)
    SESSION_MAX_HOURS = _env_int("SESSION_MAX_HOURS", 12)
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    # Sign-in throttling, held in the database (or Redis, with REDIS_URL) so that it holds
    # across workers and hosts.
    # An account (the email typed, whether or not it exists) may fail this many times;
    # after that each further try must wait, first SIGN_IN_LOCKOUT_SECONDS after the last
    # failure, doubling with each further failure up to SIGN_IN_LOCKOUT_MAX_SECONDS.
    SIGN_IN_ACCOUNT_FAILURES = _env_int("SIGN_IN_ACCOUNT_FAILURES", 5)
    SIGN_IN_LOCKOUT_SECONDS = _env_int("SIGN_IN_LOCKOUT_SECONDS", 60)
    SIGN_IN_LOCKOUT_MAX_SECONDS = _env_int("SIGN_IN_LOCKOUT_MAX_SECONDS", 3600)
    # A client address may fail this many times within the window (a sliding window).
    SIGN_IN_ADDRESS_FAILURES = _env_int("SIGN_IN_ADDRESS_FAILURES", 30)
    SIGN_IN_ADDRESS_WINDOW_SECONDS = _env_int("SIGN_IN_ADDRESS_WINDOW_SECONDS", 900)
    # Failures are forgotten after this long, and at a successful sign-in to the account.
    SIGN_IN_FAILURES_KEPT_SECONDS = _env_int("SIGN_IN_FAILURES_KEPT_SECONDS", 24 * 3600)
    # Two-step sign-in (a code from an authenticator app after the password): required for
    # these roles (comma-separated), who are sent to set it up before anything else;
    # optional for the others. The step between password and code lasts this long.
    TWO_FACTOR_ROLES = frozenset(
        role.strip()
        for role in os.environ.get("TWO_FACTOR_ROLES", "registrar,admin").split(",")
        if role.strip()
    )
    TWO_FACTOR_PENDING_SECONDS = _env_int("TWO_FACTOR_PENDING_SECONDS", 300)
    # argon2id, as argon2-cffi's defaults (RFC 9106's second recommendation): 3 passes
    # over 64 MiB with 4 lanes. Stored hashes with other parameters are rehashed with
    # these at the holder's next sign-in.
    ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = _env_int("ARGON2_MEMORY_COST", 65536)  # KiB
    ARGON2_PARALLELISM = _env_int("ARGON2_PARALLELISM", 4)
