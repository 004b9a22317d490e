"""Påverkansregistret: an open register of a public body's meetings and influence work."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv
from flask import (
    Flask,
    Response,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import BadRequest, HTTPException, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import two_factor
from .extensions import REPLICA, babel, csrf, db, login_manager, migrate, read_from_replica
from .language import LANGUAGE_COOKIE, SOURCE_LANGUAGE, chosen_language, served_language
from .redirects import safe_next

# Beside wsgi.py; read before Config so that it can supply the environment.
load_dotenv(Path(__file__).resolve().parent.parent / ".env")

from .config import Config  # noqa: E402  (reads the environment loaded above)


class IdConverter(IntegerConverter):
    """A record id in a URL: ASCII digits without leading zeros, so each record has one
    address; too large a number is a 404, not a database overflow."""

    regex = r"[1-9][0-9]{0,9}"

    def __init__(self, map, **kwargs):
        super().__init__(map, min=1, max=2**31 - 1)


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the register app."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    configure_database_url(app)
    configure_secret_key(app)
    configure_hosts(app)
    configure_cookies(app)

    app.url_map.converters["id"] = IdConverter
    register_extensions(app)
    from . import audit

    audit.configure_logger()
    warn_of_missing_catalogues(app)
    register_blueprints(app)
    trust_proxies(app)
    register_request_hooks(app)
    register_error_pages(app)
    register_template_helpers(app)

    from . import cli

    cli.register(app)
    return app


def configure_database_url(app: Flask) -> None:
    """Default to SQLite in the instance folder; use psycopg 3 for PostgreSQL URLs. A read
    replica, when configured, is the session's second bind (see extensions.RoutingSession)."""
    url = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "register.db")
    app.config["SQLALCHEMY_DATABASE_URI"] = _with_psycopg(url)
    replica = app.config.get("DATABASE_REPLICA_URL")
    if replica:
        binds = dict(app.config.get("SQLALCHEMY_BINDS") or {})
        binds[REPLICA] = _with_psycopg(replica)
        app.config["SQLALCHEMY_BINDS"] = binds


def _with_psycopg(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def configure_secret_key(app: Flask) -> None:
    """Require SECRET_KEY, except in development, where one is kept in the instance folder."""
    if app.config.get("SECRET_KEY"):
        return
    if not (app.config["DEVELOPMENT"] or app.testing):
        raise RuntimeError("SECRET_KEY must be set in the environment outside development")
    key_file = Path(app.instance_path) / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def configure_hosts(app: Flask) -> None:
    """Accept only the register's own Host headers, so that no absolute URL (exports, the
    data package) can be made to point at another site. Required outside development."""
    hosts = list(app.config.get("TRUSTED_HOSTS") or [])
    public_url = app.config.get("PUBLIC_URL") or ""
    if public_url:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RuntimeError(f"PUBLIC_URL must be an http(s) address, not {public_url!r}")
        hosts.append(parts.hostname)
    if hosts:
        app.config["TRUSTED_HOSTS"] = hosts
    elif app.config["DEVELOPMENT"] or app.testing:
        app.config["TRUSTED_HOSTS"] = None  # any host: the addresses follow the request
    else:
        raise RuntimeError(
            "PUBLIC_URL (the register's public address) must be set outside development"
        )


def configure_cookies(app: Flask) -> None:
    """Over HTTPS the session cookie gets the `__Host-` prefix: a browser then keeps it only
    when Secure, for path / and this host alone, so no other site under the same domain
    can set or overwrite it. (No remember cookie is used: a session ends with the browser.)"""
    secure = app.config["SESSION_COOKIE_SECURE"]
    app.config.update(
        SESSION_COOKIE_NAME="__Host-session" if secure else "session",
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_DOMAIN=None,
    )


def register_extensions(app: Flask) -> None:
    """Attach every extension to this app."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    app.before_request(reject_unnamed_fields)  # before the CSRF check, which needs names
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # Shown when a page needs signing in, e.g. after an account's sessions were ended.
    login_manager.login_message = _l("Sign in to see that page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from .accounts import holding_token

    # A deactivated account is signed out at once, whatever cookie it holds.
    login_manager.user_loader(holding_token)


def reject_unnamed_fields() -> None:
    """A multipart part without a name (`Content-Disposition: form-data` alone) is a field of
    no form here, and Flask-WTF's CSRF check, which reads every field's name, fails on it
    with a 500."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and (
        None in request.form or None in request.files
    ):
        raise BadRequest(_("The form contains a field without a name."))


def warn_of_missing_catalogues(app: Flask) -> None:
    """Say so at start-up when a language would be served in English for want of its
    compiled catalogue (they ship with the code; `make compile-translations` remakes them)."""
    for language in app.config["LANGUAGES"]:
        if language == SOURCE_LANGUAGE:
            continue
        found = any(
            (Path(directory) / language / "LC_MESSAGES" / "messages.mo").is_file()
            for directory in app.extensions["babel"].translation_directories
        )
        if not found:
            app.logger.warning(
                "No compiled catalogue for %r: its pages are served in English.", language
            )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Enforce foreign keys, let readers and a writer share a SQLite file, fold case."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
        # SQLite's own lower() folds ASCII only; search needs Å, Ä and Ö too.
        dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


def select_locale() -> str:
    return chosen_language(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("Accept-Language")
    )


def register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .desk import bp as desk_bp
    from .health import any_host
    from .health import bp as health_bp
    from .public import bp as public_bp
    from .public.kept_pages import KeptPages

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(desk_bp, url_prefix="/desk")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp)
    app.register_blueprint(health_bp)
    app.wsgi_app = KeptPages(app)
    if app.config["TRUSTED_HOSTS"]:
        app.wsgi_app = any_host(app.wsgi_app, app.config["TRUSTED_HOSTS"][0])


def trust_proxies(app: Flask) -> None:
    """Behind FORWARDED_PROXIES proxies, take the visitor's address (the sign-in limits and
    the audit log count by it) and scheme from what they forwarded; the Host stays the
    request's own, checked as ever."""
    if proxies := app.config["FORWARDED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def reject_nul_bytes():
        """NUL is never meaningful here, and PostgreSQL refuses it in text."""
        values = list(request.args.values())
        if request.method == "POST":
            values += list(request.form.values())
        if any("\x00" in value for value in values) or "\x00" in request.path:
            raise BadRequest(_("The request contains a NUL character."))

    @app.before_request
    def read_public_pages_from_replica():
        """An anonymous visitor's GET or HEAD of what the public reads (pages, exports, the
        feed, data files, the API) may read from the replica. A session with an account in
        it reads from the primary everywhere, so that whoever just saved sees their save."""
        if (
            request.method in ("GET", "HEAD")
            and request.blueprint in REPLICA_BLUEPRINTS
            and "_user_id" not in session
        ):
            read_from_replica()

    @app.before_request
    def require_account_setup():
        """An account with a temporary password, or whose role requires two-step sign-in
        that it has not set up, can do nothing else until that is done."""
        if not current_user.is_authenticated or request.endpoint in ("auth.logout", "static"):
            return None
        if current_user.must_change_password:
            setup = "auth.change_password"
        elif two_factor.must_enrol(current_user):
            setup = "auth.two_factor_setup"
        else:
            return None
        if request.endpoint == setup:
            return None
        path = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for(setup, next=safe_next(path, None)))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Not no-referrer: CSRF protection over HTTPS checks a same-origin Referer.
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.is_secure or app.config["PUBLIC_URL"].startswith("https://"):
            # Browsers that once came over HTTPS never come over plain HTTP again.
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if current_user.is_authenticated or request.blueprint == "auth":
            # Drafts, forms and desks must not stay in a shared browser's or proxy's cache;
            # nor the sign-in pages, with their form token and the email typed.
            response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
        return response


# The blueprints whose GET requests only read what anyone may read.
REPLICA_BLUEPRINTS = ("public", "api")


def register_error_pages(app: Flask) -> None:
    messages = {
        400: lambda: _("The request could not be understood."),
        403: lambda: _("You do not have permission to see this page."),
        404: lambda: _("There is no page at this address."),
        405: lambda: _("This address does not accept that kind of request."),
        413: lambda: _("What you sent is too large."),
        500: lambda: _("Something went wrong on our side. Nothing was saved."),
    }

    from . import api

    def render_error(code: int, message: str):
        if api.is_api_request():
            return api.error_response(code, message)  # JSON, not a page, for the API
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            _(
                "The form had expired or did not come from this site. "
                "Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # No page can be rendered: every URL on it would be built for the foreign host.
        return Response("Bad Request: unknown host.\n", 400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code not in messages:
            return error
        message = messages[error.code]()
        if error.code == 400 and error.description != BadRequest.description:
            message = error.description  # our own explanation, e.g. of a NUL character
        response = make_response(render_error(error.code, message))
        if getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)  # a 405 says what does
        return response

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500, messages[500]())


def register_template_helpers(app: Flask) -> None:
    from . import vocabulary
    from .export import absolute_url

    # Globals rather than a context processor, so that imported macros see them too.
    app.jinja_env.globals.update(
        register_name=app.config["REGISTER_NAME"],
        get_locale=get_locale,
        vocabulary=vocabulary,
        languages={code: vocabulary.LANGUAGES[code] for code in app.config["LANGUAGES"]},
        demo_data_loaded=demo_data_loaded,
        absolute_url=absolute_url,
        content_lang=content_lang,
        served_language=served_language,
    )
    app.jinja_env.filters["datetimelong"] = datetime_long


def content_lang() -> Markup:
    """` lang="sv"` for an element holding what officials wrote, when the interface is in
    another language (WCAG 3.1.2); nothing when the page is already in that language."""
    language = current_app.config["CONTENT_LANGUAGE"]
    if served_language() == language:
        return Markup("")
    return Markup(' lang="{}"').format(language)


def datetime_long(moment) -> str:
    """A moment as the interface's language writes a long date with hours and minutes:
    "24 november 2026 14:05", "24. november 2026 14.05", "November 24, 2026, 2:05 PM"."""
    locale = get_locale()
    pattern = (
        str(locale.datetime_formats["long"])
        .replace("{1}", locale.date_formats["long"].pattern)
        .replace("{0}", locale.time_formats["short"].pattern)
    )
    return format_datetime(moment, pattern)


def demo_data_loaded() -> bool:
    """Whether the demo data is loaded; error pages must render even when the database fails."""
    from .models import Setting

    try:
        return db.session.get(Setting, "demo_data") is not None
    except SQLAlchemyError:
        db.session.rollback()
        return False
