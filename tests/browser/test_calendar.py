"""From a calendar export to a published record, in a real browser: upload the .ics, tick a
meeting, make a draft, open it and publish. The journey counts the user's clicks and key
presses; every calendar page passes axe under the real Content-Security-Policy."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from register.extensions import db
from register.models import Meeting, Organisation

from ..conftest import utc_today
from .conftest import sign_in
from .test_browser import assert_accessible

pytestmark = pytest.mark.browser

PUBLISH = "main form button[name=action][value=publish]"
SUBJECT = "Tidplan för dubbelspåret Göteborg–Borås"


def exported_calendar(day) -> bytes:
    """Google Calendar's export of one Meet call with Trafikverket and one lunch."""
    stamp = day.strftime("%Y%m%d")
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-TIMEZONE:Europe/Stockholm",
        "BEGIN:VEVENT",
        f"DTSTART:{stamp}T090000Z",
        f"DTEND:{stamp}T100000Z",
        f"DTSTAMP:{stamp}T080000Z",
        "UID:3kq9v7d1r2m4n6p8s0t2u4w6x8@google.com",
        "ATTENDEE;CN=Eva Ek;PARTSTAT=ACCEPTED:mailto:eva.ek@trafikverket.se",
        "ORGANIZER;CN=Eva Ek:mailto:eva.ek@trafikverket.se",
        "DESCRIPTION:Anslut med Google Meet: https://meet.google.com/abc-defg-hij",
        f"SUMMARY:{SUBJECT}",
        "END:VEVENT",
        "BEGIN:VEVENT",
        f"DTSTART:{stamp}T110000Z",
        f"DTEND:{stamp}T120000Z",
        f"DTSTAMP:{stamp}T080000Z",
        "UID:9z8y7x6w5v4u3t2s1r0q9p8o7n@google.com",
        "LOCATION:Restaurang Kometen\\, Göteborg",
        "SUMMARY:Lunch med en kollega",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture
def trafikverket_site(app, world):
    with app.app_context():
        db.session.get(Organisation, world["organisation"]).website = "https://www.trafikverket.se"
        db.session.commit()


def test_official_goes_from_calendar_upload_to_a_published_record(
    app, page, world, trafikverket_site
):
    held_on = utc_today() - timedelta(days=2)
    clicks = keys = 0
    sign_in(page)

    page.locator("#calendar-import").click()
    clicks += 1
    page.wait_for_url("**/desk/calendar")
    assert_accessible(page)
    # Choosing a file: a click opens the chooser, a double-click picks the file there.
    page.locator("#calendar").set_input_files(
        {"name": "kalender.ics", "mimeType": "text/calendar", "buffer": exported_calendar(held_on)}
    )
    clicks += 2
    page.locator("#show-events").click()
    clicks += 1

    rows = page.locator("table.calendar-events tbody tr")
    expect(rows).to_have_count(2)
    first = rows.nth(0)
    expect(first).to_contain_text(SUBJECT)
    expect(first).to_contain_text(held_on.isoformat())
    expect(first).to_contain_text("09:00–10:00")  # the register keeps UTC in tests
    expect(first).to_contain_text("Organisationer: Trafikverket")
    assert_accessible(page)

    first.locator("input[type=checkbox][name=event]").check()
    clicks += 1
    page.locator("#make-drafts").click()
    clicks += 1
    page.wait_for_url("**/desk/")
    expect(page.locator("main .flash[role=status]").first).to_contain_text("1 utkast skapades")

    page.locator("main tr", has_text=SUBJECT).locator("a[href$='/edit']").first.click()
    clicks += 1
    page.wait_for_url(re.compile(r"/desk/meetings/\d+/edit$"))
    expect(page.locator("#subject")).to_have_value(SUBJECT)
    expect(page.locator("#held_on")).to_have_value(held_on.isoformat())
    expect(page.locator("#start_time")).to_have_value("09:00")
    expect(page.locator("#format")).to_have_value("video")

    publish = page.locator(PUBLISH)
    if not publish.is_visible():
        # "Publish…" first shows what becomes public; its "Yes, publish" sends action=publish.
        page.locator("#publish-button").click()
        clicks += 1
    expect(publish).to_be_visible()
    publish.click()
    clicks += 1

    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    expect(page.locator("main h1")).to_have_text(SUBJECT)
    record = page.locator("main article.record")
    expect(record).to_contain_text("Trafikverket")
    expect(record).to_contain_text("Anna Regionråd")
    with app.app_context():
        meeting = db.session.query(Meeting).one()
        assert meeting.status == "published"
        assert meeting.calendar_event == "3kq9v7d1r2m4n6p8s0t2u4w6x8@google.com|"

    # Upload, tick, make drafts, open the draft, publish and confirm; nothing typed.
    print(f"\ncalendar journey: {clicks} clicks, {keys} key presses")
    assert (clicks, keys) == (9, 0)

    # The same file again: the published meeting is marked, the lunch may still be ticked.
    page.goto("/desk/calendar")
    page.locator("#calendar").set_input_files(
        {"name": "kalender.ics", "mimeType": "text/calendar", "buffer": exported_calendar(held_on)}
    )
    page.locator("#show-events").click()
    expect(rows.nth(0).locator("a.already-drafted")).to_be_visible()
    expect(rows.nth(0).locator("input[type=checkbox]")).to_have_count(0)
    expect(rows.nth(1).locator("input[type=checkbox]")).to_have_count(1)


def test_calendar_pages_with_errors_and_notes_pass_axe(page, world):
    sign_in(page)
    page.goto("/desk/calendar")
    page.locator("#calendar").set_input_files(
        {"name": "bild.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n\x00\x00"}
    )
    page.locator("#show-events").click()
    expect(page.locator("#calendar-errors")).to_contain_text("ingen kalenderfil")
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)

    day = utc_today() - timedelta(days=1)
    data = exported_calendar(day).replace(
        b"END:VCALENDAR",
        b"BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Mars/Olympus:20250101T090000\r\n"
        b"SUMMARY:P\xc3\xa5 Mars\r\nEND:VEVENT\r\nEND:VCALENDAR",
    )
    page.locator("#calendar").set_input_files(
        {"name": "kalender.ics", "mimeType": "text/calendar", "buffer": data}
    )
    page.locator("#show-events").click()
    expect(page.locator(".calendar-skipped")).to_contain_text("dess tidszon är okänd")
    # Nothing ticked: the message sits above the list.
    page.locator("#make-drafts").click()
    expect(page.locator("#event-errors")).to_contain_text("Kryssa i minst en händelse")
    assert_accessible(page)
