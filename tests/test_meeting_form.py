"""The official's flow through the real meeting form, CSRF on."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from register.extensions import db
from register.models import Meeting, Organisation, Revision

from .conftest import csrf_token, utc_today


def meeting_form(token, world, **overrides):
    data = {
        "csrf_token": token,
        "held_on": (utc_today() - timedelta(days=2)).isoformat(),
        "start_time": "09:30",
        "format": "in_person",
        "location": "Regionens hus, Göteborg",
        "initiative": "counterpart",
        "subject": "Finansiering av dubbelspåret",
        "summary": "Trafikverket redogjorde för tidplanen.",
        "outcome": "Nytt möte i vår.",
        "official_ids": [str(world["official"])],
        "organisation_ids": [str(world["organisation"])],
        "new_organisations": "",
        "issue_ids": [str(world["issue"])],
        "representatives": "Eva Ek, projektchef",
        "document_links": "https://example.org/underlag.pdf",
        "action": "publish",
        # The version the form was loaded from; records start at 1.
        "version": "1",
    }
    data.update(overrides)
    return data


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def own_meeting(records, world, **fields):
    """A meeting the signed-in official created and attended, with the world's counterpart."""
    return records.meeting(
        created_by_id=world["user"],
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
        **fields,
    )


def open_form(client, path="/desk/meetings/new"):
    response = client.get(path)
    assert response.status_code == 200
    return csrf_token(response)


def test_official_logs_and_publishes_a_meeting(app, client, auth, world):
    auth.login()
    token = open_form(client)
    response = client.post("/desk/meetings/new", data=meeting_form(token, world))
    assert response.status_code == 302
    record_url = response.headers["Location"]

    client.post("/logout", data={"csrf_token": token})
    page = client.get(record_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Finansiering av dubbelspåret" in html
    assert "Trafikverket" in html
    assert "Anna Regionråd" in html
    assert "Eva Ek, projektchef" in html
    assert "https://example.org/underlag.pdf" in html
    assert "2 dagar efter mötet" in html
    assert "Finansiering av dubbelspåret" in client.get("/meetings").get_data(as_text=True)

    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        assert meeting.status == "published"
        assert [r.action for r in meeting.revisions] == ["publish"]
        assert meeting.days_to_publish == 2


def test_draft_is_not_public(app, client, auth, world):
    auth.login()
    token = open_form(client)
    response = client.post(
        "/desk/meetings/new",
        data=meeting_form(token, world, action="save_draft", subject="Hemligt utkast"),
    )
    assert response.status_code == 302
    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id))
    assert "Hemligt utkast" in client.get("/desk/").get_data(as_text=True)
    preview = client.get(f"/desk/meetings/{meeting_id}")  # its author may preview it
    assert "Hemligt utkast" in preview.get_data(as_text=True)

    client.post("/logout", data={"csrf_token": token})
    assert client.get(f"/desk/meetings/{meeting_id}").status_code == 302  # to sign in
    for number in range(1, 4):  # a draft has no public number at all
        assert client.get(f"/meetings/{number}").status_code == 404
        assert client.get(f"/meetings/{number}/history").status_code == 404
    for path in ("/", "/meetings", "/meetings.csv", "/meetings.json"):
        assert "Hemligt utkast" not in client.get(path).get_data(as_text=True), path


def test_draft_can_be_published_later(app, client, auth, world, records):
    meeting_id = own_meeting(records, world, status="draft")
    auth.login()
    token = open_form(client, f"/desk/meetings/{meeting_id}/edit")
    response = client.post(
        f"/desk/meetings/{meeting_id}/edit",
        data=meeting_form(token, world, subject="Nu publicerat"),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/meetings/1"  # the first public number
    client.post("/logout", data={"csrf_token": token})
    assert "Nu publicerat" in client.get("/meetings/1").get_data(as_text=True)


def test_new_organisation_matches_existing_name(app, client, auth, world):
    auth.login()
    token = open_form(client)
    form = meeting_form(
        token,
        world,
        organisation_ids=[],
        new_organisations="  trafikverket \nNya  Föreningen\nnya föreningen",
    )
    assert client.post("/desk/meetings/new", data=form).status_code == 302
    with app.app_context():
        names = sorted(db.session.scalars(select(Organisation.name)))
        meeting = db.session.scalar(select(Meeting))
        assert names == ["Nya Föreningen", "Trafikverket"]
        assert sorted(o.name for o in meeting.organisations) == ["Nya Föreningen", "Trafikverket"]


def test_amending_a_published_record_needs_a_reason_and_is_kept(app, client, auth, world, records):
    meeting_id = own_meeting(records, world, subject="Före ändring")
    auth.login()
    path = f"/desk/meetings/{meeting_id}/edit"
    token = open_form(client, path)

    response = client.post(
        path, data=meeting_form(token, world, subject="Efter ändring", reason="")
    )
    assert response.status_code == 400
    assert "Ange varför du ändrar" in response.get_data(as_text=True)
    assert count(app, Revision) == 1

    response = client.post(
        path, data=meeting_form(token, world, subject="Efter ändring", reason="Fel rubrik")
    )
    assert response.status_code == 302
    number = records.number(meeting_id)
    history = client.get(f"/meetings/{number}/history").get_data(as_text=True)
    assert "Fel rubrik" in history
    assert "Före ändring" in history and "Efter ändring" in history
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.amended_at is not None
        assert [r.action for r in meeting.revisions] == ["publish", "amend"]


def test_published_record_cannot_return_to_draft(app, client, auth, world, records):
    meeting_id = own_meeting(records, world)
    auth.login()
    path = f"/desk/meetings/{meeting_id}/edit"
    token = open_form(client, path)
    response = client.post(path, data=meeting_form(token, world, action="save_draft", reason="x"))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).status == "published"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"held_on": "2024-02-30"}, "Ange ett riktigt datum i formen ÅÅÅÅ-MM-DD"),
        ({"held_on": "igår"}, "Ange ett riktigt datum i formen ÅÅÅÅ-MM-DD"),
        ({"held_on": ""}, "Ange mötets datum"),
        ({"held_on": "1999-12-31"}, "Ange ett datum mellan"),
        ({"held_on": (utc_today() + timedelta(days=800)).isoformat()}, "Ange ett datum mellan"),
        ({"start_time": "25:61"}, "Ange en tid i formen TT:MM"),
        ({"subject": "ab"}, "Ämnet ska vara 3 till 200 tecken"),
        ({"subject": "x" * 201}, "Ämnet ska vara 3 till 200 tecken"),
        ({"subject": "   "}, "Ämnet ska vara 3 till 200 tecken"),
        ({"official_ids": []}, "Välj minst en av regionens deltagare"),
        ({"official_ids": ["999"]}, "finns inte"),
        ({"official_ids": ["abc"]}, "inte ett giltigt id"),
        ({"organisation_ids": [], "new_organisations": ""}, "Välj minst en organisation"),
        ({"organisation_ids": ["424242"]}, "finns inte"),
        ({"issue_ids": ["77"]}, "finns inte"),
        ({"document_links": "javascript:alert(1)"}, "är inte en webbadress"),
        ({"document_links": "ftp://example.org/a"}, "är inte en webbadress"),
        ({"document_links": "http://[::1"}, "är inte en webbadress"),  # urlsplit raises
        ({"summary": "x" * 10001}, "Högst 10000 tecken"),
        ({"new_organisations": "x" * 201, "organisation_ids": []}, "högst 200 tecken"),
        ({"format": "telepathy"}, "Välj ett av alternativen i listan"),
        ({"action": "delete"}, "Välj om du vill spara ett utkast eller publicera"),
        (
            {"held_on": (utc_today() + timedelta(days=5)).isoformat()},
            "kan publiceras när det har ägt rum",
        ),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
    app, client, auth, world, overrides, message
):
    auth.login()
    token = open_form(client)
    response = client.post("/desk/meetings/new", data=meeting_form(token, world, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Meeting) == 0
    assert count(app, Organisation) == 1


def test_future_meeting_can_be_saved_as_draft(app, client, auth, world):
    auth.login()
    token = open_form(client)
    future = (utc_today() + timedelta(days=5)).isoformat()
    response = client.post(
        "/desk/meetings/new", data=meeting_form(token, world, held_on=future, action="save_draft")
    )
    assert response.status_code == 302
    assert count(app, Meeting) == 1


def test_missing_csrf_token_is_refused(app, client, auth, world):
    auth.login()
    open_form(client)
    data = meeting_form("", world)
    del data["csrf_token"]
    response = client.post("/desk/meetings/new", data=data)
    assert response.status_code == 400
    assert "formuläret" in response.get_data(as_text=True).lower()
    assert count(app, Meeting) == 0


def test_wrong_csrf_token_is_refused(app, client, auth, world):
    auth.login()
    open_form(client)
    response = client.post("/desk/meetings/new", data=meeting_form("forged-token", world))
    assert response.status_code == 400
    assert count(app, Meeting) == 0


def test_form_fields_keep_the_contract_names(client, auth, world):
    auth.login()
    html = client.get("/desk/meetings/new").get_data(as_text=True)
    for name in (
        "held_on",
        "start_time",
        "format",
        "location",
        "initiative",
        "subject",
        "summary",
        "outcome",
        "official_ids",
        "organisation_ids",
        "new_organisations",
        "issue_ids",
        "representatives",
        "document_links",
        "action",
        "version",
        "csrf_token",
    ):
        assert f'name="{name}"' in html, name
    assert 'value="save_draft"' in html and 'value="publish"' in html


def test_a_save_that_loses_a_race_keeps_nothing(app, client, auth, world, records, monkeypatch):
    meeting_id = own_meeting(records, world, subject="Orört")
    auth.login()
    path = f"/desk/meetings/{meeting_id}/edit"
    token = open_form(client, path)

    from sqlalchemy.exc import IntegrityError

    def lose_the_race():
        raise IntegrityError("INSERT INTO revision", {}, Exception("duplicate revision number"))

    monkeypatch.setattr(db.session, "commit", lose_the_race)
    response = client.post(path, data=meeting_form(token, world, subject="Ändrat", reason="x"))
    monkeypatch.undo()
    assert response.status_code == 409
    assert "samtidigt" in response.get_data(as_text=True)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.subject == "Orört"
        assert len(meeting.revisions) == 1
