"""Who may use each /admin/ page: generated from the app's URL map, so a new admin route
without an entry here fails this test.

Registrars and admins manage the region's reference data and watch compliance; accounts
and the audit log are for admins only; officials get a 403, anonymous visitors are sent
to sign in — for every method, a POST as much as a GET.
"""

import pytest

from .conftest import AuthActions, csrf_token

# endpoint -> who may use it
ADMIN_ROUTES = {
    "admin.index": "registrar",
    "admin.accounts": "admin",
    "admin.new_account": "admin",
    "admin.account": "admin",
    "admin.deactivate_account": "admin",
    "admin.reactivate_account": "admin",
    "admin.audit": "admin",
    "admin.compliance": "registrar",
    "admin.compliance_csv": "registrar",
    "admin.units": "registrar",
    "admin.new_unit": "registrar",
    "admin.unit": "registrar",
    "admin.deactivate_unit": "registrar",
    "admin.reactivate_unit": "registrar",
    "admin.officials": "registrar",
    "admin.new_official": "registrar",
    "admin.official": "registrar",
    "admin.issues": "registrar",
    "admin.new_issue": "registrar",
    "admin.issue": "registrar",
    "admin.organisations": "registrar",
    "admin.organisation": "registrar",
    "admin.merge_organisation": "registrar",
}
ROLES = ("anonymous", "official", "registrar", "admin")


@pytest.fixture
def people(records, world):
    records.user(email="registrar@example.org", role="registrar")
    records.user(email="admin@example.org", role="admin")
    return world


def admin_rules(app, people):
    """Every /admin/ rule with a URL built for records that exist."""
    values = {
        "account_id": people["user"],
        "unit_id": people["unit"],
        "official_id": people["official"],
        "issue_id": people["issue"],
        "organisation_id": people["organisation"],
        "table": "overdue",
    }
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin"):
            url = rule.build({name: values[name] for name in rule.arguments})[1]
            yield rule.endpoint, url, rule.methods - {"HEAD", "OPTIONS"}


def test_every_admin_route_has_an_entry(app, people):
    endpoints = {endpoint for endpoint, _url, _methods in admin_rules(app, people)}
    assert endpoints == set(ADMIN_ROUTES)


def expected(role: str, allowed: str) -> str:
    if role == "anonymous":
        return "sign in"
    if role == "official" or (role == "registrar" and allowed == "admin"):
        return "forbidden"
    return "allowed"


def outcome(response) -> str:
    if response.status_code == 302 and response.headers["Location"].startswith("/login"):
        return "sign in"
    if response.status_code == 403:
        return "forbidden"
    assert response.status_code < 500
    return "allowed"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_use_each_admin_route(app, people, role):
    client = app.test_client()
    if role != "anonymous":
        AuthActions(client).login(email=f"{role}@example.org")
    token = csrf_token(client.get("/login" if role == "anonymous" else "/desk/"))
    for endpoint, url, methods in admin_rules(app, people):
        want = expected(role, ADMIN_ROUTES[endpoint])
        if "GET" in methods:
            response = client.get(url)
            assert outcome(response) == want, (endpoint, "GET")
            if want == "allowed":
                assert response.status_code == 200, endpoint
        if "POST" in methods and want != "allowed":
            # Refused before anything is read from the form: nothing can change.
            response = client.post(url, data={"csrf_token": token})
            assert outcome(response) == want, (endpoint, "POST")
