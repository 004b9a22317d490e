"""The meeting form's flow: Enter saves a draft, publishing is confirmed, amendments state
their reason first, a colleague's record of the same meeting is offered to join, follow-ups
start prefilled, own drafts can be deleted, and guidance says what becomes public."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from register.extensions import db
from register.models import AuditEntry, Meeting, Revision

from .conftest import csrf_token, history_chain_breaks, utc_today
from .test_meeting_form import meeting_form, own_meeting

HELD_ON = utc_today() - timedelta(days=2)


class FormParser(HTMLParser):
    """The submit buttons and ticked checkboxes of the meeting form, in document order."""

    def __init__(self, form_id="meeting-form"):
        super().__init__()
        self.form_id = form_id
        self.depth = 0  # > 0 inside the form
        self.buttons: list[dict] = []
        self.checked: dict[str, list[str]] = {}
        self.values: dict[str, str] = {}
        self.order: list[str] = []  # names of the form's controls, in document order

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "form":
            self.depth += 1
        if tag == "button" and attrs.get("type", "submit") == "submit":
            self.buttons.append(attrs)
        if tag in ("input", "textarea", "select") and attrs.get("name"):
            self.order.append(attrs["name"])
            if attrs.get("type") == "checkbox" and "checked" in attrs:
                self.checked.setdefault(attrs["name"], []).append(attrs["value"])
            elif tag == "input":
                self.values[attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self.depth:
            self.depth -= 1


def parse_form(response) -> FormParser:
    parser = FormParser()
    parser.feed(response.get_data(as_text=True))
    assert parser.order, "no meeting form on the page"
    return parser


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def colleague_record(records, world, status="published", **fields):
    """A record of the same meeting that a colleague logged (they created it, they attended)."""
    colleague = records.user(
        email="colleague@example.org", official_id=world["colleague"], name="Bertil"
    )
    meeting = records.meeting(
        subject="Trafikverket om dubbelspåret",
        status=status,
        held_on=fields.pop("held_on", HELD_ON),
        created_by_id=colleague,
        official_ids=[world["colleague"]],
        organisation_ids=[world["organisation"]],
        **fields,
    )
    return meeting


# -- Enter saves a draft; publishing is confirmed -------------------------------------------


def test_enter_presses_save_draft_the_forms_first_submit_button(app, client, auth, world):
    auth.login()
    page = client.get("/desk/meetings/new")
    buttons = parse_form(page).buttons
    assert (buttons[0]["name"], buttons[0]["value"]) == ("action", "save_draft")
    # No button of the form publishes before it is confirmed.
    assert [b for b in buttons if b.get("value") == "publish"] == [
        b for b in buttons if b.get("id") == "confirm-publish"
    ]

    # What Enter sends: the first submit button's name and value with the fields.
    first = buttons[0]
    form = meeting_form(csrf_token(page), world, **{first["name"]: first["value"]})
    assert client.post("/desk/meetings/new", data=form).status_code == 302
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        assert meeting.status == "draft" and meeting.number is None


def test_first_submit_button_of_an_amendment_never_publishes(client, auth, records, world):
    meeting = own_meeting(records, world)
    auth.login()
    buttons = parse_form(client.get(f"/desk/meetings/{meeting}/edit")).buttons
    assert buttons[0]["value"] == "preview"


def test_publish_shows_exactly_what_becomes_public_and_saves_nothing(app, client, auth, world):
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    form = meeting_form(token, world, action="preview", new_organisations="Västtrafik AB")
    response = client.post("/desk/meetings/new", data=form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Publicera mötet?" in html
    assert "Så här blir det offentligt i registret" in html
    confirmation = html[html.index('id="publish-confirmation"') :]
    for value in (
        "Finansiering av dubbelspåret",
        "Trafikverket",
        "Västtrafik AB",
        "Anna Regionråd",
        "Dubbelspår Göteborg–Borås",
        "Trafikverket redogjorde för tidplanen.",
        "Nytt möte i vår.",
        "Eva Ek, projektchef",
        "https://example.org/underlag.pdf",
        "Regionens hus, Göteborg",
        "09:30",
    ):
        assert value in confirmation, value
    assert "Ja, publicera" in confirmation
    # The confirmation sends the same form, every field carried, with action=publish.
    parser = parse_form(response)
    assert parser.values["subject"] == "Finansiering av dubbelspåret"
    assert parser.checked["organisation_ids"] == [str(world["organisation"])]
    assert any(b.get("value") == "publish" for b in parser.buttons)
    assert count(app, Meeting) == 0

    form["action"] = "publish"
    response = client.post("/desk/meetings/new", data=form)
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        assert meeting.status == "published" and meeting.number == 1


def test_preview_of_an_incomplete_form_shows_the_errors(app, client, auth, world):
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    form = meeting_form(token, world, action="preview", subject="")
    response = client.post("/desk/meetings/new", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html and 'href="#subject"' in html
    assert "preview-facts" not in html
    assert count(app, Meeting) == 0


def test_preview_of_a_future_meeting_says_to_save_a_draft(app, client, auth, world):
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    future = (utc_today() + timedelta(days=3)).isoformat()
    response = client.post(
        "/desk/meetings/new", data=meeting_form(token, world, action="preview", held_on=future)
    )
    assert response.status_code == 400
    assert count(app, Meeting) == 0


# -- amending ---------------------------------------------------------------------------


def test_amending_asks_for_the_reason_first_and_says_it_was_amended(
    app, client, auth, records, world
):
    meeting = own_meeting(records, world, summary="Första versionen.")
    auth.login()
    page = client.get(f"/desk/meetings/{meeting}/edit")
    order = parse_form(page).order
    assert order.index("reason") < order.index("held_on")

    token = csrf_token(page)
    form = meeting_form(token, world, action="preview", reason="Rättat stavfel.")
    preview = client.post(f"/desk/meetings/{meeting}/edit", data=form)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Publicera ändringen?" in html and "(ändrat)" in html and "Rättat stavfel." in html
    assert count(app, Revision) == 1

    form["action"] = "publish"
    response = client.post(f"/desk/meetings/{meeting}/edit", data=form, follow_redirects=True)
    assert response.status_code == 200
    assert (
        "Posten är ändrad; ändringen och ditt skäl finns i dess offentliga historik."
        in response.get_data(as_text=True)
    )
    assert count(app, Revision) == 2
    assert history_chain_breaks(app) == []


def test_publishing_a_draft_still_says_published(client, auth, records, world):
    meeting = own_meeting(records, world, status="draft")
    auth.login()
    token = csrf_token(client.get(f"/desk/meetings/{meeting}/edit"))
    response = client.post(
        f"/desk/meetings/{meeting}/edit", data=meeting_form(token, world), follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "Mötet är publicerat i registret." in html
    assert "Posten är ändrad" not in html


# -- the duplicate warning ----------------------------------------------------------------

WARNING = "En kollega kan redan ha registrerat det här mötet"


def test_a_colleagues_record_of_the_same_meeting_is_shown_before_saving(
    app, client, auth, records, world
):
    existing = colleague_record(records, world)
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    response = client.post("/desk/meetings/new", data=meeting_form(token, world))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert WARNING in html
    assert "Trafikverket om dubbelspåret" in html and "Bertil Kollega" in html
    assert f'action="/desk/meetings/{existing}/join"' in html
    assert parse_form(response).values["duplicate_checked"] == "1"
    assert count(app, Meeting) == 1  # nothing saved yet

    # Saving anyway: the form as re-rendered carries the user's answer.
    form = meeting_form(token, world, duplicate_checked="1")
    assert client.post("/desk/meetings/new", data=form).status_code == 302
    assert count(app, Meeting) == 2


def test_publishing_a_draft_warns_of_a_colleagues_record_too(app, client, auth, records, world):
    """A draft saved before the colleague logged the same meeting is checked again when it
    is about to become public."""
    draft = records.meeting(
        status="draft",
        held_on=HELD_ON,
        created_by_id=world["user"],
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    existing = colleague_record(records, world)
    auth.login()
    path = f"/desk/meetings/{draft}/edit"
    token = csrf_token(client.get(path))
    response = client.post(path, data=meeting_form(token, world))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert WARNING in html and f'action="/desk/meetings/{existing}/join"' in html
    with app.app_context():
        assert db.session.get(Meeting, draft).status == "draft"
    form = meeting_form(token, world, duplicate_checked="1")
    assert client.post(path, data=form).status_code == 302
    with app.app_context():
        assert db.session.get(Meeting, draft).status == "published"


@pytest.mark.parametrize(
    "overrides",
    [
        {"held_on": (HELD_ON - timedelta(days=1)).isoformat()},
        {"organisation_ids": [], "new_organisations": "Västtrafik AB"},
    ],
    ids=["other-date", "other-organisation"],
)
def test_no_warning_for_a_different_meeting(app, client, auth, records, world, overrides):
    colleague_record(records, world)
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    response = client.post("/desk/meetings/new", data=meeting_form(token, world, **overrides))
    assert response.status_code == 302
    assert count(app, Meeting) == 2


def test_a_typed_name_of_the_same_organisation_warns_too(app, client, auth, records, world):
    colleague_record(records, world)
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    form = meeting_form(token, world, organisation_ids=[], new_organisations="trafikverket")
    response = client.post("/desk/meetings/new", data=form)
    assert response.status_code == 200 and WARNING in response.get_data(as_text=True)


def test_no_warning_for_ones_own_records_or_colleagues_hidden_drafts(
    app, client, auth, records, world
):
    own_meeting(records, world, held_on=HELD_ON)
    other = records.user(email="other@example.org", name="Other")
    records.meeting(
        status="draft", held_on=HELD_ON, created_by_id=other,
        organisation_ids=[world["organisation"]], official_ids=[world["colleague"]],
    )  # fmt: skip
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    response = client.post("/desk/meetings/new", data=meeting_form(token, world))
    assert response.status_code == 302


def test_joining_a_published_record_amends_it_with_a_public_reason(
    app, client, auth, records, world
):
    existing = colleague_record(records, world)
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    response = client.post(
        f"/desk/meetings/{existing}/join", data={"csrf_token": token, "version": "1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{records.number(existing)}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Du är tillagd bland postens deltagare" in page
    with app.app_context():
        meeting = db.session.get(Meeting, existing)
        assert {o.id for o in meeting.officials} == {world["official"], world["colleague"]}
        assert meeting.version == 2 and meeting.amended_at is not None
        revision = meeting.revisions[-1]
        assert revision.action == "amend" and "Anna Regionråd" in revision.reason
        assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == (
            "meeting_amend"
        )
    assert history_chain_breaks(app) == []
    assert "Anna Regionråd" in client.get(f"/meetings/{records.number(existing)}/history").get_data(
        as_text=True
    )

    # Joining again changes nothing.
    response = client.post(
        f"/desk/meetings/{existing}/join", data={"csrf_token": token, "version": "2"}
    )
    assert response.status_code == 302
    assert count(app, Revision) == 2


@pytest.mark.parametrize("role", ["registrar", "admin"])
def test_a_registrar_joins_a_colleagues_draft_without_a_revision(
    app, client, auth, records, world, role
):
    records.user(email=f"{role}@example.org", role=role, official_id=world["official"])
    existing = colleague_record(records, world, status="draft")
    auth.login(email=f"{role}@example.org")
    token = csrf_token(client.get("/desk/meetings/new"))
    response = client.post(
        f"/desk/meetings/{existing}/join", data={"csrf_token": token, "version": "1"}
    )
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.get(Meeting, existing)
        assert meeting.status == "draft" and len(meeting.officials) == 2
        assert meeting.revisions == []


def test_a_join_that_cannot_be_done_changes_nothing(app, client, auth, records, world):
    hidden_draft = colleague_record(records, world, status="draft")
    withdrawn = records.meeting(
        status="withdrawn", withdrawal_reason="Dubblett.", official_ids=[world["colleague"]],
        organisation_ids=[world["organisation"]],
    )  # fmt: skip
    published = records.meeting(official_ids=[world["colleague"]])
    records.user(email="unlinked@example.org", name="Utan koppling")
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))

    def join(meeting, version="1"):
        return client.post(
            f"/desk/meetings/{meeting}/join", data={"csrf_token": token, "version": version}
        )

    assert join(hidden_draft).status_code == 404
    response = join(withdrawn)
    assert response.status_code == 409
    assert "En återkallad eller sekretessprövad post får inga nya deltagare." in response.get_data(
        as_text=True
    )
    response = join(published, version="7")
    assert response.status_code == 409
    assert "Posten ändrades efter att du såg den" in response.get_data(as_text=True)
    assert client.post(f"/desk/meetings/{published}/join", data={"version": "1"}).status_code == 400

    auth.logout()
    auth.login(email="unlinked@example.org")
    token = csrf_token(client.get("/desk/meetings/new"))
    response = join(published)
    assert response.status_code == 409
    assert "Ditt konto är inte kopplat till någon av regionens tjänstepersoner" in (
        response.get_data(as_text=True)
    )
    with app.app_context():
        assert db.session.get(Meeting, published).version == 1
        assert len(db.session.get(Meeting, published).officials) == 1
    assert count(app, Revision) == 1  # only the publication of `published`


def test_join_needs_signing_in(client, records, world):
    existing = records.meeting(official_ids=[world["colleague"]])
    token = csrf_token(client.get("/login"))
    response = client.post(
        f"/desk/meetings/{existing}/join", data={"csrf_token": token, "version": "1"}
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with client.application.app_context():
        assert len(db.session.get(Meeting, existing).officials) == 1


# -- follow-ups ---------------------------------------------------------------------------


def test_follow_up_starts_with_the_same_organisations_issues_and_participants(
    client, auth, records, world
):
    earlier = records.meeting(
        created_by_id=world["user"],
        official_ids=[world["official"], world["colleague"]],
        organisation_ids=[world["organisation"]],
        issue_ids=[world["issue"]],
    )
    auth.login()
    record_page = client.get(f"/meetings/{records.number(earlier)}").get_data(as_text=True)
    assert f"/desk/meetings/new?follow_up={earlier}" in record_page

    response = client.get(f"/desk/meetings/new?follow_up={earlier}")
    assert response.status_code == 200
    parser = parse_form(response)
    assert parser.checked["organisation_ids"] == [str(world["organisation"])]
    assert parser.checked["issue_ids"] == [str(world["issue"])]
    assert sorted(parser.checked["official_ids"]) == sorted(
        [str(world["official"]), str(world["colleague"])]
    )
    assert parser.values.get("held_on", "") == ""
    assert parser.values.get("subject", "") == ""
    assert "En uppföljning av ”Möte om dubbelspåret”" in response.get_data(as_text=True)


def test_follow_up_link_on_a_draft_page(client, auth, records, world):
    draft = own_meeting(records, world, status="draft")
    auth.login()
    page = client.get(f"/desk/meetings/{draft}").get_data(as_text=True)
    assert f"/desk/meetings/new?follow_up={draft}" in page


def test_no_follow_up_of_a_withdrawn_hidden_or_unknown_record(client, auth, records, world):
    withdrawn = records.meeting(status="withdrawn", withdrawal_reason="Dubblett.")
    other = records.user(email="other@example.org", name="Other")
    hidden = records.meeting(status="draft", created_by_id=other)
    auth.login()
    response = client.get(f"/desk/meetings/new?follow_up={withdrawn}")
    assert response.status_code == 409
    assert "En återkallad eller sekretessprövad post kan inte följas upp." in response.get_data(
        as_text=True
    )
    assert client.get(f"/desk/meetings/new?follow_up={hidden}").status_code == 404
    assert client.get("/desk/meetings/new?follow_up=9999").status_code == 404
    assert client.get("/desk/meetings/new?follow_up=x²").status_code == 404
    # Anonymous: to the sign-in page, whatever the record.
    auth.logout()
    response = client.get(f"/desk/meetings/new?follow_up={withdrawn}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- deleting one's own draft ---------------------------------------------------------------


def test_own_draft_can_be_deleted_from_its_form_and_from_the_desk(
    app, client, auth, records, world
):
    draft = own_meeting(records, world, status="draft")
    published = own_meeting(records, world)
    auth.login()
    delete_action = f'action="/desk/meetings/{draft}/delete"'
    assert delete_action in client.get(f"/desk/meetings/{draft}/edit").get_data(as_text=True)
    assert delete_action in client.get("/desk/").get_data(as_text=True)
    amend_form = client.get(f"/desk/meetings/{published}/edit").get_data(as_text=True)
    assert f"/desk/meetings/{published}/delete" not in amend_form
    assert f"/desk/meetings/{published}/delete" not in client.get("/desk/").get_data(as_text=True)

    token = csrf_token(client.get(f"/desk/meetings/{draft}/edit"))
    response = client.post(
        f"/desk/meetings/{draft}/delete", data={"csrf_token": token, "version": "1"}
    )
    assert response.status_code == 302
    assert count(app, Meeting, Meeting.id == draft) == 0


# -- guidance -------------------------------------------------------------------------------


def test_form_gives_guidance_on_what_is_public(client, auth, world):
    auth.login()
    html = client.get("/desk/meetings/new").get_data(as_text=True)
    assert "Vi är transparenta och öppna med vilka vi träffar och vilka frågor vi driver." in html
    assert "Publicera posten inom 14 dagar efter mötet." in html
    assert "Publiceras precis som du skriver det" in html  # the summary's hint
    english = client.get("/desk/meetings/new", headers={"Accept-Language": "en"})
    assert "We are open about whom we meet" in english.get_data(as_text=True)


def test_configured_guidance_replaces_the_default_in_every_language(app, client, auth, world):
    app.config["FORM_GUIDANCE"] = "Registrera alla möten.\r\n\r\nFråga kommunikationsavdelningen."
    auth.login()
    for language in ("sv", "en", "da"):
        html = client.get("/desk/meetings/new", headers={"Accept-Language": language}).get_data(
            as_text=True
        )
        assert '<p class="prose">Registrera alla möten.</p>' in html
        assert '<p class="prose">Fråga kommunikationsavdelningen.</p>' in html
        assert "Vi är transparenta" not in html and "We are open about whom" not in html
