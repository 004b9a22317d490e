"""Pages about the register itself: the accessibility statement."""

from datetime import date
from urllib.parse import quote, urljoin

from flask import current_app, render_template, request
from flask_babel import gettext as _

from ..export import absolute_url
from ..redirects import is_safe_path
from . import bp

# The day the statement was last checked against the site: change it with the text.
STATEMENT_REVIEWED = date(2026, 11, 24)
# Where the supervisory authority (DIGG) takes complaints under lag (2018:1937).
DIGG_COMPLAINTS = "https://www.digg.se/tdosanmalan"


@bp.route("/accessibility")
def accessibility():
    """The accessibility statement (tillgänglighetsredogörelse), with a way to report."""
    page = request.args.get("page", "")
    page_url = urljoin(absolute_url("public.index"), page) if is_safe_path(page) else ""
    contact = current_app.config["ACCESSIBILITY_CONTACT"]
    return render_template(
        "public/accessibility.html",
        contact=contact,
        report_link=report_link(contact, page_url) if contact else None,
        page_url=page_url,
        reviewed=STATEMENT_REVIEWED,
        complaints_url=DIGG_COMPLAINTS,
    )


def report_link(contact: str, page_url: str) -> str:
    """A mailto: link (RFC 6068) with the subject and the page filled in: the report goes
    from the visitor's own e-mail, and this site stores nothing."""
    if page_url:
        subject = _("Accessibility problem on %(page)s", page=page_url)
        body = _("Page: %(page)s", page=page_url) + "\n\n"
    else:
        subject = _("Accessibility problem in the influence register")
        body = ""
    body += _("What did not work, and what were you trying to do?") + "\n\n"
    return (
        f"mailto:{quote(contact, safe='@')}"
        f"?subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    )
