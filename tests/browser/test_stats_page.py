"""The statistics page in a real browser: at 320 px its charts are drawn at a readable size
and nothing scrolls sideways, with its tables open too, and axe (WCAG 2.1 A/AA and best
practice) finds nothing; with a bad filter as well. (In every language:
test_public_pages.)"""

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from .test_browser import assert_accessible
from .test_entity_pages import NARROWEST
from .test_mobile import LONG_ORGANISATION, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def figures(records, world):
    """Meetings over two years with organisations of long and hostile names."""
    long_name = records.organisation(name=LONG_ORGANISATION, kind="ngo")
    hostile = records.organisation(name='<script>alert("x")</script> & "Co"', kind="company")
    for month in range(1, 25, 2):
        held = date(2024 + (month - 1) // 12, (month - 1) % 12 + 1, 10)
        records.meeting(
            subject=f"Möte {month}",
            held_on=held,
            published_at=datetime(held.year, held.month, 12 + month % 5, 9, tzinfo=UTC),
            official_ids=[world["official"]] + ([world["colleague"]] if month % 3 else []),
            organisation_ids=[world["organisation"], long_name if month % 2 else hostile],
            issue_ids=[world["issue"]],
            format="video" if month % 4 else "in_person",
        )
    return world


def open_tables(page):
    """Open every chart's table, as a reader would to read the figures."""
    for summary in page.locator("details.figures-table > summary").all():
        summary.click()


def test_stats_page_fits_320_px_with_its_tables_open_and_passes_axe(page, figures):
    page.set_viewport_size(NARROWEST)
    response = page.goto("/stats")
    assert response.status == 200
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("figure svg[role=img]")).to_have_count(8)
    assert_no_sideways_scroll(page)
    # Each chart is drawn at a readable size: as wide as the column (less its margins).
    for chart in page.locator("figure svg").all():
        assert chart.bounding_box()["width"] >= 260
    open_tables(page)
    assert_no_sideways_scroll(page)
    assert_accessible(page, best_practice=True)


def test_stats_page_with_a_filter_error_fits_and_passes_axe(page, figures):
    page.set_viewport_size(NARROWEST)
    response = page.goto("/stats?from=2025-13-01&issue=dubbelspar-goteborg-boras")
    assert response.status == 400
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#stats-from")).to_have_attribute("aria-invalid", "true")
    assert_no_sideways_scroll(page)
    assert_accessible(page, best_practice=True)


def test_stats_filter_form_narrows_the_figures(page, figures):
    page.goto("/stats")
    total = page.locator(".figures dd").first.inner_text()
    page.locator("#stats-format").select_option("in_person")
    page.locator(".stats-filters button[type=submit]").click()
    page.wait_for_url("**/stats?**format=in_person**")
    assert page.locator(".figures dd").first.inner_text() != total
    assert_accessible(page, best_practice=True)
