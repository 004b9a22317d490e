"""Registrars correct organisations and merge duplicates, through the real forms, CSRF on."""

import pytest
from sqlalchemy import select

from register.extensions import db
from register.models import AuditEntry, Meeting, Organisation, meeting_organisation
from register.organisations import clean_org_number

from .conftest import csrf_token, history_chain_breaks
from .test_meeting_form import meeting_form

# Real, published organisation numbers: their check digits must pass.
REAL_NUMBERS = [
    ("556012-5790", "SE"),  # AB Volvo
    ("556016-0680", "SE"),  # Telefonaktiebolaget LM Ericsson
    ("556042-7220", "SE"),  # H & M Hennes & Mauritz AB
    ("202100-6297", "SE"),  # Trafikverket
    ("232100-0131", "SE"),  # Västra Götalandsregionen
    ("24256790", "DK"),  # Novo Nordisk A/S
    ("22756214", "DK"),  # A.P. Møller - Mærsk A/S
    ("61126228", "DK"),  # Danske Bank A/S
]


@pytest.fixture
def people(records, world):
    """Beside the world's official, a registrar with an account."""
    records.user(email="registrar@example.org", role="registrar", name="Rita Registrator")


def facts_form(token, **overrides):
    data = {
        "csrf_token": token,
        "name": "AB Volvo",
        "kind": "company",
        "org_number": "5560125790",
        "eu_transparency_id": "",
        "country": "se",
        "website": "https://www.volvogroup.com",
    }
    data.update(overrides)
    return data


def load(app, organisation_id):
    with app.app_context():
        organisation = db.session.get(Organisation, organisation_id)
        db.session.expunge(organisation)
        return organisation


def audit_actions(app):
    with app.app_context():
        return [entry.action for entry in db.session.scalars(select(AuditEntry))]


def linked(app, meeting_id):
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(meeting_organisation.c.organisation_id).where(
                    meeting_organisation.c.meeting_id == meeting_id
                )
            )
        )


PAGES = ["/admin/organisations", "/admin/organisations/{id}", "/admin/organisations/{id}/merge"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, path):
    response = client.get(path.format(id=world["organisation"]))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("who", "status"),
    [("official", 403), ("registrar", 200), ("admin", 200)],
)
@pytest.mark.parametrize("path", PAGES)
def test_registrars_and_admins_manage_organisations_officials_do_not(
    client, auth, records, world, people, who, status, path
):
    if who == "admin":
        records.user(email="admin@example.org", role="admin", name="Adam Admin")
    auth.login(email=f"{who}@example.org")
    assert client.get(path.format(id=world["organisation"])).status_code == status


def test_official_cannot_change_an_organisation(app, client, auth, world, people):
    auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    organisation = world["organisation"]
    response = client.post(f"/admin/organisations/{organisation}", data=facts_form(token))
    assert response.status_code == 403
    assert load(app, organisation).name == "Trafikverket"


def test_unknown_organisation_is_a_404(client, auth, people):
    auth.login(email="registrar@example.org")
    assert client.get("/admin/organisations/999").status_code == 404
    assert client.get("/admin/organisations/999/merge").status_code == 404


def test_registrar_corrects_an_organisations_facts(app, client, auth, records, people):
    organisation = records.organisation(name="Volvo", kind="other", public=False)
    auth.login(email="registrar@example.org")
    token = csrf_token(client.get(f"/admin/organisations/{organisation}"))
    response = client.post(
        f"/admin/organisations/{organisation}",
        data=facts_form(token, eu_transparency_id="7714905406-52"),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/organisations/{organisation}"
    assert "Organisationen är sparad." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )

    stored = load(app, organisation)
    assert stored.name == "AB Volvo"
    assert stored.kind == "company"
    assert stored.org_number == "556012-5790"
    assert stored.country == "SE"
    assert stored.eu_transparency_id == "7714905406-52"
    assert stored.website == "https://www.volvogroup.com"
    assert stored.public, "a registrar's edit vouches for the organisation"
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).filter_by(action="organisation_update"))
        assert entry.before["name"] == "Volvo" and entry.before["public"] is False
        assert entry.after["org_number"] == "556012-5790" and entry.after["public"] is True


@pytest.mark.parametrize(("number", "country"), REAL_NUMBERS)
def test_real_published_organisation_numbers_pass_their_check_digits(app, number, country):
    with app.app_context():
        assert clean_org_number(number, country) == number
        assert clean_org_number(number, "") == number  # told apart by shape alone


@pytest.mark.parametrize(
    ("number", "country"), [("556012-5791", "SE"), ("24256791", "DK"), ("5560125791", "")]
)
def test_a_changed_check_digit_is_refused(app, client, auth, records, people, number, country):
    organisation = records.organisation(name="Volvo")
    auth.login(email="registrar@example.org")
    token = csrf_token(client.get(f"/admin/organisations/{organisation}"))
    response = client.post(
        f"/admin/organisations/{organisation}",
        data=facts_form(token, org_number=number, country=country),
    )
    assert response.status_code == 400
    assert "Kontrollsiffran" in response.get_data(as_text=True)
    assert load(app, organisation).org_number is None


BAD_FACTS = [
    ({"name": ""}, "Skriv organisationens namn."),
    ({"name": "\u200b "}, "Skriv det med synliga tecken."),
    ({"country": "Sverige"}, "Skriv landet med dess tvåbokstavskod"),
    ({"country": "S1"}, "Skriv landet med dess tvåbokstavskod"),
    ({"org_number": "12345"}, "Ett svenskt organisationsnummer har 10 siffror"),
    ({"country": "DE"}, "Bara svenska organisationsnummer och danska CVR-nummer"),
    ({"eu_transparency_id": "7714905406"}, "Ett id i EU:s öppenhetsregister"),
    ({"eu_transparency_id": "abc-12"}, "Ett id i EU:s öppenhetsregister"),
    ({"website": "javascript:alert(1)"}, "Ange en webbadress som börjar med http://"),
    ({"website": "ftp://example.se"}, "Ange en webbadress som börjar med http://"),
    ({"website": "https://"}, "Ange en webbadress som börjar med http://"),
    ({"kind": "lobby"}, "Välj ett av alternativen i listan."),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_FACTS)
def test_bad_facts_get_a_clear_message_and_change_nothing(
    app, client, auth, records, people, overrides, message
):
    organisation = records.organisation(name="Volvo", kind="other")
    auth.login(email="registrar@example.org")
    token = csrf_token(client.get(f"/admin/organisations/{organisation}"))
    response = client.post(
        f"/admin/organisations/{organisation}", data=facts_form(token, **overrides)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    stored = load(app, organisation)
    assert (stored.name, stored.kind, stored.org_number) == ("Volvo", "other", None)
    assert audit_actions(app) == ["sign_in"]


def test_an_organisation_number_in_use_is_refused_with_a_way_to_merge(
    app, client, auth, records, people
):
    holder = records.organisation(name="AB Volvo", org_number="556012-5790")
    duplicate = records.organisation(name="Volvokoncernen")
    auth.login(email="registrar@example.org")
    token = csrf_token(client.get(f"/admin/organisations/{duplicate}"))
    response = client.post(
        f"/admin/organisations/{duplicate}",
        data=facts_form(token, name="Volvokoncernen", org_number="556012 5790"),
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "556012-5790 är redan organisationsnummer för ”AB Volvo”" in html
    assert f"/admin/organisations/{duplicate}/merge?into={holder}" in html
    assert load(app, duplicate).org_number is None


def test_post_without_csrf_token_changes_nothing(app, client, auth, records, people):
    organisation = records.organisation(name="Volvo")
    auth.login(email="registrar@example.org")
    data = facts_form("")
    del data["csrf_token"]
    response = client.post(f"/admin/organisations/{organisation}", data=data)
    assert response.status_code == 400
    assert load(app, organisation).name == "Volvo"


def test_saving_unchanged_facts_records_nothing(app, client, auth, records, people):
    organisation = records.organisation(name="Trafikverket", kind="public_authority")
    auth.login(email="registrar@example.org")
    token = csrf_token(client.get(f"/admin/organisations/{organisation}"))
    form = facts_form(
        token, name="Trafikverket", kind="public_authority", org_number="", country="", website=""
    )
    assert client.post(f"/admin/organisations/{organisation}", data=form).status_code == 302
    assert audit_actions(app) == ["sign_in"]


def test_renaming_restates_every_published_record_in_its_history(
    app, client, auth, records, world, people
):
    organisation = records.organisation(name="Volvo Lastvagnar")
    published = records.meeting(
        official_ids=[world["official"]], organisation_ids=[organisation, world["organisation"]]
    )
    draft = records.meeting(
        status="draft", official_ids=[world["official"]], organisation_ids=[organisation]
    )
    auth.login(email="registrar@example.org")
    token = csrf_token(client.get(f"/admin/organisations/{organisation}"))
    response = client.post(
        f"/admin/organisations/{organisation}",
        data=facts_form(token, name="Volvo Lastvagnar AB", org_number=""),
    )
    assert response.status_code == 302

    assert history_chain_breaks(app) == []
    with app.app_context():
        revisions = db.session.get(Meeting, published).revisions
        assert [r.action for r in revisions] == ["publish", "amend"]
        assert revisions[1].reason == (
            "Organisationens namn rättades: Volvo Lastvagnar → Volvo Lastvagnar AB"
        )
        assert revisions[1].after["organisations"] == ["Trafikverket", "Volvo Lastvagnar AB"]
        assert db.session.get(Meeting, draft).revisions == []
    history = client.get(f"/meetings/{records.number(published)}/history")
    assert "Volvo Lastvagnar → Volvo Lastvagnar AB" in history.get_data(as_text=True)


@pytest.fixture
def duplicates(records, world):
    """A duplicate and the organisation to keep, with meetings naming one or both."""
    kept = records.organisation(name="AB Volvo", kind="company", org_number=None)
    duplicate = records.organisation(name="Volvo", kind="other", org_number="556012-5790")
    links = {"official_ids": [world["official"]]}
    return {
        "kept": kept,
        "duplicate": duplicate,
        "only_duplicate": records.meeting(
            subject="Elektrifierade lastbilar", organisation_ids=[duplicate], **links
        ),
        "both": records.meeting(
            subject="Godstrafik på Västra stambanan",
            organisation_ids=[duplicate, kept, world["organisation"]],
            **links,
        ),
        "draft": records.meeting(
            subject="Utkast om vätgas", status="draft", organisation_ids=[duplicate], **links
        ),
        "only_kept": records.meeting(subject="Batterifabriken", organisation_ids=[kept], **links),
    }


def test_registrar_merges_duplicate_organisations(app, client, auth, people, duplicates):
    kept, duplicate = duplicates["kept"], duplicates["duplicate"]
    auth.login(email="registrar@example.org")
    page = client.get(f"/admin/organisations/{duplicate}/merge")
    html = page.get_data(as_text=True)
    assert "Alla 3 möten som nämner ”Volvo”" in html
    assert "AB Volvo" in html, "the kept one is offered as a candidate"

    response = client.post(
        f"/admin/organisations/{duplicate}/merge",
        data={"csrf_token": csrf_token(page), "into": str(kept)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/organisations/{kept}"
    assert "3 möten flyttades hit" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )

    for meeting in ("only_duplicate", "draft", "only_kept"):
        assert linked(app, duplicates[meeting]) == [kept]
    assert duplicate not in linked(app, duplicates["both"])
    assert linked(app, duplicates["both"]).count(kept) == 1

    merged, stored_kept = load(app, duplicate), load(app, kept)
    assert merged.merged_into_id == kept and merged.merged_at is not None
    assert stored_kept.org_number == "556012-5790", "the kept one takes the number it lacked"
    assert merged.org_number is None
    assert stored_kept.kind == "company"
    assert history_chain_breaks(app) == []
    with app.app_context():
        revisions = db.session.get(Meeting, duplicates["only_duplicate"]).revisions
        assert revisions[-1].action == "amend"
        assert "Volvo slogs ihop med AB Volvo" in revisions[-1].reason
        assert revisions[-1].after["organisations"] == ["AB Volvo"]
        entry = db.session.scalar(select(AuditEntry).filter_by(action="organisation_merge"))
        assert entry.target_id == duplicate
        assert entry.before["organisation"]["merged_into_id"] is None
        assert entry.after["organisation"]["merged_into_id"] == kept
        assert len(entry.after["meetings_moved"]) == 3
        # Unchanged records (the kept one was already on them alone) get no amendment.
        assert len(db.session.get(Meeting, duplicates["only_kept"]).revisions) == 1


def test_a_merged_organisations_pages_redirect_to_the_kept_one(
    app, client, auth, people, duplicates
):
    kept, duplicate = duplicates["kept"], duplicates["duplicate"]
    auth.login(email="registrar@example.org")
    token = csrf_token(client.get(f"/admin/organisations/{duplicate}/merge"))
    client.post(
        f"/admin/organisations/{duplicate}/merge", data={"csrf_token": token, "into": str(kept)}
    )
    client.post("/logout", data={"csrf_token": token})

    response = client.get(f"/organisations/{duplicate}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/organisations/{kept}"
    response = client.get(f"/meetings?organisation={duplicate}&format=in_person")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/meetings?organisation={kept}&format=in_person"

    html = client.get(f"/organisations/{kept}").get_data(as_text=True)
    for subject in (
        "Elektrifierade lastbilar",
        "Godstrafik på Västra stambanan",
        "Batterifabriken",
    ):
        assert subject in html
    assert "Utkast om vätgas" not in html
    assert "3 publicerade möten" in html


def test_merged_organisation_is_no_longer_offered_or_matched(
    app, client, auth, world, people, duplicates
):
    kept, duplicate = duplicates["kept"], duplicates["duplicate"]
    auth.login(email="registrar@example.org")
    token = csrf_token(client.get(f"/admin/organisations/{duplicate}/merge"))
    client.post(
        f"/admin/organisations/{duplicate}/merge", data={"csrf_token": token, "into": str(kept)}
    )

    form = client.get("/desk/meetings/new").get_data(as_text=True)
    assert f'value="{duplicate}"' not in form
    assert f'value="{kept}"' in form

    response = client.post(
        "/desk/meetings/new",
        data=meeting_form(token, world, organisation_ids=[], new_organisations="volvo"),
    )
    assert response.status_code == 302
    with app.app_context():
        newest = db.session.scalar(select(Meeting).order_by(Meeting.id.desc()).limit(1))
        assert [o.id for o in newest.organisations] == [kept]
        assert db.session.scalar(select(Organisation).filter_by(name="volvo")) is None


def test_merging_chains_point_straight_at_the_kept_one(app, records, people):
    from register import organisations
    from register.models import User

    first, second, third = (records.organisation(name=n) for n in ("Volvo", "Volvo AB", "AB Volvo"))
    with app.app_context():
        registrar = db.session.scalar(select(User).filter_by(role="registrar"))
        organisations.merge(first, second, registrar)
        organisations.merge(second, third, registrar)
    assert load(app, first).merged_into_id == third


BAD_MERGES = [
    ("self", "En organisation kan inte slås ihop med sig själv.", 400),
    ("merged", "slogs själv ihop med en annan organisation", 400),
    ("999", "Det finns ingen organisation med id 999.", 400),
    ("Volvo", "Ett id är ett heltal", 400),
    ("", "Ange id för organisationen som ska behållas.", 400),
]


@pytest.mark.parametrize(("into", "message", "status"), BAD_MERGES)
def test_bad_merges_get_a_clear_message_and_change_nothing(
    app, client, auth, records, people, duplicates, into, message, status
):
    kept, duplicate = duplicates["kept"], duplicates["duplicate"]
    gone = records.organisation(name="Volvo Group")
    with app.app_context():
        db.session.get(Organisation, gone).merged_into_id = kept
        db.session.commit()
    into = {"self": str(duplicate), "merged": str(gone)}.get(into, into)
    auth.login(email="registrar@example.org")
    token = csrf_token(client.get(f"/admin/organisations/{duplicate}/merge"))
    response = client.post(
        f"/admin/organisations/{duplicate}/merge", data={"csrf_token": token, "into": into}
    )
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert load(app, duplicate).merged_into_id is None
    assert linked(app, duplicates["only_duplicate"]) == [duplicate]
    assert "organisation_merge" not in audit_actions(app)


def test_an_organisation_already_merged_cannot_be_merged_or_edited(
    app, client, auth, records, people, duplicates
):
    kept, duplicate = duplicates["kept"], duplicates["duplicate"]
    other = records.organisation(name="Scania")
    auth.login(email="registrar@example.org")
    token = csrf_token(client.get(f"/admin/organisations/{duplicate}/merge"))
    client.post(
        f"/admin/organisations/{duplicate}/merge", data={"csrf_token": token, "into": str(kept)}
    )

    response = client.post(
        f"/admin/organisations/{duplicate}/merge", data={"csrf_token": token, "into": str(other)}
    )
    assert response.status_code == 409
    assert "Organisationen har slagits ihop med ”AB Volvo”" in response.get_data(as_text=True)
    response = client.post(
        f"/admin/organisations/{duplicate}", data=facts_form(token, name="Volvo igen")
    )
    assert response.status_code == 409
    assert load(app, duplicate).merged_into_id == kept
    assert load(app, duplicate).name == "Volvo"


def test_the_kept_organisation_becomes_public_with_a_public_duplicate(app, records, people):
    from register import organisations
    from register.models import User

    kept = records.organisation(name="Volvo AB", public=False)
    duplicate = records.organisation(name="Volvo", public=True)
    with app.app_context():
        registrar = db.session.scalar(select(User).filter_by(role="registrar"))
        organisations.merge(duplicate, kept, registrar)
    assert load(app, kept).public


def test_public_organisation_page_shows_its_facts_and_meetings(client, records, world):
    organisation = records.organisation(name="Novo Nordisk A/S", kind="company")
    records.meeting(
        subject="Insulinpriser", official_ids=[world["official"]], organisation_ids=[organisation]
    )
    with client.application.app_context():
        stored = db.session.get(Organisation, organisation)
        stored.org_number, stored.country = "24256790", "DK"
        stored.website, stored.eu_transparency_id = "https://www.novonordisk.com", "7714905406-52"
        db.session.commit()
    html = client.get(f"/organisations/{organisation}").get_data(as_text=True)
    assert "Novo Nordisk A/S" in html and "24256790" in html and "7714905406-52" in html
    assert '<a href="https://www.novonordisk.com" rel="nofollow noopener">' in html
    assert "Insulinpriser" in html
    assert f"/meetings?organisation={organisation}" in html
    assert f'href="/organisations/{organisation}"' in client.get("/meetings/1").get_data(
        as_text=True
    )


def test_private_or_unknown_organisations_have_no_public_page(client, records):
    private = records.organisation(name="Bara i utkast", public=False)
    assert client.get(f"/organisations/{private}").status_code == 404
    assert client.get("/organisations/999").status_code == 404


def test_admin_list_finds_organisations_by_name_or_number_and_marks_merged(
    app, client, auth, records, people, duplicates
):
    records.organisation(name="Scania CV AB", org_number="556084-0976", public=False)
    with app.app_context():
        db.session.get(Organisation, duplicates["duplicate"]).merged_into_id = duplicates["kept"]
        db.session.commit()
    records.user(email="admin@example.org", role="admin", name="Adam Admin")
    auth.login(email="admin@example.org")
    html = client.get("/admin/organisations?q=volvo").get_data(as_text=True)
    assert "AB Volvo" in html and "Scania" not in html
    assert "Sammanslagen med" in html
    html = client.get("/admin/organisations?q=556084").get_data(as_text=True)
    assert "Scania CV AB" in html and "Bara i utkast" in html
    assert client.get("/admin/organisations?page=abc").status_code == 200
