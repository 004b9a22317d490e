"""Health checks for process managers and load balancers: `/healthz` (alive and the
database answers) and `/readyz` (also: the schema is at the code's migration head, the
instance folder is writable, and the read replica and Redis answer when configured). No
authentication, no cookies, never cached."""

from flask import Blueprint

bp = Blueprint("health", __name__)

PATHS = ("/healthz", "/readyz")

from . import routes  # noqa: E402,F401
from .routes import any_host  # noqa: E402,F401
