"""Units, officials and the issue agenda in the administration, through the real forms."""

import pytest
from sqlalchemy import func, select

from register.agenda import slugify
from register.extensions import db
from register.models import AuditEntry, Issue, Meeting, Official, Unit

from .conftest import csrf_token, history_chain_breaks

PAGES = [
    "/admin/units",
    "/admin/units/new",
    "/admin/units/{unit}",
    "/admin/officials",
    "/admin/officials/new",
    "/admin/officials/{official}",
    "/admin/issues",
    "/admin/issues/new",
    "/admin/issues/{issue}",
]
TOGGLES = ["/admin/units/{unit}/deactivate", "/admin/units/{unit}/reactivate"]


@pytest.fixture
def staff(records, world):
    records.user(email="registrar@example.org", role="registrar", name="Rut Registrator")
    records.user(email="admin@example.org", role="admin", name="Adam Admin")
    return world


def open_form(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return csrf_token(response)


def page(client, path) -> str:
    return client.get(path).get_data(as_text=True)


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def issue_form(token, **overrides):
    data = {
        "csrf_token": token,
        "title": "Tågförbindelse Oslo–Göteborg",
        "summary": "Regionen vill ha snabbare tåg.",
        "outcome_sought": "Investering i nationell plan.",
        "decision_makers": "Regeringen, Trafikverket",
        "status": "active",
        "unit_id": "",
        "started_on": "2024-01-15",
        "ended_on": "",
    }
    data.update(overrides)
    return data


def official_form(token, **overrides):
    data = {
        "csrf_token": token,
        "name": "Cecilia Chef",
        "title": "kommunikationsdirektör",
        "unit_id": "",
        "active": "y",
    }
    data.update(overrides)
    return data


# Who may use the pages


def test_anonymous_visitors_are_sent_to_sign_in(app, client, staff):
    for path in PAGES:
        response = client.get(path.format(**staff))
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path
    token = csrf_token(client.get("/login"))
    for path in TOGGLES:
        response = client.post(path.format(**staff), data={"csrf_token": token})
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login"), path
    with app.app_context():
        assert db.session.get(Unit, staff["unit"]).active


def test_official_may_not_manage_the_agenda(app, client, auth, staff):
    auth.login()
    for path in PAGES:
        assert client.get(path.format(**staff)).status_code == 403, path
    token = csrf_token(client.get("/desk/"))
    for path in TOGGLES:
        response = client.post(path.format(**staff), data={"csrf_token": token})
        assert response.status_code == 403, path
    with app.app_context():
        assert db.session.get(Unit, staff["unit"]).active


@pytest.mark.parametrize("who", ["registrar", "admin"])
def test_registrar_and_admin_manage_the_agenda(client, auth, staff, who):
    auth.login(email=f"{who}@example.org")
    for path in PAGES:
        assert client.get(path.format(**staff)).status_code == 200, path
    start = page(client, "/admin/")
    for link in ("/admin/units", "/admin/officials", "/admin/issues"):
        assert f'href="{link}"' in start


def test_unknown_records_are_not_found(client, auth, staff):
    auth.login(email="registrar@example.org")
    for path in ("/admin/units/999", "/admin/officials/999", "/admin/issues/999"):
        assert client.get(path).status_code == 404


# Units


def test_registrar_adds_renames_and_deactivates_a_unit(app, client, auth, staff):
    auth.login(email="registrar@example.org")
    token = open_form(client, "/admin/units/new")
    response = client.post(
        "/admin/units/new", data={"csrf_token": token, "name": "Kulturnämnden", "kind": "committee"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/units"
    listing = page(client, "/admin/units")
    assert "Kulturnämnden" in listing and "Nämnd" in listing
    with app.app_context():
        unit_id = db.session.scalar(select(Unit.id).filter_by(name="Kulturnämnden"))

    path = f"/admin/units/{unit_id}"
    token = open_form(client, path)
    response = client.post(
        path, data={"csrf_token": token, "name": "Kultur- och fritidsnämnden", "kind": "committee"}
    )
    assert response.status_code == 302
    assert client.post(f"{path}/deactivate", data={"csrf_token": token}).status_code == 302
    assert "är inaktiverad" in page(client, "/admin/units")
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        assert (unit.name, unit.active) == ("Kultur- och fritidsnämnden", False)
        entries = db.session.scalars(
            select(AuditEntry).filter_by(target_type="unit").order_by(AuditEntry.id)
        ).all()
        assert [e.action for e in entries] == ["unit_create", "unit_update", "unit_update"]
        assert entries[1].before["name"] == "Kulturnämnden"
        assert entries[1].after["name"] == "Kultur- och fritidsnämnden"
        assert (entries[2].before["active"], entries[2].after["active"]) == (True, False)

    assert client.post(f"{path}/reactivate", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(Unit, unit_id).active


def test_unit_name_already_used_is_refused(app, client, auth, staff):
    auth.login(email="registrar@example.org")
    token = open_form(client, "/admin/units/new")
    response = client.post(
        "/admin/units/new",
        data={"csrf_token": token, "name": "  REGIONSTYRELSEN ", "kind": "council"},
    )
    assert response.status_code == 400
    assert "Det finns redan en enhet som heter ”Regionstyrelsen”" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 1
    assert "unit_create" not in audit_actions(app)


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("", "committee", "Ange enhetens namn."),
        ("\u200b\u200b", "committee", "Skriv det med synliga tecken."),
        ("\u00ad", "committee", "Skriv det med synliga tecken."),
        ("Nämnd \u202eevil", "committee", "osynliga tecken"),
        ("Trafiknämnden", "castle", "Välj ett av alternativen i listan."),
    ],
)
def test_bad_unit_input_is_refused(app, client, auth, staff, name, kind, message):
    auth.login(email="registrar@example.org")
    token = open_form(client, "/admin/units/new")
    response = client.post(
        "/admin/units/new", data={"csrf_token": token, "name": name, "kind": kind}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 1


def test_unit_form_without_csrf_token_changes_nothing(app, client, auth, staff):
    auth.login(email="registrar@example.org")
    response = client.post("/admin/units/new", data={"name": "Smygnämnden", "kind": "committee"})
    assert response.status_code == 400
    response = client.post(f"/admin/units/{staff['unit']}/deactivate")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 1
        assert db.session.get(Unit, staff["unit"]).active


def test_deactivated_unit_is_offered_only_to_its_own_officials(app, client, auth, staff, records):
    other = records.unit(name="Gamla nämnden", kind="committee")
    official = records.official(name="Doris Dåtid", title="ordförande", unit_id=other)
    auth.login(email="registrar@example.org")
    token = open_form(client, "/admin/units")
    client.post(f"/admin/units/{other}/deactivate", data={"csrf_token": token})
    client.get("/admin/units")  # where the confirmation is shown

    assert "Gamla nämnden" not in page(client, "/admin/officials/new")
    assert "Gamla nämnden" in page(client, f"/admin/officials/{official}")

    token = open_form(client, "/admin/officials/new")
    response = client.post("/admin/officials/new", data=official_form(token, unit_id=str(other)))
    assert response.status_code == 400
    assert "Välj ett av alternativen i listan." in response.get_data(as_text=True)
    # Its own official keeps it when saved.
    response = client.post(
        f"/admin/officials/{official}",
        data=official_form(token, name="Doris Dåtid", title="f.d. ordförande", unit_id=str(other)),
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Official, official).unit_id == other
        assert db.session.scalar(select(func.count()).select_from(Official)) == 3


# Officials


def test_registrar_adds_an_official_offered_in_the_meeting_form(app, client, auth, staff):
    auth.login(email="registrar@example.org")
    token = open_form(client, "/admin/officials/new")
    response = client.post(
        "/admin/officials/new", data=official_form(token, unit_id=str(staff["unit"]))
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/officials"
    listing = page(client, "/admin/officials")
    assert "Cecilia Chef" in listing and "Regionstyrelsen" in listing
    assert "Cecilia Chef, kommunikationsdirektör" in page(client, "/desk/meetings/new")
    with app.app_context():
        official = db.session.scalar(select(Official).filter_by(name="Cecilia Chef"))
        assert (official.unit_id, official.active) == (staff["unit"], True)
    assert audit_actions(app)[-1] == "official_create"


def test_deactivated_official_stays_on_records_but_is_not_offered(
    app, client, auth, staff, records
):
    meeting = records.meeting(
        official_ids=[staff["colleague"]], organisation_ids=[staff["organisation"]]
    )
    number = records.number(meeting)
    auth.login(email="registrar@example.org")
    path = f"/admin/officials/{staff['colleague']}"
    token = open_form(client, path)
    data = official_form(
        token, name="Bertil Kollega", title="regiondirektör", unit_id=str(staff["unit"])
    )
    del data["active"]  # the box unticked
    assert client.post(path, data=data, follow_redirects=True).status_code == 200

    assert "Bertil Kollega" not in page(client, "/desk/meetings/new")
    assert "Bertil Kollega" in page(client, f"/meetings/{number}")
    assert "Inaktiverad" in page(client, "/admin/officials")
    with app.app_context():
        assert db.session.get(Official, staff["colleague"]).active is False
        entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        assert entry.action == "official_update"
        assert (entry.before["active"], entry.after["active"]) == (True, False)
        # Nothing a record shows changed, so no amendment was made.
        assert len(db.session.get(Meeting, meeting).revisions) == 1


def test_renaming_an_official_amends_their_published_records(app, client, auth, staff, records):
    links = {"official_ids": [staff["official"]], "organisation_ids": [staff["organisation"]]}
    published = records.meeting(subject="Det publicerade", **links)
    draft = records.meeting(subject="Utkastet", status="draft", **links)
    number = records.number(published)
    auth.login(email="registrar@example.org")
    path = f"/admin/officials/{staff['official']}"
    token = open_form(client, path)
    response = client.post(
        path,
        data=official_form(
            token, name="Anna Regionråd-Berg", title="regionråd", unit_id=str(staff["unit"])
        ),
    )
    assert response.status_code == 302

    assert history_chain_breaks(app) == []
    history = page(client, f"/meetings/{number}/history")
    assert (
        "Tjänstepersonens namn rättades av registratorn: Anna Regionråd → Anna Regionråd-Berg"
        in (history)
    )
    assert "Anna Regionråd-Berg" in page(client, f"/meetings/{number}")
    with app.app_context():
        record = db.session.get(Meeting, published)
        assert [r.action for r in record.revisions] == ["publish", "amend"]
        assert record.revisions[-1].after["officials"] == ["Anna Regionråd-Berg"]
        assert record.amended_at is not None
        assert db.session.get(Meeting, draft).revisions == []
        assert audit_actions(app)[-1] == "official_update"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Ange tjänstepersonens namn."),
        ({"name": "\u200b"}, "Skriv det med synliga tecken."),
        ({"title": ""}, "Ange tjänstepersonens titel."),
        ({"name": "\u2066Anna\u2069"}, "osynliga tecken"),
        ({"unit_id": "999"}, "Välj ett av alternativen i listan."),
        ({"unit_id": "ett"}, "Välj ett av alternativen i listan."),
    ],
)
def test_bad_official_input_is_refused(app, client, auth, staff, overrides, message):
    auth.login(email="registrar@example.org")
    path = f"/admin/officials/{staff['official']}"
    token = open_form(client, path)
    response = client.post(path, data=official_form(token, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        official = db.session.get(Official, staff["official"])
        assert (official.name, official.title) == ("Anna Regionråd", "regionråd")
    assert "official_update" not in audit_actions(app)


# Issues


def test_slug_is_made_from_the_title():
    assert slugify("Dubbelspår Göteborg–Borås") == "dubbelspar-goteborg-boras"
    assert slugify("Æblegrød, Ørsted & Straße!") == "aeblegrod-orsted-strasse"
    assert slugify("  --Crème brûlée--  ") == "creme-brulee"
    assert slugify("Ελλάδα") == ""
    long = slugify("ord " * 60)
    assert len(long) <= 100 and not long.endswith("-")


def test_registrar_puts_an_issue_on_the_agenda(app, client, auth, staff):
    auth.login(email="registrar@example.org")
    token = open_form(client, "/admin/issues/new")
    response = client.post("/admin/issues/new", data=issue_form(token, unit_id=str(staff["unit"])))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/issues"
    listing = page(client, "/admin/issues")
    assert "tagforbindelse-oslo-goteborg" in listing
    with app.app_context():
        issue = db.session.scalar(select(Issue).filter_by(slug="tagforbindelse-oslo-goteborg"))
        assert issue.title == "Tågförbindelse Oslo–Göteborg"
        assert (issue.unit_id, issue.status, str(issue.started_on)) == (
            staff["unit"],
            "active",
            "2024-01-15",
        )
        entry = db.session.scalar(select(AuditEntry).filter_by(action="issue_create"))
        assert entry.after["slug"] == "tagforbindelse-oslo-goteborg"


def test_issue_title_making_an_existing_slug_is_refused(app, client, auth, staff):
    auth.login(email="registrar@example.org")
    token = open_form(client, "/admin/issues/new")
    response = client.post(
        "/admin/issues/new", data=issue_form(token, title="Dubbelspar: Göteborg – Borås!")
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "har redan webbadressen ”dubbelspar-goteborg-boras”" in html
    assert 'id="title-errors"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Issue)) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"started_on": "2024-05-01", "ended_on": "2024-04-30", "status": "concluded"},
            "ended_on",
            "Slutdatumet kan inte vara före startdatumet.",
        ),
        ({"status": "concluded", "ended_on": ""}, "ended_on", "En avslutad fråga behöver"),
        ({"status": "active", "ended_on": "2024-06-01"}, "ended_on", "En aktiv fråga har"),
        ({"ended_on": "2024-02-30", "status": "concluded"}, "ended_on", "Ange ett riktigt datum"),
        ({"status": "paused"}, "status", "Välj ett av alternativen i listan."),
        ({"unit_id": "999"}, "unit_id", "Välj ett av alternativen i listan."),
        ({"title": ""}, "title", "Ange frågans titel."),
        ({"title": "\u200b"}, "title", "Skriv det med synliga tecken."),
        ({"title": "Ελλάδα"}, "title", "minst en bokstav a–z"),
    ],
)
def test_bad_issue_input_is_refused(app, client, auth, staff, overrides, field, message):
    auth.login(email="registrar@example.org")
    path = f"/admin/issues/{staff['issue']}"
    token = open_form(client, path)
    response = client.post(path, data=issue_form(token, **overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert f'id="{field}-errors"' in html
    with app.app_context():
        issue = db.session.get(Issue, staff["issue"])
        assert (issue.title, issue.status, issue.ended_on) == (
            "Dubbelspår Göteborg–Borås",
            "active",
            None,
        )
    assert "issue_update" not in audit_actions(app)


def test_slug_follows_the_title_until_a_record_is_published(app, client, auth, staff, records):
    records.meeting(
        status="draft",
        official_ids=[staff["official"]],
        organisation_ids=[staff["organisation"]],
        issue_ids=[staff["issue"]],
    )
    auth.login(email="registrar@example.org")
    path = f"/admin/issues/{staff['issue']}"
    token = open_form(client, path)
    response = client.post(path, data=issue_form(token, title="Dubbelspår Göteborg–Alingsås"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Issue, staff["issue"]).slug == "dubbelspar-goteborg-alingsas"
        entry = db.session.scalar(select(AuditEntry).filter_by(action="issue_update"))
        assert entry.before["slug"] == "dubbelspar-goteborg-boras"
        assert entry.after["slug"] == "dubbelspar-goteborg-alingsas"


def test_published_issue_keeps_its_slug_and_its_records_are_amended(
    app, client, auth, staff, records
):
    meeting = records.meeting(
        official_ids=[staff["official"]],
        organisation_ids=[staff["organisation"]],
        issue_ids=[staff["issue"]],
    )
    number = records.number(meeting)
    auth.login(email="registrar@example.org")
    path = f"/admin/issues/{staff['issue']}"
    assert "webbadress stannar som ”dubbelspar-goteborg-boras”" in page(client, path)
    token = open_form(client, path)
    response = client.post(
        path,
        data=issue_form(
            token, title="Dubbelspåret Göteborg–Borås", status="concluded", ended_on="2025-01-31"
        ),
    )
    assert response.status_code == 302
    assert "Avslutad" in page(client, "/admin/issues")

    assert history_chain_breaks(app) == []
    history = page(client, f"/meetings/{number}/history")
    assert "Frågans titel rättades av registratorn" in history
    assert "Dubbelspåret Göteborg–Borås" in history
    with app.app_context():
        issue = db.session.get(Issue, staff["issue"])
        assert issue.slug == "dubbelspar-goteborg-boras"
        assert (issue.status, str(issue.ended_on)) == ("concluded", "2025-01-31")
        assert [r.action for r in db.session.get(Meeting, meeting).revisions] == [
            "publish",
            "amend",
        ]
    assert audit_actions(app)[-1] == "issue_update"


def test_issue_list_counts_published_meetings(client, auth, staff, records):
    links = {
        "official_ids": [staff["official"]],
        "organisation_ids": [staff["organisation"]],
        "issue_ids": [staff["issue"]],
    }
    records.meeting(**links)
    records.meeting(subject="Ett till", **links)
    records.meeting(subject="Utkast", status="draft", **links)
    auth.login(email="admin@example.org")
    html = page(client, "/admin/issues")
    assert "<td>2</td>" in html
