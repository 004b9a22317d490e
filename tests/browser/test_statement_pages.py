"""The accessibility statement, reached from the footer of any page, and an error page in
a real browser: at 320 px nothing scrolls sideways, and axe (WCAG 2.1 A/AA and best
practice) finds nothing. (Every public page in every language: test_public_pages.)"""

import pytest
from playwright.sync_api import expect

from .test_browser import assert_accessible
from .test_mobile import LONG_WORD, assert_no_sideways_scroll

pytestmark = pytest.mark.browser

NARROWEST = {"width": 320, "height": 700}


@pytest.mark.parametrize("language", ["sv", "en", "da"])
def test_statement_and_error_page_fit_320_px_and_pass_axe(app, page, language):
    app.config["ACCESSIBILITY_CONTACT"] = "tillganglighet@example.se"
    page.set_viewport_size(NARROWEST)
    page.goto("/")
    page.locator(f"footer button[name=lang][value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    # The footer's link carries the page the visitor was on into the statement.
    page.goto(f"/meetings?q={LONG_WORD}")
    page.locator("footer a[href^='/accessibility']").click()
    expect(page.locator("a[href^='mailto:']")).to_have_count(1)
    for path in (None, "/nowhere"):
        if path:
            page.goto(path)
        expect(page.locator("h1")).to_have_count(1)
        assert_no_sideways_scroll(page)
        assert_accessible(page, best_practice=True)
