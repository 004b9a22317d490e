"""Publishing is deliberate, in a real browser: Enter saves a draft; "Publish…" shows what
will become public and asks to confirm (static/publish.js); Escape goes back to the form.

The follow-up link fills in the organisations and participants, so these tests need not
drive the pickers (tests/browser/test_pickers.py does).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from register.extensions import db
from register.models import Meeting

from ..conftest import utc_today
from .conftest import sign_in
from .test_browser import assert_accessible

pytestmark = pytest.mark.browser

CONFIRMATION = "#publish-confirmation"


def earlier_meeting(records, world):
    return records.meeting(
        subject="Första mötet om dubbelspåret",
        created_by_id=world["user"],
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
        issue_ids=[world["issue"]],
    )


def follow_up_form(page, records, world, subject):
    earlier = earlier_meeting(records, world)
    sign_in(page)
    page.goto(f"/desk/meetings/new?follow_up={earlier}")
    page.locator("#held_on").fill((utc_today() - timedelta(days=1)).isoformat())
    page.locator("#subject").press_sequentially(subject)


def stored(app, subject):
    with app.app_context():
        return db.session.scalar(select(Meeting).where(Meeting.subject == subject))


def test_enter_in_the_subject_saves_a_draft(page, app, records, world):
    subject = "Uppföljning av tidplanen"
    follow_up_form(page, records, world, subject)
    page.locator("#subject").press("Enter")

    page.wait_for_url("**/desk/")
    expect(page.locator("main .flash[role=status]")).to_be_visible()
    meeting = stored(app, subject)
    assert meeting.status == "draft" and meeting.number is None


def test_publish_shows_what_becomes_public_and_publishes_on_confirmation(page, app, records, world):
    subject = "Uppföljning av finansieringen"
    follow_up_form(page, records, world, subject)
    page.locator("#summary").fill("Trafikverket visade den nya kalkylen.")
    confirmation = page.locator(CONFIRMATION)
    expect(confirmation).to_be_hidden()

    page.locator("#publish-button").click()
    expect(confirmation).to_be_visible()
    expect(confirmation).to_be_focused()
    expect(confirmation).to_have_attribute("role", "dialog")
    for value in (
        subject,
        "Trafikverket",
        "Anna Regionråd",
        "Dubbelspår Göteborg–Borås",
        "Trafikverket visade den nya kalkylen.",
    ):
        expect(confirmation).to_contain_text(value)
    assert stored(app, subject) is None  # nothing saved by looking
    assert_accessible(page)

    # Escape goes back to the form, to the button that opened the confirmation.
    page.keyboard.press("Escape")
    expect(confirmation).to_be_hidden()
    expect(page.locator("#publish-button")).to_be_focused()

    page.locator("#publish-button").click()
    expect(confirmation).to_be_visible()
    page.locator("#confirm-publish").click()
    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    expect(page.locator("main h1")).to_have_text(subject)
    assert stored(app, subject).status == "published"


def test_a_change_after_the_confirmation_hides_it(page, records, world):
    follow_up_form(page, records, world, "Uppföljning")
    page.locator("#publish-button").click()
    expect(page.locator(CONFIRMATION)).to_be_visible()
    page.locator("#subject").press_sequentially(" av kalkylen")
    expect(page.locator(CONFIRMATION)).to_be_hidden()


def test_duplicate_warning_offers_to_join_the_colleagues_record(page, app, records, world):
    held_on = utc_today() - timedelta(days=1)
    colleague = records.user(email="colleague@example.org", official_id=world["colleague"])
    existing = records.meeting(
        subject="Bertils anteckningar från mötet",
        held_on=held_on,
        created_by_id=colleague,
        official_ids=[world["colleague"]],
        organisation_ids=[world["organisation"]],
    )
    follow_up_form(page, records, world, "Samma möte, igen")
    page.locator("#save-draft-button").click()

    warning = page.locator("#duplicates")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Bertils anteckningar från mötet")
    expect(warning).to_contain_text("Bertil Kollega")
    assert_accessible(page)

    page.locator(f"#duplicates form[action$='/desk/meetings/{existing}/join'] button").click()
    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    expect(page.locator("main article.record")).to_contain_text("Anna Regionråd")
    assert stored(app, "Samma möte, igen") is None


def test_typing_tells_the_server_the_session_is_in_use_at_most_once_a_minute(page, world):
    page.clock.install()
    sign_in(page)
    page.goto("/desk/meetings/new")
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    subject = page.locator("#subject")
    subject.type("Möte")  # just after the page came: nothing to tell
    page.clock.fast_forward("01:01")
    with page.expect_response("**/account/session") as answer:
        subject.type(" om")
    assert answer.value.status == 204
    subject.type(" dubbelspåret")  # within the minute: not again
    page.clock.fast_forward("00:30")
    subject.type(" Göteborg–Borås")
    assert [url for url in asked if url.endswith("/account/session")] == [answer.value.url]
