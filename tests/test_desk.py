"""The desk's list of the user's own records: search, status filter, pages, bad parameters."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, insert

from register.desk.listing import PAGE_SIZE
from register.extensions import db
from register.models import Meeting, meeting_official

from .conftest import utc_today

SUBJECT_LINK = re.compile(r'<td data-label="Ämne"><a href="[^"]+">([^<]+)</a>')
NEXT_LINK = re.compile(r'<a rel="next" href="([^"]+)"')


def listed_subjects(response) -> list[str]:
    """The subjects in the page's own-records table (not the overdue callouts)."""
    text = response.get_data(as_text=True)
    records = text[text.index('id="records-heading"') :]
    return [html.unescape(subject) for subject in SUBJECT_LINK.findall(records)]


def status_link(response, status: str) -> str:
    """The text of the status filter's link, e.g. "Utkast (3)"."""
    text = response.get_data(as_text=True)
    nav = text[text.index('class="status-filter"') :]
    suffix = f"status={status}" if status else ""
    pattern = rf'<a href="/desk/\??[^"]*{suffix}"[^>]*>(.*?)</a>'
    match = re.search(pattern, nav) if status else re.search(r"<a [^>]*>(.*?)</a>", nav)
    assert match, f"no link for status {status!r}"
    return re.sub(r"<[^>]+>", "", match.group(1))


@pytest.fixture
def desk(records, world):
    """The signed-in official's records of every kind, a colleague's draft naming the
    official, and another official's records that must never show."""
    other_official = records.official(name="Cecilia Annan", title="regionråd")
    other_user = records.user(email="other@example.org", official_id=other_official)
    today = utc_today()

    def own(subject, **fields):
        return records.meeting(
            subject=subject,
            created_by_id=world["user"],
            official_ids=[world["official"]],
            organisation_ids=[world["organisation"]],
            **fields,
        )

    own("Öppet möte om Ängelholms station", held_on=today - timedelta(days=1))
    own("Utkast om spårbyte", status="draft", held_on=today - timedelta(days=2))
    own(
        "Bortglömt utkast",
        status="draft",
        held_on=today - timedelta(days=60),
        summary="Samtal om ÅTERVINNING av räls",
    )
    own("Tillbakadraget möte", status="withdrawn", held_on=today - timedelta(days=90))
    records.meeting(
        subject="Kollegans utkast med mig",
        status="draft",
        created_by_id=other_user,
        official_ids=[world["official"]],
        held_on=today - timedelta(days=4),
    )
    records.meeting(
        subject="Annans hemliga utkast",
        status="draft",
        created_by_id=other_user,
        official_ids=[other_official],
    )
    records.meeting(
        subject="Annans publicerade möte", created_by_id=other_user, official_ids=[other_official]
    )
    return world


def test_desk_lists_own_records_newest_first_never_another_officials(client, auth, desk):
    auth.login()
    response = client.get("/desk/")
    assert response.status_code == 200
    assert listed_subjects(response) == [
        "Öppet möte om Ängelholms station",
        "Utkast om spårbyte",
        "Kollegans utkast med mig",
        "Bortglömt utkast",
        "Tillbakadraget möte",
    ]
    text = response.get_data(as_text=True)
    assert "Annans" not in text
    assert "Poster 1–5 av 5" in text


def test_desk_counts_each_status_in_the_filter(client, auth, desk):
    auth.login()
    response = client.get("/desk/")
    assert status_link(response, "") == "Alla mina poster (5)"
    assert status_link(response, "draft") == "Mina utkast (3)"
    assert status_link(response, "overdue") == "Försenade utkast (1)"
    assert status_link(response, "published") == "Mina publicerade poster (1)"
    assert status_link(response, "closed") == "Återkallade eller sekretessprövade (1)"


@pytest.mark.parametrize(
    ("status", "subjects"),
    [
        ("draft", ["Utkast om spårbyte", "Kollegans utkast med mig", "Bortglömt utkast"]),
        ("overdue", ["Bortglömt utkast"]),
        ("published", ["Öppet möte om Ängelholms station"]),
        ("closed", ["Tillbakadraget möte"]),
    ],
)
def test_desk_filters_by_status(client, auth, desk, status, subjects):
    auth.login()
    response = client.get(f"/desk/?status={status}")
    assert response.status_code == 200
    assert listed_subjects(response) == subjects
    assert 'aria-current="true"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("q", "subjects"),
    [
        ("ÄNGELHOLM", ["Öppet möte om Ängelholms station"]),  # case folded, Ä included
        ("öppet", ["Öppet möte om Ängelholms station"]),
        ("återvinning", ["Bortglömt utkast"]),  # in the summary
        # The counterpart's name: every own record names Trafikverket, the colleague's not.
        (
            "TRAFIKVERK",
            [
                "Öppet möte om Ängelholms station",
                "Utkast om spårbyte",
                "Bortglömt utkast",
                "Tillbakadraget möte",
            ],
        ),
        ("100%_", []),  # LIKE's wildcards are plain characters
    ],
)
def test_desk_search_folds_case_and_swedish_letters(client, auth, desk, q, subjects):
    auth.login()
    response = client.get("/desk/", query_string={"q": q})
    assert response.status_code == 200
    assert listed_subjects(response) == subjects
    if not subjects:
        assert "Ingen av dina poster matchar." in response.get_data(as_text=True)


def test_desk_search_matches_organisation_names_without_accents(client, auth, records, world):
    hamn = records.organisation(name="Göteborgs Hamn AB", kind="company")
    records.meeting(
        subject="Hamnens utbyggnad",
        created_by_id=world["user"],
        official_ids=[world["official"]],
        organisation_ids=[hamn],
    )
    records.meeting(subject="Annat möte", created_by_id=world["user"])
    auth.login()
    response = client.get("/desk/?q=goteborgs+hamn&status=published")
    assert listed_subjects(response) == ["Hamnens utbyggnad"]
    assert status_link(response, "published") == "Mina publicerade poster (1)"


def test_desk_search_keeps_the_status_and_the_status_links_keep_the_search(client, auth, desk):
    auth.login()
    text = client.get("/desk/?q=utkast&status=draft").get_data(as_text=True)
    assert '<input type="hidden" name="status" value="draft">' in text
    assert 'href="/desk/?q=utkast&amp;status=overdue"' in text
    assert 'href="/desk/?q=utkast"' in text  # all statuses, same search


def bulk_meetings(app, user_id, official_id, count):
    """`count` of the user's drafts in one insert, one a day back from yesterday."""
    today = utc_today()
    rows = [
        {
            "subject": f"Möte nummer {n:03d}",
            "held_on": today - timedelta(days=n),
            "format": "video",
            "initiative": "region",
            "status": "draft",
            "created_by_id": user_id,
            "document_links": [],
        }
        for n in range(1, count + 1)
    ]
    with app.app_context():
        ids = db.session.scalars(insert(Meeting).returning(Meeting.id), rows).all()
        db.session.execute(
            insert(meeting_official),
            [{"meeting_id": i, "official_id": official_id} for i in ids],
        )
        db.session.commit()


def test_desk_walks_120_records_to_the_end_page_by_page(app, client, auth, world):
    bulk_meetings(app, world["user"], world["official"], 120)
    auth.login()
    seen, url, pages = [], "/desk/", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages += 1
        subjects = listed_subjects(response)
        assert len(subjects) == (PAGE_SIZE if pages < 3 else 120 - 2 * PAGE_SIZE)
        assert f"Sida {pages} av 3" in response.get_data(as_text=True)
        seen += subjects
        link = NEXT_LINK.search(response.get_data(as_text=True))
        url = html.unescape(link.group(1)) if link else None
    assert pages == 3
    assert seen == [f"Möte nummer {n:03d}" for n in range(1, 121)]
    last = client.get("/desk/?page=3").get_data(as_text=True)
    assert 'rel="prev" href="/desk/?page=2"' in last and 'rel="next"' not in last


def test_desk_pages_within_a_filter(app, client, auth, world):
    bulk_meetings(app, world["user"], world["official"], 60)
    auth.login()
    first = client.get("/desk/?status=draft")
    assert status_link(first, "draft") == "Mina utkast (60)"
    text = first.get_data(as_text=True)
    assert "Sida 1 av 2" in text
    assert 'href="/desk/?status=draft&amp;page=2"' in text
    second = client.get("/desk/?status=draft&page=2")
    assert listed_subjects(second) == [f"Möte nummer {n:03d}" for n in range(51, 61)]
    assert 'rel="prev" href="/desk/?status=draft"' in second.get_data(as_text=True)


def test_desk_loads_a_full_page_in_a_fixed_number_of_queries(app, client, auth, world, records):
    """No query per row: the counts, the page and its links are loaded in a few queries."""
    organisation = records.organisation(name="Västtrafik", kind="company")
    bulk_meetings(app, world["user"], world["official"], 120)
    with app.app_context():
        rows = [{"meeting_id": i, "organisation_id": organisation} for i in range(1, 121)]
        db.session.execute(insert(Meeting.organisations.property.secondary), rows)
        db.session.commit()
    auth.login()
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get("/desk/?page=2")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("Västtrafik") >= PAGE_SIZE
    assert len(statements) <= 12, len(statements)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "secret"}, "”secret” är inte ett av de tillåtna värdena."),
        ({"page": "0"}, "”0” är inte ett sidnummer."),
        ({"page": "två"}, "”två” är inte ett sidnummer."),
        ({"page": "²"}, "”²” är inte ett sidnummer."),
        ({"page": "99999999999"}, "”99999999999” är inte ett sidnummer."),
        ({"page": "7"}, "Det finns ingen sida 7; den sista sidan är 1."),
        ({"q": "x" * 201}, "Fritexten får vara högst 200 tecken."),
    ],
)
def test_desk_refuses_bad_parameters_with_a_clear_message(client, auth, desk, query, message):
    auth.login()
    response = client.get("/desk/", query_string=query)
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "Filtret kunde inte användas" in text
    assert message in text
    assert listed_subjects(response) == []
    assert "Du har inga poster ännu." not in text


def test_desk_is_for_signed_in_users_only(client):
    response = client.get("/desk/?q=möte&status=draft&page=2")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_registrar_desk_lists_only_their_own_records(client, auth, records, desk):
    records.user(email="registrar@example.org", role="registrar")
    auth.login(email="registrar@example.org")
    response = client.get("/desk/")
    assert response.status_code == 200
    assert listed_subjects(response) == []
    assert "Du har inga poster ännu." in response.get_data(as_text=True)
    # The region's overdue drafts stay in their own list for registrars.
    assert "Bortglömt utkast" in response.get_data(as_text=True)


def test_overdue_callouts_show_the_oldest_ten_and_link_to_the_rest(app, client, auth, world):
    bulk_meetings(app, world["user"], world["official"], 120)
    auth.login()
    text = client.get("/desk/").get_data(as_text=True)
    callout = text[text.index("Dina försenade utkast") : text.index('id="records-heading"')]
    assert callout.count('data-label="Ämne"') == 10
    assert "Möte nummer 120" in callout and "Möte nummer 110" not in callout
    assert "De 10 äldsta av" in callout
    assert 'href="/desk/?status=overdue"' in callout


def test_registrars_see_the_regions_oldest_overdue_drafts(app, client, auth, records, world):
    bulk_meetings(app, world["user"], world["official"], 40)
    records.user(email="registrar@example.org", role="registrar")
    auth.login(email="registrar@example.org")
    text = client.get("/desk/").get_data(as_text=True)
    region = text[text.index('id="overdue-heading"') : text.index('id="records-heading"')]
    assert region.count('data-label="Ämne"') == 10
    assert "Möte nummer 040" in region
    assert 'href="/admin/compliance"' in region
