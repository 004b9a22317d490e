"""The issue, organisation and official pages in a real browser: at 320 px nothing scrolls
sideways, and axe (WCAG 2.1 A/AA and best practice) finds nothing, in Swedish, English and
Danish. The start page shows the issues before the long list of meetings on a phone."""

from datetime import date

import pytest
from axe_playwright_python import sync_playwright as axe_sync
from playwright.sync_api import expect

from register.extensions import db
from register.models import Issue, Organisation

from .test_browser import WCAG_21_AA, format_violations
from .test_mobile import LONG_LINK, LONG_ORGANISATION, LONG_WORD, assert_no_sideways_scroll

pytestmark = pytest.mark.browser

NARROWEST = {"width": 320, "height": 700}


@pytest.fixture
def entities(app, records, world):
    """An issue with long texts, a consultancy with a long name and a client, a concluded
    issue, and meetings with long links between them."""
    consultancy = records.organisation(name=LONG_ORGANISATION, kind="consultancy")
    concluded = records.issue(title="Nattåg till Berlin", slug="nattag-till-berlin")
    with app.app_context():
        issue = db.session.get(Issue, world["issue"])
        issue.summary = f"{LONG_WORD} mellan Göteborg och Borås. " * 3
        issue.outcome_sought = "Att staten finansierar dubbelspåret."
        issue.decision_makers = "Regeringen, Trafikverket"
        issue.unit_id = world["unit"]
        issue.started_on = date(2024, 1, 1)
        closed = db.session.get(Issue, concluded)
        closed.status, closed.ended_on = "concluded", date(2025, 1, 31)
        organisation = db.session.get(Organisation, world["organisation"])
        organisation.eu_transparency_id = "123456789012-34"
        organisation.website = LONG_LINK
        organisation.country = "SE"
        db.session.commit()
    for month in (1, 2, 4, 7):
        records.meeting(
            subject=f"{LONG_WORD} {month}",
            held_on=date(2025, month, 10),
            official_ids=[world["official"], world["colleague"]],
            organisation_ids=[world["organisation"], consultancy],
            issue_ids=[world["issue"]] + ([concluded] if month == 1 else []),
            client="Byggbolaget Väst AB",
            document_links=[LONG_LINK],
        )
    return world | {"consultancy": consultancy}


def entity_pages(entities):
    return [
        "/issues",
        "/issues/dubbelspar-goteborg-boras",
        "/organisations",
        f"/organisations/{entities['consultancy']}",
        f"/organisations/{entities['organisation']}",
        "/officials",
        f"/officials/{entities['official']}",
    ]


def assert_accessible_with_best_practice(page):
    results = axe_sync.Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": [*WCAG_21_AA, "best-practice"]},
            "resultTypes": ["violations"],
        },
    )
    violations = results.response["violations"]
    assert not violations, format_violations(page.url, violations)


@pytest.mark.parametrize("language", ["sv", "en", "da"])
def test_entity_pages_fit_320_px_and_pass_axe(page, entities, language):
    page.set_viewport_size(NARROWEST)
    page.goto("/")
    page.locator(f"footer button[name=lang][value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    for path in entity_pages(entities):
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("h1")).to_have_count(1)
        assert_no_sideways_scroll(page)
        # The month table (the chart's text alternative) open, as a reader would open it.
        for summary in page.locator("details.figures-table > summary").all():
            summary.click()
        assert_no_sideways_scroll(page)
        assert_accessible_with_best_practice(page)


def test_organisation_list_with_an_error_fits_and_passes_axe(page, entities):
    page.set_viewport_size(NARROWEST)
    page.goto("/organisations?kind=bank&sort=largest&q=" + LONG_WORD)
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_sideways_scroll(page)
    assert_accessible_with_best_practice(page)


def test_start_page_shows_the_issues_before_the_meetings_on_a_phone(page, entities):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/")
    issues = page.locator("#issues-heading").bounding_box()
    latest = page.locator("#latest-heading").bounding_box()
    assert issues["y"] < latest["y"]
    assert issues["y"] < 1200, f"the issues begin {issues['y']:.0f} px down"
    page.locator("#issues-heading + ul a").first.click()
    page.wait_for_url("**/issues/dubbelspar-goteborg-boras")
    # On a wide screen the issues stand beside the meetings, on the right.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    issues = page.locator("#issues-heading").bounding_box()
    latest = page.locator("#latest-heading").bounding_box()
    assert issues["x"] > latest["x"] + latest["width"] / 2
    assert abs(issues["y"] - latest["y"]) < 5
