"""The pickers' JSON look-up: folding, organisation numbers, merged names, what the user
may know, bounds, and the meeting form's search step without JavaScript."""

import re
from datetime import UTC, datetime

from sqlalchemy import func, select

from register.extensions import db
from register.models import Meeting, Organisation

from .conftest import csrf_token
from .test_meeting_form import meeting_form


def look_up(client, kind, query):
    return client.get(f"/desk/lookup/{kind}", query_string={"q": query})


def labels(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return [result["label"] for result in response.get_json()["results"]]


def merge(app, duplicate_id, kept_id):
    with app.app_context():
        duplicate = db.session.get(Organisation, duplicate_id)
        duplicate.merged_into_id = kept_id
        duplicate.merged_at = datetime.now(UTC)
        db.session.commit()


def test_lookup_folds_case_accents_and_dashes(client, auth, world, records):
    records.organisation(name="Göteborgs Hamn AB", kind="company")
    records.organisation(name="Föreningen Göteborg–Borås Pendlare", kind="ngo")
    records.organisation(name="Malmö Stad", kind="local_government")
    auth.login()

    # Names that begin with the query come first, then those with a later word that does.
    assert labels(look_up(client, "organisations", "goteborg")) == [
        "Göteborgs Hamn AB",
        "Föreningen Göteborg–Borås Pendlare",
    ]
    assert labels(look_up(client, "organisations", "GÖTEBORG–BORÅS")) == [
        "Föreningen Göteborg–Borås Pendlare"
    ]
    assert labels(look_up(client, "organisations", "  goteborg-boras  ")) == [
        "Föreningen Göteborg–Borås Pendlare"
    ]
    # Every typed word must begin a word of the name, in any order.
    assert labels(look_up(client, "organisations", "hamn göt")) == ["Göteborgs Hamn AB"]
    assert labels(look_up(client, "organisations", "amn")) == []
    assert labels(look_up(client, "organisations", "MALMÖ")) == ["Malmö Stad"]
    # A LIKE wildcard is a character like any other.
    assert labels(look_up(client, "organisations", "%")) == []
    assert labels(look_up(client, "organisations", "_")) == []


def test_lookup_finds_officials_and_issues(client, auth, world, records):
    records.official(name="Örjan Åström", title="regionråd")
    auth.login()
    assert labels(look_up(client, "officials", "orjan")) == ["Örjan Åström"]
    assert labels(look_up(client, "officials", "ASTROM")) == ["Örjan Åström"]
    assert labels(look_up(client, "officials", "regiondirektor")) == ["Bertil Kollega"]
    assert labels(look_up(client, "issues", "goteborg-boras")) == ["Dubbelspår Göteborg–Borås"]
    assert labels(look_up(client, "issues", "dubbelspar")) == ["Dubbelspår Göteborg–Borås"]
    response = look_up(client, "officials", "anna")
    assert response.get_json()["results"] == [
        {"id": world["official"], "label": "Anna Regionråd", "detail": "regionråd", "former": ""}
    ]


def test_lookup_leaves_out_inactive_officials(app, client, auth, world, records):
    from register.models import Official

    gone = records.official(name="Gunnar Gått", title="f.d. regionråd")
    with app.app_context():
        db.session.get(Official, gone).active = False
        db.session.commit()
    auth.login()
    assert labels(look_up(client, "officials", "gunnar")) == []


def test_lookup_finds_organisations_by_number_with_or_without_hyphen(client, auth, world, records):
    records.organisation(name="Volvo Personvagnar AB", kind="company", org_number="556074-3089")
    records.organisation(name="Mærsk A/S", kind="company", org_number="22756214")
    auth.login()
    for query in ("556074-3089", "5560743089", "556074", "556074-", "5560 74"):
        assert labels(look_up(client, "organisations", query)) == ["Volvo Personvagnar AB"], query
    assert labels(look_up(client, "organisations", "22756214")) == ["Mærsk A/S"]
    assert labels(look_up(client, "organisations", "maersk")) == ["Mærsk A/S"]
    result = look_up(client, "organisations", "5560743089").get_json()["results"][0]
    assert result["detail"] == "556074-3089"


def test_lookup_finds_a_merged_organisation_by_its_former_name(app, client, auth, world, records):
    kept = records.organisation(name="Västtrafik AB", kind="company")
    duplicate = records.organisation(name="Västtrafik Göteborgsområdet", kind="company")
    merge(app, duplicate, kept)
    auth.login()

    response = look_up(client, "organisations", "goteborgsomradet")
    assert response.get_json()["results"] == [
        {
            "id": kept,
            "label": "Västtrafik AB",
            "detail": "",
            "former": "Västtrafik Göteborgsområdet",
        }
    ]
    # Both names match "vasttrafik": the organisation kept is suggested once.
    assert labels(look_up(client, "organisations", "vasttrafik")) == ["Västtrafik AB"]


def test_lookup_does_not_reveal_a_colleagues_draft_only_organisation(client, auth, world, records):
    colleague = records.user(email="colleague@example.org", official_id=world["colleague"])
    secret = records.organisation(name="Hemliga Konsulter AB", kind="consultancy", public=False)
    records.meeting(
        status="draft",
        created_by_id=colleague,
        official_ids=[world["colleague"]],
        organisation_ids=[secret],
    )
    mine = records.organisation(name="Hemmabygdens Förening", kind="ngo", public=False)
    records.meeting(
        status="draft",
        created_by_id=world["user"],
        official_ids=[world["official"]],
        organisation_ids=[mine],
    )
    auth.login()
    assert labels(look_up(client, "organisations", "hem")) == ["Hemmabygdens Förening"]

    records.user(email="registrar@example.org", role="registrar")
    auth.logout()
    auth.login("registrar@example.org")
    assert labels(look_up(client, "organisations", "hem")) == [
        "Hemliga Konsulter AB",
        "Hemmabygdens Förening",
    ]


def test_lookup_is_for_signed_in_users_only(client, world):
    for kind in ("organisations", "officials", "issues"):
        response = look_up(client, kind, "trafik")
        assert response.status_code == 401
        assert response.get_json() == {"error": "Logga in för att söka."}


def test_lookup_answers_at_most_twenty_and_nothing_for_an_empty_query(client, auth, world, records):
    for number in range(30):
        records.organisation(name=f"Trafikbolag {number:02d}", kind="company")
    auth.login()
    found = labels(look_up(client, "organisations", "trafik"))
    assert len(found) == 20
    assert found[:2] == ["Trafikbolag 00", "Trafikbolag 01"]
    assert labels(look_up(client, "organisations", "")) == []
    assert labels(look_up(client, "organisations", "   ")) == []
    assert labels(look_up(client, "issues", "")) == []
    assert look_up(client, "meetings", "trafik").status_code == 404


def test_lookup_refuses_a_ten_thousand_character_query(client, auth, world):
    auth.login()
    for kind in ("organisations", "officials", "issues"):
        response = look_up(client, kind, "a" * 10_000)
        assert response.status_code == 400
        assert response.get_json() == {"error": "Skriv högst 100 tecken."}


# -- the meeting form's search step, without JavaScript -----------------------------------


def test_find_button_lists_matching_organisations_and_keeps_what_was_typed(
    app, client, auth, world, records
):
    hamn = records.organisation(name="Göteborgs Hamn AB", kind="company")
    records.organisation(name="Malmö Stad", kind="local_government")
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    form = meeting_form(
        token,
        world,
        subject="Hamnens utbyggnad",
        organisation_query="GÖTEBORG",
        find_organisations="1",
        action="",
    )
    response = client.post("/desk/meetings/new", data=form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "1 organisation matchar ”GÖTEBORG”." in html
    # The match is offered, the ticked one stays ticked, the others are left out.
    assert f'value="{hamn}"' in html
    assert "Malmö Stad" not in html
    assert re.search(rf'<input checked[^>]*value="{world["organisation"]}"', html)
    assert 'value="Hamnens utbyggnad"' in html
    assert count_meetings(app) == 0

    # An empty search lists them all again.
    form.update(organisation_query="")
    html = client.post("/desk/meetings/new", data=form).get_data(as_text=True)
    assert "Malmö Stad" in html and "Göteborgs Hamn AB" in html
    assert count_meetings(app) == 0


def test_find_button_refuses_a_ten_thousand_character_query(app, client, auth, world):
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    form = meeting_form(token, world, organisation_query="a" * 10_000, find_organisations="1")
    response = client.post("/desk/meetings/new", data=form)
    assert response.status_code == 400
    assert "Skriv högst 100 tecken." in response.get_data(as_text=True)
    assert count_meetings(app) == 0


def test_new_organisations_get_the_kinds_chosen_in_the_picker(app, client, auth, world):
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    form = meeting_form(
        token,
        world,
        action="save_draft",
        new_organisations="Västkustens Cykelförbund\nHamnkonsulterna AB\nNamnlös Grupp",
        new_organisation_kinds="ngo\nconsultancy",
    )
    assert client.post("/desk/meetings/new", data=form).status_code == 302
    with app.app_context():
        kinds = dict(db.session.execute(select(Organisation.name, Organisation.kind)).all())
    assert kinds["Västkustens Cykelförbund"] == "ngo"
    assert kinds["Hamnkonsulterna AB"] == "consultancy"
    assert kinds["Namnlös Grupp"] == "other"


def test_an_unknown_kind_of_new_organisation_is_refused(app, client, auth, world):
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    form = meeting_form(
        token,
        world,
        action="save_draft",
        new_organisations="Västkustens Cykelförbund",
        new_organisation_kinds="secret_society",
    )
    response = client.post("/desk/meetings/new", data=form)
    assert response.status_code == 400
    assert "Välj slag för varje ny organisation i listan." in response.get_data(as_text=True)
    assert count_meetings(app) == 0


def count_meetings(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Meeting))


def test_a_large_register_lists_only_the_likely_organisations(app, client, auth, world, records):
    """Thousands of organisations are not sent as checkboxes: the form lists the chosen
    ones and those of the user's own meetings; the picker and Find reach the others."""
    from register.desk import forms

    with app.app_context():
        db.session.add_all(
            Organisation(name=f"Leverantör {n:04d} AB", kind="company", public=True)
            for n in range(forms.FULL_LIST_LIMIT + 20)
        )
        db.session.commit()
        chosen = db.session.scalar(select(Organisation.id).filter_by(name="Leverantör 0123 AB"))
    records.meeting(
        created_by_id=world["user"],
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    auth.login()
    page = client.get("/desk/meetings/new").get_data(as_text=True)
    assert "Trafikverket" in page  # on the user's own earlier meeting
    assert "Leverantör 0001 AB" not in page
    token = csrf_token(client.get("/desk/meetings/new"))
    form = meeting_form(token, world, organisation_ids=[str(chosen)], action="save_draft")
    assert client.post("/desk/meetings/new", data=form).status_code == 302  # still valid
    found = client.post(
        "/desk/meetings/new",
        data=meeting_form(
            token, world, organisation_query="Leverantör 0007", find_organisations="1"
        ),
    ).get_data(as_text=True)
    assert "Leverantör 0007 AB" in found
