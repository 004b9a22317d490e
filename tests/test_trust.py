"""The record can be trusted: nothing of a draft leaks, no amendment is lost or misstated,
public numbers have no gaps, and no input of any kind is a 500."""

import html
import re

import pytest
from sqlalchemy import select

from register import create_app
from register.extensions import db
from register.models import Counter, Meeting, Organisation, Revision, User

from .conftest import csrf_token, history_chain_breaks
from .test_meeting_form import count, meeting_form, open_form

SECRET = "Secret Takeover Target AB"
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')


def form_version(response) -> str:
    match = VERSION.search(response.get_data(as_text=True))
    assert match, "the form carries no version"
    return match.group(1)


# -- 1. an organisation that only drafts name is not public ---------------------------


@pytest.fixture
def secret_draft(app, client, auth, world, records):
    """Official A has saved a draft naming a new organisation; B is a colleague."""
    records.user(email="b@example.org", official_id=world["colleague"])
    auth.login()
    token = open_form(client)
    form = meeting_form(
        token, world, action="save_draft", organisation_ids=[], new_organisations=SECRET
    )
    assert client.post("/desk/meetings/new", data=form).status_code == 302
    auth.logout()
    with app.app_context():
        return db.session.scalar(select(Organisation.id).filter_by(name=SECRET))


def public_pages(client, highest_id):
    yield from ("/", "/meetings", "/meetings.csv", "/meetings.json", "/data/datapackage.json")
    for org_id in range(1, highest_id + 3):
        yield f"/meetings?organisation={org_id}"
        yield f"/meetings.csv?organisation={org_id}"


def test_draft_organisation_is_not_public_anywhere(client, secret_draft):
    for path in public_pages(client, secret_draft):
        response = client.get(path)
        assert response.status_code in (200, 400), path
        assert SECRET not in response.get_data(as_text=True), path
    page = client.get(f"/meetings?organisation={secret_draft}").get_data(as_text=True)
    assert f"okänd ({secret_draft})" in page  # as unknown as an id that does not exist


def test_colleague_neither_sees_nor_can_pick_a_draft_organisation(
    app, client, auth, world, secret_draft
):
    auth.login(email="b@example.org")
    form_page = client.get("/desk/meetings/new").get_data(as_text=True)
    assert SECRET not in form_page
    token = csrf_token(client.get("/desk/meetings/new"))
    response = client.post(
        "/desk/meetings/new",
        data=meeting_form(
            token,
            world,
            official_ids=[str(world["colleague"])],
            organisation_ids=[str(secret_draft)],
        ),
    )
    assert response.status_code == 400
    assert SECRET not in response.get_data(as_text=True)
    assert "finns inte" in response.get_data(as_text=True)
    for path in public_pages(client, secret_draft):
        assert SECRET not in client.get(path).get_data(as_text=True), path


def test_typing_the_name_does_not_reveal_a_colleagues_draft_organisation(
    app, client, auth, world, secret_draft
):
    auth.login(email="b@example.org")
    token = csrf_token(client.get("/desk/meetings/new"))
    form = meeting_form(
        token,
        world,
        action="save_draft",
        official_ids=[str(world["colleague"])],
        organisation_ids=[],
        new_organisations="secret   TAKEOVER target ab",
    )
    assert client.post("/desk/meetings/new", data=form).status_code == 302
    with app.app_context():
        own = db.session.scalar(select(Meeting).order_by(Meeting.id.desc()))
        assert [o.name for o in own.organisations] == ["secret TAKEOVER target ab"]
        assert own.organisations[0].id != secret_draft  # a new one, not the colleague's
    assert SECRET not in client.get(f"/desk/meetings/{own.id}").get_data(as_text=True)


def test_deleting_a_draft_forgets_the_organisations_only_it_named(
    app, client, auth, world, secret_draft
):
    with app.app_context():
        draft = db.session.scalar(select(Meeting))
    auth.login()
    token = csrf_token(client.get(f"/desk/meetings/{draft.id}"))
    response = client.post(
        f"/desk/meetings/{draft.id}/delete", data={"csrf_token": token, "version": "1"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, secret_draft) is None
        assert db.session.get(Organisation, world["organisation"]) is not None


def test_author_still_finds_their_draft_organisation(client, auth, secret_draft):
    auth.login()
    assert SECRET in client.get("/desk/meetings/new").get_data(as_text=True)


def test_draft_organisation_becomes_public_when_its_record_is_published(
    app, client, auth, world, secret_draft
):
    with app.app_context():
        draft_id = db.session.scalar(select(Meeting.id))
    auth.login()
    path = f"/desk/meetings/{draft_id}/edit"
    token = open_form(client, path)
    form = meeting_form(token, world, organisation_ids=[str(secret_draft)])
    assert client.post(path, data=form).status_code == 302
    auth.logout()
    assert SECRET in client.get(f"/meetings?organisation={secret_draft}").get_data(as_text=True)
    assert SECRET in client.get("/meetings.csv").get_data(as_text=True)


def test_organisation_added_by_an_amendment_becomes_public(app, client, auth, world, records):
    meeting_id = records.meeting(
        created_by_id=world["user"],
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    auth.login()
    path = f"/desk/meetings/{meeting_id}/edit"
    token = open_form(client, path)
    form = meeting_form(token, world, new_organisations="Nytillkomna AB", reason="Saknades")
    assert client.post(path, data=form).status_code == 302
    auth.logout()
    assert "Nytillkomna AB" in client.get("/meetings/1").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Organisation.public).filter_by(name="Nytillkomna AB"))


# -- 2. concurrent amendments: one is refused, nothing is lost ------------------------


def test_a_stale_form_is_refused_with_the_difference_and_nothing_is_lost(app, auth, world, records):
    records.user(email="registrar@example.org", role="registrar")
    meeting_id = records.meeting(
        subject="Ursprunglig rubrik",
        created_by_id=world["user"],
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
        outcome="Första raden",
    )
    path = f"/desk/meetings/{meeting_id}/edit"
    first, second = app.test_client(), app.test_client()
    type(auth)(first).login()
    type(auth)(second).login(email="registrar@example.org")
    first_page, second_page = first.get(path), second.get(path)
    assert form_version(first_page) == form_version(second_page) == "1"

    saved = first.post(
        path,
        data=meeting_form(
            csrf_token(first_page), world, subject="Kollegans rubrik", reason="Rättad rubrik"
        ),
    )
    assert saved.status_code == 302
    stale = second.post(
        path,
        data=meeting_form(
            csrf_token(second_page),
            world,
            subject="Ursprunglig rubrik",
            outcome="Min egen uppföljning",
            reason="Kompletterat",
        ),
    )
    assert stale.status_code == 409
    page = html.unescape(stale.get_data(as_text=True))
    assert "Kollegans rubrik" in page  # what the record says now
    assert "Min egen uppföljning" in page  # the form as typed
    assert "Rättad rubrik" in page  # the colleague's reason
    assert form_version(stale) == "2"  # sending it again is a choice made knowingly

    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.subject == "Kollegans rubrik"
        assert meeting.outcome == "Nytt möte i vår."  # the first save, untouched by the second
        assert [r.action for r in meeting.revisions] == ["publish", "amend"]
    assert history_chain_breaks(app) == []


def test_a_stale_draft_form_is_refused_too(app, auth, world, records):
    meeting_id = records.meeting(
        status="draft",
        created_by_id=world["user"],
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    path = f"/desk/meetings/{meeting_id}/edit"
    tab_one, tab_two = app.test_client(), app.test_client()
    type(auth)(tab_one).login()
    type(auth)(tab_two).login()
    page_one, page_two = tab_one.get(path), tab_two.get(path)
    form = meeting_form(csrf_token(page_one), world, action="save_draft", subject="Flik ett")
    assert tab_one.post(path, data=form).status_code == 302
    form = meeting_form(csrf_token(page_two), world, action="save_draft", subject="Flik två")
    assert tab_two.post(path, data=form).status_code == 409
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).subject == "Flik ett"


def test_an_edit_without_its_version_is_refused(app, client, auth, world, records):
    meeting_id = records.meeting(
        created_by_id=world["user"],
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    auth.login()
    path = f"/desk/meetings/{meeting_id}/edit"
    token = open_form(client, path)
    for version in ("", "²", "1.0"):
        form = meeting_form(token, world, subject="Utan version", reason="x", version=version)
        assert client.post(path, data=form).status_code == 400
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).subject != "Utan version"


def test_every_amendment_continues_the_one_before(app, client, auth, world, records):
    meeting_id = records.meeting(
        created_by_id=world["user"],
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    auth.login()
    path = f"/desk/meetings/{meeting_id}/edit"
    for round_ in range(1, 5):
        page = client.get(path)
        form = meeting_form(
            csrf_token(page),
            world,
            subject=f"Rubrik {round_}",
            reason=f"Ändring {round_}",
            version=form_version(page),
        )
        assert client.post(path, data=form).status_code == 302
    assert count(app, Revision) == 5
    assert history_chain_breaks(app) == []


# -- 3. ids are ASCII digits, everywhere -----------------------------------------------

ODD_DIGITS = ["²", "³", "①", "፩", "١", "１", "1_0", "0", "-1", "99999999999"]


@pytest.mark.parametrize("value", ODD_DIGITS)
def test_ids_that_are_not_ascii_digits_are_a_clear_400(client, world, value):
    for path in ("/meetings", "/meetings.csv", "/meetings.json"):
        for name in ("official", "organisation", "unit"):
            response = client.get(path, query_string={name: value})
            assert response.status_code == 400, (path, name)
            if path.endswith(".json"):
                assert name in response.get_json()["fields"]


@pytest.mark.parametrize("value", ["²", "①", "١", "1_0"])
def test_odd_digits_in_a_cursor_or_a_url_find_nothing(client, world, value):
    import base64

    cursor = base64.urlsafe_b64encode(f"2026-01-01.{value}.0".encode()).decode().rstrip("=")
    assert client.get("/meetings", query_string={"cursor": cursor}).status_code == 400
    assert client.get(f"/meetings/{value}").status_code == 404
    assert client.get(f"/meetings/{value}/history").status_code == 404


@pytest.mark.parametrize("value", ["²", "①", "١", "1_0", "１"])
def test_odd_digits_in_the_form_are_a_clear_400(app, client, auth, world, value):
    auth.login()
    token = open_form(client)
    for field in ("official_ids", "organisation_ids", "issue_ids"):
        response = client.post(
            "/desk/meetings/new", data=meeting_form(token, world, **{field: [value]})
        )
        assert response.status_code == 400
        assert "inte ett giltigt id" in response.get_data(as_text=True)
    assert count(app, Meeting) == 0


def test_odd_digits_in_a_desk_url_find_nothing(client, auth, world):
    auth.login()
    for value in ("²", "١"):
        assert client.get(f"/desk/meetings/{value}/edit").status_code == 404


# -- 5. an unchanged save records nothing ----------------------------------------------


def test_saving_an_unchanged_record_makes_no_amendment(app, client, auth, records, world):
    # Ids in the opposite order to names: "Örjan" was created before "Anna".
    late_in_alphabet = records.official(name="Örjan Östlund", title="regionråd")
    meeting_id = records.meeting(
        created_by_id=world["user"],
        official_ids=[late_in_alphabet, world["official"]],
        organisation_ids=[world["organisation"]],
        subject="Oförändrat",
    )
    auth.login()
    path = f"/desk/meetings/{meeting_id}/edit"
    page = client.get(path)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        form = meeting_form(
            csrf_token(page),
            world,
            held_on=meeting.held_on.isoformat(),
            start_time="",
            format=meeting.format,
            location=meeting.location,
            initiative=meeting.initiative,
            subject=meeting.subject,
            summary=meeting.summary,
            outcome=meeting.outcome,
            representatives=meeting.representatives,
            document_links="",
            issue_ids=[],
            official_ids=[str(world["official"]), str(late_in_alphabet)],
            reason="Inget",
        )
    response = client.post(path, data=form)
    assert response.status_code == 302
    assert count(app, Revision) == 1
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).version == 1
        assert db.session.get(Meeting, meeting_id).amended_at is None


# -- 6. gapless public numbers ---------------------------------------------------------


def test_public_numbers_skip_drafts_and_count_from_one(app, client, auth, world):
    auth.login()
    token = open_form(client)
    actions = ["save_draft", "publish", "save_draft", "publish", "publish"]
    for n, action in enumerate(actions):
        form = meeting_form(token, world, action=action, subject=f"Möte nummer {n}")
        assert client.post("/desk/meetings/new", data=form).status_code == 302
    auth.logout()
    with app.app_context():
        numbers = db.session.scalars(
            select(Meeting.number).where(Meeting.number.is_not(None)).order_by(Meeting.number)
        ).all()
    assert numbers == [1, 2, 3]
    assert [client.get(f"/meetings/{n}").status_code for n in range(1, 5)] == [200] * 3 + [404]
    csv_ids = [line.split(",")[0] for line in client.get("/meetings.csv").text.splitlines()[1:]]
    assert sorted(csv_ids) == ["1", "2", "3"]


def test_a_failed_publication_gives_its_number_back(app, client, auth, world, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    auth.login()
    token = open_form(client)

    def fail(*args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("simulated failure after the number"))

    monkeypatch.setattr(db.session, "commit", fail)
    response = client.post("/desk/meetings/new", data=meeting_form(token, world))
    monkeypatch.undo()
    assert response.status_code == 409
    assert client.post("/desk/meetings/new", data=meeting_form(token, world)).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Meeting.number)).all() == [1]
        assert db.session.get(Counter, "meeting_number").value == 1


def test_data_page_says_the_numbers_have_no_gaps(client):
    assert "utan luckor" in client.get("/data").get_data(as_text=True)


# -- 7. absolute URLs never follow a foreign Host --------------------------------------


@pytest.fixture
def production_app(migrated_database_url, tmp_path, app):
    """The app as deployed: not testing, not development, PUBLIC_URL set."""
    production = create_app(
        {
            "SECRET_KEY": "production-secret",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PUBLIC_URL": "https://insyn.example.se",
            "DEVELOPMENT": False,
        }
    )
    yield production
    with production.app_context():
        db.engine.dispose()


def test_a_foreign_host_is_refused(production_app, records, world):
    records.meeting(official_ids=[world["official"]], organisation_ids=[world["organisation"]])
    client = production_app.test_client()
    for path in ("/", "/meetings.csv", "/data/datapackage.json", "/meetings/1"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        assert "evil.example" not in response.get_data(as_text=True)
    response = client.get("/meetings.csv", headers={"Host": "insyn.example.se"})
    assert response.status_code == 200
    assert "https://insyn.example.se/meetings/1" in response.get_data(as_text=True)
    package = client.get("/data/datapackage.json", headers={"Host": "insyn.example.se"})
    assert package.get_json()["resources"][0]["path"].startswith("https://insyn.example.se/")


def test_production_will_not_start_without_its_public_address():
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        create_app({"SECRET_KEY": "x", "DEVELOPMENT": False, "PUBLIC_URL": ""})


# -- 8. no demo account with a known password outside development ---------------------


def test_demo_outside_development_gives_random_passwords(app, runner):
    app.config["DEVELOPMENT"] = False
    with app.app_context():
        result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    printed = dict(re.findall(r"(\S+@example\.org)\s+password: (\S+)", result.output))
    assert set(printed) == {"admin@example.org", "registrar@example.org", "official@example.org"}
    with app.app_context():
        for email, password in printed.items():
            user = db.session.scalar(select(User).filter_by(email=email))
            assert password != "demo" and len(password) >= 16
            assert not user.check_password("demo")
            assert user.check_password(password)


def test_demo_in_development_keeps_the_documented_password(app, runner):
    app.config["DEVELOPMENT"] = True
    with app.app_context():
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        admin = db.session.scalar(select(User).filter_by(email="admin@example.org"))
        assert admin.check_password("demo")


# -- 9. invisible and reversing characters ---------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subject": "\u200b\u200b\u200b"}, "synliga tecken"),
        ({"subject": "\u0301\u0301\u0301"}, "synliga tecken"),
        ({"subject": "Möte om \u202eexe.fdp"}, "vänder textens riktning"),
        ({"summary": "Text \u2066med isolat\u2069"}, "vänder textens riktning"),
        ({"organisation_ids": [], "new_organisations": "\u200b"}, "Välj minst en organisation"),
        ({"subject": "\u3164\u3164\u3164"}, "synliga tecken"),  # Hangul fillers
        ({"subject": "\u2800\u2800\u2800"}, "synliga tecken"),  # braille blanks
        ({"subject": "a\u200b\u200b"}, "Ämnet ska vara 3 till 200 tecken"),
        ({"subject": "x\ufeff\u00ad"}, "Ämnet ska vara 3 till 200 tecken"),
        ({"organisation_ids": [], "new_organisations": "\u3164"}, "Välj minst en organisation"),
        ({"new_organisations": "Riktig AB\n\u3164\u3164"}, "synliga tecken"),
    ],
)
def test_invisible_or_reversing_text_is_refused(app, client, auth, world, overrides, message):
    auth.login()
    token = open_form(client)
    response = client.post("/desk/meetings/new", data=meeting_form(token, world, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Meeting) == 0
    assert count(app, Organisation) == 1


def test_zero_width_characters_do_not_make_a_second_organisation(app, client, auth, world):
    auth.login()
    token = open_form(client)
    names = "Acme\u200b AB\nACME  AB\nAcme\u00ad AB\nAcme \u2062AB\nAcme\ufeffAB\nNorrsken AB"
    form = meeting_form(token, world, organisation_ids=[], new_organisations=names)
    assert client.post("/desk/meetings/new", data=form).status_code == 302
    with app.app_context():
        stored = sorted(db.session.scalars(select(Organisation.name)))
    assert stored == ["Acme AB", "AcmeAB", "Norrsken AB", "Trafikverket"]


def test_summary_of_only_invisible_characters_counts_as_empty(app, client, auth, world):
    auth.login()
    token = open_form(client)
    form = meeting_form(
        token, world, summary="\u200b\u200b", outcome="\u3164", location="\u200b\u200b"
    )
    assert client.post("/desk/meetings/new", data=form).status_code == 302
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        assert (meeting.summary, meeting.outcome, meeting.location) == ("", "", "")


def test_text_is_stored_in_nfc(app, client, auth, world):
    auth.login()
    token = open_form(client)
    decomposed = "Mo\u0308te i Bora\u030as"  # ö and å typed as letter + combining mark
    form = meeting_form(token, world, subject=decomposed)
    assert client.post("/desk/meetings/new", data=form).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Meeting.subject)) == "Möte i Borås"
    assert "Möte i Borås" in client.get("/meetings").get_data(as_text=True)


# -- found by trying the register from outside ------------------------------------------


def test_a_deleted_drafts_id_is_never_given_to_another_meeting(app, auth, world):
    """Else a form still open on the deleted draft would pass its version check."""
    registrar, author = app.test_client(), app.test_client()
    from .conftest import AuthActions

    auth.login()
    type(auth)(author).login()
    token = csrf_token(author.get("/desk/meetings/new"))
    form = meeting_form(token, world, action="save_draft", subject="Första utkastet")
    author.post("/desk/meetings/new", data=form)
    with app.app_context():
        first = db.session.scalar(select(Meeting.id))
    from .conftest import Records

    Records(app).user(email="registrar@example.org", role="registrar")
    AuthActions(registrar).login(email="registrar@example.org")
    stale = registrar.get(f"/desk/meetings/{first}/edit")
    assert stale.status_code == 200

    response = author.post(
        f"/desk/meetings/{first}/delete", data={"csrf_token": token, "version": "1"}
    )
    assert response.status_code == 302
    form = meeting_form(token, world, action="save_draft", subject="Andra utkastet")
    author.post("/desk/meetings/new", data=form)
    with app.app_context():
        second = db.session.scalar(select(Meeting.id))
    assert second != first

    form = meeting_form(csrf_token(stale), world, action="publish", subject="Gammal flik")
    assert registrar.post(f"/desk/meetings/{first}/edit", data=form).status_code == 404
    with app.app_context():
        assert db.session.get(Meeting, second).subject == "Andra utkastet"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"held_on": "2025-1-1"}, "Ange ett riktigt datum i formen ÅÅÅÅ-MM-DD"),
        ({"held_on": "20250101"}, "Ange ett riktigt datum i formen ÅÅÅÅ-MM-DD"),
        ({"start_time": "1:5"}, "Ange en tid i formen TT:MM"),
    ],
)
def test_dates_and_times_are_typed_exactly_as_asked(app, client, auth, world, overrides, message):
    auth.login()
    token = open_form(client)
    response = client.post("/desk/meetings/new", data=meeting_form(token, world, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["20250101", "2025-W01", "2025-W01-1", "2025-1-1"])
def test_date_filters_take_only_yyyy_mm_dd(client, value):
    for path in ("/meetings", "/meetings.csv", "/meetings.json"):
        assert client.get(path, query_string={"from": value}).status_code == 400


def test_a_record_has_one_address(client, records, world):
    records.meeting(official_ids=[world["official"]], organisation_ids=[world["organisation"]])
    assert client.get("/meetings/1").status_code == 200
    assert client.get("/meetings/01").status_code == 404


def test_signed_in_pages_are_not_cached(client, auth, world):
    assert "no-store" not in client.get("/meetings").headers.get("Cache-Control", "")
    auth.login()
    for path in ("/desk/", "/desk/meetings/new", "/meetings"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_sign_in_pages_are_not_cached(client):
    # They hold a form token, and after a failure the email typed.
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    failed = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert failed.status_code == 400 and failed.headers["Cache-Control"] == "no-store"


def test_https_tells_browsers_to_stay_on_https(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    app.config["PUBLIC_URL"] = "https://insyn.example.se"
    behind_a_proxy = client.get("/", headers={"Host": "insyn.example.se"})
    assert "max-age=31536000" in behind_a_proxy.headers["Strict-Transport-Security"]


def test_numbering_continues_when_the_counter_row_is_missing(app, client, auth, records, world):
    """A restored or emptied database may lack the counter: numbering goes on from the
    highest number used, never repeating one."""
    records.meeting(official_ids=[world["official"]], organisation_ids=[world["organisation"]])
    with app.app_context():
        db.session.execute(Counter.__table__.delete())
        db.session.commit()
    auth.login()
    token = open_form(client)
    response = client.post("/desk/meetings/new", data=meeting_form(token, world))
    assert response.headers["Location"] == "/meetings/2"
