"""The register's filters: several values at once, names typed into the form, the order,
the position of a page, and the counts beside each choice."""

import csv
import io
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest


def listed(client, query: str) -> list[int]:
    """The public numbers on every page of the list, following the page links."""
    numbers, path = [], f"/meetings?{query}"
    while path:
        response = client.get(path)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        html = response.get_data(as_text=True)
        numbers += [
            int(n) for n in re.findall(r'class="meeting-subject"><a href="/meetings/(\d+)"', html)
        ]
        found = re.search(r'rel="next" href="([^"]+)"', html)
        path = found.group(1).replace("&amp;", "&") if found else None
    return numbers


def exported(client, query: str) -> tuple[list[int], ...]:
    """The public numbers in the CSV, the JSON, the workbook and the API's list of the
    same filters."""
    rows = csv.DictReader(io.StringIO(client.get(f"/meetings.csv?{query}").get_data(as_text=True)))
    from_csv = [int(row["id"]) for row in rows]
    records = client.get(f"/meetings.json?{query}").get_json()["meetings"]
    from_json = [item["id"] for item in records]
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/meetings.xlsx?{query}").data))
    from_excel = [row[0] for row in workbook["meetings"].iter_rows(min_row=2, values_only=True)]
    from_api = [
        item["id"] for item in client.get(f"/api/v1/meetings?{query}").get_json()["meetings"]
    ]
    return from_csv, from_json, from_excel, from_api


def followed(client, query: str) -> set[int]:
    """The public numbers of the records in the feed of the same filters."""
    feed = client.get(f"/feed.atom?{query}").get_data(as_text=True)
    return {int(n) for n in re.findall(r'rel="alternate" href="[^"]*/meetings/(\d+)"', feed)}


@pytest.fixture
def client(client):
    """A visitor who reads English, the language of these assertions."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def register(records, world):
    """Meetings with a company, an NGO and a public authority, about two issues, in three
    formats and two years; and a draft that must never count."""
    company = records.organisation(name="Volvo Cars", kind="company")
    ngo = records.organisation(name="Naturskyddsföreningen", kind="ngo")
    other_issue = records.issue(title="Sjukvårdens kompetensförsörjning", slug="kompetens")
    official, colleague = world["official"], world["colleague"]
    made = {}

    def meeting(key, organisations, issues=(), officials=(official,), **fields):
        made[key] = records.number(
            records.meeting(
                subject=f"Möte {key}",
                official_ids=list(officials),
                organisation_ids=list(organisations),
                issue_ids=list(issues),
                **fields,
            )
        )

    meeting("company-rail", [company], [world["issue"]], held_on=date(2025, 3, 4))
    meeting("ngo-rail", [ngo], [world["issue"]], format="video", held_on=date(2026, 1, 10))
    meeting(
        "agency", [world["organisation"]], [other_issue], format="phone", held_on=date(2026, 2, 1)
    )
    meeting(
        "company-ngo",
        [company, ngo],
        officials=(colleague,),
        format="video",
        held_on=date(2026, 5, 5),
    )
    meeting("agency-rail", [world["organisation"]], [world["issue"]], held_on=date(2025, 11, 30))
    records.meeting(
        subject="Utkast",
        status="draft",
        official_ids=[official],
        organisation_ids=[company],
        issue_ids=[world["issue"]],
    )
    return made | {"company": company, "ngo": ngo, "other_issue": "kompetens"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=company", {"company-rail", "company-ngo"}),
        ("kind=company&kind=ngo", {"company-rail", "ngo-rail", "company-ngo"}),
        (
            "issue=dubbelspar-goteborg-boras&issue=kompetens",
            {"company-rail", "ngo-rail", "agency", "agency-rail"},
        ),
        ("format=video&format=phone", {"ngo-rail", "agency", "company-ngo"}),
        ("kind=company&kind=ngo&issue=dubbelspar-goteborg-boras", {"company-rail", "ngo-rail"}),
        ("format=in_person&from=2025-12-01", set()),
        ("kind=ngo&format=video&to=2026-02-01", {"ngo-rail"}),
    ],
)
def test_several_values_widen_and_filters_narrow_alike_in_page_downloads_api_and_feed(
    client, register, query, expected
):
    numbers = {register[key] for key in expected}
    page = listed(client, query)
    assert set(page) == numbers
    for downloaded in exported(client, query):
        assert sorted(downloaded) == sorted(page)
    assert followed(client, query) == numbers


def test_the_count_beside_each_choice_is_the_list_that_choice_gives(client, register):
    html = client.get("/meetings?kind=company").get_data(as_text=True)
    counts = dict(re.findall(r'name="issue" value="([^"]+)"[^>]*>.*?\((\d+)\)', html, re.S))
    assert counts  # the form lists the issues with their counts
    for slug, count in counts.items():
        assert len(listed(client, f"kind=company&issue={slug}")) == int(count)
    # A kind is counted under the other filters but not the kinds already ticked: the
    # count beside "ngo" is what ticking it as well gives.
    kinds = dict(re.findall(r'name="kind" value="([^"]+)"[^>]*>.*?\((\d+)\)', html, re.S))
    assert int(kinds["ngo"]) == len(listed(client, "kind=ngo")) == 2
    years = dict(
        re.findall(r'from=(\d{4})-01-01[^"]*">\d{4}</a> <span class="facet-count">\((\d+)\)', html)
    )
    assert years == {"2025": "1", "2026": "1"}


def test_the_list_can_be_ordered_by_publication(client, register):
    by_meeting_date = listed(client, "")
    newly_published = listed(client, "sort=published")
    assert newly_published == sorted(newly_published, reverse=True)
    assert by_meeting_date != newly_published
    assert sorted(by_meeting_date) == sorted(newly_published)


def test_pages_say_where_they_are(app, client, register):
    app.config["PAGE_SIZE"] = 2
    first = client.get("/meetings").get_data(as_text=True)
    assert "1–2 of 5 meetings" in first
    next_page = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "3–4 of 5 meetings" in client.get(next_page).get_data(as_text=True)
    # The newly-published order pages by its own order.
    path = "/meetings?sort=published"
    seen = []
    while path:
        html = client.get(path).get_data(as_text=True)
        seen += [
            int(n) for n in re.findall(r'class="meeting-subject"><a href="/meetings/(\d+)"', html)
        ]
        found = re.search(r'rel="next" href="([^"]+)"', html)
        path = found.group(1).replace("&amp;", "&") if found else None
    assert seen == [5, 4, 3, 2, 1]


def test_a_typed_organisation_name_becomes_its_filter(client, register):
    response = client.get("/meetings?organisation_name=volvo+cars&kind=company")
    assert response.status_code == 302
    args = parse_qs(urlsplit(response.location).query)
    assert args == {"organisation": [str(register["company"])], "kind": ["company"]}
    html = client.get(response.location).get_data(as_text=True)
    assert 'value="Volvo Cars"' in html  # the field shows the name it stands for
    assert set(listed(client, f"organisation={register['company']}")) == {
        register["company-rail"],
        register["company-ngo"],
    }


def test_a_typed_official_name_finds_their_meetings(client, register, world):
    response = client.get("/meetings?official_name=bertil")
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.location).query) == {"official": [str(world["colleague"])]}


def test_a_name_that_could_mean_several_asks_which(client, records, register):
    records.organisation(name="Volvo Lastvagnar", kind="company")
    html = client.get("/meetings?organisation_name=volvo").get_data(as_text=True)
    assert "Which organisation do you mean?" in html
    assert "Volvo Cars" in html and "Volvo Lastvagnar" in html
    assert 'class="meeting-list"' not in html


def test_an_unknown_or_private_name_names_its_field_and_keeps_the_others(client, records, register):
    records.organisation(name="Hemligt Konsultbolag AB", kind="consultancy", public=False)
    for name in ("Finns Inte AB", "Hemligt Konsultbolag"):
        response = client.get(f"/meetings?organisation_name={name}&q=tåg&kind=company")
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "No organisation in the register is called" in html
        assert 'id="organisation_name"' in html and 'aria-invalid="true"' in html
        assert 'value="tåg"' in html
        assert re.search(r'value="company" checked', html)


def test_the_name_suggestions_show_public_names_only(client, records, register):
    records.organisation(name="Volvo Hemlig", kind="company", public=False)
    found = client.get("/lookup/organisations?q=volvo").get_json()["results"]
    assert [match["label"] for match in found] == ["Volvo Cars"]
    officials = client.get("/lookup/officials?q=regionråd").get_json()["results"]
    assert [match["label"] for match in officials] == ["Anna Regionråd"]
    assert client.get("/lookup/users?q=a").status_code == 404
    assert client.get("/lookup/organisations?q=" + "x" * 101).status_code == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [("kind=company&kind=bogus", "kind"), ("sort=sideways", "sort"), ("issue=Not A Slug", "issue")],
)
def test_a_bad_value_among_several_names_its_field(client, register, query, field):
    response = client.get(f"/meetings?{query}")
    assert response.status_code == 400
    assert "is not" in response.get_data(as_text=True)
    json_response = client.get(f"/meetings.json?{query}")
    assert json_response.status_code == 400
    assert field in json_response.get_json()["fields"]


def test_an_empty_result_says_what_was_searched_and_what_to_try(client, register):
    html = client.get("/meetings?q=flygplatsutbyggnad&kind=company").get_data(as_text=True)
    assert "No published meeting matches “flygplatsutbyggnad” with these filters" in html
    assert 'href="/meetings?q=flygplatsutbyggnad"' in html  # the same search, unfiltered


def test_active_filters_are_shown_and_each_can_be_removed(client, register):
    html = client.get("/meetings?kind=company&kind=ngo&format=video").get_data(as_text=True)
    chips = re.search(r'<ul class="active-filters".*?</ul>', html, re.S).group(0)
    assert "Company" in chips and "NGO or civil society" in chips and "Video" in chips
    assert "(3 active)" in html
    removal = re.search(r'href="([^"]+)" aria-label="Remove filter Company"', chips).group(1)
    assert parse_qs(urlsplit(removal.replace("&amp;", "&")).query) == {
        "kind": ["ngo"],
        "format": ["video"],
    }


def test_a_long_list_says_more_than_rather_than_count_every_match(app, client, register):
    app.config["LIST_COUNT_LIMIT"] = 3
    assert "More than 3 meetings" in client.get("/meetings?q=möte").get_data(as_text=True)
    assert "2 meetings" in client.get("/meetings?kind=company").get_data(as_text=True)
    app.config["PAGE_SIZE"] = 2
    first = client.get("/meetings").get_data(as_text=True)
    assert "1–2 of more than 3 meetings" in first
    # Every meeting is still listed, page after page.
    assert len(listed(client, "")) == 5


def test_the_counts_of_a_long_list_follow_the_register_as_it_changes(
    app, client, records, register
):
    def kind_counts() -> dict[str, str]:
        html = client.get("/meetings?format=in_person").get_data(as_text=True)
        return dict(re.findall(r'name="kind" value="([^"]+)"[^>]*>.*?\((\d+)\)', html, re.S))

    counted_each_time = kind_counts()
    assert counted_each_time["company"] == "1"
    # Lists longer than this have their counts kept until the register changes.
    app.config["FACET_LIVE_LIMIT"] = 1
    assert kind_counts() == counted_each_time
    records.meeting(subject="Möte om elbilar", organisation_ids=[register["company"]])
    assert kind_counts() == counted_each_time | {"company": "2"}


@pytest.mark.parametrize(
    "path",
    [
        "/meetings",
        "/meetings.csv",
        "/meetings.json",
        "/meetings.xlsx",
        "/stats",
        "/stats/kinds.csv",
    ],
)
def test_a_merged_organisations_filter_leads_to_the_kept_one_everywhere(
    app, client, records, register, path
):
    duplicate = records.organisation(name="Volvo Car Corporation", kind="company")
    with app.app_context():
        from register.extensions import db
        from register.models import Organisation

        db.session.get(Organisation, duplicate).merged_into_id = register["company"]
        db.session.commit()
    response = client.get(f"{path}?organisation={duplicate}&format=video")
    assert response.status_code == 301
    assert response.headers["Location"] == f"{path}?organisation={register['company']}&format=video"
    followed = client.get(response.headers["Location"])
    assert followed.status_code == 200
