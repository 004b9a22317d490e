"""Who may see and change what (README, "Who may do what").

A draft is seen by its author, the officials named on it and the registrars, and edited,
published or deleted only by its author and the registrars. A published record is amended
by its author, the officials named on it and the registrars. Everyone else meets a 404 for
a draft (it does not exist for them) and a 403 for changing a public record.
"""

import pytest
from sqlalchemy import select

from register.extensions import db
from register.models import Meeting

from .conftest import csrf_token
from .test_meeting_form import meeting_form


@pytest.mark.parametrize(
    "path", ["/desk/", "/desk/meetings/new", "/desk/meetings/1/edit", "/desk/meetings/1"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_anonymous_post_changes_nothing(client, records, world):
    meeting_id = records.meeting(
        official_ids=[world["official"]], organisation_ids=[world["organisation"]]
    )
    token = csrf_token(client.get("/login"))
    response = client.post(
        f"/desk/meetings/{meeting_id}/edit", data={"csrf_token": token, "subject": "Kapat"}
    )
    assert response.status_code == 302
    assert "Kapat" not in client.get("/meetings/1").get_data(as_text=True)


@pytest.fixture
def cast(records, world):
    """A draft and a published record by an author, naming one official, and the people
    around them: the author, the named official, a stranger and a registrar."""
    author = records.user(email="author@example.org", name="Ada Author")
    records.user(email="named@example.org", official_id=world["colleague"])
    records.user(email="stranger@example.org")
    records.user(email="registrar@example.org", role="registrar")
    links = {
        "created_by_id": author,
        "official_ids": [world["colleague"]],
        "organisation_ids": [world["organisation"]],
    }
    return {
        "draft": records.meeting(status="draft", subject="Utkastet", **links),
        "published": records.meeting(subject="Det publicerade", **links),
    }


# (who, record, may see on the desk, may edit, may delete)
RULES = [
    ("author", "draft", 200, 200, 302),
    ("named", "draft", 200, 403, 403),
    ("stranger", "draft", 404, 404, 404),
    ("registrar", "draft", 200, 200, 302),
    ("author", "published", 302, 200, 403),
    ("named", "published", 302, 200, 403),
    ("stranger", "published", 302, 403, 403),
    ("registrar", "published", 302, 200, 403),
]


@pytest.mark.parametrize(("who", "record", "view", "edit", "delete"), RULES)
def test_who_may_see_edit_and_delete_a_meeting(
    app, client, auth, world, cast, who, record, view, edit, delete
):
    meeting_id = cast[record]
    auth.login(email=f"{who}@example.org")
    assert client.get(f"/desk/meetings/{meeting_id}").status_code == view
    assert client.get(f"/desk/meetings/{meeting_id}/edit").status_code == edit

    token = csrf_token(client.get("/desk/meetings/new"))
    action = "save_draft" if record == "draft" else "publish"
    changed = meeting_form(
        token, world, subject="Ändrat av någon", reason="Rättelse", action=action
    )
    changed["official_ids"] = [str(world["colleague"])]
    response = client.post(f"/desk/meetings/{meeting_id}/edit", data=changed)
    assert response.status_code == (302 if edit == 200 else edit)
    response = client.post(
        f"/desk/meetings/{meeting_id}/delete", data={"csrf_token": token, "version": "2"}
    )
    assert response.status_code == delete
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        if delete == 302:
            assert meeting is None
        else:
            assert meeting is not None
            assert (meeting.subject == "Ändrat av någon") == (edit == 200)


def test_named_official_sees_the_draft_on_the_desk_but_not_how_to_publish_it(client, auth, cast):
    auth.login(email="named@example.org")
    assert "Utkastet" in client.get("/desk/").get_data(as_text=True)
    page = client.get(f"/desk/meetings/{cast['draft']}").get_data(as_text=True)
    assert "Ada Author" in page  # whom to ask for changes
    assert f"/desk/meetings/{cast['draft']}/edit" not in page


def test_a_published_record_cannot_be_deleted(app, client, auth, cast):
    auth.login(email="registrar@example.org")
    token = csrf_token(client.get("/desk/"))
    response = client.post(
        f"/desk/meetings/{cast['published']}/delete", data={"csrf_token": token, "version": "1"}
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Meeting.subject).filter_by(id=cast["published"]))


def test_registrar_sees_overdue_drafts(client, auth, records, world):
    from datetime import timedelta

    from .conftest import utc_today

    records.user(email="registrar@example.org", role="registrar")
    records.meeting(
        subject="Glömt utkast",
        status="draft",
        held_on=utc_today() - timedelta(days=40),
        official_ids=[world["colleague"]],
        organisation_ids=[world["organisation"]],
    )
    auth.login(email="registrar@example.org")
    assert "Glömt utkast" in client.get("/desk/").get_data(as_text=True)


def test_unknown_meeting_is_404_for_the_editor(client, auth, world):
    auth.login()
    assert client.get("/desk/meetings/999/edit").status_code == 404
