"""At a phone's width (375 px) nothing scrolls sideways: the desk, the meeting form (new,
with errors, with an edit conflict), the pickers, a record with a very long link, the
admin's organisation list and the calendar import; and every one of them passes axe."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from register.extensions import db
from register.models import Meeting

from ..conftest import utc_today
from .conftest import sign_in
from .test_browser import assert_accessible

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
# Swedish compounds and names that a narrow screen must break somewhere.
LONG_WORD = "Regionutvecklingsnämndensinfrastrukturplaneringsarbetsgruppsmöte"
LONG_SUBJECT = (f"{LONG_WORD} om dubbelspåret Göteborg–Borås och " + "stationslägen " * 6).strip()
LONG_ORGANISATION = (
    "Föreningen för Västsvenska Kollektivtrafikresenärers Intressebevakning "
    "och Samhällsplaneringssamverkansorganisation"
)
LONG_LINK = "https://example.org/handlingar/" + "dubbelsparet-goteborg-boras-" * 6 + "x.pdf"

# The elements wider than the window, to say what scrolls when a page does.
WIDE_ELEMENTS = r"""() => {
  const limit = window.innerWidth;
  return [...document.querySelectorAll("body *")]
    .filter(node => node.getBoundingClientRect().right > limit + 0.5)
    .filter(node => !node.closest(".table-scroll, .visually-hidden, .implicit-submit, [hidden]"))
    .slice(0, 8)
    .map(node => {
      const classes = typeof node.className === "string" ? node.className.trim() : "";
      return node.tagName.toLowerCase() + (node.id ? "#" + node.id : "")
        + (classes ? "." + classes.split(/\s+/).join(".") : "")
        + " right=" + Math.round(node.getBoundingClientRect().right);
    });
}"""


def assert_no_sideways_scroll(page):
    # A page whose stylesheet is still on its way is laid out unstyled, and wide.
    page.wait_for_load_state("load")
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (
        f"{page.url} scrolls sideways at {inner_width} px ({scroll_width} px wide): "
        + ", ".join(page.evaluate(WIDE_ELEMENTS))
    )


def check(page):
    assert_no_sideways_scroll(page)
    assert_accessible(page)


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


@pytest.fixture
def long_names(records, world):
    """The world's official with records whose subject and counterpart are long."""
    organisation = records.organisation(name=LONG_ORGANISATION, kind="ngo")
    for days, status in ((2, "draft"), (30, "draft"), (5, "published"), (9, "published")):
        records.meeting(
            subject=LONG_SUBJECT if days == 2 else f"Möte om stationsläget, {days} dagar sedan",
            status=status,
            held_on=utc_today() - timedelta(days=days),
            created_by_id=world["user"],
            official_ids=[world["official"]],
            organisation_ids=[organisation, world["organisation"]],
            document_links=[LONG_LINK],
        )
    return world | {"long_organisation": organisation}


def test_desk_fits_a_phone(phone, long_names):
    sign_in(phone)
    expect(phone.locator("main .desk-table").first).to_be_visible()
    check(phone)
    phone.goto("/desk/?q=stationsl%C3%A4get&status=published")
    expect(phone.locator("#records-heading + form ~ .desk-table tbody tr")).to_have_count(2)
    check(phone)


def test_meeting_form_and_its_errors_fit_a_phone(phone, long_names):
    sign_in(phone)
    phone.goto("/desk/meetings/new")
    check(phone)
    # The organisation picker's suggestions, when scripts have made one.
    picker = phone.locator(".picker[data-field=organisation_ids] [role=combobox]")
    if picker.count():
        picker.press_sequentially("Föreningen")
        expect(phone.locator("[role=listbox] [role=option]").first).to_be_visible()
        assert_no_sideways_scroll(phone)
        phone.keyboard.press("ArrowDown")
        phone.keyboard.press("Enter")
        assert_no_sideways_scroll(phone)
    # Enter in the subject saves a draft: with the date missing, the form comes back.
    phone.locator("#subject").fill("x")
    phone.locator("#subject").press("Enter")
    expect(phone.locator("#error-summary")).to_be_visible()
    check(phone)


def test_edit_conflict_fits_a_phone(app, phone, long_names, records):
    meeting_id = records.meeting(
        subject=LONG_SUBJECT,
        created_by_id=long_names["user"],
        official_ids=[long_names["official"]],
        organisation_ids=[long_names["long_organisation"]],
        summary=LONG_WORD * 3,
        document_links=[LONG_LINK],
    )
    sign_in(phone)
    phone.goto(f"/desk/meetings/{meeting_id}/edit")
    # A colleague amends the record while the form is open.
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.summary = LONG_WORD + " " + LONG_LINK
        meeting.version += 1
        db.session.commit()
    phone.locator("#subject").fill(LONG_SUBJECT + " ändrat")
    phone.locator("#reason").fill("Rättat ämnet.")
    # Sent as "publish the amendment" straight away: the confirmation step is not what
    # this test is about.
    phone.evaluate(
        """() => {
          const form = document.getElementById("meeting-form");
          const action = document.createElement("input");
          action.type = "hidden"; action.name = "action"; action.value = "publish";
          form.append(action);
          form.submit();
        }"""
    )
    expect(phone.locator("#conflict table.changes")).to_be_visible()
    check(phone)


def test_record_with_a_long_link_fits_a_phone(phone, long_names, records):
    number = records.number(
        records.meeting(
            subject=LONG_SUBJECT,
            official_ids=[long_names["official"]],
            organisation_ids=[long_names["long_organisation"]],
            document_links=[LONG_LINK],
        )
    )
    phone.goto(f"/meetings/{number}")
    expect(phone.locator(f"main a[href='{LONG_LINK}']")).to_be_visible()
    check(phone)


def test_admin_organisation_list_fits_a_phone(phone, long_names, records):
    records.user(email="registrar@example.org", role="registrar")
    sign_in(phone, email="registrar@example.org")
    phone.goto("/admin/organisations")
    expect(phone.locator("main .table-scroll table")).to_be_visible()
    check(phone)


def calendar_file(day) -> bytes:
    """An exported calendar with one event whose title, place and attendees are long."""
    stamp = day.strftime("%Y%m%d")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Test//Mobil//SV",
        "BEGIN:VEVENT",
        "UID:mobil-1@example.org",
        f"DTSTAMP:{stamp}T080000Z",
        f"DTSTART:{stamp}T090000Z",
        f"DTEND:{stamp}T100000Z",
        f"SUMMARY:{LONG_SUBJECT}",
        f"LOCATION:{LONG_WORD}\\, {LONG_LINK}",
        "ATTENDEE;CN=Eva Ek:mailto:eva.ek.projektchef.kollektivtrafik@"
        "vastsvenskakollektivtrafikresenarer.example.org",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_calendar_import_fits_a_phone(app, phone, long_names):
    if "desk.calendar" not in app.view_functions:
        pytest.skip("no calendar import page (desk.calendar) in this build yet")
    sign_in(phone)
    phone.goto("/desk/calendar")
    check(phone)
    phone.locator("#calendar").set_input_files(
        {
            "name": "kalender.ics",
            "mimeType": "text/calendar",
            "buffer": calendar_file(utc_today() - timedelta(days=1)),
        }
    )
    phone.locator("#show-events").click()
    expect(phone.locator("table.calendar-events tbody tr")).to_have_count(1)
    check(phone)
