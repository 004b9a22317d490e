"""Withdrawing and withholding a published record (registrars and admins): a public stub
stays, with its number, date, status and reason; nothing published is deleted."""

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from register import records as writes
from register.extensions import db
from register.models import AuditEntry, Meeting, Revision, User

from .conftest import csrf_token, history_chain_breaks

SUBJECT = "Hemlig upphandling av tåg"
SUMMARY = "Leverantören visade sin kalkyl."
GROUND = "OSL 31 kap. 16 §"


@pytest.fixture
def register(records, world):
    """Three published records (numbers 1–3) and the people who act on them."""
    records.user(email="registrar@example.org", role="registrar")
    records.user(email="admin@example.org", role="admin")
    organisation = records.organisation(name="Tågbolaget AB", kind="company")
    ids = [
        records.meeting(
            subject=subject,
            summary=SUMMARY if subject == SUBJECT else "",
            created_by_id=world["user"],
            official_ids=[world["official"]],
            organisation_ids=[organisation],
            issue_ids=[world["issue"]],
        )
        for subject in ("Första mötet", SUBJECT, "Tredje mötet")
    ]
    return {"ids": ids, "organisation": organisation}


def take_down(client, meeting_id, action, token=None, **fields):
    """POST the record page's withdraw or withhold form."""
    if token is None:
        token = csrf_token(client.get("/login"))
    data = {"csrf_token": token, "version": "1", "reason": "Dubblett av post 1"} | fields
    return client.post(f"/desk/meetings/{meeting_id}/{action}", data=data)


def record_page_token(client, number):
    response = client.get(f"/meetings/{number}")
    assert response.status_code == 200
    return csrf_token(response)


def state(app, meeting_id):
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        revisions = db.session.scalar(
            select(func.count()).select_from(Revision).filter_by(meeting_id=meeting_id)
        )
        return meeting.status, meeting.version, revisions


def test_registrar_withdraws_a_record_and_a_public_stub_stays(app, client, auth, register):
    meeting_id = register["ids"][1]
    auth.login(email="registrar@example.org")
    page = client.get("/meetings/2").get_data(as_text=True)
    assert "Återkalla posten" in page and "Håll inne uppgifterna" in page
    assert 'for="withdraw-reason"' in page and 'for="withhold-reason"' in page  # ids unique
    token = record_page_token(client, 2)

    response = take_down(client, meeting_id, "withdraw", token, reason="Dubblett av post 1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/meetings/2"
    assert "Posten är återkallad" in client.get("/meetings/2").get_data(as_text=True)

    auth.logout()
    stub = client.get("/meetings/2")
    assert stub.status_code == 200
    html = stub.get_data(as_text=True)
    assert "Återkallad post" in html and "Post nr 2" in html
    assert "Dubblett av post 1" in html
    for hidden in (SUBJECT, SUMMARY, "Tågbolaget AB", "Anna Regionråd", "Dubbelspår"):
        assert hidden not in html, hidden
    history = client.get("/meetings/2/history").get_data(as_text=True)
    assert "Dubblett av post 1" in history
    for hidden in (SUBJECT, SUMMARY, "Tågbolaget AB", "Anna Regionråd"):
        assert hidden not in history, hidden

    assert state(app, meeting_id) == ("withdrawn", 2, 2)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.number == 2 and meeting.withdrawn_at is not None
        assert meeting.withdrawal_reason == "Dubblett av post 1"
        assert [r.action for r in meeting.revisions] == ["publish", "withdraw"]
        assert meeting.revisions[-1].before == meeting.revisions[0].after
        entry = db.session.scalar(select(AuditEntry).filter_by(action="meeting_withdraw"))
        assert entry.target_id == meeting_id and entry.actor == "registrar@example.org"
    assert history_chain_breaks(app) == []


def test_admin_withholds_a_record_on_a_legal_ground(app, client, auth, register):
    meeting_id = register["ids"][1]
    auth.login(email="admin@example.org")
    token = record_page_token(client, 2)
    response = take_down(
        client, meeting_id, "withhold", token, ground=GROUND, reason="Affärshemligheter"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/meetings/2"

    auth.logout()
    html = client.get("/meetings/2").get_data(as_text=True)
    assert "Sekretessprövad post" in html and "Post nr 2" in html
    assert GROUND in html and "Affärshemligheter" in html
    for hidden in (SUBJECT, SUMMARY, "Tågbolaget AB", "Anna Regionråd", "Dubbelspår"):
        assert hidden not in html, hidden
    history = client.get("/meetings/2/history").get_data(as_text=True)
    assert "Affärshemligheter" in history and GROUND in history
    for hidden in (SUBJECT, SUMMARY, "Tågbolaget AB", "Anna Regionråd"):
        assert hidden not in history, hidden

    assert state(app, meeting_id) == ("withheld", 2, 2)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.withheld_ground == GROUND
        assert meeting.withdrawal_reason == "Affärshemligheter"
        assert db.session.scalar(select(AuditEntry).filter_by(action="meeting_withhold"))
    assert history_chain_breaks(app) == []


@pytest.mark.parametrize("action", ["withdraw", "withhold"])
def test_anonymous_visitor_is_sent_to_sign_in_and_nothing_changes(app, client, register, action):
    meeting_id = register["ids"][0]
    response = take_down(client, meeting_id, action, ground=GROUND)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert state(app, meeting_id) == ("published", 1, 1)


@pytest.mark.parametrize("action", ["withdraw", "withhold"])
def test_official_may_not_withdraw_or_withhold_even_their_own_record(
    app, client, auth, register, action
):
    meeting_id = register["ids"][0]  # created by and naming the official
    auth.login()
    page = client.get("/meetings/1").get_data(as_text=True)
    assert "Återkalla posten" not in page
    token = record_page_token(client, 1)
    response = take_down(client, meeting_id, action, token, ground=GROUND)
    assert response.status_code == 403
    assert state(app, meeting_id) == ("published", 1, 1)


def test_the_public_sees_no_withdraw_forms(client, register):
    page = client.get("/meetings/1").get_data(as_text=True)
    assert "Återkalla posten" not in page and "/withdraw" not in page


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("withdraw", {"reason": ""}, "Ange varför posten återkallas"),
        ("withdraw", {"reason": "  \u200b "}, "Ange varför posten återkallas"),
        ("withhold", {"ground": "", "reason": "Sekretess"}, "Ange den bestämmelse"),
        ("withhold", {"ground": GROUND, "reason": ""}, "Ange varför uppgifterna hålls inne"),
        ("withdraw", {"version": ""}, "Formuläret är ofullständigt"),
    ],
)
def test_withdrawing_without_a_reason_or_ground_is_refused_clearly(
    app, client, auth, register, action, fields, message
):
    meeting_id = register["ids"][0]
    auth.login(email="registrar@example.org")
    token = record_page_token(client, 1)
    response = take_down(client, meeting_id, action, token, **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "Inget sparades" in html  # the error summary above the form
    if "version" not in fields:
        assert 'aria-invalid="true"' in html  # the message sits next to its field
    assert state(app, meeting_id) == ("published", 1, 1)


def test_a_draft_cannot_be_withdrawn_but_can_be_deleted(app, client, auth, records, register):
    draft_id = records.meeting(status="draft", subject="Ett utkast")
    auth.login(email="registrar@example.org")
    token = record_page_token(client, 1)
    for action in ("withdraw", "withhold"):
        response = take_down(client, draft_id, action, token, ground=GROUND)
        assert response.status_code == 409
        assert "radera det i stället" in response.get_data(as_text=True)
    assert state(app, draft_id) == ("draft", 1, 0)


def test_an_already_withdrawn_record_says_so(app, client, auth, register):
    meeting_id = register["ids"][0]
    auth.login(email="registrar@example.org")
    token = record_page_token(client, 1)
    assert take_down(client, meeting_id, "withdraw", token).status_code == 302

    again = take_down(client, meeting_id, "withhold", token, version="2", ground=GROUND)
    assert again.status_code == 409
    assert "Posten är redan återkallad" in again.get_data(as_text=True)
    assert state(app, meeting_id) == ("withdrawn", 2, 2)


def test_withdrawing_from_an_outdated_page_changes_nothing(app, client, auth, register):
    meeting_id = register["ids"][0]
    auth.login(email="registrar@example.org")
    token = record_page_token(client, 1)
    response = take_down(client, meeting_id, "withdraw", token, version="7")
    assert response.status_code == 409
    assert "ändrades efter att du öppnade den" in response.get_data(as_text=True)
    assert state(app, meeting_id) == ("published", 1, 1)


def test_a_missing_record_is_not_found(client, auth, register):
    auth.login(email="registrar@example.org")
    token = record_page_token(client, 1)
    assert take_down(client, 999, "withdraw", token).status_code == 404


@pytest.fixture
def taken_down(client, auth, register):
    """Record 2 withdrawn, record 3 withheld, record 1 still published."""
    auth.login(email="registrar@example.org")
    token = record_page_token(client, 1)
    first, second, third = register["ids"]
    assert take_down(client, second, "withdraw", token, reason="Dubblett").status_code == 302
    response = take_down(client, third, "withhold", token, ground=GROUND, reason="=Sekretess")
    assert response.status_code == 302
    auth.logout()
    return register


def csv_rows(client, query=""):
    response = client.get("/meetings.csv" + query)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


def test_exports_keep_withdrawn_and_withheld_records_as_stub_rows(app, client, taken_down):
    rows = {int(row["id"]): row for row in csv_rows(client)}
    assert sorted(rows) == [1, 2, 3]  # the numbering has no silent holes
    published, withdrawn, withheld = rows[1], rows[2], rows[3]
    assert published["status"] == "published" and published["subject"] == "Första mötet"
    assert published["reason"] == "" and published["legal_ground"] == ""
    assert withdrawn["status"] == "withdrawn" and withdrawn["reason"] == "Dubblett"
    assert withheld["status"] == "withheld" and withheld["legal_ground"] == GROUND
    assert withheld["reason"] == "'=Sekretess"  # a formula is neutralised
    for row in (withdrawn, withheld):
        assert row["date"] == published["date"]
        shown = {name for name, value in row.items() if value}
        stub = {"id", "date", "status", "url", "withdrawn_at", "reason", "legal_ground"}
        assert shown <= stub, shown
        # The address leads to the public stub, which says why it was taken down.
        assert row["url"].endswith(f"/meetings/{row['id']}")
        assert row["withdrawn_at"]

    data = json.loads(client.get("/meetings.json").get_data(as_text=True))
    by_id = {record["id"]: record for record in data["meetings"]}
    assert sorted(by_id) == [1, 2, 3]
    stub = by_id[3]
    assert stub["status"] == "withheld" and stub["reason"] == "=Sekretess"
    assert stub["legal_ground"] == GROUND
    assert stub["subject"] is None and stub["officials"] == [] and stub["summary"] is None
    assert stub["url"].endswith("/meetings/3")
    assert by_id[1]["reason"] is None and by_id[1]["legal_ground"] is None


def test_filters_on_content_never_match_a_stub(client, taken_down, world):
    assert [row["id"] for row in csv_rows(client, "?q=upphandling")] == []
    organisation = taken_down["organisation"]
    for query in (
        f"?organisation={organisation}",
        f"?official={world['official']}",
        "?issue=dubbelspar-goteborg-boras",
        "?format=in_person",
    ):
        assert [row["id"] for row in csv_rows(client, query)] == ["1"], query
    assert len(csv_rows(client, "?from=2000-01-01")) == 3


def test_the_register_list_shows_published_records_only(client, taken_down):
    html = client.get("/meetings").get_data(as_text=True)
    assert "Första mötet" in html
    assert SUBJECT not in html and "Tredje mötet" not in html


def test_datapackage_documents_the_stub_columns(client):
    fields = client.get("/data/datapackage.json").get_json()["resources"][0]["schema"]["fields"]
    names = [field["name"] for field in fields]
    assert names[-3:] == ["withdrawn_at", "reason", "legal_ground"]
    status = next(field for field in fields if field["name"] == "status")
    assert "withheld" in status["description"]


# -- counterparts no published record names any more ---------------------------------------


@pytest.fixture
def counterparts(records, world):
    """A record naming a private person, a company another record names too, and an
    authority a registrar entered; and the registrar."""
    registrar = records.user(email="registrar@example.org", role="registrar")
    ids = {
        "person": records.organisation(name="Sven Svensson (privatperson)", kind="other"),
        "shared": records.organisation(name="Tågbolaget AB", kind="company"),
        "vouched": records.organisation(name="Trafikverket Väst", vouched=True),
    }
    ids["meeting"] = records.meeting(
        created_by_id=world["user"],
        official_ids=[world["official"]],
        organisation_ids=[ids["person"], ids["shared"], ids["vouched"]],
    )
    records.meeting(
        subject="Ett annat möte", official_ids=[world["official"]], organisation_ids=[ids["shared"]]
    )
    return ids | {"registrar": registrar}


def publicly_named(client, name: str) -> list[str]:
    """Where the public can still find a counterpart's name."""
    places = ("/organisations?q=Svensson", "/data/organisations.csv", "/api/v1/organisations")
    return [place for place in places if name in client.get(place).get_data(as_text=True)]


def test_a_counterpart_only_a_withdrawn_record_named_is_public_no_more(
    app, client, auth, records, counterparts
):
    person = counterparts["person"]
    assert client.get(f"/organisations/{person}").status_code == 200
    auth.login(email="registrar@example.org")
    number = records.number(counterparts["meeting"])
    reason = "Personuppgifter publicerades av misstag"
    token = record_page_token(client, number)
    assert (
        take_down(client, counterparts["meeting"], "withdraw", token, reason=reason).status_code
        == 302
    )
    auth.logout()

    assert client.get(f"/organisations/{person}").status_code == 404
    assert client.get(f"/api/v1/organisations/{person}").status_code == 404
    assert publicly_named(client, "Sven Svensson (privatperson)") == []
    # Named by another published record, or vouched for by a registrar: still public.
    assert client.get(f"/organisations/{counterparts['shared']}").status_code == 200
    assert client.get(f"/organisations/{counterparts['vouched']}").status_code == 200


def test_a_counterpart_amended_away_is_public_no_more(app, client, world, counterparts):
    with app.app_context():
        meeting = db.session.get(Meeting, counterparts["meeting"])
        fields = {name: getattr(meeting, name) for name in Meeting.DESCRIPTIVE_FIELDS}
        writes.update_meeting(
            meeting.id,
            writes.MeetingInput(
                **fields,
                official_ids=(world["official"],),
                organisation_ids=(counterparts["shared"],),
            ),
            db.session.get(User, counterparts["registrar"]),
            version=meeting.version,
            publish=True,
            reason="Fel motpart angavs",
        )

    assert client.get(f"/organisations/{counterparts['person']}").status_code == 404
    assert publicly_named(client, "Sven Svensson (privatperson)") == []
    assert client.get(f"/organisations/{counterparts['vouched']}").status_code == 200
