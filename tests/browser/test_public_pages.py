"""Every public page, found from the app's own routes, at a small phone's width (320 px),
a common one (375 px) and a desktop's (1280 px): nothing scrolls sideways, however long
the names, words and links in the records; and axe, best practice included, finds nothing
in Swedish, English or Danish. A public page added without an entry here fails the first
test."""

from datetime import date

import pytest
from playwright.sync_api import expect

from register.extensions import db
from register.models import Issue, Organisation

from .test_browser import assert_accessible
from .test_mobile import (
    LONG_LINK,
    LONG_ORGANISATION,
    LONG_SUBJECT,
    LONG_WORD,
    assert_no_sideways_scroll,
)

pytestmark = pytest.mark.browser

WIDTHS = (320, 375, 1280)

# Public GET routes that answer with data or a redirect, not a page; each is tested where
# it is built.
NOT_PAGES = {
    "public.meetings_csv",
    "public.meetings_json",
    "public.meetings_xlsx",
    "public.datapackage",
    "public.data_file",
    "public.register_sqlite",
    "public.feed",
    "public.lookup_names",
    "public.stats_csv",
    "public.set_language",  # a redirect back to the page the visitor was on
}

# Each public page, as a path built from the register below.
PAGES = {
    "public.index": lambda r: "/",
    "public.meetings": lambda r: "/meetings?kind=consultancy&kind=ngo&q=stationsläget",
    "public.meeting": lambda r: f"/meetings/{r['number']}",
    "public.meeting_history": lambda r: f"/meetings/{r['number']}/history",
    "public.issues": lambda r: "/issues",
    "public.issue": lambda r: "/issues/dubbelspar-goteborg-boras",
    "public.organisations": lambda r: "/organisations?sort=meetings",
    "public.organisation": lambda r: f"/organisations/{r['consultancy']}",
    "public.officials": lambda r: "/officials",
    "public.official": lambda r: f"/officials/{r['official']}",
    "public.stats": lambda r: "/stats",
    "public.data": lambda r: "/data",
    "public.accessibility": lambda r: "/accessibility",
}


@pytest.fixture
def long_register(app, records, world):
    """A register whose names, words and links are as long as real ones get."""
    consultancy = records.organisation(name=LONG_ORGANISATION, kind="consultancy")
    with app.app_context():
        issue = db.session.get(Issue, world["issue"])
        issue.summary = f"{LONG_WORD} mellan Göteborg och Borås. " * 3
        issue.outcome_sought = LONG_SUBJECT
        issue.decision_makers = "Regeringen, Trafikverket"
        organisation = db.session.get(Organisation, world["organisation"])
        organisation.website = LONG_LINK
        db.session.commit()
    numbers = []
    for month in (1, 3, 6, 9):
        meeting = records.meeting(
            subject=f"{LONG_SUBJECT} {month}",
            summary=f"Om stationsläget: {LONG_WORD}. {LONG_LINK}",
            held_on=date(2025, month, 10),
            official_ids=[world["official"], world["colleague"]],
            organisation_ids=[world["organisation"], consultancy],
            issue_ids=[world["issue"]],
            client=LONG_ORGANISATION,
            representatives=f"{LONG_WORD}, {LONG_WORD}",
            document_links=[LONG_LINK],
        )
        numbers.append(records.number(meeting))
    return world | {"consultancy": consultancy, "number": numbers[-1]}


def test_every_public_page_is_listed_here(app):
    routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("public.") and "GET" in rule.methods
    }
    assert routes - NOT_PAGES == set(PAGES), "a public page needs an entry in PAGES"


@pytest.mark.parametrize("width", WIDTHS)
def test_no_public_page_scrolls_sideways(page, long_register, width):
    page.set_viewport_size({"width": width, "height": 800})
    for endpoint, path in PAGES.items():
        response = page.goto(path(long_register))
        assert response.ok, f"{endpoint}: {response.status}"
        assert_no_sideways_scroll(page)
        # The charts' tables (their text alternative) open, as a reader would open them.
        for summary in page.locator("details.figures-table > summary").all():
            summary.click()
        assert_no_sideways_scroll(page)


@pytest.mark.parametrize("language", ["sv", "en", "da"])
def test_every_public_page_passes_axe_in_each_language(page, long_register, language):
    page.goto("/")
    page.locator(f"footer button[name=lang][value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    for path in PAGES.values():
        page.goto(path(long_register))
        page.wait_for_load_state("load")
        assert_accessible(page, best_practice=True)
