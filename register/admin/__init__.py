"""Administration: the region's units, officials, issue agenda and organisations (registrar
and admin), accounts and the audit log (admin only), publication compliance."""

from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user, login_required

bp = Blueprint("admin", __name__)


@bp.before_request
@login_required
def require_registrar():
    """Every admin page is for registrars and admins; officials get a 403."""
    if not current_user.is_registrar:
        abort(403)


def admin_only(view):
    """For the pages only an admin may use: accounts and the audit log."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.role != "admin":
            abort(403)
        return view(*args, **kwargs)

    return wrapped


from . import routes  # noqa: E402,F401
