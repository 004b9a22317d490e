"""Who may see and change what."""

import pytest

from .conftest import csrf_token


@pytest.mark.parametrize("path", ["/desk/", "/desk/meetings/new", "/desk/meetings/1/edit"])
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
    assert "Kapat" not in client.get(f"/meetings/{meeting_id}").get_data(as_text=True)


def test_official_cannot_edit_colleagues_meeting(client, auth, records, world):
    stranger = records.user(email="colleague@example.org")
    meeting_id = records.meeting(
        status="draft",
        created_by_id=stranger,
        official_ids=[world["colleague"]],
        organisation_ids=[world["organisation"]],
    )
    auth.login()
    assert client.get(f"/desk/meetings/{meeting_id}/edit").status_code == 403
    token = csrf_token(client.get("/desk/meetings/new"))
    response = client.post(
        f"/desk/meetings/{meeting_id}/edit", data={"csrf_token": token, "action": "publish"}
    )
    assert response.status_code == 403
    assert (
        client.get(f"/meetings/{meeting_id}").status_code == 404
    )  # a colleague's draft stays hidden


def test_official_may_edit_a_meeting_they_attended(client, auth, records, world):
    someone = records.user(email="secretary@example.org")
    meeting_id = records.meeting(
        status="draft",
        created_by_id=someone,
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    auth.login()
    assert client.get(f"/desk/meetings/{meeting_id}/edit").status_code == 200


def test_registrar_may_edit_any_meeting_and_sees_overdue_drafts(client, auth, records, world):
    from datetime import timedelta

    from .conftest import utc_today

    records.user(email="registrar@example.org", role="registrar")
    meeting_id = records.meeting(
        subject="Glömt utkast",
        status="draft",
        held_on=utc_today() - timedelta(days=40),
        official_ids=[world["colleague"]],
        organisation_ids=[world["organisation"]],
    )
    auth.login(email="registrar@example.org")
    assert client.get(f"/desk/meetings/{meeting_id}/edit").status_code == 200
    desk = client.get("/desk/").get_data(as_text=True)
    assert "Glömt utkast" in desk


def test_unknown_meeting_is_404_for_the_editor(client, auth, world):
    auth.login()
    assert client.get("/desk/meetings/999/edit").status_code == 404
