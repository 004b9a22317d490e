"""What a person sees and does in a real browser: sign in, log and publish a meeting, the
the error summary, accessibility (axe, WCAG 2.1 A/AA) under the real
Content-Security-Policy, and pages that load nothing from outside.

Elements are found by ids, names and values, not by their text: the interface is Swedish by
default and its catalogs change.
"""

import re
from datetime import timedelta

import pytest
from axe_playwright_python import sync_playwright as axe_sync
from playwright.sync_api import expect

from ..conftest import utc_today
from .conftest import sign_in

pytestmark = pytest.mark.browser


WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# "Publish…" shows what will become public; only the confirmation's button publishes.
PUBLISH = "main form #publish-button"
CONFIRM_PUBLISH = "main form button[name=action][value=publish]"
SIGN_OUT = "header form[action$='/logout'] button[type=submit]"


# -- logging a meeting -------------------------------------------------------------------


def test_official_signs_in_publishes_a_meeting_and_signs_out(page, world, records):
    records.organisation(name="Svenskt Näringsliv", kind="trade_association")
    subject = "Tidplan för dubbelspåret Göteborg–Borås"
    held_on = (utc_today() - timedelta(days=2)).isoformat()

    sign_in(page)
    page.locator("main a[href$='/desk/meetings/new']").click()
    page.wait_for_url("**/desk/meetings/new")

    # A native date field: Playwright's fill() is how it is typed into (its segment order
    # follows the browser's language, not the page's).
    page.locator("#held_on").fill(held_on)
    expect(page.locator("#held_on")).to_have_value(held_on)
    # The signed-in official is chosen already; pick a colleague and the counterpart too
    # (static/picker.js: tests/browser/test_pickers.py has the details).
    expect(page.locator(f"input[name=official_ids][value='{world['official']}']")).to_be_checked()
    for field, typed, name in (
        ("official_ids", "bertil", "Bertil Kollega"),
        ("organisation_ids", "trafikv", "Trafikverket"),
    ):
        page.locator(f"#{field}-search").press_sequentially(typed)
        page.locator(f"#{field}-suggestions [role=option]", has_text=name).click()
    expect(page.locator(f"input[name=official_ids][value='{world['colleague']}']")).to_be_checked()
    expect(
        page.locator(f"input[name=organisation_ids][value='{world['organisation']}']")
    ).to_be_checked()
    page.locator("#subject").press_sequentially(subject)
    page.locator(PUBLISH).click()
    expect(page.locator("#publish-confirmation")).to_contain_text(subject)
    page.locator(CONFIRM_PUBLISH).click()

    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    record_url = page.url
    expect(page.locator("main h1")).to_have_text(subject)
    expect(page.locator("main .flash[role=status]")).to_be_visible()
    record = page.locator("main article.record")
    expect(record).to_contain_text("Trafikverket")
    expect(record).to_contain_text("Anna Regionråd")
    expect(record).to_contain_text("Bertil Kollega")
    expect(record).not_to_contain_text("Svenskt Näringsliv")
    expect(page.locator(f"main time[datetime='{held_on}']")).to_be_visible()

    page.locator(SIGN_OUT).click()
    page.wait_for_url(lambda url: url.endswith("/"))
    expect(page.locator(SIGN_OUT)).to_have_count(0)
    expect(page.locator("header a[href$='/login']")).to_be_visible()

    page.goto(record_url)
    expect(page.locator("main h1")).to_have_text(subject)

    response = page.goto("/desk/")
    assert response.ok
    assert re.search(r"/login(\?|$)", page.url), page.url
    expect(page.locator("#password")).to_be_visible()


def test_empty_form_shows_a_focused_error_summary(page, world):
    sign_in(page)
    page.goto("/desk/meetings/new")
    page.get_by_role("button", name="Ta bort Anna Regionråd").click()

    with page.expect_navigation() as navigation:
        page.locator(PUBLISH).click()
    assert navigation.value.status == 400

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()

    # Every line of the summary leads to a field on the page.
    links = summary.locator("a[href^='#']")
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    targets = [href.removeprefix("#") for href in hrefs]
    for field in ("held_on", "subject", "official_ids", "organisation_ids"):
        assert field in targets, f"no error-summary link to #{field}: {targets}"
    for target in targets:
        expect(page.locator(f"[id='{target}']")).to_have_count(1)
    expect(page.locator("#subject")).to_have_attribute("aria-invalid", "true")

    # Nothing was saved, not even a draft.
    page.goto("/desk/")
    expect(page.locator("main table")).to_have_count(0)


# -- accessibility ---------------------------------------------------------------------


def format_violations(url, violations):
    lines = [f"axe found {len(violations)} WCAG 2.1 A/AA violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:3]:
            target = ", ".join(map(str, node["target"]))
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}: {summary}")
        if len(violation["nodes"]) > 3:
            lines.append(f"    … and {len(violation['nodes']) - 3} more")
    return "\n".join(lines)


def assert_accessible(page, *, best_practice: bool = False):
    """axe finds no WCAG 2.1 A/AA violation (and, with `best_practice`, nothing against
    its best-practice rules either: landmarks, heading order, one main heading)."""
    tags = [*WCAG_21_AA, "best-practice"] if best_practice else WCAG_21_AA
    results = axe_sync.Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]},
    )
    violations = results.response["violations"]
    assert not violations, format_violations(page.url, violations)


def a_published_meeting(records, world):
    return records.meeting(
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
        issue_ids=[world["issue"]],
        location="Regionens hus, Göteborg",
        summary="Trafikverket redogjorde för tidplanen.",
        representatives="Eva Ek, projektchef",
        document_links=["https://example.org/underlag.pdf"],
    )


def signed_in_form(page):
    sign_in(page)
    page.goto("/desk/meetings/new")


def form_with_errors(page):
    signed_in_form(page)
    page.locator(PUBLISH).click()
    expect(page.locator("#error-summary")).to_be_focused()


A11Y_PAGES = {
    "start": lambda page, meeting: page.goto("/"),
    "meetings": lambda page, meeting: page.goto("/meetings"),
    "record": lambda page, meeting: page.goto(f"/meetings/{meeting}"),
    "login": lambda page, meeting: page.goto("/login"),
    "meeting-form": lambda page, meeting: signed_in_form(page),
    "meeting-form-errors": lambda page, meeting: form_with_errors(page),
    "data": lambda page, meeting: page.goto("/data"),
}


@pytest.mark.parametrize("name", list(A11Y_PAGES))
def test_page_has_no_wcag_21_aa_violations(page, records, world, name):
    meeting = a_published_meeting(records, world)
    A11Y_PAGES[name](page, meeting)
    page.wait_for_load_state("load")
    # The real CSP: the page fixture never sets bypass_csp. axe is injected through the
    # DevTools protocol, which the policy does not govern; the page's own code still is.
    assert_accessible(page)


def test_axe_harness_reports_a_violation(page):
    """The harness itself: an image without alt text on a bare page is reported."""
    page.goto("about:blank")
    page.set_content('<html lang="sv"><title>t</title><main><img src="data:,"></main></html>')
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
        assert_accessible(page)


# -- nothing from outside, no console errors -------------------------------------------


@pytest.mark.parametrize("name", ["start", "meeting-form"])
def test_page_loads_nothing_from_outside_and_logs_no_errors(page, records, world, watch, name):
    a_published_meeting(records, world)
    if name == "start":
        response = page.goto("/")
    else:
        sign_in(page)
        response = page.goto("/desk/meetings/new")
    assert response.ok
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert watch.outside_requests == []
    assert watch.console_errors == []


def test_guard_catches_a_page_that_reaches_outside(page, watch):
    """The guard itself: a stray CDN link is stopped and recorded."""
    page.goto("/")
    page.evaluate(
        "() => { const img = new Image(); img.src = 'https://cdn.example.invalid/x.png'; }"
    )
    page.wait_for_timeout(200)
    # The app's CSP (img-src 'self') stops it before the network, and says so.
    assert any("Content Security Policy" in e for e in watch.console_errors), watch.console_errors

    page.goto("about:blank")  # a page without the app's CSP
    page.set_content('<img src="https://cdn.example.invalid/y.png">')
    page.wait_for_load_state("networkidle")
    assert watch.outside_requests == ["https://cdn.example.invalid/y.png"]
    watch.outside_requests.clear()  # recorded as intended; do not fail the teardown
