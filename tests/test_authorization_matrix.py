"""Every route of the app × everyone who may come to it: the outcome each one gets.

Generated from the app's URL map, so a route added without an entry here fails the first
test. The people: an anonymous visitor; the official who wrote the records ("author"); a
colleague named on them ("named"); an official with nothing to do with them
("stranger"); a registrar; an admin. Routes about a meeting are asked about a draft (whose
existence only its author, the officials named on it and the registrars may learn) or,
for taking a record down, a published one. A route's refusal is checked for every
method; what an allowed person can do is left to the tests of each feature.
"""

import pytest

from .conftest import AuthActions, csrf_token

# The admin's pages, by who may use them: registrars and admins manage the region's
# reference data and watch compliance; accounts and the audit log are for admins only.
ADMIN_ROUTES = {
    "admin.index": "registrar",
    "admin.accounts": "admin",
    "admin.new_account": "admin",
    "admin.account": "admin",
    "admin.deactivate_account": "admin",
    "admin.reactivate_account": "admin",
    "admin.reset_two_factor": "admin",
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

PEOPLE = ("anonymous", "author", "named", "stranger", "registrar", "admin")
OFFICIALS = ("author", "named", "stranger")

EVERYONE = dict.fromkeys(PEOPLE, "ok")
SIGNED_IN = {**EVERYONE, "anonymous": "sign in"}
REGISTRARS = {**SIGNED_IN, **dict.fromkeys(OFFICIALS, "forbidden")}
ADMINS = {**REGISTRARS, "registrar": "forbidden"}
# A draft: those who may not see it are told it does not exist.
SEE_DRAFT = {**SIGNED_IN, "stranger": "not found"}
CHANGE_DRAFT = {**SEE_DRAFT, "named": "forbidden"}

RULES = {
    # The public register, its downloads and its API: the same for everyone.
    **{
        endpoint: EVERYONE
        for endpoint in (
            "public.index",
            "public.meetings",
            "public.meeting",
            "public.meeting_history",
            "public.meetings_csv",
            "public.meetings_json",
            "public.meetings_xlsx",
            "public.feed",
            "public.issues",
            "public.issue",
            "public.organisations",
            "public.organisation",
            "public.officials",
            "public.official",
            "public.stats",
            "public.stats_csv",
            "public.data",
            "public.data_file",
            "public.datapackage",
            "public.register_sqlite",
            "public.accessibility",
            "public.lookup_names",
            "public.set_language",
            "api.meetings",
            "api.meeting",
            "api.issues",
            "api.issue",
            "api.organisations",
            "api.organisation",
            "api.officials",
            "api.official",
            "api.units",
            "api.unit",
            "api.openapi_document",
            "static",
            "auth.login",
            "health.healthz",
            "health.readyz",
        )
    },
    "auth.change_password": SIGNED_IN,
    # The code step of signing in: without a right password first, back to the sign-in.
    "auth.login_code": SIGNED_IN,
    "auth.two_factor_account": SIGNED_IN,
    "auth.two_factor_setup": SIGNED_IN,
    "auth.new_recovery_codes": SIGNED_IN,
    # Only a role that does not require two-step sign-in may switch it off.
    "auth.two_factor_disable": {**SIGNED_IN, "registrar": "forbidden", "admin": "forbidden"},
    "auth.logout": SIGNED_IN,
    "auth.keep_session": SIGNED_IN,
    "desk.index": SIGNED_IN,
    "desk.new_meeting": SIGNED_IN,
    "desk.calendar": SIGNED_IN,
    "desk.calendar_drafts": SIGNED_IN,
    "desk.lookup_records": SIGNED_IN,
    "desk.meeting": SEE_DRAFT,
    "desk.edit_meeting": CHANGE_DRAFT,
    "desk.delete_meeting": CHANGE_DRAFT,
    # Adding oneself to a record one can see (a named official is on it already).
    "desk.join_meeting": SEE_DRAFT,
    "desk.withdraw_meeting": REGISTRARS,
    "desk.withhold_meeting": REGISTRARS,
    **{
        endpoint: ADMINS if allowed == "admin" else REGISTRARS
        for endpoint, allowed in ADMIN_ROUTES.items()
    },
}


@pytest.fixture
def cast(records, world):
    """A draft and a published record written by the author and naming a colleague, and
    an account for everyone in PEOPLE."""
    author = records.user(email="author@example.org", official_id=world["official"])
    records.user(email="named@example.org", official_id=world["colleague"])
    stranger_official = records.official(name="Sara Främling", title="utredare")
    records.user(email="stranger@example.org", official_id=stranger_official)
    records.user(email="registrar@example.org", role="registrar")
    records.user(email="admin@example.org", role="admin")
    links = {
        "created_by_id": author,
        "official_ids": [world["official"], world["colleague"]],
        "organisation_ids": [world["organisation"]],
        "issue_ids": [world["issue"]],
    }
    draft = records.meeting(status="draft", subject="Utkastet", **links)
    published = records.meeting(subject="Det publicerade", **links)
    return world | {"draft": draft, "published": published, "number": records.number(published)}


def rules_of(app, cast):
    """Every rule of the app with a URL built for records that exist, and its methods."""
    issue_slug = "dubbelspar-goteborg-boras"
    values = {
        "number": cast["number"],
        "slug": issue_slug,
        "official_id": cast["official"],
        "organisation_id": cast["organisation"],
        "unit_id": cast["unit"],
        "account_id": cast["user"],
        "issue_id": cast["issue"],
        "table": "overdue",
        "kind": "organisations",
        "chart": "months",
        "name": "organisations",
        "format": "csv",
        "filename": "register.css",
    }
    for rule in app.url_map.iter_rules():
        meeting = cast["published"] if "withdraw" in rule.rule or "withhold" in rule.rule else None
        arguments = values | {"meeting_id": meeting or cast["draft"]}
        url = rule.build({name: arguments[name] for name in rule.arguments})[1]
        yield rule.endpoint, url, sorted(rule.methods - {"HEAD", "OPTIONS"})


def outcome(response) -> str:
    location = response.headers.get("Location", "")
    assert response.status_code < 500, response.status_code
    if response.status_code == 302 and location.startswith("/login"):
        return "sign in"
    if response.status_code == 401:  # the desk's JSON look-ups: no page to be sent to
        return "sign in"
    return {403: "forbidden", 404: "not found"}.get(response.status_code, "ok")


def test_every_route_has_an_entry(app, cast):
    endpoints = {endpoint for endpoint, _url, _methods in rules_of(app, cast)}
    assert endpoints - set(RULES) == set(), "a new route needs its rule here"
    assert set(RULES) - endpoints == set(), "a rule for a route that is gone"


@pytest.mark.parametrize("person", PEOPLE)
def test_what_each_person_gets_from_each_route(app, cast, person):
    client = app.test_client()
    if person != "anonymous":
        AuthActions(client).login(email=f"{person}@example.org")
    token = csrf_token(client.get("/login" if person == "anonymous" else "/desk/"))
    for endpoint, url, methods in rules_of(app, cast):
        want = RULES[endpoint][person]
        if "GET" in methods:
            assert outcome(client.get(url)) == want, (endpoint, url, "GET", person)
        if "POST" in methods and (want != "ok" or methods == ["POST"]):
            if endpoint in ("auth.logout", "public.set_language") and want == "ok":
                continue  # would end the session or change the language for what follows
            # Refused before the form is read: nothing can change. An allowed POST-only
            # route gets an empty form, which changes nothing either.
            response = client.post(url, data={"csrf_token": token})
            assert outcome(response) == want, (endpoint, url, "POST", person)
    # Nothing anyone did here published, changed or deleted the records.
    assert app.test_client().get(f"/meetings/{cast['number']}").status_code == 200
