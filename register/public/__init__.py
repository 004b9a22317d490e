"""The public register: pages anyone can read, and the data downloads."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from . import data, entities, feed, kept_pages, pages, routes, stats  # noqa: E402,F401
