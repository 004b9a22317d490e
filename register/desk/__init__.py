"""The officials' desk: logging, publishing and amending meetings."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("desk", __name__)


@bp.before_request
@login_required
def require_sign_in():
    """Every desk page is for signed-in accounts only."""


from . import routes  # noqa: E402,F401
