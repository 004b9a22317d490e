"""The accessibility statement, an error page and a record with its history (whose Swedish
content is marked as such under another interface language) in a real browser: at 320 px
nothing scrolls sideways, and axe (WCAG 2.1 A/AA and best practice) finds nothing, in
Swedish, English and Danish."""

import pytest
from axe_playwright_python import sync_playwright as axe_sync
from playwright.sync_api import expect

from .test_browser import WCAG_21_AA, a_published_meeting, format_violations
from .test_mobile import LONG_WORD, assert_no_sideways_scroll

pytestmark = pytest.mark.browser

NARROWEST = {"width": 320, "height": 700}


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
def test_statement_error_page_and_record_fit_320_px_and_pass_axe(
    app, page, records, world, language
):
    app.config["ACCESSIBILITY_CONTACT"] = "tillganglighet@example.se"
    number = records.number(a_published_meeting(records, world))
    page.set_viewport_size(NARROWEST)
    page.goto("/")
    page.locator(f"footer button[name=lang][value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    # The footer's link carries the page the visitor was on into the statement.
    page.goto(f"/meetings?q={LONG_WORD}")
    page.locator("footer a[href^='/accessibility']").click()
    expect(page.locator("a[href^='mailto:']")).to_have_count(1)
    for path in (None, "/nowhere", f"/meetings/{number}", f"/meetings/{number}/history"):
        if path:
            page.goto(path)
        expect(page.locator("h1")).to_have_count(1)
        assert_no_sideways_scroll(page)
        assert_accessible_with_best_practice(page)
