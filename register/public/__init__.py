"""The public register: pages anyone can read, and the data downloads."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from . import data, entities, feed, pages, routes, stats  # noqa: E402,F401
