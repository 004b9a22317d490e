"""Conditional GET on the API and the downloads: ETag and Last-Modified follow the
register's last public change, and a current copy gets a 304 without a body."""

import threading

import pytest

from register.freshness import entity_tag, last_change

from .conftest import csrf_token
from .test_admin_organisations import facts_form
from .test_meeting_form import meeting_form

ADDRESSES = [
    "/meetings.csv",
    "/meetings.json",
    "/meetings.json?kind=public_authority",
    "/api/v1/meetings",
    "/api/v1/meetings?limit=1",
    "/api/v1/meetings/1",
    "/api/v1/organisations",
    "/api/v1/issues/dubbelspar-goteborg-boras",
    "/api/v1/officials",
    "/api/v1/units",
    "/api/v1/openapi.json",
]


@pytest.fixture
def published(records, world):
    return records.meeting(
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
        issue_ids=[world["issue"]],
    )


def validators(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    response.get_data()  # the whole download, as a client reads it
    assert response.headers["Cache-Control"] == "no-cache"
    return response.headers["ETag"], response.headers["Last-Modified"]


def status(client, address, headers) -> int:
    response = client.get(address, headers=headers)
    response.get_data()
    return response.status_code


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_current_copy_gets_a_304_with_the_same_etag(client, published, address):
    etag, modified = validators(client, address)
    response = client.get(address, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.headers["ETag"] == etag
    assert response.get_data() == b""
    response = client.get(address, headers={"If-Modified-Since": modified})
    assert response.status_code == 304
    older = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert status(client, address, {"If-Modified-Since": older}) == 200
    assert status(client, address, {"If-None-Match": '"other"'}) == 200


def test_the_etag_differs_between_addresses_and_holds_for_one(client, published):
    tags = [validators(client, address)[0] for address in ADDRESSES]
    assert len(set(tags)) == len(ADDRESSES)
    assert validators(client, ADDRESSES[0])[0] == tags[0]


def test_publishing_a_meeting_changes_the_etag(app, client, auth, world, published):
    reader = app.test_client()
    before = {address: validators(reader, address)[0] for address in ADDRESSES}
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    assert client.post("/desk/meetings/new", data=meeting_form(token, world)).status_code == 302
    for address, etag in before.items():
        response = reader.get(address, headers={"If-None-Match": etag})
        assert response.status_code == 200, address
        assert response.headers["ETag"] != etag
        response.get_data()
    assert len(reader.get("/meetings.json").get_json()["meetings"]) == 2


def test_renaming_an_organisation_in_the_admin_changes_the_etag(
    app, client, auth, records, world, published
):
    records.user(email="registrar@example.org", role="registrar", name="Rita Registrator")
    reader = app.test_client()
    etag, _modified = validators(reader, "/api/v1/organisations")
    csv_etag, _modified = validators(reader, "/meetings.csv")
    auth.login(email="registrar@example.org")
    organisation = world["organisation"]
    token = csrf_token(client.get(f"/admin/organisations/{organisation}"))
    form = facts_form(token, name="Trafikverket (TRV)", kind="public_authority", org_number="")
    response = client.post(f"/admin/organisations/{organisation}", data=form)
    assert response.status_code == 302
    response = reader.get("/api/v1/organisations", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.get_json()["organisations"][0]["name"] == "Trafikverket (TRV)"
    response = reader.get("/meetings.csv", headers={"If-None-Match": csv_etag})
    assert response.status_code == 200 and "Trafikverket (TRV)" in response.get_data(as_text=True)


def test_signing_in_and_saving_a_draft_change_nothing_public(app, client, auth, world, published):
    reader = app.test_client()
    etag, modified = validators(reader, "/api/v1/meetings")
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    draft = meeting_form(token, world, action="save_draft", subject="Ett utkast")
    assert client.post("/desk/meetings/new", data=draft).status_code == 302
    auth.logout()
    response = reader.get("/api/v1/meetings", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert validators(reader, "/api/v1/meetings") == (etag, modified)


def test_the_last_change_is_the_newest_public_revision(app, published):
    with app.app_context():
        changed = last_change()
        assert changed is not None and changed.tzinfo is not None


def test_an_empty_register_has_an_etag_but_no_last_modified(app, client):
    with app.app_context():
        assert last_change() is None
    response = client.get("/api/v1/meetings")
    assert response.headers["ETag"] and "Last-Modified" not in response.headers
    current = {"If-None-Match": response.headers["ETag"]}
    assert client.get("/api/v1/meetings", headers=current).status_code == 304


def test_a_bad_request_is_never_a_304(client, published):
    for header in ({"If-None-Match": "*"}, {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}):
        assert client.get("/api/v1/meetings?limit=0", headers=header).status_code == 400
        assert client.get("/meetings.csv?from=2024-02-30", headers=header).status_code == 400


def test_if_none_match_any_is_a_304_only_where_something_exists(client, published):
    star = {"If-None-Match": "*"}
    assert client.get("/api/v1/meetings/1", headers=star).status_code == 304
    response = client.get("/api/v1/meetings/99", headers=star)
    assert response.status_code == 404 and "ETag" not in response.headers


def test_a_translated_body_gets_a_tag_per_language(app):
    def tag(language, by_language):
        headers = {"Accept-Language": language}
        with app.test_request_context("/meetings.json?kind=union", headers=headers):
            return entity_tag(None, by_language=by_language)

    assert tag("sv", True) != tag("en", True)
    assert tag("sv", False) == tag("en", False)


def test_public_pages_are_the_same_for_every_visitor_and_answer_304(client, records, world):
    records.meeting(subject="Första mötet", official_ids=[world["official"]])
    first = client.get("/meetings", headers={"Accept-Language": "en"})
    assert first.status_code == 200 and "Första mötet" in first.get_data(as_text=True)
    assert "Set-Cookie" not in first.headers  # nothing of the visitor's in it
    assert first.headers["Cache-Control"] == "public, no-cache"
    tag = first.headers["ETag"]
    again = client.get("/meetings", headers={"Accept-Language": "en", "If-None-Match": tag})
    assert again.status_code == 304
    # Another language is another page.
    swedish = client.get("/meetings", headers={"Accept-Language": "sv", "If-None-Match": tag})
    assert swedish.status_code == 200 and 'lang="sv"' in swedish.get_data(as_text=True)
    # A publication changes every page: the copy is no longer current.
    records.meeting(subject="Andra mötet", official_ids=[world["official"]])
    changed = client.get("/meetings", headers={"Accept-Language": "en", "If-None-Match": tag})
    assert changed.status_code == 200
    assert "Andra mötet" in changed.get_data(as_text=True)


def test_signed_in_pages_and_messages_are_never_kept_for_others(client, auth, records, world):
    records.meeting(subject="Första mötet", official_ids=[world["official"]])
    anonymous = client.get("/meetings").get_data(as_text=True)
    auth.login()
    signed_in = client.get("/meetings")
    assert signed_in.headers["Cache-Control"] == "no-store"
    assert "ETag" not in signed_in.headers
    assert signed_in.get_data(as_text=True) != anonymous  # the header shows the desk
    auth.logout()
    # The page that tells this visitor they signed out is theirs alone; the next is not.
    told = client.get("/").get_data(as_text=True)
    assert "signed out" in told or "utloggad" in told
    later = client.get("/").get_data(as_text=True)
    assert "signed out" not in later and "utloggad" not in later


def test_a_kept_page_is_the_page_it_keeps(client, records, world):
    records.meeting(subject="Första mötet", official_ids=[world["official"]])
    made = client.get("/meetings")
    kept = client.get("/meetings")
    assert kept.get_data() == made.get_data()
    for header in ("ETag", "Last-Modified", "Cache-Control", "Content-Security-Policy", "Vary"):
        assert kept.headers[header] == made.headers[header], header
    head = client.head("/meetings")
    assert head.status_code == 200 and head.get_data() == b""
    assert int(head.headers["Content-Length"]) == len(made.get_data())
    current = client.get("/meetings", headers={"If-None-Match": made.headers["ETag"]})
    assert current.status_code == 304 and current.get_data() == b""


def test_a_chosen_language_is_kept_apart_and_survives_on_kept_pages(client, records, world):
    records.meeting(subject="Första mötet", official_ids=[world["official"]])
    assert 'lang="sv"' in client.get("/meetings").get_data(as_text=True)  # kept in Swedish
    chosen = client.get("/language", query_string={"lang": "da", "next": "/meetings"})
    assert chosen.status_code == 302 and "Set-Cookie" in chosen.headers
    for _ in range(2):  # made, then answered from the kept page
        page = client.get("/meetings")
        assert 'lang="da"' in page.get_data(as_text=True)
        assert "Set-Cookie" not in page.headers


def test_a_kept_page_is_never_given_to_a_foreign_host(app, client, records, world):
    app.config["TRUSTED_HOSTS"] = ["localhost"]  # as PUBLIC_URL sets it
    records.meeting(subject="Första mötet", official_ids=[world["official"]])
    assert client.get("/meetings").status_code == 200
    foreign = client.get("/meetings", headers={"Host": "evil.example"})
    assert foreign.status_code == 400 and "Första mötet" not in foreign.get_data(as_text=True)


def test_while_a_page_is_made_again_others_are_given_the_one_before(
    app, monkeypatch, records, world
):
    from register.public import routes

    records.meeting(subject="Första mötet", official_ids=[world["official"]])
    before = app.test_client().get("/meetings")
    records.meeting(subject="Andra mötet", official_ids=[world["official"]])

    counting, go_on = threading.Event(), threading.Event()
    count_meetings = routes.count_meetings

    def slow_count(*args, **kwargs):
        counting.set()
        assert go_on.wait(10)
        return count_meetings(*args, **kwargs)

    monkeypatch.setattr(routes, "count_meetings", slow_count)
    made = {}
    maker = threading.Thread(target=lambda: made.update(page=app.test_client().get("/meetings")))
    maker.start()
    try:
        assert counting.wait(10)
        meanwhile = app.test_client().get("/meetings")  # not counting again: given at once
        assert meanwhile.get_data() == before.get_data()
        assert meanwhile.headers["ETag"] == before.headers["ETag"]
    finally:
        go_on.set()
        maker.join(10)
    assert "Andra mötet" in made["page"].get_data(as_text=True)
    monkeypatch.setattr(routes, "count_meetings", count_meetings)
    after = app.test_client().get("/meetings")
    assert after.get_data() == made["page"].get_data()  # the new page, kept
