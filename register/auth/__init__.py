"""Signing in and out."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import routes, two_step  # noqa: E402,F401
