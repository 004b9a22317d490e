from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from . import bp

# The areas of the administration: (endpoint, label, for admins only).
AREAS = (
    ("admin.accounts", _l("Accounts"), True),
    ("admin.units", _l("Units"), False),
    ("admin.officials", _l("Officials"), False),
    ("admin.issues", _l("The issue agenda"), False),
    ("admin.organisations", _l("Organisations"), False),
    ("admin.compliance", _l("Publication compliance"), False),
    ("admin.audit", _l("Audit log"), True),
)


@bp.route("/")
def index():
    """The administration's start page: what a registrar or an admin can manage."""
    areas = [area for area in AREAS if area[0] in current_app.view_functions]
    return render_template("admin/index.html", admin_areas=areas)


# Each area of the administration has a module of its own.
from . import accounts, agenda, audit_log, compliance, organisations  # noqa: E402,F401
