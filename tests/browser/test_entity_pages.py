"""The organisation list with an error in a real browser: at 320 px nothing scrolls
sideways and axe (WCAG 2.1 A/AA and best practice) finds nothing; and the start page shows
the issues before the long list of meetings on a phone. (Every public page in every
language: test_public_pages.)"""

from datetime import date

import pytest
from playwright.sync_api import expect

from register.extensions import db
from register.models import Issue, Organisation

from .test_browser import assert_accessible
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


def test_organisation_list_with_an_error_fits_and_passes_axe(page, entities):
    page.set_viewport_size(NARROWEST)
    page.goto("/organisations?kind=bank&sort=largest&q=" + LONG_WORD)
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_sideways_scroll(page)
    assert_accessible(page, best_practice=True)


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
