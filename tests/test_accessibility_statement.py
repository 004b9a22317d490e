"""The accessibility statement (lag 2018:1937): its sections in every language, the
contact, and a report link that names the page the visitor came from."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

CONTACT = "tillganglighet@example.se"


def statement(client, language, query=""):
    response = client.get(f"/accessibility{query}", headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def mailto(html) -> tuple[str, dict[str, str]]:
    """The address and the fields of the page's report link."""
    found = re.search(r'href="(mailto:[^"]+)"', html)
    assert found, "no report link"
    parts = urlsplit(unescape(found.group(1)))
    return parts.path, {key: values[0] for key, values in parse_qs(parts.query).items()}


@pytest.mark.parametrize(
    ("language", "heading", "words"),
    [
        ("sv", "Tillgänglighetsredogörelse", ("delvis förenlig", "Myndigheten för digital")),
        ("en", "Accessibility statement", ("partially complies", "Agency for Digital Government")),
        ("da", "Tilgængelighedserklæring", ("delvist", "Digitaliseringsstyrelsen")),
    ],
)
def test_statement_has_its_sections_in_every_language(app, client, language, heading, words):
    app.config["ACCESSIBILITY_CONTACT"] = CONTACT
    html = statement(client, language)
    assert f'<html lang="{language}">' in html
    (h1,) = re.findall(r"<h1>(.*?)</h1>", html)
    assert h1.replace("\u00ad", "").startswith(heading)  # a soft hyphen may break it
    assert f"<title>{heading} · Testregionen</title>" in html
    assert f'aria-current="page">{heading}</a>' in html  # the footer's link
    assert len(re.findall(r"<h2[ >]", html)) >= 6
    for word in words:
        assert word in html, word
    assert "2018:1937" in html
    assert 'href="https://www.digg.se/tdosanmalan"' in html
    assert "axe" in html and "WCAG 2.1" in html
    assert CONTACT in html
    address, _fields = mailto(html)
    assert address == CONTACT


def test_danish_statement_mentions_the_danish_equivalent_only_in_danish(client):
    assert "WAS" in statement(client, "da")
    assert "Digitaliseringsstyrelsen" not in statement(client, "sv")


def test_report_link_names_the_page_the_visitor_came_from(app, client):
    app.config["ACCESSIBILITY_CONTACT"] = CONTACT
    html = statement(client, "sv", "?page=/meetings?issue%3Dkollektivtrafik")
    address, fields = mailto(html)
    assert address == CONTACT
    page = "http://localhost/meetings?issue=kollektivtrafik"
    assert fields["subject"] == f"Tillgänglighetsproblem på {page}"
    assert page in fields["body"]
    assert page in html


def test_footer_links_to_the_statement_with_the_current_page(client):
    html = client.get("/meetings?kind=union").get_data(as_text=True)
    assert 'href="/accessibility?page=/meetings?kind%3Dunion"' in html


@pytest.mark.parametrize(
    "page", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_a_page_on_another_site_is_not_put_in_the_report(app, client, page):
    app.config["ACCESSIBILITY_CONTACT"] = CONTACT
    html = statement(client, "en", f"?page={page}")
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "evil.example" not in main and "javascript:" not in main
    _address, fields = mailto(html)
    assert fields["subject"] == "Accessibility problem in the influence register"


def test_without_a_contact_the_statement_says_whom_to_write_to(app, client):
    app.config["ACCESSIBILITY_CONTACT"] = ""
    html = statement(client, "sv", "?page=/meetings")
    assert "mailto:" not in html
    assert "registratorn hos Testregionen" in html
    assert "http://localhost/meetings" in html
