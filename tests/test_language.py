"""Language: what officials wrote is marked Swedish when the interface speaks another
language, and only then; dates in each language's own form; error pages that say in
words what went wrong."""

import re
from datetime import UTC, date, datetime

import pytest

SUBJECT = "Tidplan för dubbelspåret"


@pytest.fixture
def record(records, world):
    """A published record held on Tuesday 24 November 2026, published that afternoon."""
    return records.number(
        records.meeting(
            subject=SUBJECT,
            summary="Trafikverket redogjorde för tidplanen.",
            held_on=date(2026, 11, 24),
            published_at=datetime(2026, 11, 24, 13, 5, tzinfo=UTC),
            official_ids=[world["official"]],
            organisation_ids=[world["organisation"]],
            issue_ids=[world["issue"]],
            created_by_id=world["user"],
        )
    )


def page(client, path, language) -> str:
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def main(html) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("language", ["en", "da"])
def test_swedish_content_is_marked_when_the_interface_speaks_another_language(
    client, record, language
):
    html = page(client, "/meetings", language)
    assert f'<html lang="{language}">' in html
    assert f'<a href="/meetings/{record}" lang="sv">{SUBJECT}</a>' in html
    html = page(client, f"/meetings/{record}", language)
    assert f'<h1 lang="sv">{SUBJECT}</h1>' in html
    assert '<div class="prose" lang="sv">Trafikverket redogjorde' in html
    assert 'lang="sv">Trafikverket</a>' in html
    assert 'lang="sv">Dubbelspår Göteborg–Borås</a>' in html
    html = page(client, f"/meetings/{record}/history", language)
    assert f'<span lang="sv">{SUBJECT}</span>' in html
    html = page(client, "/", language)
    assert f'lang="sv">{SUBJECT}</a>' in html


def test_swedish_interface_does_not_mark_content_again(client, record):
    for path in ("/", "/meetings", f"/meetings/{record}", f"/meetings/{record}/history"):
        html = page(client, path, "sv")
        assert '<html lang="sv">' in html
        assert SUBJECT in html
        assert ' lang="' not in main(html), path


def test_desk_marks_the_subjects_of_its_lists(client, auth, record):
    auth.login()
    html = page(client, "/desk/", "en")
    assert f'lang="sv">{SUBJECT}</a>' in html
    html = page(client, "/desk/", "sv")
    assert f'">{SUBJECT}</a>' in html and ' lang="' not in main(html)


@pytest.mark.parametrize(
    ("language", "list_date", "record_date", "published", "moment"),
    [
        (
            "da",
            "24. november 2026",
            "tirsdag den 24. november 2026",
            r"24\. november 2026 \d\d\.05",
            r"\d{1,2}\. [a-z]+ \d{4} \d\d\.\d\d",
        ),
        (
            "sv",
            "24 november 2026",
            "tisdag 24 november 2026",
            r"24 november 2026 \d\d:05",
            r"\d{1,2} [a-z]+ \d{4} \d\d:\d\d",
        ),
        (
            "en",
            "November 24, 2026",
            "Tuesday, November 24, 2026",
            r"November 24, 2026, \d{1,2}:05\u202f[AP]M",
            r"[A-Z][a-z]+ \d{1,2}, \d{4}, \d{1,2}:\d\d\u202f[AP]M",
        ),
    ],
)
def test_dates_are_written_in_the_interface_languages_own_form(
    client, record, language, list_date, record_date, published, moment
):
    assert f">{list_date}</time>" in page(client, "/meetings", language)
    html = page(client, f"/meetings/{record}", language)
    assert f">{record_date}</time>" in html
    # Hours are the register's local time; the minutes show the form.
    assert re.search(published, html)
    # The history shows when each revision was made (here: when the test ran).
    html = page(client, f"/meetings/{record}/history", language)
    assert re.search(f">{moment}</time>", html)


@pytest.mark.parametrize(
    ("language", "heading"),
    [("sv", "Sidan finns inte"), ("en", "Page not found"), ("da", "Siden findes ikke")],
)
def test_a_missing_page_says_so_in_its_heading_and_offers_a_way_on(client, language, heading):
    response = client.get("/nowhere", headers={"Accept-Language": language})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert re.findall(r"<h1>(.*?)</h1>", html) == [heading]
    assert f"<title>{heading} · Testregionen</title>" in html
    assert re.search(r'<form[^>]+action="/meetings"[^>]+role="search"', html)
    assert 'name="q"' in html
    assert 'href="/"' in html


def test_a_forbidden_page_says_so_in_its_heading(client, auth, world):
    auth.login()
    response = client.get("/admin/", headers={"Accept-Language": "sv"})
    assert response.status_code == 403
    assert "<h1>Du har inte tillgång till sidan</h1>" in response.get_data(as_text=True)
