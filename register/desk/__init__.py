"""The officials' desk: logging, publishing and amending meetings."""

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

bp = Blueprint("desk", __name__)


@bp.before_request
def require_sign_in():
    """Every desk page is for signed-in accounts only; the pickers' JSON look-up answers an
    anonymous request with a 401 in JSON, not with the sign-in page."""
    if request.endpoint == "desk.lookup_records" and not current_user.is_authenticated:
        return jsonify(error=_("Sign in to look up records.")), 401
    return login_required(_signed_in)()


def _signed_in():
    return None


from . import lookup, routes  # noqa: E402,F401
