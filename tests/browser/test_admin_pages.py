"""The administration in a real browser: every page passes axe (WCAG 2.1 A/AA) under the
real Content-Security-Policy, with its forms empty, filled and showing errors."""

import pytest

from .conftest import sign_in
from .test_browser import a_published_meeting, assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_world(records, world):
    records.user(email="admin@example.org", role="admin", name="Ada Admin")
    meeting = a_published_meeting(records, world)
    withdrawn = records.meeting(
        status="withdrawn",
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
        withdrawal_reason="Dubblett av ett annat möte.",
    )
    return world | {"meeting": meeting, "withdrawn": withdrawn}


def submit_empty(page, path):
    """A form sent with its required fields emptied: the error summary shows."""
    page.goto(path)
    for field in page.locator("main form.form input[type=text], main form.form textarea").all():
        field.fill("")
    page.locator("main form.form button[type=submit]").first.click()
    page.wait_for_load_state("load")


ADMIN_PAGES = {
    "start": lambda page, w: page.goto("/admin/"),
    "accounts": lambda page, w: page.goto("/admin/accounts"),
    "new-account": lambda page, w: page.goto("/admin/accounts/new"),
    "account": lambda page, w: page.goto(f"/admin/accounts/{w['user']}"),
    "units": lambda page, w: page.goto("/admin/units"),
    "unit": lambda page, w: page.goto(f"/admin/units/{w['unit']}"),
    "new-unit-errors": lambda page, w: submit_empty(page, "/admin/units/new"),
    "officials": lambda page, w: page.goto("/admin/officials"),
    "official": lambda page, w: page.goto(f"/admin/officials/{w['official']}"),
    "issues": lambda page, w: page.goto("/admin/issues"),
    "issue": lambda page, w: page.goto(f"/admin/issues/{w['issue']}"),
    "new-issue-errors": lambda page, w: submit_empty(page, "/admin/issues/new"),
    "organisations": lambda page, w: page.goto("/admin/organisations"),
    "organisation": lambda page, w: page.goto(f"/admin/organisations/{w['organisation']}"),
    "merge": lambda page, w: page.goto(f"/admin/organisations/{w['organisation']}/merge"),
    "compliance": lambda page, w: page.goto("/admin/compliance"),
    "audit": lambda page, w: page.goto("/admin/audit"),
    "record-as-registrar": lambda page, w: page.goto("/meetings/1"),
    "withdrawn-stub": lambda page, w: page.goto("/meetings/2"),
    "password": lambda page, w: page.goto("/account/password"),
    "two-step": lambda page, w: page.goto("/account/two-step"),
}


@pytest.mark.parametrize("name", list(ADMIN_PAGES))
def test_admin_page_has_no_wcag_21_aa_violations(page, admin_world, name):
    sign_in(page, email="admin@example.org")
    response = ADMIN_PAGES[name](page, admin_world)
    page.wait_for_load_state("load")
    if response is not None:
        assert response.status == 200, page.url
    assert_accessible(page)
