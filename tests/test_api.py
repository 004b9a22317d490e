"""The JSON API (SPEC §3): the same records as the exports, cursor pages, clear errors,
CORS, and nothing that is not public."""

import json
import re
from datetime import UTC, date, datetime

import pytest

from register.export import COLUMN_NAMES
from register.extensions import db
from register.models import Meeting, Official, Organisation
from register.records import take_number

API = "/api/v1"


def body(response):
    return json.loads(response.get_data(as_text=True))


@pytest.fixture
def register(records, world):
    """A varied register: meetings over several days, kinds, formats, issues and units;
    a withdrawn record; a draft with an organisation only it names."""
    other_unit = records.unit(name="Kollektivtrafiknämnden", kind="committee")
    driver = records.official(name="Cecilia Chaufför", title="ordförande", unit_id=other_unit)
    union = records.organisation(name="Vårdförbundet", kind="union")
    company = records.organisation(name="Västtrafik AB", kind="company", org_number="556558-0390")
    health = records.issue(title="Vårdens kompetensförsörjning", slug="vardens-kompetens")
    rail, both = world["issue"], [world["issue"], health]
    meetings = [
        (date(2025, 3, 1), "Tågplan", [world["official"]], [world["organisation"]], [rail], {}),
        (date(2025, 3, 1), "Bussar", [driver], [company], [], {"format": "video"}),
        (date(2025, 3, 4), "Löner", [world["colleague"]], [union], [health], {"format": "phone"}),
        (date(2025, 4, 2), "Spår och vård", [world["official"], driver], [union], both, {}),
        (date(2025, 2, 10), "Pendeltåg", [driver], [world["organisation"], company], [rail], {}),
        (date(2025, 3, 1), "Biljetter", [world["colleague"]], [company], [], {"format": "video"}),
    ]
    ids = {}
    for held_on, subject, officials, organisations, issues, fields in meetings:
        ids[subject] = records.meeting(
            subject=subject,
            held_on=held_on,
            official_ids=officials,
            organisation_ids=organisations,
            issue_ids=issues,
            **fields,
        )
    ids["withdrawn"] = records.meeting(
        subject="Återkallat möte",
        status="withdrawn",
        held_on=date(2025, 3, 2),
        official_ids=[world["official"]],
        organisation_ids=[union],
        withdrawn_at=datetime(2025, 3, 20, tzinfo=UTC),
        withdrawal_reason="Felaktigt registrerad",
    )
    secret = records.organisation(name="Hemliga Konsulter AB", kind="consultancy", public=False)
    ids["draft"] = records.meeting(
        subject="Hemligt utkast",
        status="draft",
        held_on=date(2025, 3, 3),
        official_ids=[world["official"]],
        organisation_ids=[secret],
        issue_ids=[rail],
    )
    return {
        **ids,
        "union": union,
        "company": company,
        "secret": secret,
        "driver": driver,
        "other_unit": other_unit,
        "health": health,
    }


def api_ids(client, query=""):
    response = client.get(f"{API}/meetings?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in body(response)["meetings"]]


def export_ids(client, query=""):
    response = client.get(f"/meetings.json?{query}")
    assert response.status_code == 200
    return [item["id"] for item in body(response)["meetings"]]


def test_a_meeting_item_is_the_json_export_record(client, register):
    items = body(client.get(f"{API}/meetings"))["meetings"]
    exported = body(client.get("/meetings.json"))["meetings"]
    assert items == exported
    assert all(list(item) == list(COLUMN_NAMES) for item in items)
    (train,) = [item for item in items if item["subject"] == "Tågplan"]
    assert train["organisations"] == ["Trafikverket"]
    assert train["issue_slugs"] == ["dubbelspar-goteborg-boras"]
    assert train["url"] == f"http://localhost/meetings/{train['id']}"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "kind=union",
        "kind=company&kind=union",
        "issue=dubbelspar-goteborg-boras",
        "issue=dubbelspar-goteborg-boras&issue=vardens-kompetens",
        "format=video",
        "from=2025-03-01&to=2025-03-04",
        "from=2025-03-02",
        "q=tågplan",
        "sort=published",
        "sort=published&from=2025-03-01",
        "official={official}",
        "unit={other_unit}",
        "organisation={company}",
    ],
)
def test_filters_give_the_same_ids_as_the_json_export(client, world, register, query):
    query = query.format(**world, **register)
    ids = api_ids(client, query)
    assert ids == export_ids(client, query)
    assert register["draft"] not in ids


def test_without_content_filters_withdrawn_stubs_are_listed_as_in_the_exports(client, register):
    assert register["withdrawn"] in api_ids(client)
    assert register["withdrawn"] in api_ids(client, "from=2025-03-02&to=2025-03-02")
    assert register["withdrawn"] not in api_ids(client, "kind=union")


def test_filters_narrow_as_on_the_register_page(client, register):
    assert api_ids(client, "format=phone") == [register["Löner"]]
    assert api_ids(client, "kind=union") == [register["Spår och vård"], register["Löner"]]
    # Newest first by date, and by number within a day.
    assert api_ids(client, "from=2025-03-01&to=2025-03-01") == [
        register["Biljetter"],
        register["Bussar"],
        register["Tågplan"],
    ]


def walk(client, first_url):
    """Every page from the first, following `next`; checks the Link header on the way."""
    ids, url, pages = [], first_url, 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = body(response)
        ids += [item["id"] for item in page["meetings" if "meetings" in page else "organisations"]]
        if page["next"]:
            assert page["next"].startswith("http://localhost/api/v1/")
            assert response.headers["Link"] == f'<{page["next"]}>; rel="next"'
        else:
            assert "Link" not in response.headers
        url, pages = page["next"], pages + 1
        assert pages < 50
    return ids, pages


@pytest.mark.parametrize(
    ("query", "limit"),
    [("", 1), ("", 2), ("", 3), ("sort=published", 2), ("kind=company", 1), ("q=spår", 1)],
)
def test_cursor_walking_visits_every_record_once(client, register, query, limit):
    everything = api_ids(client, query)
    ids, pages = walk(client, f"{API}/meetings?{query}&limit={limit}")
    assert ids == everything
    assert len(set(ids)) == len(ids)
    assert pages == max(1, -(-len(everything) // limit))


def test_the_next_address_keeps_the_filters_and_limit(client, register):
    page = body(client.get(f"{API}/meetings?kind=company&format=video&limit=1"))
    assert "kind=company" in page["next"] and "limit=1" in page["next"]
    assert "format=video" in page["next"]
    assert [item["id"] for item in body(client.get(page["next"]))["meetings"]] == [
        register["Bussar"]
    ]


def test_the_default_page_holds_a_hundred(app, client, world):
    with app.app_context():
        official = db.session.get(Official, world["official"])
        for day in range(1, 29):
            for _ in range(4):
                meeting = Meeting(
                    held_on=date(2025, 2, day),
                    subject="Möte",
                    format="video",
                    initiative="region",
                    status="published",
                    number=take_number(),
                    published_at=datetime.now(UTC),
                    officials=[official],
                )
                db.session.add(meeting)
        db.session.commit()
    page = body(client.get(f"{API}/meetings"))
    assert len(page["meetings"]) == 100 and page["next"]
    rest = body(client.get(page["next"]))
    assert len(rest["meetings"]) == 12 and rest["next"] is None


@pytest.mark.parametrize("limit", ["1", "500"])
def test_limits_within_bounds_are_taken(client, world, limit):
    assert client.get(f"{API}/meetings?limit={limit}").status_code == 200
    assert client.get(f"{API}/organisations?limit={limit}").status_code == 200


@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten", "1.5", "²", "99999999999", " "])
def test_limits_out_of_bounds_name_the_parameter(client, limit):
    for path in ("meetings", "organisations"):
        response = client.get(f"{API}/{path}", query_string={"limit": limit})
        if limit == " ":
            assert response.status_code == 200  # empty: the default
            continue
        assert response.status_code == 400
        error = body(response)
        assert list(error) == ["error", "fields"]
        assert list(error["fields"]) == ["limit"]
        assert "500" in error["fields"]["limit"]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("from=2024-02-30", {"from"}),
        ("from=2025-04-01&to=2025-03-01", {"to"}),
        ("kind=spy", {"kind"}),
        ("format=telepathy", {"format"}),
        ("issue=Not%20A%20Slug", {"issue"}),
        ("official=abc", {"official"}),
        ("unit=0", {"unit"}),
        ("sort=random", {"sort"}),
        ("cursor=not-a-cursor", {"cursor"}),
        ("organisatoin=3", {"organisatoin"}),
        ("kind=spy&limit=0&cursor=%%%", {"kind", "limit", "cursor"}),
        ("q=" + "x" * 201, {"q"}),
    ],
)
def test_bad_parameters_are_a_400_naming_each(client, query, fields):
    response = client.get(f"{API}/meetings?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    error = body(response)
    assert set(error["fields"]) == fields
    assert all(isinstance(message, str) and message for message in error["fields"].values())
    assert error["error"]


def test_error_messages_speak_the_visitors_language(client):
    response = client.get(f"{API}/meetings?limit=0", headers={"Accept-Language": "en"})
    assert body(response)["fields"]["limit"] == "The limit must be a whole number from 1 to 500."
    response = client.get(f"{API}/meetings?limit=0", headers={"Accept-Language": "sv"})
    assert "500" in body(response)["fields"]["limit"]
    assert body(response)["fields"]["limit"] != "The limit must be a whole number from 1 to 500."


@pytest.mark.parametrize(
    "path",
    ["/meetings/1?x=1", "/issues?cursor=abc", "/officials?limit=5", "/openapi.json?v=2"],
)
def test_addresses_refuse_parameters_they_do_not_take(client, path):
    response = client.get(API + path)
    assert response.status_code == 400
    (name,) = body(response)["fields"]
    assert name == path.split("?")[1].split("=")[0]


@pytest.mark.parametrize(
    "path",
    [
        "/meetings/9999",
        "/meetings/0",
        "/meetings/abc",
        "/issues/no-such-issue",
        "/organisations/9999",
        "/officials/9999",
        "/units/9999",
        "/nothing",
        "",
        "/",
    ],
)
def test_unknown_addresses_are_json_404s(client, path):
    response = client.get(API + path)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert set(body(response)) == {"error", "fields"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_other_methods_are_a_json_405(client):
    response = client.post(f"{API}/meetings")
    assert response.status_code == 405
    assert response.mimetype == "application/json"
    assert "GET" in response.headers["Allow"]
    assert body(response)["error"]


def test_cors_is_open_for_get_without_credentials(client, register):
    response = client.get(f"{API}/meetings", headers={"Origin": "https://example.com"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Link" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        f"{API}/meetings",
        headers={
            "Origin": "https://example.com",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    # The public pages are not opened up.
    assert "Access-Control-Allow-Origin" not in client.get("/meetings.json").headers


def test_one_meeting_and_a_withdrawn_stub(client, register):
    number = register["Tågplan"]
    response = client.get(f"{API}/meetings/{number}")
    assert response.status_code == 200
    assert (
        body(response)
        == [
            item for item in body(client.get("/meetings.json"))["meetings"] if item["id"] == number
        ][0]
    )
    stub = body(client.get(f"{API}/meetings/{register['withdrawn']}"))
    assert stub["status"] == "withdrawn" and stub["reason"] == "Felaktigt registrerad"
    assert stub["subject"] is None and stub["organisations"] == []


def test_entities_list_their_published_meetings(client, world, register):
    issues = body(client.get(f"{API}/issues"))["issues"]
    rail = next(issue for issue in issues if issue["slug"] == "dubbelspar-goteborg-boras")
    expected = sorted(api_ids(client, "issue=dubbelspar-goteborg-boras"))
    assert rail["meetings"] == expected
    assert rail["url"] == "http://localhost/issues/dubbelspar-goteborg-boras"
    assert body(client.get(f"{API}/issues/dubbelspar-goteborg-boras")) == rail

    union = body(client.get(f"{API}/organisations/{register['union']}"))
    # The withdrawn record no longer says whom it was with.
    assert union["meetings"] == sorted(api_ids(client, f"organisation={register['union']}"))
    assert register["withdrawn"] not in union["meetings"]
    assert union["kind"] == "union" and union["url"].endswith(f"/organisations/{union['id']}")

    official = body(client.get(f"{API}/officials/{register['driver']}"))
    assert official["meetings"] == sorted(api_ids(client, f"official={register['driver']}"))
    assert official["unit"] == "Kollektivtrafiknämnden" and official["title"] == "ordförande"
    officials = body(client.get(f"{API}/officials"))["officials"]
    assert official in officials

    unit = body(client.get(f"{API}/units/{register['other_unit']}"))
    assert unit["meetings"] == sorted(api_ids(client, f"unit={register['other_unit']}"))
    assert unit in body(client.get(f"{API}/units"))["units"]


def test_an_entity_without_meetings_has_an_empty_list(client, records):
    unit = records.unit(name="Revisionen", kind="office")
    assert body(client.get(f"{API}/units/{unit}"))["meetings"] == []


def test_drafts_never_appear_anywhere_in_the_api(client, world, register):
    addresses = [
        "/meetings",
        "/meetings?issue=dubbelspar-goteborg-boras",
        f"/meetings?official={world['official']}",
        "/issues",
        "/issues/dubbelspar-goteborg-boras",
        "/organisations",
        f"/officials/{world['official']}",
        "/officials",
        "/units",
        f"/units/{world['unit']}",
    ]
    everything = ""
    for address in addresses:
        response = client.get(API + address)
        assert response.status_code == 200, address
        everything += response.get_data(as_text=True)
    assert "Hemligt utkast" not in everything
    assert "Hemliga Konsulter" not in everything
    # The draft has no public number; the next number is unused.
    numbers = set(api_ids(client))
    for item in body(client.get(f"{API}/officials/{world['official']}"))["meetings"]:
        assert item in numbers
    assert client.get(f"{API}/meetings/{max(numbers) + 1}").status_code == 404


def test_a_private_organisation_is_404_and_never_listed(client, register):
    secret = register["secret"]
    assert client.get(f"{API}/organisations/{secret}").status_code == 404
    listed = [item["id"] for item in body(client.get(f"{API}/organisations"))["organisations"]]
    assert secret not in listed
    assert register["union"] in listed


def merge(app, duplicate, kept):
    with app.app_context():
        db.session.get(Organisation, duplicate).merged_into_id = kept
        db.session.commit()


def test_a_merged_organisation_moves_to_the_one_kept(app, client, register):
    duplicate = register["union"]
    merge(app, duplicate, register["company"])
    response = client.get(f"{API}/organisations/{duplicate}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"{API}/organisations/{register['company']}"
    listed = [item["id"] for item in body(client.get(f"{API}/organisations"))["organisations"]]
    assert duplicate not in listed
    response = client.get(f"{API}/meetings?organisation={duplicate}&limit=2")
    assert response.status_code == 301
    assert f"organisation={register['company']}" in response.headers["Location"]
    assert "limit=2" in response.headers["Location"]


def test_organisations_are_paged_by_cursor(client, records):
    created = [records.organisation(name=f"Förening {n}", kind="ngo") for n in range(7)]
    ids, pages = walk(client, f"{API}/organisations?limit=3")
    assert ids == sorted(created) and pages == 3
    response = client.get(f"{API}/organisations?cursor=bm9wZQ")
    assert response.status_code == 400 and list(body(response)["fields"]) == ["cursor"]


def test_a_meeting_cursor_is_not_an_organisation_cursor(client, register):
    page = body(client.get(f"{API}/meetings?limit=1"))
    cursor = page["next"].split("cursor=")[1].split("&")[0]
    response = client.get(f"{API}/organisations?cursor={cursor}")
    assert response.status_code == 400


def test_nul_bytes_are_a_json_400(client):
    response = client.get(f"{API}/meetings?q=a%00b")
    assert response.status_code == 400
    assert response.mimetype == "application/json"


def test_the_openapi_document_describes_every_address_and_column(app, client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document = body(response)
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://localhost/api/v1"}]
    # Every address the app answers under the API, with its variables, is documented.
    routes = {
        re.sub(r"<[^>]*>", "{}", rule.rule.removeprefix(API))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes == {re.sub(r"\{[^}]*\}", "{}", path) for path in document["paths"]}
    schemas = document["components"]["schemas"]
    assert list(schemas["Meeting"]["properties"]) == list(COLUMN_NAMES)
    parameters = document["components"]["parameters"]
    assert parameters["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 500,
        "default": 100,
    }
    assert parameters["kind"]["schema"]["items"]["enum"][0] == "company"
    assert parameters["format"]["schema"]["items"]["enum"] == [
        "in_person",
        "video",
        "phone",
        "written",
        "other",
    ]
    assert parameters["sort"]["schema"]["enum"] == ["held", "published"]
    assert parameters["from"]["schema"]["format"] == "date"
    listed = document["paths"]["/meetings"]["get"]["parameters"]
    names = {parameters[item["$ref"].rsplit("/", 1)[1]]["name"] for item in listed}
    assert names == {*"q official organisation issue kind unit from to format".split()} | {
        "sort",
        "cursor",
        "limit",
        "If-None-Match",
        "If-Modified-Since",
    }


def test_the_openapi_document_is_in_english_whatever_the_language(client):
    swedish = client.get(f"{API}/openapi.json", headers={"Accept-Language": "sv"})
    english = client.get(f"{API}/openapi.json", headers={"Accept-Language": "en"})
    assert body(swedish) == body(english)
    assert "The date the meeting was held." in swedish.get_data(as_text=True)


def test_the_data_page_points_to_the_api(client):
    page = client.get("/data").get_data(as_text=True)
    assert f'href="{API}/openapi.json"' in page
