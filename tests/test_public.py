"""The public register: pages, escaping, pagination and malformed requests."""

import re
from datetime import UTC

import pytest


def test_start_page_shows_latest_meetings_and_issues(client, records, world):
    records.meeting(
        subject="Senaste mötet",
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
        issue_ids=[world["issue"]],
    )
    html = client.get("/").get_data(as_text=True)
    assert "Testregionen" in html
    assert "Senaste mötet" in html
    assert "Dubbelspår Göteborg–Borås" in html
    assert "/data" in html


def test_user_text_is_escaped(client, records, world):
    meeting_id = records.meeting(
        subject="<script>alert('x')</script>",
        summary="<b>fet</b>",
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    for path in (f"/meetings/{meeting_id}", "/meetings", "/"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html, path
        assert "&lt;script&gt;" in html, path
    assert "<b>fet</b>" not in client.get(f"/meetings/{meeting_id}").get_data(as_text=True)


def test_pages_walk_through_every_meeting_once(app, client, records, world):
    app.config["PAGE_SIZE"] = 4
    ids = {
        records.meeting(
            subject=f"Möte {n}",
            official_ids=[world["official"]],
            organisation_ids=[world["organisation"]],
        )
        for n in range(10)
    }
    seen, path, pages = [], "/meetings", 0
    while path:
        html = client.get(path).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r'href="/meetings/(\d+)"', html)]
        found = re.search(r'rel="next" href="([^"]+)"', html)
        path = found.group(1).replace("&amp;", "&") if found else None
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))


def test_filters_narrow_the_list(client, records, world):
    union = records.organisation(name="Kommunal", kind="union")
    records.meeting(
        subject="Med facket", official_ids=[world["official"]], organisation_ids=[union]
    )
    records.meeting(
        subject="Med verket",
        official_ids=[world["colleague"]],
        organisation_ids=[world["organisation"]],
    )
    html = client.get(f"/meetings?organisation={union}").get_data(as_text=True)
    assert "Med facket" in html and "Med verket" not in html
    html = client.get(f"/meetings?official={world['colleague']}").get_data(as_text=True)
    assert "Med verket" in html and "Med facket" not in html
    html = client.get("/meetings?q=FACKET").get_data(as_text=True)
    assert "Med facket" in html and "Med verket" not in html


@pytest.mark.parametrize(
    "query",
    [
        "from=2024-13-01",
        "to=yesterday",
        "official=abc",
        "organisation=-1",
        "unit=99999999999",
        "kind=spy",
        "format=smoke",
        "issue=../../etc",
        "cursor=not-a-cursor",
        "from=2025-01-02&to=2025-01-01",
    ],
)
def test_bad_filters_get_a_message_not_a_500(client, query):
    response = client.get(f"/meetings?{query}")
    assert response.status_code == 400
    assert "error-summary" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/meetings/0",
        "/meetings/abc",
        "/meetings/99999999999999999999",
        "/meetings/2147483648/history",
        "/nowhere",
    ],
)
def test_unknown_addresses_are_404(client, path):
    assert client.get(path).status_code == 404


def test_nul_bytes_are_refused(client):
    assert client.get("/meetings?q=a%00b").status_code == 400


def test_language_can_be_switched(client):
    response = client.get("/language", query_string={"lang": "en", "next": "/meetings"})
    assert response.headers["Location"] == "/meetings"
    assert "Meetings" in client.get("/meetings").get_data(as_text=True)
    response = client.get("/language", query_string={"lang": "da", "next": "https://evil.example"})
    assert response.headers["Location"] == "/"
    assert '<html lang="da">' in client.get("/").get_data(as_text=True)


def test_security_headers_are_sent(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_history_shows_publication(client, records, world):
    meeting_id = records.meeting(
        official_ids=[world["official"]], organisation_ids=[world["organisation"]]
    )
    html = client.get(f"/meetings/{meeting_id}/history").get_data(as_text=True)
    assert "Publicerad" in html


def test_withdrawn_record_leaves_only_a_stub(client, records, world):
    from datetime import datetime

    meeting_id = records.meeting(
        subject="Känsligt ämne",
        summary="Detaljer som inte längre är offentliga",
        status="withdrawn",
        published_at=datetime.now(UTC),
        withdrawn_at=datetime.now(UTC),
        withdrawal_reason="Innehöll personuppgifter",
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    for path in (f"/meetings/{meeting_id}", f"/meetings/{meeting_id}/history"):
        response = client.get(path)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Känsligt ämne" not in html, path
        assert "Detaljer som inte" not in html, path
    html = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "Innehöll personuppgifter" in html
    assert f"Post nr {meeting_id}" in html
    assert "Känsligt ämne" not in client.get("/meetings").get_data(as_text=True)


def test_an_unexpected_error_shows_a_calm_500_page(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/broken")
    def broken():
        raise RuntimeError("boom")

    response = client.get("/broken")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Inget sparades" in html
    assert "boom" not in html


def test_search_ignores_case_of_swedish_letters(client, records, world):
    records.meeting(
        subject="Östra stambanan och Älvsborgsbron",
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    for query in ("östra", "ÄLVSBORGSBRON", "Stambanan"):
        html = client.get("/meetings", query_string={"q": query}).get_data(as_text=True)
        assert "Östra stambanan" in html, query
    html = client.get("/meetings", query_string={"q": "västra"}).get_data(as_text=True)
    assert "Östra stambanan" not in html


@pytest.mark.parametrize("disposition", ["form-data", "garbage", 'form-data; filename="möte.ics"'])
def test_a_form_field_without_a_name_is_refused_by_every_post_route(app, client, disposition):
    # Flask-WTF's CSRF check read every field's name and failed with a 500 on this.
    body = f"--b\r\nContent-Disposition: {disposition}\r\n\r\nx\r\n--b--\r\n".encode()
    rules = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(rules) > 20
    for rule in rules:
        path = re.sub(r"<[^>]+>", "1", rule.rule)
        response = client.post(path, data=body, content_type="multipart/form-data; boundary=b")
        assert response.status_code == 400, path
        assert "Formuläret innehåller ett fält utan namn." in response.get_data(as_text=True)
